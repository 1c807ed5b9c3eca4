// The AVX-512 path: VPOPCNTDQ counts the bits of eight 64-bit words in one instruction.
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "bitops/kernels.hpp"
#include "bitops/reference.hpp"
#include "xnor/bgemm.hpp"
#include "xnor/bitpack.hpp"

#define XNOR_ISA avx512
#include "src/target.hpp"
XNOR_TARGET_BEGIN(XNOR_TARGET_AVX512)
#include "src/row_blocks.hpp"
#include "bitops/loops.hpp"

namespace xnor::avx512 {
namespace {

constexpr std::size_t panel_width = BgemmWeights::panel_width;
constexpr int vectors_per_panel = panel_width / 8;

// Which of the 16 lanes of vector i of a word of `count` values hold one.
inline __mmask16 lanes(std::size_t count, int i) {
  const std::size_t valid = count > 16u * i ? std::min<std::size_t>(16, count - 16u * i) : 0;
  return static_cast<__mmask16>((1u << valid) - 1u);
}

// One word of reference::pack_signs_float, or with Thresholded of reference::pack_thresholded: masked loads read
// only the `count` values there are, and only their lanes set bits.
struct PackWordFloat {
  template <bool Thresholded>
  static std::uint64_t word(const float* values, const float* flip, const float* thresholds, std::size_t count) {
    std::uint64_t packed = 0;
    const bool full = count == 64;  // plain loads and no mask to compute: full words 1.25x as fast
    // Vectors past the last value are not loaded (nor their addresses formed): their bits are 0.
    for (int i = 0; i < 4 && 16u * i < count; ++i) {
      const __mmask16 valid = full ? __mmask16{0xffff} : lanes(count, i);
      const auto load = [&](const float* p) { return full ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(valid, p); };
      __m512 v = load(values + 16 * i);
      __m512 threshold = _mm512_setzero_ps();
      if constexpr (Thresholded) {
        v = _mm512_mul_ps(v, load(flip + 16 * i));
        threshold = load(thresholds + 16 * i);
      }
      packed |= static_cast<std::uint64_t>(_mm512_mask_cmp_ps_mask(valid, v, threshold, _CMP_LT_OQ)) << (16 * i);
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
  const __m512i zp = _mm512_set1_epi8(zero_point);
  pack_pixels(values, pixels, channels, bits, [zp](const std::int8_t* v, std::size_t, std::size_t count) {
    const __mmask64 valid = count == 64 ? ~__mmask64{0} : (__mmask64{1} << count) - 1;
    return static_cast<std::uint64_t>(_mm512_mask_cmplt_epi8_mask(valid, _mm512_maskz_loadu_epi8(valid, v), zp));
  });
}

// Which of the 8 columns of vector j hold one of the panel's n_valid rows.
inline __mmask8 valid_lanes(std::size_t n_valid, int j) {
  const std::size_t valid = n_valid > 8u * j ? std::min<std::size_t>(8, n_valid - 8u * j) : 0;
  return static_cast<__mmask8>((1u << valid) - 1u);
}

// The PanelBits epilogue on a tile's counts, in registers (reference::dots_to_bits); V vectors of columns.
template <int R, int V>
inline void store_bits(const BgemmPanelArgs& p, std::size_t m0, const __m512i (&acc)[R][V]) {
  const PanelBits& b = *p.bits;
  const __m256i k = _mm256_set1_epi32(b.k_bits);
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
    const std::size_t row = m0 + r;
    const bool corrected = b.corrected != nullptr && b.corrected[row];
    std::uint32_t word = 0;
#pragma GCC unroll 4
    for (int j = 0; j < V; ++j) {
      const __mmask8 valid = valid_lanes(p.n_valid, j);
      const __m256i count = _mm512_maskz_cvtepi64_epi32(0xff, acc[r][j]);  // (maskz: no GCC 12 warning)
      __m256i d = _mm256_sub_epi32(k, _mm256_add_epi32(count, count));
      if (corrected) d = _mm256_sub_epi32(d, _mm256_maskz_loadu_epi32(valid, b.corrections + row * b.correction_stride + 8 * j));
      const __mmask8 negative = _mm256_mask_cmple_epi32_mask(
          _mm256_mask_cmpge_epi32_mask(valid, d, _mm256_maskz_loadu_epi32(valid, b.low + 8 * j)), d,
          _mm256_maskz_loadu_epi32(valid, b.high + 8 * j));
      word |= static_cast<std::uint32_t>(negative) << (8 * j);
    }
    b.out[row * b.out_stride] = word;
  }
}

// reference::bgemm on a panel. A tile is R rows x 8 V weight rows: per word of K, the weight words are V
// vectors, each A word is broadcast, and R x V accumulators of 64-bit counts stay in registers. Counting
// along N rather than K needs no horizontal sums, which matters for K of a few hundred bits. V covers the
// panel's valid rows only: a layer of 16 or 48 channels does not count the zero rows of a half panel.
template <int V>
void bgemm_panel_vectors(const BgemmPanelArgs& p) {
  for_row_blocks<4>(p.m, [&]<int R>(std::size_t m0) {
    __m512i acc[R][V];
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
      for (int j = 0; j < V; ++j) acc[r][j] = _mm512_setzero_si512();
    }
    const std::uint64_t* a = p.a + m0 * p.lda;
    const std::uint64_t* b = p.panel;
    for (std::size_t k = 0; k < p.words; ++k, b += panel_width) {
      __m512i bv[V];
#pragma GCC unroll 4
      for (int j = 0; j < V; ++j) bv[j] = _mm512_loadu_si512(b + 8 * j);
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) {
        const __m512i av = _mm512_set1_epi64(static_cast<long long>(a[r * p.lda + k]));
#pragma GCC unroll 4
        for (int j = 0; j < V; ++j) {
          acc[r][j] = _mm512_add_epi64(acc[r][j], _mm512_popcnt_epi64(_mm512_xor_si512(av, bv[j])));
        }
      }
    }
    if (p.bits != nullptr) {
      store_bits<R, V>(p, m0, acc);
      return;
    }
#pragma GCC unroll 4
    for (int j = 0; j < V; ++j) {
      const __mmask8 store = valid_lanes(p.n_valid, j);
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) _mm512_mask_cvtepi64_storeu_epi32(p.c + (m0 + r) * p.ldc + 8 * j, store, acc[r][j]);
    }
  });
}

