#include "xnor/int8_ops.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include "tests/support.hpp"

using namespace xnor;

TEST_CASE("int8 max pool: the largest value inside the image, clamped to the range") {
  // 3x3 single-channel image, 2x2 window, stride 2, same padding: windows cut at the bottom and right.
  const std::vector<std::int8_t> input{1, -5, 7, 2, 3, -8, -9, 4, -128};
  const ConvGeometry window{3, 3, 1, 2, 2, 2, Padding::same, 1};
  std::vector<std::int8_t> output(4);
  int8_max_pool(window, input, output);
  CHECK(output == std::vector<std::int8_t>{3, 7, 4, -128});
  int8_max_pool(window, input, output, {-10, 5});
  CHECK(output == std::vector<std::int8_t>{3, 5, 4, -10});
}

TEST_CASE("int8 max pool equals a plain window loop: shapes, strides, padding, ranges and row bands") {
  std::mt19937_64 rng(test::seed());
  INFO("seed " << test::seed());
  // The specification: the max over the window's positions inside the image, clamped to the range.
  const auto reference = [](const ConvGeometry& g, const std::vector<std::int8_t>& input, Int8Range range) {
    std::vector<std::int8_t> out = test::reference_max_pool(g, input, std::int8_t{-128});
    for (auto& v : out) v = std::clamp(v, range.min, range.max);
    return out;
  };
  test::for_each_pool_window({1, 3, 16, 17, 63, 64, 65}, [&](const ConvGeometry& g) {
    INFO(test::describe(g));
    std::vector<std::int8_t> input(g.in_pixels() * g.in_c);
    for (auto& v : input) v = static_cast<std::int8_t>(static_cast<int>(rng() % 256) - 128);
    for (Int8Range range : {Int8Range{}, Int8Range{-20, 90}}) {
      const std::vector<std::int8_t> expected = reference(g, input, range);
      std::vector<std::int8_t> whole(expected.size()), banded(expected.size());
      int8_max_pool(g, input, whole, range);
      CHECK(whole == expected);
      // Bands of output rows, as the graph's threads run them.
      for (std::size_t begin = 0; begin < g.out_h(); begin += 2) int8_max_pool(g, input, banded, range, {begin, begin + 2});
      CHECK(banded == expected);
    }
  });
}

TEST_CASE("int8 average pool: positions inside the image only, ties away from zero") {
  const ConvGeometry window{2, 2, 2, 2, 2, 1, Padding::same, 2};  // same padding adds a row and a column after
  // Pixel (y, x), channel 0 and 1.
  const std::vector<std::int8_t> input{1, -1, 2, -2, 0, 0, 1, -1};
  std::vector<std::int8_t> output(8);
  int8_average_pool(window, input, output);
  // (0,0): (1+2+0+1)/4 = 1 and -1; (0,1): (2+1)/2 = 1.5 -> 2, -1.5 -> -2; (1,0): 0.5 -> 1, -0.5 -> -1; (1,1): 1, -1.
  CHECK(output == std::vector<std::int8_t>{1, -1, 2, -2, 1, -1, 1, -1});
  int8_average_pool(window, input, output, {-1, 1});
  CHECK(output == std::vector<std::int8_t>{1, -1, 1, -1, 1, -1, 1, -1});
}

TEST_CASE("int8 average pool equals a plain window loop: padding counted as the zero point or not, row bands") {
  std::mt19937_64 rng(test::seed());
  INFO("seed " << test::seed());
  test::for_each_pool_window({1, 3, 17, 64, 65}, [&](const ConvGeometry& g) {
    INFO(test::describe(g));
    std::vector<std::int8_t> input(g.in_pixels() * g.in_c);
    for (auto& v : input) v = static_cast<std::int8_t>(static_cast<int>(rng() % 256) - 128);
    for (bool count_padding : {false, true}) {
      CAPTURE(count_padding);
      const std::int8_t zero_point = count_padding ? -37 : 0;
      std::vector<std::int8_t> expected(g.out_pixels() * g.in_c);
      for (std::size_t oy = 0; oy < g.out_h(); ++oy) {
        for (std::size_t ox = 0; ox < g.out_w(); ++ox) {
          for (std::size_t c = 0; c < g.in_c; ++c) {
            const auto [sum, divisor] = test::reference_average_window(g, input, oy, ox, c, count_padding);
            const auto inside = test::reference_average_window(g, input, oy, ox, c, false).second;
            // Padded cells hold the real value 0: the zero point. Ties round away from zero.
            const double total = sum + static_cast<double>(zero_point) * static_cast<double>(divisor - inside);
            const double mean = total / static_cast<double>(divisor);
            expected[(oy * g.out_w() + ox) * g.in_c + c] =
                static_cast<std::int8_t>(std::clamp(std::round(mean), -128.0, 127.0));
          }
        }
      }
      std::vector<std::int8_t> whole(expected.size()), banded(expected.size());
      int8_average_pool(g, input, whole, {}, {}, count_padding, zero_point);
      CHECK(whole == expected);
      for (std::size_t begin = 0; begin < g.out_h(); begin += 2) {
        int8_average_pool(g, input, banded, {}, {begin, begin + 2}, count_padding, zero_point);
      }
      CHECK(banded == expected);
    }
  });
}

