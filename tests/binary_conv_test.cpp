#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support.hpp"
#include "xnor/binary_conv.hpp"

using namespace xnor;

namespace {

float sign_of(float v) { return v < 0.0f ? -1.0f : 1.0f; }

// The specification: a float convolution of the ±1 input with the ±1 weights, padded positions +1 or 0.
// Every sum is a small integer, so it is exact in float.
std::vector<float> float_conv_of_signs(std::vector<float> input, std::vector<float> weights, const ConvGeometry& g,
                                       BinaryPadding padding) {
  for (float& v : input) v = sign_of(v);
  for (float& w : weights) w = sign_of(w);
  std::vector<float> out(g.out_pixels() * g.out_c);
  for (std::size_t oy = 0; oy < g.out_h(); ++oy) {
    for (std::size_t ox = 0; ox < g.out_w(); ++ox) {
      for (std::size_t n = 0; n < g.out_c; ++n) {
        float sum = 0.0f;
        for (std::size_t ky = 0; ky < g.kernel_h; ++ky) {
          for (std::size_t kx = 0; kx < g.kernel_w; ++kx) {
            const long y = static_cast<long>(oy * g.stride + ky) - static_cast<long>(g.pad_top());
            const long x = static_cast<long>(ox * g.stride + kx) - static_cast<long>(g.pad_left());
            const bool inside = y >= 0 && x >= 0 && y < static_cast<long>(g.in_h) && x < static_cast<long>(g.in_w);
            for (std::size_t c = 0; c < g.in_c; ++c) {
              const float w = weights[((n * g.kernel_h + ky) * g.kernel_w + kx) * g.in_c + c];
              const float v = inside ? input[(static_cast<std::size_t>(y) * g.in_w + static_cast<std::size_t>(x)) * g.in_c + c]
                                     : (padding == BinaryPadding::one ? 1.0f : 0.0f);
              sum += v * w;
            }
          }
        }
        out[(oy * g.out_w() + ox) * g.out_c + n] = sum;
      }
    }
  }
  return out;
}

std::vector<float> random_values(std::mt19937_64& rng, std::size_t n) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> values(n);
  for (float& v : values) v = rng() % 16 == 0 ? 0.0f : normal(rng);
  return values;
}

// Random weights binarized for geometry g, and a random packed input.
struct RandomLayerData {
  BinaryWeights binary;
  std::vector<std::uint64_t> input;
};

RandomLayerData random_layer_data(std::mt19937_64& rng, const ConvGeometry& g) {
  const auto weights = random_values(rng, g.out_c * g.taps() * g.in_c);
  BinaryWeights binary = binarize_weights(weights, g.out_c, g.taps(), g.in_c);
  return {std::move(binary), test::random_bit_rows(rng, g.in_pixels(), g.in_c, words_for_bits(g.in_c))};
}

OutputTransform random_transform(std::mt19937_64& rng, OutputKind kind, std::size_t channels, std::int32_t k_bits) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> multiplier(channels), bias(channels), slopes(channels);
  for (std::size_t c = 0; c < channels; ++c) {
    multiplier[c] = normal(rng) * 0.1f;
    bias[c] = normal(rng) * 2.0f;
    slopes[c] = normal(rng);
  }
  const Activation activations[] = {Activation::none(), Activation::relu(), Activation::prelu(slopes),
                                    Activation::clamp(-1.0f, 1.5f)};
  const Activation& activation = activations[rng() % 4];
  switch (kind) {
    case OutputKind::float32:
      return OutputTransform::to_float(multiplier, bias, activation);
    case OutputKind::int8:
      return OutputTransform::to_int8(multiplier, bias, activation, 0.05f, static_cast<std::int32_t>(rng() % 41) - 20);
    case OutputKind::bits:
      break;
  }
  return OutputTransform::to_bits(multiplier, bias, activation, k_bits);
}

