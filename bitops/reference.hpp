#pragma once
// The reference kernels: the specification every optimized path is tested against, written for clarity.
#include <bit>
#include <cstddef>
#include <cstdint>

#include "bitops/kernels.hpp"
#include "xnor/bitpack.hpp"

namespace xnor::reference {

// See bitpack.hpp: bit 1 where the value is negative, padding bits 0.
template <class T, class IsNegative>
void pack_signs(const T* values, std::size_t pixels, std::size_t channels, std::uint64_t* bits, IsNegative negative) {
  const std::size_t words = words_for_bits(channels);
  for (std::size_t p = 0; p < pixels; ++p) {
    for (std::size_t w = 0; w < words; ++w) bits[p * words + w] = 0;
    for (std::size_t c = 0; c < channels; ++c) {
      if (negative(values[p * channels + c])) bits[p * words + c / bits_per_word] |= std::uint64_t{1} << (c % bits_per_word);
    }
  }
}

inline void pack_signs_float(const float* values, std::size_t pixels, std::size_t channels, std::uint64_t* bits) {
  pack_signs(values, pixels, channels, bits, [](float v) { return v < 0.0f; });
}

// bit 1 where flip[c] * value < threshold[c], flip[c] being +1 or -1 (NaN packs as 0); padding bits 0. A
// per-channel scale and shift, then the sign, as thresholds (src/graph/sign_thresholds.hpp).
inline void pack_thresholded(const float* values, std::size_t pixels, std::size_t channels, const float* flip,
                             const float* thresholds, std::uint64_t* bits) {
  const std::size_t words = words_for_bits(channels);
  for (std::size_t p = 0; p < pixels; ++p) {
    for (std::size_t w = 0; w < words; ++w) bits[p * words + w] = 0;
    for (std::size_t c = 0; c < channels; ++c) {
      if (flip[c] * values[p * channels + c] < thresholds[c]) {
        bits[p * words + c / bits_per_word] |= std::uint64_t{1} << (c % bits_per_word);
      }
    }
  }
}

inline void pack_signs_int8(const std::int8_t* values, std::int8_t zero_point, std::size_t pixels, std::size_t channels,
                            std::uint64_t* bits) {
  pack_signs(values, pixels, channels, bits, [zero_point](std::int8_t q) { return q < zero_point; });
}

// C[m][n] = sum over w < words of popcount(A[m][w] XOR B[n][w]); A and B row-major.
inline void bgemm(const std::uint64_t* a, std::size_t m, std::size_t lda, const std::uint64_t* b, std::size_t n,
                  std::size_t words, std::int32_t* c, std::size_t ldc) {
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      std::int32_t count = 0;
      for (std::size_t w = 0; w < words; ++w) count += std::popcount(a[i * lda + w] ^ b[j * words + w]);
      c[i * ldc + j] = count;
    }
  }
}

// The output bits of one pixel of a binary layer: from popcount counts over k_bits bits, the ±1 dot product
// d = k_bits - 2 * count - correction (correction may be null: 0), and bit n = low[n] <= d <= high[n].
// Writes words_for_bits(n) words, padding bits 0.
inline void dots_to_bits(const std::int32_t* counts, std::size_t n, std::int32_t k_bits, const std::int32_t* correction,
                         const std::int32_t* low, const std::int32_t* high, std::uint64_t* bits) {
  for (std::size_t w = 0; w < words_for_bits(n); ++w) bits[w] = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int32_t d = k_bits - 2 * counts[i] - (correction != nullptr ? correction[i] : 0);
    if (low[i] <= d && d <= high[i]) bits[i / bits_per_word] |= std::uint64_t{1} << (i % bits_per_word);
  }
}

// The float outputs of one pixel of a binary layer (detail::DotsToFloats).
inline void dots_to_floats(const detail::DotsToFloats& a) {
  for (std::size_t c = 0; c < a.n; ++c) {
    const std::int32_t d = a.k_bits - 2 * a.counts[c] - (a.correction != nullptr ? a.correction[c] : 0);
    float y = a.multiplier[c] * (static_cast<float>(d) * a.scale) + a.bias[c];
    if (a.residual != nullptr) y += a.residual[c];
    if (a.slopes != nullptr && y < 0.0f) y = a.slopes[c] * y;
    if (y < a.low) y = a.low;
    if (y > a.high) y = a.high;
    a.out[c] = y;
  }
}

}  // namespace xnor::reference
