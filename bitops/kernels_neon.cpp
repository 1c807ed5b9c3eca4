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

// One word of reference::pack_signs_float, or with Thresholded of reference::pack_thresholded; fewer than 64
// values from copies filled up with zeros (not negative; 0 * 0 is not below 0).
struct PackWordFloat {
  template <bool Thresholded>
  static std::uint64_t word(const float* values, const float* flip, const float* thresholds, std::size_t count) {
    float copies[3][64];
    if (count < 64) {
      values = filled_up(values, count, 0.0f, copies[0]);
      if constexpr (Thresholded) {
        flip = filled_up(flip, count, 0.0f, copies[1]);
        thresholds = filled_up(thresholds, count, 0.0f, copies[2]);
      }
    }
    const auto below = [&](int i) {
      const float32x4_t v = vld1q_f32(values + i);
      if constexpr (Thresholded) return vcltq_f32(vmulq_f32(v, vld1q_f32(flip + i)), vld1q_f32(thresholds + i));
      return vcltzq_f32(v);
    };
    std::uint64_t packed = 0;
    for (int i = 0; i < 4; ++i) {
      const int first = 16 * i;
      const uint16x8_t low = vcombine_u16(vmovn_u32(below(first)), vmovn_u32(below(first + 4)));
      const uint16x8_t high = vcombine_u16(vmovn_u32(below(first + 8)), vmovn_u32(below(first + 12)));
      packed |= mask_bits(vcombine_u8(vmovn_u16(low), vmovn_u16(high))) << (16 * i);
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
  const int8x16_t zp = vdupq_n_s8(zero_point);
  pack_pixels(values, pixels, channels, bits, [zp, zero_point](const std::int8_t* v, std::size_t, std::size_t count) {
    std::int8_t copy[64];
    if (count < 64) v = filled_up(v, count, zero_point, copy);
    std::uint64_t word = 0;
    for (int i = 0; i < 4; ++i) word |= mask_bits(vcltq_s8(vld1q_s8(v + 16 * i), zp)) << (16 * i);
    return word;
  });
}

// A tile is R rows of A x G groups of 8 weight rows (four vectors of two words per group); its counts stay in
// registers. Per word of K and vector: EOR, CNT (bits per byte), UADALP (byte pairs into 16-bit lanes): a lane
// grows by at most 16 per word. Each row's word is broadcast once for all 4G vectors (DUP is a SIMD
// instruction too), so wide tiles (2 rows x 16 columns) cost less per count than tall ones. Per chunk of K, two
// pairwise adds per row and group fold each column's four lanes into one 16-bit lane (at most 64 per word, so
// at most 1023 words per chunk); longer K is summed in 32 bits.
constexpr std::size_t group_columns = 8;
constexpr std::size_t words_per_chunk = 1023;

const uint16x8_t lane_bits = {1, 2, 4, 8, 16, 32, 64, 128};

// One word of K into the tile's accumulators; the first word of a chunk sets them (UADDLP). The EORs, CNTs and
// UADALPs of 8 vectors go in three batches, so that an in-order core (A55) never waits for a result; the unit is
// built without GCC's register-hungry early scheduling (CMakeLists.txt), which keeps this order.
template <int R, int G, bool first>
inline void count_word(uint16x8_t (&acc)[R][4 * G], const std::uint64_t* a, std::size_t lda, const std::uint64_t* b) {
  constexpr int batch = std::min(4 * G, 8 / R);  // vectors per batch
  uint64x2_t av[R];
  for (int r = 0; r < R; ++r) av[r] = vdupq_n_u64(a[r * lda]);
  for (int j0 = 0; j0 < 4 * G; j0 += batch) {
    uint8x16_t bits[batch][R];
    for (int j = 0; j < batch; ++j) {
      const uint64x2_t bv = vld1q_u64(b + 2 * (j0 + j));
      for (int r = 0; r < R; ++r) bits[j][r] = vreinterpretq_u8_u64(veorq_u64(av[r], bv));
    }
    for (int j = 0; j < batch; ++j) {
      for (int r = 0; r < R; ++r) bits[j][r] = vcntq_u8(bits[j][r]);
    }
    for (int j = 0; j < batch; ++j) {
      for (int r = 0; r < R; ++r) {
        acc[r][j0 + j] = first ? vpaddlq_u8(bits[j][r]) : vpadalq_u8(acc[r][j0 + j], bits[j][r]);
      }
    }
  }
}

// Words k0 .. k_end (at most words_per_chunk, at least one) of the tile: per row and group, the group's column c
// count in lane c.
template <int R, int G>
inline void count_chunk(const BgemmPanelArgs& p, std::size_t j0, std::size_t m0, std::size_t k0, std::size_t k_end,
                        uint16x8_t (&sums)[R][G]) {
  const std::uint64_t* a = p.a + m0 * p.lda;
  const std::uint64_t* b = p.panel + k0 * panel_width + j0;
  uint16x8_t acc[R][4 * G];
  count_word<R, G, true>(acc, a + k0, p.lda, b);
  for (std::size_t k = k0 + 1; k < k_end; ++k) count_word<R, G, false>(acc, a + k, p.lda, b += panel_width);
  // Lanes of acc[r][4g + j]: the group's column 2j in 0-3, column 2j + 1 in 4-7.
  for (int r = 0; r < R; ++r) {
    for (int g = 0; g < G; ++g) {
      const uint16x8_t* v = acc[r] + 4 * g;
      sums[r][g] = vpaddq_u16(vpaddq_u16(v[0], v[1]), vpaddq_u16(v[2], v[3]));
    }
  }
}

// The tile's counts in 32 bits, K of any length.
template <int R, int G>
inline void count_tile(const BgemmPanelArgs& p, std::size_t j0, std::size_t m0, uint32x4_t (&counts)[R][G][2]) {
  for (int r = 0; r < R; ++r) {
    for (int g = 0; g < G; ++g) counts[r][g][0] = counts[r][g][1] = vdupq_n_u32(0);
  }
  for (std::size_t k0 = 0; k0 < p.words; k0 += words_per_chunk) {
    uint16x8_t sums[R][G];
    count_chunk<R, G>(p, j0, m0, k0, std::min(p.words, k0 + words_per_chunk), sums);
    for (int r = 0; r < R; ++r) {
      for (int g = 0; g < G; ++g) {
        counts[r][g][0] = vaddw_u16(counts[r][g][0], vget_low_u16(sums[r][g]));
        counts[r][g][1] = vaddw_high_u16(counts[r][g][1], sums[r][g]);
      }
    }
  }
}

// 8 values of a panel's columns j0.. (of which `valid` exist), lanes past them set to `fill`.
inline int32x4x2_t load_columns(const std::int32_t* values, std::size_t valid, std::int32_t fill) {
  if (valid == group_columns) return {vld1q_s32(values), vld1q_s32(values + 4)};
  std::int32_t padded[group_columns];
  std::fill(padded, padded + group_columns, fill);
  std::memcpy(padded, values, valid * sizeof(std::int32_t));
  return {vld1q_s32(padded), vld1q_s32(padded + 4)};
}

// A group's columns that exist: columns j0 .. j0 + 7 of the panel's n_valid (none, some or all).
inline std::size_t valid_columns(const BgemmPanelArgs& p, std::size_t j0) {
  return j0 < p.n_valid ? std::min(group_columns, p.n_valid - j0) : 0;
}

inline void store_counts(const BgemmPanelArgs& p, std::size_t row, std::size_t j0, const uint32x4_t (&counts)[2]) {
  const std::size_t valid = valid_columns(p, j0);
  std::int32_t* c = p.c + row * p.ldc + j0;
  if (valid == group_columns) {
    vst1q_s32(c, vreinterpretq_s32_u32(counts[0]));
    vst1q_s32(c + 4, vreinterpretq_s32_u32(counts[1]));
  } else if (valid > 0) {
    std::int32_t values[group_columns];
    vst1q_s32(values, vreinterpretq_s32_u32(counts[0]));
    vst1q_s32(values + 4, vreinterpretq_s32_u32(counts[1]));
    std::memcpy(c, values, valid * sizeof(std::int32_t));
  }
}

// The PanelBits thresholds of a group's columns (reference::dots_to_bits): a bit is set where
// low <= d <= high, d = k_bits - 2 * count - correction. Without a correction that is
// ceil((k_bits - high) / 2) <= count <= floor((k_bits - low) / 2), compared in 16 bits when the counts fit.
// Columns past n_valid get empty ranges, so their bits are 0.
struct GroupThresholds {
  int32x4x2_t low, high;
  uint16x8_t count_min, count_max;  // for rows without a correction, counts of one chunk

  GroupThresholds() = default;
  GroupThresholds(const PanelBits& b, std::size_t j0, std::size_t valid)
      : low(load_columns(b.low + j0, valid, std::numeric_limits<std::int32_t>::max())),
        high(load_columns(b.high + j0, valid, std::numeric_limits<std::int32_t>::min())) {
    std::uint16_t mins[group_columns], maxs[group_columns];
    for (std::size_t c = 0; c < group_columns; ++c) {
      // A chunk's count is at most 64 * words_per_chunk < 65535, so [65535, 0] is empty.
      mins[c] = 65535;
      maxs[c] = 0;
      if (c >= valid) continue;
      const std::int64_t most = (std::int64_t{b.k_bits} - b.low[j0 + c]) >> 1;      // floor
      const std::int64_t least = -((std::int64_t{b.high[j0 + c]} - b.k_bits) >> 1);  // ceil
      if (most < 0 || least > most || least > 65535) continue;
      mins[c] = static_cast<std::uint16_t>(std::max<std::int64_t>(least, 0));
      maxs[c] = static_cast<std::uint16_t>(std::min<std::int64_t>(most, 65535));
    }
    count_min = vld1q_u16(mins);
    count_max = vld1q_u16(maxs);
  }
};

// Bits j0 .. j0 + 7 of a row's output word, from 8 lanes of comparison results.
inline void store_row_bits(const PanelBits& b, std::size_t row, std::size_t j0, uint16x8_t negative) {
  const std::uint32_t byte = vaddvq_u16(vandq_u16(negative, lane_bits));
  std::uint32_t& word = b.out[row * b.out_stride];
  word = j0 == 0 ? byte : word | byte << j0;
}

// A row's bits from 32-bit counts, with its correction if it has one.
inline void store_row_bits(const PanelBits& b, const GroupThresholds& t, std::size_t row, std::size_t j0,
                           std::size_t valid, const uint32x4_t (&counts)[2]) {
  const bool corrected = b.corrected != nullptr && b.corrected[row];
  const int32x4x2_t correction =
      corrected ? load_columns(b.corrections + row * b.correction_stride + j0, valid, 0) : int32x4x2_t{};
  const int32x4_t k = vdupq_n_s32(b.k_bits);
  uint32x4_t negative[2];
  for (int h = 0; h < 2; ++h) {
    const int32x4_t d =
        vsubq_s32(vsubq_s32(k, vshlq_n_s32(vreinterpretq_s32_u32(counts[h]), 1)), correction.val[h]);
    negative[h] = vandq_u32(vcgeq_s32(d, t.low.val[h]), vcleq_s32(d, t.high.val[h]));
  }
  store_row_bits(b, row, j0, vcombine_u16(vmovn_u32(negative[0]), vmovn_u32(negative[1])));
}

// The tiles of columns j0 .. j0 + 8G - 1 over all rows, MR rows at a time. PanelBits with K of one chunk compare
// the 16-bit counts of rows without a correction directly.
template <int G, int MR>
void column_tiles(const BgemmPanelArgs& p, std::size_t j0) {
  if (p.bits == nullptr) {
    for_row_blocks<MR>(p.m, [&]<int R>(std::size_t m0) {
      uint32x4_t counts[R][G][2];
      count_tile<R, G>(p, j0, m0, counts);
      for (int r = 0; r < R; ++r) {
        for (int g = 0; g < G; ++g) store_counts(p, m0 + r, j0 + group_columns * g, counts[r][g]);
      }
    });
    return;
  }
  const PanelBits& b = *p.bits;
  std::size_t valid[G];
  GroupThresholds thresholds[G];
  for (int g = 0; g < G; ++g) {
    valid[g] = valid_columns(p, j0 + group_columns * g);
    thresholds[g] = GroupThresholds(b, j0 + group_columns * g, valid[g]);
  }
  const bool one_chunk = p.words <= words_per_chunk && p.words > 0;
  for_row_blocks<MR>(p.m, [&]<int R>(std::size_t m0) {
    if (one_chunk) {
      uint16x8_t sums[R][G];
      count_chunk<R, G>(p, j0, m0, 0, p.words, sums);
      for (int r = 0; r < R; ++r) {
        const std::size_t row = m0 + r;
        const bool corrected = b.corrected != nullptr && b.corrected[row];
        for (int g = 0; g < G; ++g) {
          const std::size_t j = j0 + group_columns * g;
          if (valid[g] == 0) continue;
          if (corrected) {
            const uint32x4_t counts[2] = {vmovl_u16(vget_low_u16(sums[r][g])), vmovl_high_u16(sums[r][g])};
            store_row_bits(b, thresholds[g], row, j, valid[g], counts);
          } else {
            store_row_bits(b, row, j,
                           vandq_u16(vcgeq_u16(sums[r][g], thresholds[g].count_min),
                                     vcleq_u16(sums[r][g], thresholds[g].count_max)));
          }
        }
      }
      return;
    }
    uint32x4_t counts[R][G][2];
    count_tile<R, G>(p, j0, m0, counts);
    for (int r = 0; r < R; ++r) {
      for (int g = 0; g < G; ++g) {
        if (valid[g] > 0) store_row_bits(b, thresholds[g], m0 + r, j0 + group_columns * g, valid[g], counts[r][g]);
      }
    }
  });
}

// reference::bgemm on a panel, or its PanelBits: 16 columns at a time, 8 for a last group of 8 or fewer.
void bgemm_panel(const BgemmPanelArgs& p) {
  for (std::size_t j0 = 0; j0 < p.n_valid; j0 += 2 * group_columns) {
    if (p.n_valid - j0 > group_columns) {
      column_tiles<2, 2>(p, j0);
    } else {
      column_tiles<1, 4>(p, j0);
    }
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
  static const detail::BitKernels kernels{pack_float, pack_float_pixels<PackWordFloat, true>, pack_int8, bgemm_panel,
                                          dots_to_bits, dots_to_floats};
  return kernels;
}

}  // namespace xnor::neon