// Runs the layer for one configuration and checks every output against the float convolution of signs.
void check_conv(Path path, std::mt19937_64& rng, const ConvGeometry& g, BinaryPadding padding, OutputKind kind,
                bool scaled) {
  const auto input = random_values(rng, g.in_pixels() * g.in_c);
  const auto weights = random_values(rng, g.out_c * g.taps() * g.in_c);
  const BinaryWeights binary = binarize_weights(weights, g.out_c, g.taps(), g.in_c);
  const auto k_bits = static_cast<std::int32_t>(g.taps() * g.in_c);
  const BinaryConv2d layer(g, binary.bits, random_transform(rng, kind, g.out_c, k_bits), padding, path);
  std::vector<std::uint64_t> input_bits(g.in_pixels() * words_for_bits(g.in_c));
  pack_signs(input, g.in_pixels(), g.in_c, input_bits);
  const std::vector<float> scale = scaled ? activation_scale(input, g) : std::vector<float>{};

  const std::vector<float> sums = float_conv_of_signs(input, weights, g, padding);
  const OutputTransform& t = layer.transform();
  const auto expected = [&](std::size_t p, std::size_t n) {
    return t.value(static_cast<std::int32_t>(sums[p * g.out_c + n]), n, scaled ? scale[p] : 1.0f);
  };
  // Counts outputs that differ from the specification; the first one is reported.
  std::size_t mismatches = 0;
  std::string first;
  const auto compare = [&](bool equal, std::size_t p, std::size_t n) {
    if (!equal && mismatches++ == 0) first = "pixel " + std::to_string(p) + ", channel " + std::to_string(n);
  };
  switch (kind) {
    case OutputKind::float32: {
      std::vector<float> out(layer.output_size());
      layer.run(input_bits, out, nullptr, scale);
      for (std::size_t p = 0; p < g.out_pixels(); ++p) {
        for (std::size_t n = 0; n < g.out_c; ++n) compare(out[p * g.out_c + n] == doctest::Approx(expected(p, n)).epsilon(1e-5), p, n);
      }
      break;
    }
    case OutputKind::int8: {
      std::vector<std::int8_t> out(layer.output_size());
      layer.run(input_bits, out, nullptr, scale);
      for (std::size_t p = 0; p < g.out_pixels(); ++p) {
        for (std::size_t n = 0; n < g.out_c; ++n) compare(out[p * g.out_c + n] == t.quantize(expected(p, n)), p, n);
      }
      break;
    }
    case OutputKind::bits: {
      std::vector<std::uint64_t> out(layer.output_size(), ~std::uint64_t{0});
      layer.run(input_bits, out, nullptr, scale);
      const std::size_t words = words_for_bits(g.out_c);
      for (std::size_t p = 0; p < g.out_pixels(); ++p) {
        for (std::size_t n = 0; n < words * 64; ++n) {  // padding bits included: they must be 0
          const bool bit = (out[p * words + n / 64] >> (n % 64)) & 1u;
          compare(bit == (n < g.out_c && expected(p, n) < 0.0f), p, n);
        }
      }
      break;
    }
  }
  CAPTURE(first);
  CHECK(mismatches == 0);
}

}  // namespace

TEST_CASE("binary conv equals a float convolution of the signs: paths x kernels x strides x paddings x outputs") {
  std::mt19937_64 rng(test::seed());
  const std::size_t channels[] = {1, 3, 31, 32, 33, 63, 64, 65, 127, 128, 129};
  const std::size_t out_channels[] = {1, 7, 31, 32, 33, 64, 65, 100};
  std::size_t index = 0;
  for (Path path : supported_path_list()) {
    for (std::size_t in_c : channels) {
      for (std::size_t kernel : {1, 3, 5, 7}) {
        for (std::size_t stride : {1, 2}) {
          for (Padding window_padding : test::test_paddings(kernel)) {
            ++index;
            const ConvGeometry g{kernel + rng() % 3, kernel + rng() % 3, in_c, kernel, kernel, stride, window_padding,
                                 out_channels[index % std::size(out_channels)]};
            const auto padding = index % 2 == 0 ? BinaryPadding::one : BinaryPadding::zero;
            const auto kind = static_cast<OutputKind>(index / 2 % 3);
            CAPTURE(path_name(path));
            CAPTURE(in_c);
            CAPTURE(kernel);
            CAPTURE(stride);
            CAPTURE(g.in_h);
            CAPTURE(g.in_w);
            CAPTURE(g.out_c);
            CAPTURE(test::describe(window_padding));
            CAPTURE(padding == BinaryPadding::one);
            CAPTURE(static_cast<int>(kind));
            check_conv(path, rng, g, padding, kind, false);
          }
        }
      }
    }
  }
}

TEST_CASE("binary conv: channels in whole bytes (windows assembled by byte copies), every path") {
  std::mt19937_64 rng(test::seed() + 3);
  std::size_t index = 0;
  for (Path path : supported_path_list()) {
    for (std::size_t in_c : {8, 16, 24, 40, 48, 56, 72, 96, 136, 200}) {
      for (std::size_t kernel : {2, 3, 5}) {
        ++index;
        const ConvGeometry g{kernel + rng() % 4, kernel + rng() % 4, in_c, kernel, kernel, 1 + index % 2, Padding::same,
                             1 + rng() % 40};
        const auto padding = index % 3 == 0 ? BinaryPadding::zero : BinaryPadding::one;
        const auto kind = static_cast<OutputKind>(index % 3);
        CAPTURE(path_name(path));
        CAPTURE(in_c);
        CAPTURE(kernel);
        CAPTURE(g.stride);
        CAPTURE(g.out_c);
        CAPTURE(padding == BinaryPadding::one);
        CAPTURE(static_cast<int>(kind));
        check_conv(path, rng, g, padding, kind, false);
      }
    }
  }
}

