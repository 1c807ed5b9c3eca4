#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "src/float/reference.hpp"
#include "src/int8/reference.hpp"
#include "src/path_kernels.hpp"
#include "tests/support.hpp"
#include "xnor/grouped_conv.hpp"

using namespace xnor;

namespace {

constexpr std::size_t channel_counts[] = {1, 3, 8, 15, 16, 17, 31, 32, 33, 64, 65};
constexpr std::int8_t canary = 0x55;

// The supported paths whose kernels differ: the depthwise kernel for a depthwise layer, else the convolution kernel
// (`conv`) of the groups. Paths that share them run the same code, so one of each is tested.
template <class Kernels>
std::vector<Path> distinct_paths(bool depthwise, const Kernels* detail::PathKernels::*conv) {
  std::vector<Path> paths;
  std::vector<const void*> seen;
  for (Path path : supported_path_list()) {
    const detail::PathKernels& k = detail::path_kernels(path);
    const void* kernel = depthwise ? static_cast<const void*>(k.depthwise) : static_cast<const void*>(k.*conv);
    if (std::find(seen.begin(), seen.end(), kernel) != seen.end()) continue;
    seen.push_back(kernel);
    paths.push_back(path);
  }
  return paths;
}

// n values uniform in [low, high]: floats, or integers of type T.
template <class T>
std::vector<T> random_vector(std::mt19937_64& rng, std::size_t n, double low, double high) {
  std::vector<T> values(n);
  if constexpr (std::is_floating_point_v<T>) {
    std::uniform_real_distribution<T> uniform(static_cast<T>(low), static_cast<T>(high));
    for (T& v : values) v = uniform(rng);
  } else {
    std::uniform_int_distribution<std::int64_t> uniform(static_cast<std::int64_t>(low),
                                                        static_cast<std::int64_t>(high));
    for (T& v : values) v = static_cast<T>(uniform(rng));
  }
  return values;
}

enum class Grouping { depthwise, depthwise_times_2, grouped };

// Calls visit(geometry, groups, i) for kernels 1, 3 and 5, strides 1 and 2 and the test paddings, on images a little
// larger than the kernel: depthwise with multiplier 1 for every channel count; with multiplier 2, or 2 or 4 groups of
// them (with 1 to 33 outputs each), for the channel counts in turn.
template <class Visit>
void for_each_case(Grouping grouping, Visit visit) {
  const bool every_count = grouping == Grouping::depthwise, grouped = grouping == Grouping::grouped;
  std::size_t i = 0;
  for (std::size_t kernel : {1, 3, 5}) {
    for (std::size_t stride : {1, 2}) {
      for (Padding padding : test::test_paddings(kernel)) {
        for (std::size_t n = 0; n < (every_count ? std::size(channel_counts) : 1); ++n, ++i) {
          const std::size_t channels = channel_counts[every_count ? n : i % std::size(channel_counts)];
          const std::size_t groups = grouped ? 2 + i % 2 * 2 : channels;
          const std::size_t out_c = grouped ? groups * channel_counts[(i * 7 + 3) % 9]
                                            : channels * (grouping == Grouping::depthwise_times_2 ? 2 : 1);
          visit(ConvGeometry{kernel + 1 + i % 3, kernel + 2 - i % 2, grouped ? channels * groups : channels, kernel,
                             kernel, stride, padding, out_c},
                groups, i);
        }
      }
    }
  }
}

// Other shapes, with their groups: kernels that are not square, 7x7 (several passes of 9 taps) and 2x2, a single
// group, a depthwise layer of one input channel.
const std::pair<ConvGeometry, std::size_t> other_shapes[] = {
    {{7, 6, 16, 1, 3, 1, Padding::same, 16}, 16},  {{6, 9, 17, 3, 1, 2, Padding::same, 34}, 17},
    {{9, 8, 24, 7, 7, 1, Padding::same, 24}, 24},  {{9, 8, 10, 7, 7, 2, Padding::symmetric(3), 20}, 2},
    {{5, 6, 33, 2, 2, 1, Padding::valid, 33}, 33}, {{5, 6, 6, 3, 3, 1, Padding::same, 12}, 1},
    {{5, 6, 1, 3, 3, 2, Padding::same, 3}, 1},
};

Activation float_activation(std::size_t i) {
  switch (i % 3) {
    case 0:
      return Activation::none();
    case 1:
      return Activation::relu();
    default:
      return Activation::clamp(0.0f, 6.0f);
  }
}

// A float layer with random weights, bias (or none) and input.
struct FloatLayer {
  ConvGeometry geometry;
  std::size_t groups;
  std::vector<float> weights, bias, input;
  Activation activation;
};

FloatLayer random_float_layer(std::mt19937_64& rng, const ConvGeometry& g, std::size_t groups, Activation activation) {
  FloatLayer layer{g, groups, random_vector<float>(rng, g.out_c * g.taps() * (g.in_c / groups), -1, 1), {},
                   random_vector<float>(rng, g.in_pixels() * g.in_c, -1, 1), std::move(activation)};
  if (rng() % 5 != 0) layer.bias = random_vector<float>(rng, g.out_c, -1, 1);
  return layer;
}

// Runs the layer on `path` and checks every output against the reference within 1e-5 of the sum of the absolute
// terms (the scale of float rounding, whatever the summation order).
void check_float(const FloatLayer& layer, Path path) {
  const ConvGeometry& g = layer.geometry;
  INFO(path_name(path) << ": " << test::describe(g) << ", " << layer.groups << " groups");
  CAPTURE(static_cast<int>(layer.activation.kind));
  const auto absolute = [](std::vector<float> values) {
    for (float& v : values) v = std::fabs(v);
    return values;
  };
  const auto expected =
      reference::float_grouped_conv2d(g, layer.groups, layer.input, layer.weights, layer.bias, layer.activation);
  const auto magnitude = reference::float_grouped_conv2d(g, layer.groups, absolute(layer.input),
                                                         absolute(layer.weights), absolute(layer.bias));
  const FloatGroupedConv2d conv(g, layer.groups, layer.weights, layer.bias, layer.activation, path);
  CAPTURE(conv.kernel_name());
  CHECK(conv.kernel_name().starts_with(layer.groups == g.in_c ? "depthwise " : "grouped "));
  std::vector<float> actual(expected.size(), -7.0f);
  conv.run(layer.input, actual);
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (!(std::fabs(actual[i] - expected[i]) <= 1e-5f * magnitude[i])) ++mismatches;
  }
  CHECK(mismatches == 0);
}

