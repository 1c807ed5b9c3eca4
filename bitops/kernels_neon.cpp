// The aarch64 NEON path: VCNT counts bits per byte, VPADAL adds neighbouring byte counts into 16-bit lanes.
#include <arm_neon.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "bitops/kernels.hpp"
#include "bitops/reference.hpp"
#include "xnor/bgemm.hpp"
#include "xnor/bitpack.hpp"

#define XNOR_ISA neon
#include "src/row_blocks.hpp"
#include "bitops/loops.hpp"

namespace xnor::neon {
namespace {

constexpr std::size_t panel_width = BgemmWeights::panel_width;

// Bit i of a byte lane's weight is 1 << (i % 8): AND with a comparison mask, then add across 8 lanes.
const uint8x16_t byte_bit_weights = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};

// 16 comparison bytes (0xff or 0) to 16 bits, lane i to bit i.
inline std::uint64_t mask_bits(uint8x16_t mask) {
  const uint8x16_t weighted = vandq_u8(mask, byte_bit_weights);
  return static_cast<std::uint64_t>(vaddv_u8(vget_low_u8(weighted))) |
         static_cast<std::uint64_t>(vaddv_u8(vget_high_u8(weighted))) << 8;
}

std::uint64_t pack_word_float(const float* values) {
  std::uint64_t word = 0;
  for (int i = 0; i < 4; ++i) {
    const float* v = values + 16 * i;
    const uint16x8_t low = vcombine_u16(vmovn_u32(vcltzq_f32(vld1q_f32(v))), vmovn_u32(vcltzq_f32(vld1q_f32(v + 4))));
    const uint16x8_t high =
        vcombine_u16(vmovn_u32(vcltzq_f32(vld1q_f32(v + 8))), vmovn_u32(vcltzq_f32(vld1q_f32(v + 12))));
    word |= mask_bits(vcombine_u8(vmovn_u16(low), vmovn_u16(high))) << (16 * i);
  }
  return word;
}

// reference::pack_signs_float
void pack_float(const float* values, std::size_t pixels, std::size_t channels, std::uint64_t* bits) {
  pack_pixels(values, pixels, channels, bits, 0.0f, pack_word_float);
}

// reference::pack_signs_int8
void pack_int8(const std::int8_t* values, std::int8_t zero_point, std::size_t pixels, std::size_t channels,
               std::uint64_t* bits) {
  const int8x16_t zp = vdupq_n_s8(zero_point);
  pack_pixels(values, pixels, channels, bits, zero_point, [zp](const std::int8_t* v) {
    std::uint64_t word = 0;
    for (int i = 0; i < 4; ++i) word |= mask_bits(vcltq_s8(vld1q_s8(v + 16 * i), zp)) << (16 * i);
    return word;
  });
}

// A tile is R rows of A x 8 weight rows (four vectors of two words); the 8 x R counts stay in registers.
// Per word of K and vector: EOR, CNT (bits per byte), UADALP (byte pairs into 16-bit lanes): a lane grows by
// at most 16 per word. Per chunk of K, two pairwise adds per row fold each column's four lanes into one
// 16-bit lane (at most 64 per word, so at most 1023 words per chunk), widened into 32-bit counts.
constexpr std::size_t tile_columns = 8;
constexpr std::size_t words_per_chunk = 1023;

template <int R>
inline void count_tile(const BgemmPanelArgs& p, std::size_t j0, std::size_t m0, uint32x4_t (&counts)[R][2]) {
  for (int r = 0; r < R; ++r) counts[r][0] = counts[r][1] = vdupq_n_u32(0);
  const std::uint64_t* a = p.a + m0 * p.lda;
  for (std::size_t k0 = 0; k0 < p.words; k0 += words_per_chunk) {
    const std::size_t k_end = std::min(p.words, k0 + words_per_chunk);
    uint16x8_t acc[R][4];
    for (int r = 0; r < R; ++r) {
      for (int j = 0; j < 4; ++j) acc[r][j] = vdupq_n_u16(0);
    }
    const std::uint64_t* b = p.panel + k0 * panel_width + j0;
    for (std::size_t k = k0; k < k_end; ++k, b += panel_width) {
      uint64x2_t bv[4];
      for (int j = 0; j < 4; ++j) bv[j] = vld1q_u64(b + 2 * j);
      for (int r = 0; r < R; ++r) {
        const uint64x2_t av = vdupq_n_u64(a[r * p.lda + k]);
        for (int j = 0; j < 4; ++j) {
          acc[r][j] = vpadalq_u8(acc[r][j], vcntq_u8(vreinterpretq_u8_u64(veorq_u64(av, bv[j]))));
        }
      }
    }
    for (int r = 0; r < R; ++r) {
      // Lanes of acc[r][j]: column 2j in 0-3, column 2j + 1 in 4-7; after the folds, column c in lane c.
      const uint16x8_t sums = vpaddq_u16(vpaddq_u16(acc[r][0], acc[r][1]), vpaddq_u16(acc[r][2], acc[r][3]));
      counts[r][0] = vaddw_u16(counts[r][0], vget_low_u16(sums));
      counts[r][1] = vaddw_high_u16(counts[r][1], sums);
    }
  }
}

// 8 values of a panel's columns j0.. (of which `valid` exist), lanes past them set to `fill`.
inline int32x4x2_t load_columns(const std::int32_t* values, std::size_t valid, std::int32_t fill) {
  if (valid == tile_columns) return {vld1q_s32(values), vld1q_s32(values + 4)};
  std::int32_t padded[tile_columns];
  std::fill(padded, padded + tile_columns, fill);
  std::memcpy(padded, values, valid * sizeof(std::int32_t));
  return {vld1q_s32(padded), vld1q_s32(padded + 4)};
}

template <int R>
inline void store_counts(const BgemmPanelArgs& p, std::size_t j0, std::size_t m0, const uint32x4_t (&counts)[R][2]) {
  const std::size_t valid = std::min(tile_columns, p.n_valid - j0);
  for (int r = 0; r < R; ++r) {
    std::int32_t* c = p.c + (m0 + r) * p.ldc + j0;
    if (valid == tile_columns) {
      vst1q_s32(c, vreinterpretq_s32_u32(counts[r][0]));
      vst1q_s32(c + 4, vreinterpretq_s32_u32(counts[r][1]));
    } else {
      std::int32_t row[tile_columns];
      vst1q_s32(row, vreinterpretq_s32_u32(counts[r][0]));
      vst1q_s32(row + 4, vreinterpretq_s32_u32(counts[r][1]));
      std::memcpy(c, row, valid * sizeof(std::int32_t));
    }
  }
}

// The PanelBits epilogue on a tile's counts, in registers (reference::dots_to_bits): bits j0..j0 + 7 of each
// row's word. Columns past n_valid get an empty range (low > high), so their bits are 0.
template <int R>
inline void store_bits(const BgemmPanelArgs& p, std::size_t j0, std::size_t m0, const uint32x4_t (&counts)[R][2]) {
  const PanelBits& b = *p.bits;
  const std::size_t valid = std::min(tile_columns, p.n_valid - j0);
  const int32x4x2_t low = load_columns(b.low + j0, valid, std::numeric_limits<std::int32_t>::max());
  const int32x4x2_t high = load_columns(b.high + j0, valid, std::numeric_limits<std::int32_t>::min());
  const int32x4_t k = vdupq_n_s32(b.k_bits);
  const uint16x8_t lane_bits = {1, 2, 4, 8, 16, 32, 64, 128};
  for (int r = 0; r < R; ++r) {
    const std::size_t row = m0 + r;
    uint32x4_t negative[2];
    const bool corrected = b.corrected != nullptr && b.corrected[row];
    const int32x4x2_t correction =
        corrected ? load_columns(b.corrections + row * b.correction_stride + j0, valid, 0) : int32x4x2_t{};
    for (int h = 0; h < 2; ++h) {
      const int32x4_t d = vsubq_s32(vsubq_s32(k, vshlq_n_s32(vreinterpretq_s32_u32(counts[r][h]), 1)),
                                    correction.val[h]);
      negative[h] = vandq_u32(vcgeq_s32(d, low.val[h]), vcleq_s32(d, high.val[h]));
    }
    const std::uint32_t byte =
        vaddvq_u16(vandq_u16(vcombine_u16(vmovn_u32(negative[0]), vmovn_u32(negative[1])), lane_bits));
    std::uint32_t& word = b.out[row * b.out_stride];
    word = j0 == 0 ? byte : word | byte << j0;
  }
}

// reference::bgemm on a panel, or its PanelBits, tile by tile.
void bgemm_panel(const BgemmPanelArgs& p) {
  for (std::size_t j0 = 0; j0 < p.n_valid; j0 += tile_columns) {
    for_row_blocks<4>(p.m, [&]<int R>(std::size_t m0) {
      uint32x4_t counts[R][2];
      count_tile<R>(p, j0, m0, counts);
      if (p.bits != nullptr) {
        store_bits<R>(p, j0, m0, counts);
      } else {
        store_counts<R>(p, j0, m0, counts);
      }
    });
  }
}

// reference::dots_to_bits, 4 channels per step; the last, partial step by the reference.
void dots_to_bits(const std::int32_t* counts, std::size_t n, std::int32_t k_bits, const std::int32_t* correction,
                  const std::int32_t* low, const std::int32_t* high, std::uint64_t* bits) {
  const int32x4_t k = vdupq_n_s32(k_bits);
  const uint32x4_t lane_bits = {1, 2, 4, 8};
  const std::size_t full = n / 4 * 4;
  for (std::size_t w = 0; w < words_for_bits(n); ++w) bits[w] = 0;
  for (std::size_t i = 0; i < full; i += 4) {
    int32x4_t d = vsubq_s32(k, vshlq_n_s32(vld1q_s32(counts + i), 1));
    if (correction != nullptr) d = vsubq_s32(d, vld1q_s32(correction + i));
    const uint32x4_t negative = vandq_u32(vcgeq_s32(d, vld1q_s32(low + i)), vcleq_s32(d, vld1q_s32(high + i)));
    bits[i / 64] |= static_cast<std::uint64_t>(vaddvq_u32(vandq_u32(negative, lane_bits))) << (i % 64);
  }
  dots_to_bits_tail(full, counts, n, k_bits, correction, low, high, bits);
}

}  // namespace

const detail::BitKernels& bit_kernels() {
  static const detail::BitKernels kernels{pack_float, pack_int8, bgemm_panel, dots_to_bits};
  return kernels;
}

}  // namespace xnor::neon