TEST_CASE("binary conv: padding wider than the window, strides past the kernel, ceil_mode overhangs, every path") {
  std::mt19937_64 rng(test::seed() + 5);
  const ConvGeometry geometries[] = {
      {1, 1, 5, 1, 1, 3, Padding::amounts(0, 2, 0, 0), 7},  // every window wholly in the left padding
      {5, 6, 24, 2, 2, 3, Padding::amounts(3, 1, 2, 4), 9},
      {7, 5, 16, 3, 3, 4, Padding::symmetric(4), 33},
      {4, 4, 40, 3, 3, 2, Padding::valid, 5, true},  // the last windows overhang the input
  };
  std::size_t index = 0;
  for (Path path : supported_path_list()) {
    for (const ConvGeometry& g : geometries) {
      for (auto padding : {BinaryPadding::one, BinaryPadding::zero}) {
        const auto kind = static_cast<OutputKind>(index++ % 3);
        CAPTURE(path_name(path));
        CAPTURE(g.in_c);
        CAPTURE(padding == BinaryPadding::one);
        CAPTURE(static_cast<int>(kind));
        check_conv(path, rng, g, padding, kind, false);
      }
    }
  }
}

TEST_CASE("binary conv: a padding and stride whose padded input would pass 1 GiB are refused at construction") {
  const ConvGeometry g{1, 1, 8, 1, 1, 65536, Padding::symmetric(65536), 4};  // a 131073 x 131073 padded input
  const std::vector<std::uint64_t> weights(4);
  CHECK_THROWS_AS(BinaryConv2d(g, weights, OutputTransform::to_float(std::vector<float>(4, 1.0f), std::vector<float>(4)),
                               BinaryPadding::one),
                  std::invalid_argument);
}

TEST_CASE("binary conv: both paddings and every output kind on a padded border, every path") {
  std::mt19937_64 rng(test::seed() + 1);
  for (Path path : supported_path_list()) {
    for (auto padding : {BinaryPadding::one, BinaryPadding::zero}) {
      for (auto kind : {OutputKind::float32, OutputKind::int8, OutputKind::bits}) {
        CAPTURE(path_name(path));
        CAPTURE(padding == BinaryPadding::one);
        CAPTURE(static_cast<int>(kind));
        check_conv(path, rng, {6, 5, 70, 3, 3, 1, Padding::same, 40}, padding, kind, false);
        check_conv(path, rng, {7, 7, 33, 5, 5, 2, Padding::same, 65}, padding, kind, false);
      }
    }
  }
}

TEST_CASE("binary conv with XNOR-Net activation scaling K equals the paper's formula") {
  std::mt19937_64 rng(test::seed() + 2);
  for (Path path : supported_path_list()) {
    for (auto kind : {OutputKind::float32, OutputKind::int8, OutputKind::bits}) {
      CAPTURE(path_name(path));
      CAPTURE(static_cast<int>(kind));
      check_conv(path, rng, {6, 6, 40, 3, 3, 1, Padding::same, 20}, BinaryPadding::zero, kind, true);
    }
  }
}

TEST_CASE("activation scale: mean |x| over channels, averaged over the window with zeros outside") {
  // 2x2 image, 2 channels: per-pixel means of |x| are 1, 2, 3, 4.
  const std::vector<float> input = {1, -1, -2, 2, 3, -3, 4, 4};
  const ConvGeometry g{2, 2, 2, 3, 3, 1, Padding::same, 1};
  // Every 3x3 window centred on a pixel of a 2x2 image covers all four pixels: (1+2+3+4)/9.
  for (float k : activation_scale(input, g)) CHECK(k == doctest::Approx(10.0f / 9.0f));
}

