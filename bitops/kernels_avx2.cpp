// The AVX2 path: no vector popcount, so bytes are counted by nibble lookup (VPSHUFB), summed as bytes for
// up to 31 words of K (31 x 8 < 256), then widened to 64 bits with VPSADBW.
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "bitops/kernels.hpp"
#include "bitops/reference.hpp"
#include "xnor/bgemm.hpp"
#include "xnor/bitpack.hpp"

#define XNOR_ISA avx2
#include "src/target.hpp"
XNOR_TARGET_BEGIN(XNOR_TARGET_AVX2)
#include "src/row_blocks.hpp"
#include "bitops/loops.hpp"

namespace xnor::avx2 {
namespace {

constexpr std::size_t panel_width = BgemmWeights::panel_width;
constexpr std::size_t sub_panel = 8;        // weight rows per tile: two vectors of four words
constexpr std::size_t words_per_flush = 31;  // byte counts grow by at most 8 per word

// Which of the 8 lanes of vector i of a word of `count` values hold one, as a load mask.
inline __m256i lanes(std::size_t count, int i) {
  const int valid = count > 8u * i ? static_cast<int>(std::min<std::size_t>(8, count - 8u * i)) : 0;
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(valid), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// One word of reference::pack_signs_float, or with Thresholded of reference::pack_thresholded: masked loads read
// only the `count` values there are; the other lanes read 0 (times 0, against 0), which is not below.
struct PackWordFloat {
  template <bool Thresholded>
  static std::uint64_t word(const float* values, const float* flip, const float* thresholds, std::size_t count) {
    std::uint64_t packed = 0;
    const bool full = count == 64;  // plain loads: full words 1.7-1.9x as fast as masked ones
    // Vectors past the last value are not loaded (nor their addresses formed): their bits are 0.
    for (int i = 0; i < 8 && 8u * i < count; ++i) {
      const __m256i valid = lanes(count, i);
      const auto load = [&](const float* p) { return full ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, valid); };
      __m256 v = load(values + 8 * i);
      __m256 threshold = _mm256_setzero_ps();
      if constexpr (Thresholded) {
        v = _mm256_mul_ps(v, load(flip + 8 * i));
        threshold = load(thresholds + 8 * i);
      }
      packed |= static_cast<std::uint64_t>(_mm256_movemask_ps(_mm256_cmp_ps(v, threshold, _CMP_LT_OQ))) << (8 * i);
    }
    return packed;
  }
};

// reference::pack_signs_float (reference::pack_thresholded: pack_float_pixels<PackWordFloat, true>)
void pack_float(const float* values, std::size_t pixels, std::size_t channels, std::uint64_t* bits) {
  pack_float_pixels<PackWordFloat, false>(values, pixels, channels, nullptr, nullptr, bits);
}

// reference::pack_signs_int8
void pack_int8(const std::int8_t* values, std::int8_t zero_point, std::size_t pixels, std::size_t channels,
               std::uint64_t* bits) {
  const __m256i zp = _mm256_set1_epi8(zero_point);
  pack_pixels(values, pixels, channels, bits, [zp, zero_point](const std::int8_t* v, std::size_t, std::size_t count) {
    std::int8_t copy[64];
    if (count < 64) v = filled_up(v, count, zero_point, copy);
    const auto low = static_cast<std::uint32_t>(_mm256_movemask_epi8(
        _mm256_cmpgt_epi8(zp, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v)))));
    const auto high = static_cast<std::uint32_t>(_mm256_movemask_epi8(
        _mm256_cmpgt_epi8(zp, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + 32)))));
    return static_cast<std::uint64_t>(high) << 32 | low;
  });
}

// Per-byte popcount of x, by looking up each nibble.
inline __m256i popcount_bytes(__m256i x, __m256i nibble_counts, __m256i low_nibble) {
  const __m256i low = _mm256_shuffle_epi8(nibble_counts, _mm256_and_si256(x, low_nibble));
  const __m256i high = _mm256_shuffle_epi8(nibble_counts, _mm256_and_si256(_mm256_srli_epi16(x, 4), low_nibble));
  return _mm256_add_epi8(low, high);
}