// An int8 layer with its input; params() refers to the vectors, so the layer must outlive its use.
struct Int8Layer {
  ConvGeometry geometry;
  std::size_t groups = 1;
  std::vector<std::int8_t> input, weights;
  std::vector<float> scales;
  std::vector<std::int32_t> bias;
  Int8LayerParams quantization{{}, {}, {}, {0.05f, 0}, {1.0f, 0}, {}};  // its zero points, scales and range

  Int8LayerParams params() const {
    Int8LayerParams p = quantization;
    p.weights = weights;
    p.weight_scales = scales;
    p.bias = bias;
    return p;
  }
};

// Full-range weights and inputs, random zero points (the extremes often), per-channel multipliers (sometimes one for
// all) that spread the outputs over the int8 range (some saturate), a random bias (sometimes none) and sometimes a
// narrower range.
Int8Layer random_int8_layer(std::mt19937_64& rng, const ConvGeometry& g, std::size_t groups) {
  Int8Layer layer{g, groups};
  const std::size_t k = g.taps() * (g.in_c / groups);
  layer.weights = random_vector<std::int8_t>(rng, g.out_c * k, -128, 127);
  layer.input = random_vector<std::int8_t>(rng, g.in_pixels() * g.in_c, -128, 127);
  const auto zero_point = [&rng] {
    const std::int32_t extremes[] = {-128, 127, 0};
    return rng() % 2 == 0 ? extremes[rng() % 3] : static_cast<std::int32_t>(rng() % 256) - 128;
  };
  layer.quantization.input.zero_point = zero_point();
  layer.quantization.output.zero_point = zero_point();
  const float typical = 60.0f / (74.0f * 74.0f * std::sqrt(static_cast<float>(k)));  // 60 / typical |acc|
  layer.scales = random_vector<float>(rng, rng() % 4 == 0 ? 1 : g.out_c, 0.25, 4.0);
  for (float& scale : layer.scales) scale *= typical / layer.quantization.input.scale;
  if (rng() % 4 != 0) layer.bias = random_vector<std::int32_t>(rng, g.out_c, -(1 << 16), 1 << 16);
  if (rng() % 3 == 0) {
    const int low = -128 + static_cast<int>(rng() % 120);
    layer.quantization.range = {static_cast<std::int8_t>(low),
                                static_cast<std::int8_t>(low + static_cast<int>(rng() % 100))};
  }
  return layer;
}

