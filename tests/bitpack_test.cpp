#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "bitops/reference.hpp"
#include "tests/support.hpp"
#include "xnor/bitpack.hpp"

using namespace xnor;

namespace {

const std::size_t channel_counts[] = {1, 2, 7, 31, 32, 33, 63, 64, 65, 127, 128, 129, 191, 200, 256, 257};
const std::size_t pixel_counts[] = {1, 3, 10};

std::vector<float> random_floats(std::mt19937_64& rng, std::size_t n) {
  const float specials[] = {0.0f, -0.0f, std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::denorm_min(), 1e-30f};
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> values(n);
  for (float& v : values) v = rng() % 8 == 0 ? specials[rng() % std::size(specials)] : normal(rng);
  return values;
}

void check_padding_zero(const std::vector<std::uint64_t>& bits, std::size_t pixels, std::size_t channels) {
  const std::size_t words = words_for_bits(channels);
  if (channels % 64 == 0) return;
  const std::uint64_t used = (std::uint64_t{1} << (channels % 64)) - 1;
  for (std::size_t p = 0; p < pixels; ++p) CHECK((bits[p * words + words - 1] & ~used) == 0);
}

}  // namespace

TEST_CASE("float packing: every path equals the reference, padding bits are 0") {
  std::mt19937_64 rng(test::seed());
  for (Path path : supported_path_list()) {
    for (std::size_t channels : channel_counts) {
      for (std::size_t pixels : pixel_counts) {
        CAPTURE(path_name(path));
        CAPTURE(channels);
        CAPTURE(pixels);
        const std::vector<float> values = random_floats(rng, pixels * channels);
        std::vector<std::uint64_t> expected(pixels * words_for_bits(channels));
        std::vector<std::uint64_t> actual(expected.size(), ~std::uint64_t{0});
        reference::pack_signs_float(values.data(), pixels, channels, expected.data());
        pack_signs(values, pixels, channels, actual, path);
        CHECK(actual == expected);
        check_padding_zero(actual, pixels, channels);
      }
    }
  }
}

TEST_CASE("packing with per-channel thresholds: every path equals the reference, padding bits are 0") {
  std::mt19937_64 rng(test::seed());
  const float specials[] = {0.0f, -0.0f, std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::denorm_min()};
  for (Path path : supported_path_list()) {
    for (std::size_t channels : channel_counts) {
      CAPTURE(path_name(path));
      CAPTURE(channels);
      const std::size_t pixels = 3;
      std::vector<float> flip(channels), thresholds(channels);
      std::normal_distribution<float> normal(0.0f, 1.0f);
      for (std::size_t c = 0; c < channels; ++c) {
        flip[c] = rng() % 2 ? 1.0f : -1.0f;
        thresholds[c] = rng() % 6 == 0 ? specials[rng() % std::size(specials)] : normal(rng);
      }
      std::vector<float> values = random_floats(rng, pixels * channels);
      // A quarter of the values on their channel's threshold or next to it, either way, where a sign flips.
      for (std::size_t i = 0; i < values.size(); ++i) {
        const float t = flip[i % channels] * thresholds[i % channels];
        if (rng() % 4 == 0) values[i] = std::nextafter(t, rng() % 2 ? 1e30f : -1e30f);
        if (rng() % 4 == 0) values[i] = t;
      }
      std::vector<std::uint64_t> expected(pixels * words_for_bits(channels));
      std::vector<std::uint64_t> actual(expected.size(), ~std::uint64_t{0});
      reference::pack_thresholded(values.data(), pixels, channels, flip.data(), thresholds.data(), expected.data());
      pack_signs(values, pixels, channels, flip, thresholds, actual, path);
      CHECK(actual == expected);
      check_padding_zero(actual, pixels, channels);
    }
  }
  std::vector<std::uint64_t> bits(1);
  CHECK_THROWS_AS(pack_signs(std::vector<float>(3), 1, 3, std::vector<float>(2), std::vector<float>(3), bits),
                  std::invalid_argument);
}

TEST_CASE("int8 packing: every path equals the reference for any zero point") {
  std::mt19937_64 rng(test::seed());
  for (Path path : supported_path_list()) {
    for (int zero_point : {-128, -3, 0, 5, 127}) {
      for (std::size_t channels : channel_counts) {
        CAPTURE(path_name(path));
        CAPTURE(zero_point);
        CAPTURE(channels);
        const std::size_t pixels = 3;
        std::vector<std::int8_t> values(pixels * channels);
        for (auto& v : values) v = static_cast<std::int8_t>(rng());
        std::vector<std::uint64_t> expected(pixels * words_for_bits(channels));
        std::vector<std::uint64_t> actual(expected.size(), ~std::uint64_t{0});
        reference::pack_signs_int8(values.data(), static_cast<std::int8_t>(zero_point), pixels, channels, expected.data());
        pack_signs(values, static_cast<std::int8_t>(zero_point), pixels, channels, actual, path);
        CHECK(actual == expected);
        check_padding_zero(actual, pixels, channels);
      }
    }
  }
}

TEST_CASE("the sign convention: bit 1 is negative, and 0.0, -0.0 and NaN pack as +1") {
  const std::vector<float> values = {-1.0f, 0.0f, -0.0f, 2.5f, std::numeric_limits<float>::quiet_NaN(), -1e-30f};
  for (Path path : supported_path_list()) {
    CAPTURE(path_name(path));
    std::vector<std::uint64_t> bits(1);
    pack_signs(values, 1, values.size(), bits, path);
    CHECK(bits[0] == 0b100001u);
  }
}

TEST_CASE("unpacking restores the sign of every value") {
  std::mt19937_64 rng(test::seed());
  for (std::size_t channels : channel_counts) {
    CAPTURE(channels);
    const std::size_t pixels = 4;
    const std::vector<float> values = random_floats(rng, pixels * channels);
    std::vector<std::uint64_t> bits(pixels * words_for_bits(channels));
    pack_signs(values, pixels, channels, bits);
    std::vector<float> signs(values.size());
    unpack_signs(bits, pixels, channels, signs);
    for (std::size_t i = 0; i < values.size(); ++i) CHECK(signs[i] == (values[i] < 0.0f ? -1.0f : 1.0f));
  }
}

TEST_CASE("packing refuses spans of the wrong size") {
  std::vector<float> values(10);
  std::vector<std::uint64_t> bits(1);
  CHECK_THROWS_WITH_AS(pack_signs(values, 2, 6, bits), doctest::Contains("needs 12 values and 2 words"),
                       std::invalid_argument);
}