// reference::bgemm on a panel, in tiles of R rows x 8 weight rows (byte accumulators in registers).
void count_panel(const BgemmPanelArgs& p) {
  const __m256i nibble_counts = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,  //
                                                 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low_nibble = _mm256_set1_epi8(0x0f);
  for (std::size_t j0 = 0; j0 < p.n_valid; j0 += sub_panel) {
    for_row_blocks<4>(p.m, [&]<int R>(std::size_t m0) {
      __m256i total[R][2];
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) total[r][0] = total[r][1] = _mm256_setzero_si256();
      const std::uint64_t* a = p.a + m0 * p.lda;
      for (std::size_t k0 = 0; k0 < p.words; k0 += words_per_flush) {
        const std::size_t k_end = std::min(p.words, k0 + words_per_flush);
        __m256i bytes[R][2];
#pragma GCC unroll 4
        for (int r = 0; r < R; ++r) bytes[r][0] = bytes[r][1] = _mm256_setzero_si256();
        const std::uint64_t* b = p.panel + k0 * panel_width + j0;
        for (std::size_t k = k0; k < k_end; ++k, b += panel_width) {
          const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b));
          const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 4));
#pragma GCC unroll 4
          for (int r = 0; r < R; ++r) {
            const __m256i av = _mm256_set1_epi64x(static_cast<long long>(a[r * p.lda + k]));
            bytes[r][0] = _mm256_add_epi8(bytes[r][0], popcount_bytes(_mm256_xor_si256(av, b0), nibble_counts, low_nibble));
            bytes[r][1] = _mm256_add_epi8(bytes[r][1], popcount_bytes(_mm256_xor_si256(av, b1), nibble_counts, low_nibble));
          }
        }
#pragma GCC unroll 4
        for (int r = 0; r < R; ++r) {
          total[r][0] = _mm256_add_epi64(total[r][0], _mm256_sad_epu8(bytes[r][0], _mm256_setzero_si256()));
          total[r][1] = _mm256_add_epi64(total[r][1], _mm256_sad_epu8(bytes[r][1], _mm256_setzero_si256()));
        }
      }
      // Counts fit in 32 bits: keep the low half of each 64-bit lane, eight lanes in order.
      const __m256i low_halves = _mm256_setr_epi32(0, 2, 4, 6, 0, 0, 0, 0);
      const std::size_t valid = std::min(sub_panel, p.n_valid - j0);
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) {
        const __m256i counts = _mm256_permute2x128_si256(_mm256_permutevar8x32_epi32(total[r][0], low_halves),
                                                         _mm256_permutevar8x32_epi32(total[r][1], low_halves), 0x20);
        std::int32_t* c = p.c + (m0 + r) * p.ldc + j0;
        if (valid == sub_panel) {
          _mm256_storeu_si256(reinterpret_cast<__m256i*>(c), counts);
        } else {
          alignas(32) std::int32_t lanes[sub_panel];
          _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), counts);
          std::copy(lanes, lanes + valid, c);
        }
      }
    });
  }
}

inline __m256i load8(const std::int32_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

// reference::dots_to_bits, 8 channels per step; the last, partial step by the reference.
void dots_to_bits(const std::int32_t* counts, std::size_t n, std::int32_t k_bits, const std::int32_t* correction,
                  const std::int32_t* low, const std::int32_t* high, std::uint64_t* bits) {
  const __m256i k = _mm256_set1_epi32(k_bits);
  const std::size_t full = n / 8 * 8;
  for (std::size_t w = 0; w < words_for_bits(n); ++w) bits[w] = 0;
  for (std::size_t i = 0; i < full; i += 8) {
    __m256i d = _mm256_sub_epi32(k, _mm256_slli_epi32(load8(counts + i), 1));
    if (correction != nullptr) d = _mm256_sub_epi32(d, load8(correction + i));
    const __m256i outside = _mm256_or_si256(_mm256_cmpgt_epi32(load8(low + i), d), _mm256_cmpgt_epi32(d, load8(high + i)));
    const auto negative = static_cast<std::uint64_t>(~_mm256_movemask_ps(_mm256_castsi256_ps(outside)) & 0xff);
    bits[i / 64] |= negative << (i % 64);
  }
  dots_to_bits_tail(full, counts, n, k_bits, correction, low, high, bits);
}

void bgemm_panel(const BgemmPanelArgs& args) {
  if (args.bits != nullptr) return panel_bits_from_counts(args, count_panel, dots_to_bits);
  count_panel(args);
}

}  // namespace

const detail::BitKernels& bit_kernels() {
  static const detail::BitKernels kernels{pack_float, pack_float_pixels<PackWordFloat, true>, pack_int8, bgemm_panel,
                                          dots_to_bits, dots_to_floats};
  return kernels;
}

}  // namespace xnor::avx2

XNOR_TARGET_END