// Runs the layer on `path`: every output must equal the reference's.
void check_int8(const Int8Layer& layer, Path path) {
  const ConvGeometry& g = layer.geometry;
  INFO(path_name(path) << ": " << test::describe(g) << ", " << layer.groups << " groups");
  CAPTURE(layer.quantization.input.zero_point);
  CAPTURE(layer.quantization.output.zero_point);
  CAPTURE(static_cast<int>(layer.quantization.range.min));
  CAPTURE(static_cast<int>(layer.quantization.range.max));
  const std::size_t size = g.out_pixels() * g.out_c;
  std::vector<std::int8_t> expected(size), actual(size, canary);
  reference::int8_grouped_conv2d(g, layer.groups, layer.params(), layer.input.data(), expected.data());
  const Int8GroupedConv2d conv(g, layer.groups, layer.params(), path);
  CAPTURE(conv.kernel_name());
  CHECK(conv.kernel_name().starts_with(layer.groups == g.in_c ? "depthwise " : "grouped "));
  conv.run(layer.input, actual);
  std::size_t mismatches = 0, first = 0;
  for (std::size_t i = size; i-- > 0;) {
    if (actual[i] != expected[i]) ++mismatches, first = i;
  }
  const int got = mismatches != 0 ? actual[first] : 0, want = mismatches != 0 ? expected[first] : 0;
  CAPTURE(first);
  CAPTURE(got);
  CAPTURE(want);
  CHECK(mismatches == 0);
}

std::vector<Path> float_paths(bool depthwise) { return distinct_paths(depthwise, &detail::PathKernels::float_conv); }
std::vector<Path> int8_paths(bool depthwise) { return distinct_paths(depthwise, &detail::PathKernels::int8); }

}  // namespace

TEST_CASE("depthwise conv: float, multiplier 1, every path equals the reference (channels, kernels, strides, pads)") {
  INFO("seed " << test::seed());
  std::mt19937_64 rng(test::seed());
  for (Path path : float_paths(true)) {
    for_each_case(Grouping::depthwise, [&](const ConvGeometry& g, std::size_t groups, std::size_t i) {
      check_float(random_float_layer(rng, g, groups, float_activation(i)), path);
    });
  }
}

TEST_CASE("depthwise conv: int8, multiplier 1, every path equals the reference (channels, kernels, strides, pads)") {
  INFO("seed " << test::seed());
  std::mt19937_64 rng(test::seed() + 1);
  for (Path path : int8_paths(true)) {
    for_each_case(Grouping::depthwise, [&](const ConvGeometry& g, std::size_t groups, std::size_t) {
      check_int8(random_int8_layer(rng, g, groups), path);
    });
  }
}