TEST_CASE("int8 average pool of a constant is the constant, max pool of random data bounds its average") {
  std::mt19937_64 rng(test::seed());
  const ConvGeometry window{7, 6, 5, 3, 3, 2, Padding::same, 5};
  std::vector<std::int8_t> input(7 * 6 * 5);
  for (auto& v : input) v = static_cast<std::int8_t>(static_cast<int>(rng() % 256) - 128);
  std::vector<std::int8_t> average(window.out_pixels() * 5), maximum(average.size());
  int8_average_pool(window, input, average);
  int8_max_pool(window, input, maximum);
  for (std::size_t i = 0; i < average.size(); ++i) CHECK(average[i] <= maximum[i]);
  std::fill(input.begin(), input.end(), std::int8_t{-77});
  int8_average_pool(window, input, average);
  CHECK(std::all_of(average.begin(), average.end(), [](std::int8_t v) { return v == -77; }));
}

TEST_CASE("int8 pools refuse inconsistent sizes") {
  const ConvGeometry window{4, 4, 3, 2, 2, 2, Padding::valid, 3};
  std::vector<std::int8_t> input(48), output(12), short_output(11);
  CHECK_NOTHROW(int8_max_pool(window, input, output));
  CHECK_THROWS_AS(int8_max_pool(window, input, short_output), std::invalid_argument);
  CHECK_THROWS_AS(int8_average_pool(window, std::span<const std::int8_t>(input).first(47), output),
                  std::invalid_argument);
  ConvGeometry changes_channels = window;
  changes_channels.out_c = 4;
  CHECK_THROWS_WITH_AS(int8_max_pool(changes_channels, input, output), doctest::Contains("keeps the channels"),
                       std::invalid_argument);
}

TEST_CASE("int8 concat: channels in order, inputs with other quantization requantized") {
  const QuantParams out{0.5f, 10};
  const std::vector<std::int8_t> a{1, 2, 3, 4};           // 2 pixels x 2 channels, quantized as the output
  const std::vector<std::int8_t> b{-128, 127};            // 2 pixels x 1 channel, scale 0.25, zero point 0
  const std::vector<std::int8_t> c{20, 0, -20, 5, 6, 7};  // 2 pixels x 3 channels, scale 1, zero point 20
  const std::vector<Int8ConcatInput> inputs{{a, 2, out}, {b, 1, {0.25f, 0}}, {c, 3, {1.0f, 20}}};
  std::vector<std::int8_t> output(12);
  int8_concat(inputs, 2, out, output);
  // b: -128 * 0.25 = -32 -> -64 + 10 = -54; 127 * 0.25 = 31.75 -> 63.5 -> 64 (ties away) + 10 = 74.
  // c: (q - 20) * 2 + 10: 20 -> 10; 0 -> -30; -20 -> -70; 5 -> -20; 6 -> -18; 7 -> -16.
  CHECK(output == std::vector<std::int8_t>{1, 2, -54, 10, -30, -70, 3, 4, 74, -20, -18, -16});
}

TEST_CASE("int8 concat saturates and refuses inconsistent sizes") {
  const QuantParams out{0.1f, 0};
  const std::vector<std::int8_t> big{100};
  std::vector<std::int8_t> output(1);
  int8_concat(std::vector<Int8ConcatInput>{{big, 1, {1.0f, 0}}}, 1, out, output);
  CHECK(output[0] == 127);
  const std::vector<std::int8_t> three(3);
  CHECK_THROWS_WITH_AS(int8_concat(std::vector<Int8ConcatInput>{{three, 2, out}}, 1, out, output),
                       doctest::Contains("input 0 has 3 values"), std::invalid_argument);
  CHECK_THROWS_AS(int8_concat(std::vector<Int8ConcatInput>{{big, 1, out}, {big, 1, out}}, 1, out, output),
                  std::invalid_argument);
  CHECK_THROWS_AS(int8_concat(std::vector<Int8ConcatInput>{{big, 1, {0.0f, 0}}}, 1, out, output),
                  std::invalid_argument);
}
