#pragma once
// Helpers shared by the tests: the fixed random seed and random bit rows.
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "xnor/bitpack.hpp"

namespace xnor::test {

// The seed of every randomized test: XNOR_TEST_SEED if set, else a fixed value. Tests print it on failure.
inline std::uint32_t seed() {
  const char* text = std::getenv("XNOR_TEST_SEED");
  return text != nullptr ? static_cast<std::uint32_t>(std::stoul(text)) : 20261127u;
}

// `rows` rows of `bits` random bits, each row padded with zero bits to whole words (the packing convention).
inline std::vector<std::uint64_t> random_bit_rows(std::mt19937_64& rng, std::size_t rows, std::size_t bits,
                                                  std::size_t stride_words) {
  std::vector<std::uint64_t> data(rows * stride_words, 0);
  const std::size_t words = words_for_bits(bits);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t w = 0; w < words; ++w) {
      const std::size_t used = std::min<std::size_t>(64, bits - 64 * w);
      data[r * stride_words + w] = used == 64 ? rng() : rng() & ((std::uint64_t{1} << used) - 1);
    }
  }
  return data;
}

}  // namespace xnor::test