TEST_CASE("grouped conv: float, depthwise multiplier 2, 2 or 4 groups, other shapes: every path equals the reference") {
  INFO("seed " << test::seed());
  std::mt19937_64 rng(test::seed() + 2);
  for (Grouping grouping : {Grouping::depthwise_times_2, Grouping::grouped}) {
    for (Path path : float_paths(grouping != Grouping::grouped)) {
      for_each_case(grouping, [&](const ConvGeometry& g, std::size_t groups, std::size_t i) {
        check_float(random_float_layer(rng, g, groups, float_activation(i)), path);
      });
    }
  }
  for (const auto& [g, groups] : other_shapes) {
    for (Path path : float_paths(groups == g.in_c)) {
      const Activation prelu = Activation::prelu(random_vector<float>(rng, g.out_c, 0, 1));
      check_float(random_float_layer(rng, g, groups, prelu), path);
      check_float(random_float_layer(rng, g, groups, Activation::clamp(0.0f, 6.0f)), path);
    }
  }
}

TEST_CASE("grouped conv: int8, depthwise multiplier 2, 2 or 4 groups, other shapes: every path equals the reference") {
  INFO("seed " << test::seed());
  std::mt19937_64 rng(test::seed() + 3);
  for (Grouping grouping : {Grouping::depthwise_times_2, Grouping::grouped}) {
    for (Path path : int8_paths(grouping != Grouping::grouped)) {
      for_each_case(grouping, [&](const ConvGeometry& g, std::size_t groups, std::size_t) {
        check_int8(random_int8_layer(rng, g, groups), path);
      });
    }
  }
  for (const auto& [g, groups] : other_shapes) {
    for (Path path : int8_paths(groups == g.in_c)) check_int8(random_int8_layer(rng, g, groups), path);
  }
}

TEST_CASE("depthwise conv: int8 requantization edge cases (left shifts, tiny multipliers, wrapping biases)") {
  INFO("seed " << test::seed());
  std::mt19937_64 rng(test::seed() + 4);
  const ConvGeometry g{6, 5, 65, 3, 3, 1, Padding::same, 65};
  Int8Layer shifts = random_int8_layer(rng, g, g.in_c);
  shifts.scales.resize(g.out_c);
  for (std::size_t c = 0; c < g.out_c; ++c) {  // multipliers from 0.75 * 2^-35 (0) to 0.75 * 2^20: every shift
    shifts.scales[c] = std::ldexp(0.75f, static_cast<int>(c % 56) - 35) / shifts.quantization.input.scale;
  }
  Int8Layer huge_bias = random_int8_layer(rng, g, g.in_c);
  huge_bias.bias = random_vector<std::int32_t>(rng, g.out_c, -(1 << 30), 1 << 30);
  for (std::size_t c = 0; c < g.out_c; c += 2) huge_bias.bias[c] = c % 4 == 0 ? 2147483000 : -2147483000;
  Int8Layer extremes = random_int8_layer(rng, g, g.in_c);  // (127 - (-128)) * -128 at every tap
  extremes.input.assign(extremes.input.size(), 127);
  extremes.weights.assign(extremes.weights.size(), -128);
  extremes.quantization.input.zero_point = -128;
  Int8Layer single_value = random_int8_layer(rng, g, g.in_c);
  single_value.quantization.range = {7, 7};
  for (const Int8Layer* layer : {&shifts, &huge_bias, &extremes, &single_value}) {
    for (Path path : int8_paths(true)) check_int8(*layer, path);
  }
}

