#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "src/float/reference.hpp"
#include "tests/support.hpp"
#include "xnor/batch_norm.hpp"
#include "xnor/float_conv.hpp"

using namespace xnor;

namespace {

std::vector<float> random_floats(std::mt19937_64& rng, std::size_t n) {
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> values(n);
  for (float& v : values) v = uniform(rng);
  return values;
}

std::vector<float> absolute(std::vector<float> values) {
  for (float& v : values) v = std::fabs(v);
  return values;
}

Activation activation_number(std::size_t i, std::mt19937_64& rng, std::size_t channels) {
  switch (i % 4) {
    case 0:
      return Activation::none();
    case 1:
      return Activation::relu();
    case 2:
      return Activation::prelu(absolute(random_floats(rng, channels)));  // slopes in [0, 1]
    default:
      return Activation::clamp(-0.5f, 0.75f);
  }
}

// Runs the layer on `path` and checks every output against the reference within 1e-5 of the sum of the
// absolute terms (the scale of float rounding, whatever the summation order).
void check_conv(Path path, std::mt19937_64& rng, const ConvGeometry& g, const Activation& activation) {
  CAPTURE(path_name(path));
  CAPTURE(g.in_h);
  CAPTURE(g.in_w);
  CAPTURE(g.in_c);
  CAPTURE(g.out_c);
  CAPTURE(g.kernel_h);
  CAPTURE(g.kernel_w);
  CAPTURE(g.stride);
  CAPTURE(test::describe(g.padding));
  CAPTURE(static_cast<int>(activation.kind));
  const auto input = random_floats(rng, g.in_pixels() * g.in_c);
  const auto weights = random_floats(rng, g.out_c * g.taps() * g.in_c);
  const auto bias = random_floats(rng, g.out_c);
  const auto expected = reference::float_conv2d(g, input, weights, bias, activation);
  const auto magnitude = reference::float_conv2d(g, absolute(input), absolute(weights), absolute(bias));
  std::vector<float> actual(expected.size(), -7.0f);
  FloatConv2d(g, weights, bias, activation, path).run(input, actual);
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (!(std::fabs(actual[i] - expected[i]) <= 1e-5f * magnitude[i])) ++mismatches;
  }
  CHECK(mismatches == 0);
}

}  // namespace

TEST_CASE("float conv: every path equals the reference for channel counts straddling the vector widths") {
  std::mt19937_64 rng(test::seed());
  const std::size_t in_channels[] = {1, 3, 7, 8, 9, 16, 17, 33, 65};
  const std::size_t out_channels[] = {1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65};
  std::size_t i = 0;
  for (Path path : supported_path_list()) {
    for (std::size_t in_c : in_channels) {
      for (std::size_t out_c : out_channels) {
        ++i;
        const std::size_t kernel = i % 3 == 0 ? 1 : 3;
        const ConvGeometry g{5 + i % 3, 7 - i % 2, in_c, kernel, kernel, 1 + i % 2,
                             i % 4 < 2 ? Padding::same : Padding::valid, out_c};
        check_conv(path, rng, g, activation_number(i, rng, out_c));
      }
    }
  }
}

TEST_CASE("float conv: every path equals the reference for kernels 1-7, strides 1-2, the test paddings, activations") {
  std::mt19937_64 rng(test::seed() + 1);
  std::size_t i = 0;
  for (Path path : supported_path_list()) {
    for (std::size_t kernel : {1, 3, 5, 7}) {
      for (std::size_t stride : {1, 2}) {
        for (Padding padding : test::test_paddings(kernel)) {
          ++i;
          const ConvGeometry g{8 + i % 3, 9, 7 + i % 3, kernel, kernel, stride, padding, 16 + i % 5 * 4};
          check_conv(path, rng, g, activation_number(i, rng, g.out_c));
        }
      }
    }
    // Non-square kernels and images, and an input only as large as the kernel.
    check_conv(path, rng, {6, 11, 5, 1, 3, 1, Padding::same, 9}, Activation::relu());
    check_conv(path, rng, {10, 4, 4, 5, 2, 2, Padding::same, 9}, Activation::none());
    check_conv(path, rng, {3, 3, 16, 3, 3, 1, Padding::valid, 40}, Activation::none());
    check_conv(path, rng, {1, 1, 64, 3, 3, 2, Padding::same, 20}, Activation::none());
  }
}