TEST_CASE("binary conv with a residual: the layer's floats, then the Add, then the activation, every path") {
  std::mt19937_64 rng(test::seed() + 5);
  const ConvGeometry g{9, 8, 70, 3, 3, 1, Padding::same, 33};
  const auto [binary, input] = random_layer_data(rng, g);
  const auto residual = random_values(rng, g.out_pixels() * g.out_c);
  std::vector<float> slopes = random_values(rng, g.out_c);
  for (const Activation& activation : {Activation::none(), Activation::relu(), Activation::prelu(slopes),
                                       Activation::clamp(-0.5f, 0.75f)}) {
    CAPTURE(static_cast<int>(activation.kind));
    const OutputTransform random = random_transform(rng, OutputKind::float32, g.out_c, 9 * 70);
    const OutputTransform plain = OutputTransform::to_float(random.multiplier(), random.bias(), Activation::none());
    const OutputTransform activated = OutputTransform::to_float(random.multiplier(), random.bias(), activation);
    for (Path path : supported_path_list()) {
      for (const BinaryPadding padding : {BinaryPadding::one, BinaryPadding::zero}) {  // zero: corrected borders
        CAPTURE(path_name(path));
        CAPTURE(padding == BinaryPadding::one);
        std::vector<float> expected(g.out_pixels() * g.out_c), fused(expected.size());
        BinaryConv2d(g, binary.bits, plain, padding, path).run(input, expected);
        for (std::size_t i = 0; i < expected.size(); ++i) {
          expected[i] = activation.apply(expected[i] + residual[i], i % g.out_c);
        }
        BinaryConv2d(g, binary.bits, activated, padding, path).run(input, fused, nullptr, {}, residual);
        CHECK(test::same_bits(fused, expected));
      }
    }
  }
  std::vector<float> out(g.out_pixels() * g.out_c);
  const BinaryConv2d plain_layer(g, binary.bits, random_transform(rng, OutputKind::float32, g.out_c, 9 * 70),
                                 BinaryPadding::one);
  CHECK_THROWS_AS(plain_layer.run(input, out, nullptr, {}, std::span(residual).first(5)), std::invalid_argument);
}

TEST_CASE("binary conv gives identical results on 1 and 2 threads") {
  std::mt19937_64 rng(test::seed() + 3);
  const ConvGeometry g{17, 15, 96, 3, 3, 1, Padding::same, 80};
  const auto [binary, input] = random_layer_data(rng, g);
  const BinaryConv2d layer(g, binary.bits, random_transform(rng, OutputKind::bits, g.out_c, 9 * 96), BinaryPadding::zero);
  std::vector<std::uint64_t> one(layer.output_size()), two(layer.output_size());
  layer.run(input, one);
  ThreadPool pool(2);
  layer.run(input, two, &pool);
  CHECK(one == two);
}

TEST_CASE("binary dense equals the ±1 dot product through its transform") {
  std::mt19937_64 rng(test::seed() + 4);
  for (Path path : supported_path_list()) {
    for (std::size_t in : {1, 63, 64, 65, 300}) {
      CAPTURE(path_name(path));
      CAPTURE(in);
      const std::size_t out = 37;
      const auto input = random_values(rng, in);
      const auto weights = random_values(rng, out * in);
      const auto binary = binarize_weights(weights, out, 1, in);
      const BinaryDense dense(in, out, binary.bits, OutputTransform::to_float(binary.alpha, std::vector<float>(out, 0.5f)), path);
      std::vector<std::uint64_t> bits(words_for_bits(in));
      pack_signs(input, 1, in, bits);
      std::vector<float> result(out);
      dense.run(std::span<const std::uint64_t>(bits), std::span<float>(result));
      for (std::size_t n = 0; n < out; ++n) {
        float dot = 0.0f;
        for (std::size_t i = 0; i < in; ++i) dot += sign_of(input[i]) * sign_of(weights[n * in + i]);
        CHECK(result[n] == doctest::Approx(binary.alpha[n] * dot + 0.5f).epsilon(1e-5));
      }
    }
  }
}

TEST_CASE("binarize_weights: alpha is the mean absolute weight of each output channel") {
  const std::vector<float> weights = {1.0f, -3.0f, 0.5f, -0.5f};
  const auto binary = binarize_weights(weights, 2, 1, 2);
  CHECK(binary.alpha == std::vector<float>{2.0f, 0.5f});
  CHECK(binary.bits == std::vector<std::uint64_t>{0b10, 0b10});
}

TEST_CASE("binary layers refuse inconsistent sizes and output types") {
  const ConvGeometry g{4, 4, 8, 3, 3, 1, Padding::same, 2};
  const std::vector<std::uint64_t> weights(2 * 9);
  CHECK_THROWS_AS(BinaryConv2d(g, std::span(weights).first(5), OutputTransform::to_float({1, 1}, {0, 0})),
                  std::invalid_argument);
  CHECK_THROWS_AS(BinaryConv2d(g, weights, OutputTransform::to_float({1}, {0})), std::invalid_argument);
  CHECK_THROWS_AS(BinaryConv2d({0, 4, 8, 3, 3, 1, Padding::same, 2}, weights, OutputTransform::to_float({1, 1}, {0, 0})),
                  std::invalid_argument);
  const BinaryConv2d layer(g, weights, OutputTransform::to_float({1, 1}, {0, 0}));
  const std::vector<std::uint64_t> input(16);
  std::vector<float> out(32);
  std::vector<std::uint64_t> bits(16);
  CHECK_NOTHROW(layer.run(input, out));
  CHECK_THROWS_WITH_AS(layer.run(std::span(input).first(15), std::span(out)), doctest::Contains("input has 15"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(layer.run(input, std::span(bits)), doctest::Contains("does not match"), std::invalid_argument);
}
