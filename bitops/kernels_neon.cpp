// The aarch64 NEON path: VCNT counts bits per byte, VPADAL adds neighbouring byte counts into 16-bit lanes.
#include <arm_neon.h>

#include <algorithm>
#include <cstring>

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
constexpr std::size_t sub_panel = 8;          // weight rows per tile: four vectors of two words
constexpr std::size_t words_per_flush = 2048;  // a 16-bit lane grows by at most 16 per word

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

// reference::bgemm on a panel, in tiles of R rows x 8 weight rows; 16-bit accumulators are widened to
// 32 bits every words_per_flush words.
void count_panel(const BgemmPanelArgs& p) {
  for (std::size_t j0 = 0; j0 < p.n_valid; j0 += sub_panel) {
    for_row_blocks<4>(p.m, [&]<int R>(std::size_t m0) {
      uint32x4_t total[R][4];
      for (int r = 0; r < R; ++r) {
        for (int j = 0; j < 4; ++j) total[r][j] = vdupq_n_u32(0);
      }
      const std::uint64_t* a = p.a + m0 * p.lda;
      for (std::size_t k0 = 0; k0 < p.words; k0 += words_per_flush) {
        const std::size_t k_end = std::min(p.words, k0 + words_per_flush);
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
          for (int j = 0; j < 4; ++j) total[r][j] = vpadalq_u16(total[r][j], acc[r][j]);
        }
      }
      const std::size_t valid = std::min(sub_panel, p.n_valid - j0);
      for (int r = 0; r < R; ++r) {
        std::int32_t* c = p.c + (m0 + r) * p.ldc + j0;
        for (std::size_t j = 0; j < valid; ++j) {
          const uint64x2_t per_word = vpaddlq_u32(total[r][j / 2]);
          c[j] = static_cast<std::int32_t>(j % 2 == 0 ? vgetq_lane_u64(per_word, 0) : vgetq_lane_u64(per_word, 1));
        }
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

void bgemm_panel(const BgemmPanelArgs& args) {
  if (args.bits != nullptr) return panel_bits_from_counts(args, count_panel, dots_to_bits);
  count_panel(args);
}

}  // namespace

const detail::BitKernels& bit_kernels() {
  static const detail::BitKernels kernels{pack_float, pack_int8, bgemm_panel, dots_to_bits};
  return kernels;
}

}  // namespace xnor::neon