TEST_CASE("float conv: the output does not depend on the thread count") {
  std::mt19937_64 rng(test::seed() + 2);
  const ConvGeometry g{13, 11, 19, 3, 3, 1, Padding::same, 37};
  const auto input = random_floats(rng, g.in_pixels() * g.in_c);
  const auto weights = random_floats(rng, g.out_c * g.taps() * g.in_c);
  const auto bias = random_floats(rng, g.out_c);
  ThreadPool two(2), three(3);
  for (Path path : supported_path_list()) {
    CAPTURE(path_name(path));
    const FloatConv2d layer(g, weights, bias, Activation::relu(), path);
    std::vector<float> one_thread(layer.output_size()), two_threads(layer.output_size()),
        three_threads(layer.output_size());
    layer.run(input, one_thread);
    layer.run(input, two_threads, &two);
    layer.run(input, three_threads, &three);
    CHECK(two_threads == one_thread);
    CHECK(three_threads == one_thread);
  }
}

TEST_CASE("float dense: every path equals the reference") {
  std::mt19937_64 rng(test::seed() + 3);
  for (Path path : supported_path_list()) {
    for (std::size_t in : {1, 7, 16, 17, 100}) {
      for (std::size_t out : {1, 5, 16, 33, 65}) {
        CAPTURE(path_name(path));
        CAPTURE(in);
        CAPTURE(out);
        const auto input = random_floats(rng, in);
        const auto weights = random_floats(rng, out * in);
        const auto bias = random_floats(rng, out);
        const auto expected = reference::float_dense(input, weights, bias, out, Activation::relu());
        const auto magnitude = reference::float_dense(absolute(input), absolute(weights), absolute(bias), out);
        std::vector<float> actual(out);
        const FloatDense layer(in, out, weights, bias, Activation::relu(), path);
        CHECK(layer.in_features() == in);
        CHECK(layer.out_features() == out);
        layer.run(input, actual);
        for (std::size_t i = 0; i < out; ++i) CHECK(std::fabs(actual[i] - expected[i]) <= 1e-5f * magnitude[i]);
      }
    }
  }
}

TEST_CASE("float conv: no bias means zero bias") {
  std::mt19937_64 rng(test::seed() + 4);
  const ConvGeometry g{4, 4, 3, 3, 3, 1, Padding::same, 5};
  const auto input = random_floats(rng, g.in_pixels() * g.in_c);
  const auto weights = random_floats(rng, g.out_c * g.taps() * g.in_c);
  const std::vector<float> zeros(g.out_c, 0.0f);
  std::vector<float> without(g.out_pixels() * g.out_c), with(without.size());
  FloatConv2d(g, weights, {}).run(input, without);
  FloatConv2d(g, weights, zeros).run(input, with);
  CHECK(without == with);
}

TEST_CASE("batch norm folded into a convolution equals the convolution followed by batch norm") {
  std::mt19937_64 rng(test::seed() + 5);
  const ConvGeometry g{6, 5, 9, 3, 3, 1, Padding::same, 17};
  const auto input = random_floats(rng, g.in_pixels() * g.in_c);
  auto weights = random_floats(rng, g.out_c * g.taps() * g.in_c);
  auto bias = random_floats(rng, g.out_c);
  const BatchNorm norm = BatchNorm::from_statistics(random_floats(rng, g.out_c), random_floats(rng, g.out_c),
                                                    random_floats(rng, g.out_c), absolute(random_floats(rng, g.out_c)),
                                                    1e-3f);
  std::vector<float> expected(g.out_pixels() * g.out_c), actual(expected.size());
  FloatConv2d(g, weights, bias).run(input, expected);
  norm.run(expected, expected);
  const auto magnitude = reference::float_conv2d(g, absolute(input), absolute(weights), absolute(bias));
  fold_batch_norm(norm, weights, bias);
  FloatConv2d(g, weights, bias).run(input, actual);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const float scale = std::fabs(norm.scale[i % g.out_c]) * magnitude[i] + std::fabs(norm.shift[i % g.out_c]);
    CHECK(std::fabs(actual[i] - expected[i]) <= 1e-5f * scale);
  }
}