TEST_CASE("grouped conv: the output does not depend on the thread count") {
  INFO("seed " << test::seed());
  std::mt19937_64 rng(test::seed() + 5);
  const ConvGeometry shapes[] = {{13, 11, 33, 3, 3, 1, Padding::same, 33},
                                 {12, 9, 17, 5, 5, 2, Padding::same, 34},
                                 {11, 7, 32, 3, 3, 1, Padding::same, 16}};
  const std::size_t groups[] = {33, 17, 4};
  ThreadPool two(2);
  for (std::size_t s = 0; s < std::size(shapes); ++s) {
    const ConvGeometry& g = shapes[s];
    const bool depthwise = groups[s] == g.in_c;
    CAPTURE(test::describe(g));
    const FloatLayer f = random_float_layer(rng, g, groups[s], Activation::relu());
    for (Path path : float_paths(depthwise)) {
      CAPTURE(path_name(path));
      const FloatGroupedConv2d conv(g, groups[s], f.weights, f.bias, f.activation, path);
      std::vector<float> one_thread(conv.output_size()), two_threads(conv.output_size());
      conv.run(f.input, one_thread);
      conv.run(f.input, two_threads, &two);
      CHECK(one_thread == two_threads);
    }
    const Int8Layer q = random_int8_layer(rng, g, groups[s]);
    for (Path path : int8_paths(depthwise)) {
      CAPTURE(path_name(path));
      const Int8GroupedConv2d conv(g, groups[s], q.params(), path);
      std::vector<std::int8_t> one_thread(conv.output_size(), canary), two_threads(conv.output_size());
      conv.run(q.input, one_thread);
      conv.run(q.input, two_threads, &two);
      CHECK(one_thread == two_threads);
    }
  }
}

TEST_CASE("grouped conv: accessors and kernel names") {
  const ConvGeometry g{4, 4, 8, 3, 3, 1, Padding::same, 16};
  for (Path path : supported_path_list()) {
    const std::string depthwise_kernel = detail::path_kernels(path).depthwise->name;
    const FloatGroupedConv2d depthwise(g, 8, std::vector<float>(16 * 9), {}, {}, path);
    CHECK(depthwise.groups() == 8);
    CHECK(depthwise.geometry().out_c == 16);
    CHECK(depthwise.path() == path);
    CHECK(depthwise.kernel_name() == "depthwise " + depthwise_kernel);
    const FloatGroupedConv2d grouped(g, 2, std::vector<float>(16 * 9 * 4), {}, {}, path);
    CHECK(grouped.kernel_name() == "grouped " + std::string(path_name(path)));
    const std::vector<std::int8_t> weights(16 * 9 * 4);
    const std::vector<float> scales{0.01f};
    const Int8LayerParams params{weights, scales, {}, {}, {}, {}};
    const Int8GroupedConv2d int8_grouped(g, 2, params, path);
    CHECK(int8_grouped.kernel_name() == "grouped " + std::string(Int8Conv2d({4, 4, 4, 3, 3, 1, Padding::same, 8},
                                                                           {std::span(weights).first(8 * 9 * 4),
                                                                            scales, {}, {}, {}, {}},
                                                                           path)
                                                                    .kernel_name()));
    const Int8GroupedConv2d int8_depthwise(g, 8, {std::span(weights).first(16 * 9), scales, {}, {}, {}, {}}, path);
    CHECK(int8_depthwise.kernel_name() == "depthwise " + depthwise_kernel);
    CHECK(int8_depthwise.groups() == 8);
    CHECK(int8_depthwise.path() == path);
  }
}

