// Element-wise Add and Mul of two tensors (elementwise.hpp), float and int8.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "tests/support.hpp"
#include "xnor/elementwise.hpp"

using namespace xnor;

namespace {

// TFLite's int8 ADD and MUL (reference_ops), element by element, written from the specification.
std::vector<std::int8_t> tflite(ElementwiseKind kind, const std::vector<std::int8_t>& a, const std::vector<std::int8_t>& b,
                                const Int8ElementwiseParams& p) {
  std::vector<std::int8_t> out(a.size());
  const double twice_max = 2.0 * std::max(p.a.scale, p.b.scale);
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::int32_t x = a[i] - p.a.zero_point, y = b[i] - p.b.zero_point;
    std::int32_t raw = 0;
    if (kind == ElementwiseKind::mul) {
      raw = multiply_by_quantized_multiplier(x * y, quantize_multiplier(double{p.a.scale} * p.b.scale / p.output.scale));
    } else {
      const std::int32_t sum = multiply_by_quantized_multiplier(x * (1 << 20), quantize_multiplier(p.a.scale / twice_max)) +
                               multiply_by_quantized_multiplier(y * (1 << 20), quantize_multiplier(p.b.scale / twice_max));
      raw = multiply_by_quantized_multiplier(sum, quantize_multiplier(twice_max / ((1 << 20) * double{p.output.scale})));
    }
    out[i] = static_cast<std::int8_t>(std::clamp<std::int32_t>(raw + p.output.zero_point, p.range.min, p.range.max));
  }
  return out;
}

}  // namespace

TEST_CASE("float add and mul: same shapes and a per-channel second operand, with the fused activation") {
  std::mt19937_64 rng(test::seed());
  INFO("seed " << test::seed());
  std::normal_distribution<float> normal;
  const std::size_t pixels = 13;
  for (std::size_t channels : {1, 3, 17, 64}) {
    std::vector<float> a(pixels * channels), full(a.size()), per_channel(channels);
    for (auto* v : {&a, &full, &per_channel}) {
      for (float& x : *v) x = normal(rng);
    }
    for (ElementwiseKind kind : {ElementwiseKind::add, ElementwiseKind::mul}) {
      for (const Activation& activation : {Activation::none(), Activation::relu(), Activation::clamp(-0.5f, 0.5f)}) {
        for (const std::vector<float>* b : {&full, &per_channel}) {
          std::vector<float> out(a.size());
          elementwise(kind, a, *b, channels, activation, out);
          for (std::size_t i = 0; i < a.size(); ++i) {
            const float y = (*b)[b->size() == a.size() ? i : i % channels];
            const float expected = activation.apply(kind == ElementwiseKind::add ? a[i] + y : a[i] * y, i % channels);
            CHECK(out[i] == expected);
          }
        }
      }
    }
  }
}

TEST_CASE("int8 add and mul equal TFLite's arithmetic, stay within one step of the float result, exact cases") {
  std::mt19937_64 rng(test::seed());
  INFO("seed " << test::seed());
  std::uniform_real_distribution<float> scale(0.005f, 0.2f);
  const std::size_t channels = 19, pixels = 11;
  for (int trial = 0; trial < 40; ++trial) {
    const auto zero = [&] { return static_cast<std::int32_t>(rng() % 201) - 100; };
    const Int8ElementwiseParams params{{scale(rng), zero()}, {scale(rng), zero()}, {scale(rng) * 2, zero()}, {}};
    std::vector<std::int8_t> a(pixels * channels), b(a.size()), out(a.size());
    for (auto* v : {&a, &b}) {
      for (auto& q : *v) q = static_cast<std::int8_t>(static_cast<int>(rng() % 256) - 128);
    }
    for (ElementwiseKind kind : {ElementwiseKind::add, ElementwiseKind::mul}) {
      int8_elementwise(kind, a, b, channels, params, out);
      const auto expected = tflite(kind, a, b, params);
      CHECK(out == expected);
      for (std::size_t i = 0; i < a.size(); ++i) {
        const float x = dequantize(a[i], params.a), y = dequantize(b[i], params.b);
        const float real = kind == ElementwiseKind::add ? x + y : x * y;
        const float exact = std::clamp(real / params.output.scale + static_cast<float>(params.output.zero_point), -128.0f, 127.0f);
        CHECK(std::fabs(static_cast<float>(out[i]) - exact) <= 1.0f);
      }
    }
  }
  // Equal scales: the sum of the real values, exactly; saturation; the activation's range; a broadcast operand.
  const Int8ElementwiseParams same{{0.1f, 0}, {0.1f, 0}, {0.1f, 0}, {-128, 127}};
  std::vector<std::int8_t> out(3);
  int8_elementwise(ElementwiseKind::add, std::vector<std::int8_t>{10, 100, -100}, std::vector<std::int8_t>{20, 100, -100}, 1,
                   same, out);
  CHECK(out == std::vector<std::int8_t>{30, 127, -128});
  int8_elementwise(ElementwiseKind::add, std::vector<std::int8_t>{10, -50, 3}, std::vector<std::int8_t>{5}, 1,
                   {same.a, same.b, same.output, {0, 127}}, out);
  CHECK(out == std::vector<std::int8_t>{15, 0, 8});
  // (a - 2) * (b + 4) * 0.5 * 0.25 / 0.125 = (a - 2) * (b + 4).
  int8_elementwise(ElementwiseKind::mul, std::vector<std::int8_t>{5, -1, 12}, std::vector<std::int8_t>{-1, 3, -4}, 3,
                   {{0.5f, 2}, {0.25f, -4}, {0.125f, 0}, {}}, out);
  CHECK(out == std::vector<std::int8_t>{9, -21, 0});
}

TEST_CASE("element-wise operations refuse operands that neither match nor broadcast") {
  std::vector<float> a(12), b(5), out(12);
  CHECK_THROWS_AS(elementwise(ElementwiseKind::add, a, b, 3, {}, out), std::invalid_argument);
  CHECK_THROWS_AS(elementwise(ElementwiseKind::add, a, a, 5, {}, out), std::invalid_argument);
  std::vector<float> short_out(11);
  CHECK_THROWS_AS(elementwise(ElementwiseKind::mul, a, a, 3, {}, short_out), std::invalid_argument);
  std::vector<std::int8_t> qa(12), qb(4), qout(12);
  CHECK_THROWS_AS(int8_elementwise(ElementwiseKind::add, qa, qb, 3, {}, qout), std::invalid_argument);
  CHECK_THROWS_AS(int8_elementwise(ElementwiseKind::add, qa, qa, 3, {{0.0f, 0}, {1.0f, 0}, {1.0f, 0}, {}}, qout),
                  std::invalid_argument);
}