TEST_CASE("float layers refuse inconsistent sizes") {
  const ConvGeometry g{4, 4, 3, 3, 3, 1, Padding::same, 5};
  const std::vector<float> weights(5 * 9 * 3), bias(5);
  CHECK_THROWS_WITH_AS(FloatConv2d(g, std::vector<float>(10), bias), doctest::Contains("weights has 10 elements"),
                       std::invalid_argument);
  CHECK_THROWS_AS(FloatConv2d(g, weights, std::vector<float>(4)), std::invalid_argument);
  CHECK_THROWS_WITH_AS(FloatConv2d(g, weights, bias, Activation::prelu({1.0f})), doctest::Contains("PReLU slopes"),
                       std::invalid_argument);
  CHECK_THROWS_AS(FloatConv2d({4, 4, 3, 3, 3, 1, Padding::same, 0}, {}, {}), std::invalid_argument);
  CHECK_THROWS_AS(FloatConv2d({2, 2, 3, 3, 3, 1, Padding::valid, 5}, weights, bias), std::invalid_argument);
  const FloatConv2d layer(g, weights, bias);
  std::vector<float> input(layer.input_size()), output(layer.output_size()), short_input(47), short_output(3);
  CHECK_THROWS_WITH_AS(layer.run(short_input, output), doctest::Contains("input has 47 elements, expected 48"),
                       std::invalid_argument);
  CHECK_THROWS_AS(layer.run(input, short_output), std::invalid_argument);
  CHECK_THROWS_AS(FloatDense(4, 3, std::vector<float>(11), {}), std::invalid_argument);
  const Path missing = (supported_paths() & static_cast<PathMask>(Path::neon)) != 0 ? Path::avx2 : Path::neon;
  CHECK_THROWS_WITH_AS(FloatConv2d(g, weights, bias, {}, missing), doctest::Contains("is not available here"),
                       std::runtime_error);
  BatchNorm norm{{1.0f, 2.0f}, {0.0f, 0.0f}};
  std::vector<float> odd(5), two(2), three(3), four(4);
  CHECK_THROWS_AS(fold_batch_norm(norm, odd, two), std::invalid_argument);
  CHECK_THROWS_AS(fold_batch_norm(norm, four, three), std::invalid_argument);
  CHECK_THROWS_AS(norm.run(odd, odd), std::invalid_argument);
  CHECK_THROWS_AS(BatchNorm::from_statistics(two, two, two, odd, 1e-3f), std::invalid_argument);
}

TEST_CASE("float conv with a residual: the same floats as the convolution, then the Add, then the activation") {
  std::mt19937_64 rng(test::seed() + 3);
  INFO("seed " << test::seed());
  std::size_t i = 0;
  for (Path path : supported_path_list()) {
    for (std::size_t out_c : {1, 7, 8, 9, 17, 33, 65}) {
      ++i;
      const ConvGeometry g{6, 5, 7, 3, 3, 1 + i % 2, Padding::symmetric(1), out_c};
      CAPTURE(path_name(path));
      CAPTURE(test::describe(g));
      const Activation activation = activation_number(i, rng, out_c);
      const auto input = random_floats(rng, g.in_pixels() * g.in_c);
      const auto weights = random_floats(rng, g.out_c * g.taps() * g.in_c);
      const auto bias = random_floats(rng, g.out_c);
      const auto residual = random_floats(rng, g.out_pixels() * out_c);
      std::vector<float> expected(residual.size()), fused(residual.size());
      FloatConv2d(g, weights, bias, {}, path).run(input, expected);
      for (std::size_t k = 0; k < expected.size(); ++k) expected[k] = activation.apply(expected[k] + residual[k], k % out_c);
      FloatConv2d(g, weights, bias, activation, path).run(input, fused, nullptr, residual);
      CHECK(fused == expected);
    }
  }
  const FloatConv2d layer({4, 4, 3, 3, 3, 1, Padding::same, 5}, random_floats(rng, 5 * 27), {});
  std::vector<float> input(48), output(80), short_residual(79);
  CHECK_THROWS_AS(layer.run(input, output, nullptr, short_residual), std::invalid_argument);
}