TEST_CASE("grouped conv: inconsistent sizes and parameters throw") {
  const ConvGeometry g{4, 4, 8, 3, 3, 1, Padding::same, 12};
  const std::vector<float> weights(12 * 9 * 2), bias(12);
  CHECK_NOTHROW(FloatGroupedConv2d(g, 4, weights, bias));
  CHECK_THROWS_WITH_AS(FloatGroupedConv2d(g, 0, weights, bias), doctest::Contains("0 groups do not divide"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(FloatGroupedConv2d(g, 3, weights, bias),
                       doctest::Contains("3 groups do not divide 8 input channels and 12 output channels"),
                       std::invalid_argument);
  CHECK_THROWS_AS(FloatGroupedConv2d(g, 8, std::vector<float>(12 * 9), bias), std::invalid_argument);  // 12 outputs
  CHECK_THROWS_WITH_AS(FloatGroupedConv2d(g, 4, std::vector<float>(12 * 9), bias),
                       doctest::Contains("weights has 108 elements, expected 216"), std::invalid_argument);
  CHECK_THROWS_AS(FloatGroupedConv2d(g, 4, weights, std::vector<float>(11)), std::invalid_argument);
  CHECK_THROWS_WITH_AS(FloatGroupedConv2d(g, 4, weights, bias, Activation::prelu({1.0f})),
                       doctest::Contains("PReLU slopes"), std::invalid_argument);
  CHECK_THROWS_AS(FloatGroupedConv2d({2, 2, 8, 3, 3, 1, Padding::valid, 12}, 4, weights, bias), std::invalid_argument);
  const ConvGeometry depthwise_g{4, 4, 6, 3, 3, 1, Padding::same, 12};
  const FloatGroupedConv2d depthwise(depthwise_g, 6, std::vector<float>(12 * 9), {});
  const FloatGroupedConv2d grouped(g, 4, weights, bias);
  for (const FloatGroupedConv2d* layer : {&depthwise, &grouped}) {
    std::vector<float> input(layer->input_size()), output(layer->output_size()), short_input(input.size() - 1),
        long_output(output.size() + 1);
    CHECK_NOTHROW(layer->run(input, output));
    CHECK_THROWS_WITH_AS(layer->run(short_input, output), doctest::Contains("input has"), std::invalid_argument);
    CHECK_THROWS_AS(layer->run(input, long_output), std::invalid_argument);
  }
  const Path missing = (supported_paths() & static_cast<PathMask>(Path::neon)) != 0 ? Path::avx2 : Path::neon;
  CHECK_THROWS_AS(FloatGroupedConv2d(depthwise_g, 6, std::vector<float>(12 * 9), {}, {}, missing), std::runtime_error);

  const std::vector<std::int8_t> int8_weights(12 * 9);
  const std::vector<float> scales(12, 0.01f);
  const std::vector<std::int32_t> int8_bias(12);
  const Int8LayerParams params{int8_weights, scales, int8_bias, {}, {}, {}};
  CHECK_NOTHROW(Int8GroupedConv2d(depthwise_g, 6, params));
  CHECK_THROWS_WITH_AS(Int8GroupedConv2d(depthwise_g, 5, params), doctest::Contains("5 groups do not divide"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(Int8GroupedConv2d(depthwise_g, 3, params), doctest::Contains("need 216 weights, got 108"),
                       std::invalid_argument);
  Int8LayerParams bad = params;
  bad.bias = std::span(int8_bias).first(5);
  CHECK_THROWS_WITH_AS(Int8GroupedConv2d(depthwise_g, 6, bad), doctest::Contains("5 biases"), std::invalid_argument);
  bad = params;
  bad.weight_scales = std::span(scales).first(2);
  CHECK_THROWS_AS(Int8GroupedConv2d(depthwise_g, 6, bad), std::invalid_argument);
  bad = params;
  bad.input.zero_point = 128;
  CHECK_THROWS_WITH_AS(Int8GroupedConv2d(depthwise_g, 6, bad), doctest::Contains("zero point"), std::invalid_argument);
  bad = params;
  bad.range = {10, -10};
  CHECK_THROWS_AS(Int8GroupedConv2d(depthwise_g, 6, bad), std::invalid_argument);
  const Int8GroupedConv2d int8_depthwise(depthwise_g, 6, params);
  const Int8GroupedConv2d int8_grouped(depthwise_g, 2, {std::vector<std::int8_t>(12 * 9 * 3), scales, {}, {}, {}, {}});
  for (const Int8GroupedConv2d* layer : {&int8_depthwise, &int8_grouped}) {
    std::vector<std::int8_t> input(layer->input_size()), output(layer->output_size()),
        short_input(input.size() - 1), long_output(output.size() + 1);
    CHECK_NOTHROW(layer->run(input, output));
    CHECK_THROWS_WITH_AS(layer->run(short_input, output), doctest::Contains("the input has 95 values"),
                         std::invalid_argument);
    CHECK_THROWS_AS(layer->run(input, long_output), std::invalid_argument);
  }
  CHECK_THROWS_AS(Int8GroupedConv2d(depthwise_g, 6, params, missing), std::runtime_error);
}
