#include "bench/conv_cases.hpp"

#include <cmath>
#include <cstdlib>
#include <map>
#include <random>
#include <string>

#include "src/float/reference.hpp"
#include "src/int8/reference.hpp"

namespace xnor::bench {
namespace {

std::mt19937_64 rng_for(const ConvShape& shape) {
  std::seed_seq seed{shape.h, shape.w, shape.in_c, shape.out_c, shape.kernel, shape.stride, shape.groups};
  return std::mt19937_64(seed);
}

std::size_t padding_after(std::size_t in, std::size_t out, std::size_t stride, std::size_t kernel, std::size_t before) {
  const std::size_t reach = (out - 1) * stride + kernel;
  return reach > in + before ? reach - in - before : 0;
}

std::size_t weight_count(const ConvShape& shape) {
  return shape.out_c * shape.kernel * shape.kernel * (shape.in_c / shape.groups);
}

// The reference output of a shape, computed on first use.
template <class T, class Compute>
const std::vector<T>& cached(const ConvShape& shape, Compute compute) {
  static std::map<std::string, std::vector<T>> outputs;
  auto [it, inserted] = outputs.try_emplace(shape.name(""));
  if (inserted) it->second = compute();
  return it->second;
}

}  // namespace

std::size_t pad_bottom(const ConvGeometry& g) {
  return padding_after(g.in_h, g.out_h(), g.stride, g.kernel_h, g.pad_top());
}

std::size_t pad_right(const ConvGeometry& g) {
  return padding_after(g.in_w, g.out_w(), g.stride, g.kernel_w, g.pad_left());
}

Int8LayerParams Int8ConvCase::params() const {
  return {weights, weight_scales, bias, QuantParams{1.0f, input_zero_point}, QuantParams{1.0f, 0}, Int8Range{}};
}

FloatConvCase float_case(const ConvShape& shape) {
  auto rng = rng_for(shape);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  FloatConvCase c{std::vector<float>(shape.h * shape.w * shape.in_c), std::vector<float>(weight_count(shape)),
                  std::vector<float>(shape.out_c)};
  for (auto* values : {&c.input, &c.weights, &c.bias}) {
    for (float& v : *values) v = uniform(rng);
  }
  return c;
}

Int8ConvCase int8_case(const ConvShape& shape) {
  auto rng = rng_for(shape);
  // One accumulator's standard deviation, roughly: sqrt(K) * rms(input - zero point) * rms(weight), the
  // rms of 0..255 being 147 and that of -127..127 being 73.
  const double k = static_cast<double>(shape.kernel * shape.kernel * (shape.in_c / shape.groups));
  const double spread = std::sqrt(k) * 147.0 * 73.0;
  std::uniform_int_distribution<int> input(-128, 127), weight(-127, 127);
  const auto bias_bound = static_cast<std::int32_t>(spread);
  std::uniform_int_distribution<std::int32_t> bias(-bias_bound, bias_bound);
  std::uniform_real_distribution<double> scale(0.5, 1.5);
  Int8ConvCase c;
  c.input.resize(shape.h * shape.w * shape.in_c);
  for (auto& q : c.input) q = static_cast<std::int8_t>(input(rng));
  c.weights.resize(weight_count(shape));
  for (auto& q : c.weights) q = static_cast<std::int8_t>(weight(rng));
  for (std::size_t n = 0; n < shape.out_c; ++n) {
    c.weight_scales.push_back(static_cast<float>(scale(rng) * 30.0 / spread));  // outputs spread about ±30
    c.bias.push_back(bias(rng));
  }
  return c;
}

bool matches_reference(const ConvShape& shape, std::span<const float> output) {
  const auto& expected = cached<float>(shape, [&] {
    const FloatConvCase c = float_case(shape);
    return reference::float_grouped_conv2d(shape.geometry(), shape.groups, c.input, c.weights, c.bias);
  });
  if (output.size() != expected.size()) return false;
  double squares = 0;
  for (float e : expected) squares += static_cast<double>(e) * e;
  const double rms = std::sqrt(squares / static_cast<double>(expected.size()));
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (!(std::fabs(output[i] - expected[i]) <= 1e-4 * (std::fabs(expected[i]) + rms))) return false;
  }
  return true;
}

bool matches_reference(const ConvShape& shape, std::span<const std::int8_t> output) {
  const auto& expected = cached<std::int8_t>(shape, [&] {
    const Int8ConvCase c = int8_case(shape);
    const ConvGeometry g = shape.geometry();
    std::vector<std::int8_t> out(g.out_pixels() * g.out_c);
    reference::int8_grouped_conv2d(g, shape.groups, c.params(), c.input.data(), out.data());
    return out;
  });
  if (output.size() != expected.size()) return false;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (std::abs(output[i] - expected[i]) > 1) return false;
  }
  return true;
}

}  // namespace xnor::bench
