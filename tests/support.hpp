#pragma once
// Helpers shared by the tests: the fixed random seed and random bit rows.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "xnor/bitpack.hpp"
#include "xnor/conv_geometry.hpp"

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

// Calls visit(geometry) for pool windows that straddle the edge cases, on a 9x7 image of each channel count:
// kernels 1, 2, 3 and 5, strides 1 to 3, valid and same padding.
template <class Visit>
void for_each_pool_window(std::initializer_list<std::size_t> channel_counts, Visit visit) {
  for (std::size_t channels : channel_counts) {
    for (std::size_t kernel : {1, 2, 3, 5}) {
      for (std::size_t stride : {1, 2, 3}) {
        for (Padding padding : {Padding::valid, Padding::same}) {
          visit(ConvGeometry{9, 7, channels, kernel, kernel, stride, padding, channels});
        }
      }
    }
  }
}

// The specification of a max pool, written plainly: per output pixel and channel, the max over the window's
// positions inside the image (padding takes no part), starting from `lowest`.
template <class T>
std::vector<T> reference_max_pool(const ConvGeometry& g, const std::vector<T>& input, T lowest) {
  std::vector<T> out(g.out_pixels() * g.in_c, lowest);
  for (std::size_t oy = 0; oy < g.out_h(); ++oy) {
    for (std::size_t ox = 0; ox < g.out_w(); ++ox) {
      for (std::size_t ky = 0; ky < g.kernel_h; ++ky) {
        for (std::size_t kx = 0; kx < g.kernel_w; ++kx) {
          const auto y = static_cast<std::ptrdiff_t>(oy * g.stride + ky) - static_cast<std::ptrdiff_t>(g.pad_top());
          const auto x = static_cast<std::ptrdiff_t>(ox * g.stride + kx) - static_cast<std::ptrdiff_t>(g.pad_left());
          if (y < 0 || x < 0 || y >= static_cast<std::ptrdiff_t>(g.in_h) || x >= static_cast<std::ptrdiff_t>(g.in_w)) continue;
          const std::size_t pixel = static_cast<std::size_t>(y) * g.in_w + static_cast<std::size_t>(x);
          for (std::size_t c = 0; c < g.in_c; ++c) {
            T& o = out[(oy * g.out_w() + ox) * g.in_c + c];
            o = std::max(o, input[pixel * g.in_c + c]);
          }
        }
      }
    }
  }
  return out;
}

}  // namespace xnor::test
