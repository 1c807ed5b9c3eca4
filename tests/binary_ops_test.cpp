#include <doctest/doctest.h>

#include <random>
#include <stdexcept>
#include <vector>

#include "tests/support.hpp"
#include "xnor/binary_ops.hpp"
#include "xnor/bitpack.hpp"

using namespace xnor;

namespace {

std::vector<float> random_signs(std::mt19937_64& rng, std::size_t n) {
  std::vector<float> values(n);
  for (float& v : values) v = rng() % 3 == 0 ? -1.0f : 1.0f;
  return values;
}

std::vector<std::uint64_t> pack(const std::vector<float>& values, std::size_t pixels, std::size_t channels) {
  std::vector<std::uint64_t> bits(pixels * words_for_bits(channels));
  pack_signs(values, pixels, channels, bits);
  return bits;
}

}  // namespace

TEST_CASE("binary max-pool equals a float max-pool of the ±1 values (padding never wins)") {
  std::mt19937_64 rng(test::seed());
  for (std::size_t channels : {1, 33, 64, 65, 130}) {
    for (std::size_t kernel : {2, 3}) {
      for (std::size_t stride : {1, 2}) {
        for (Padding padding : test::test_paddings(kernel, true)) {
          const ConvGeometry g{7, 6, channels, kernel, kernel, stride, padding, channels, stride == 2};
          CAPTURE(test::describe(padding));
          CAPTURE(channels);
          CAPTURE(kernel);
          CAPTURE(stride);
          const auto values = random_signs(rng, g.in_pixels() * channels);
          const std::vector<float> expected = test::reference_max_pool(g, values, -2.0f);
          std::vector<std::uint64_t> out(g.out_pixels() * words_for_bits(channels));
          binary_max_pool(pack(values, g.in_pixels(), channels), g, out);
          CHECK(out == pack(expected, g.out_pixels(), channels));
          // Bands of output rows, as the graph's threads run them.
          std::vector<std::uint64_t> banded(out.size());
          for (std::size_t begin = 0; begin < g.out_h(); begin += 2) {
            binary_max_pool(pack(values, g.in_pixels(), channels), g, banded, {begin, begin + 2});
          }
          CHECK(banded == out);
        }
      }
    }
  }
}

TEST_CASE("concat of packed tensors with channel counts that are not multiples of 64") {
  std::mt19937_64 rng(test::seed() + 1);
  const std::vector<std::vector<std::size_t>> cases = {{1, 1}, {63, 2}, {64, 64}, {33, 40, 70}, {5, 100, 1, 64}, {130},
                                                            {32, 48, 24, 24}, {48, 64, 32, 32}, {60, 60, 60}};
  for (const auto& channel_counts : cases) {
    const std::size_t pixels = 5;
    std::vector<std::vector<float>> values;
    std::vector<std::vector<std::uint64_t>> packed;
    std::size_t total = 0;
    for (std::size_t c : channel_counts) {
      values.push_back(random_signs(rng, pixels * c));
      packed.push_back(pack(values.back(), pixels, c));
      total += c;
    }
    std::vector<PackedChannels> inputs;
    for (std::size_t i = 0; i < channel_counts.size(); ++i) inputs.push_back({packed[i], channel_counts[i]});
    std::vector<float> joined;
    for (std::size_t p = 0; p < pixels; ++p) {
      for (std::size_t i = 0; i < channel_counts.size(); ++i) {
        joined.insert(joined.end(), values[i].begin() + p * channel_counts[i], values[i].begin() + (p + 1) * channel_counts[i]);
      }
    }
    std::vector<std::uint64_t> out(pixels * words_for_bits(total), ~std::uint64_t{0});
    concat_bits(inputs, pixels, out);
    CAPTURE(total);
    CHECK(out == pack(joined, pixels, total));
  }
}

TEST_CASE("binary ops refuse inconsistent sizes") {
  std::vector<std::uint64_t> in(10), out(3);
  CHECK_THROWS_AS(binary_max_pool(in, {3, 3, 8, 2, 2, 2, Padding::valid, 8}, out), std::invalid_argument);
  const PackedChannels inputs[] = {{in, 64}};
  CHECK_THROWS_AS(concat_bits(inputs, 2, out), std::invalid_argument);
}