void bgemm_panel(const BgemmPanelArgs& p) {
  static_assert(vectors_per_panel == 4);
  switch ((p.n_valid + 7) / 8) {
    case 1: return bgemm_panel_vectors<1>(p);
    case 2: return bgemm_panel_vectors<2>(p);
    case 3: return bgemm_panel_vectors<3>(p);
    default: return bgemm_panel_vectors<4>(p);
  }
}

// reference::dots_to_bits, 16 channels per step.
void dots_to_bits(const std::int32_t* counts, std::size_t n, std::int32_t k_bits, const std::int32_t* correction,
                  const std::int32_t* low, const std::int32_t* high, std::uint64_t* bits) {
  const __m512i k = _mm512_set1_epi32(k_bits);
  for (std::size_t w = 0; w < words_for_bits(n); ++w) bits[w] = 0;
  for (std::size_t i = 0; i < n; i += 16) {
    const __mmask16 valid = n - i >= 16 ? __mmask16(0xffff) : static_cast<__mmask16>((1u << (n - i)) - 1u);
    const __m512i count = _mm512_maskz_loadu_epi32(valid, counts + i);
    __m512i d = _mm512_sub_epi32(k, _mm512_add_epi32(count, count));
    if (correction != nullptr) d = _mm512_sub_epi32(d, _mm512_maskz_loadu_epi32(valid, correction + i));
    const __mmask16 negative =
        _mm512_mask_cmple_epi32_mask(_mm512_mask_cmpge_epi32_mask(valid, d, _mm512_maskz_loadu_epi32(valid, low + i)), d,
                                     _mm512_maskz_loadu_epi32(valid, high + i));
    bits[i / 64] |= static_cast<std::uint64_t>(negative) << (i % 64);
  }
}

}  // namespace

const detail::BitKernels& bit_kernels() {
  static const detail::BitKernels kernels{pack_float, pack_float_pixels<PackWordFloat, true>, pack_int8, bgemm_panel,
                                          dots_to_bits, dots_to_floats};
  return kernels;
}

}  // namespace xnor::avx512

XNOR_TARGET_END
