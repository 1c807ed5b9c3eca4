// The AVX2 int8 kernel. VPMADDUBSW would saturate (255 * 127 * 2 > 32767), so activations are stored as 16-bit
// values and VPMADDWD multiplies pairs of 16-bit activations by pairs of 16-bit weights into 32-bit lanes:
// exact, 8 output channels x 2 k per instruction.
#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "src/int8/kernels.hpp"
#include "src/int8/packed_weights.hpp"

#define XNOR_ISA avx2
#include "src/target.hpp"
XNOR_TARGET_BEGIN(XNOR_TARGET_AVX2)
#include "src/row_blocks.hpp"

namespace xnor::avx2 {
namespace {

using namespace detail;

constexpr std::size_t lanes = 8;
constexpr int vectors = 2;  // a panel: 2 vectors of 8 output channels
constexpr std::size_t panel_width = lanes * vectors;
constexpr int max_rows = 6;  // 6 x 2 accumulators, 2 weight vectors and a broadcast fit in 16 registers

// requantize() (xnor/int8.hpp) for 8 output channels, gemmlowp's two steps as written (AVX2 has no 64-bit
// arithmetic shift for requantize_avx512.hpp's single rounding). SaturatingRoundingDoublingHighMul(x, M) is
// floor((x * M + 2^30) / 2^31), bits 31..62 of a 64-bit sum: even lanes shift it down, odd lanes up.
struct Requantizer8 {
  __m256i bias, multiplier, multiplier_odd, right_shift, remainder_mask, remainder_half, low, high, zero_point;
  __m256i left_shift, shift_low, shift_high;
  bool left_shifts = false;

  Requantizer8(const PackedInt8Weights& w, std::size_t n) {
    bias = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w.bias.data() + n));
    multiplier = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w.multiplier.data() + n));
    multiplier_odd = _mm256_srli_epi64(multiplier, 32);
    right_shift = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w.right_shift.data() + n));
    remainder_mask = _mm256_sub_epi32(_mm256_sllv_epi32(_mm256_set1_epi32(1), right_shift), _mm256_set1_epi32(1));
    remainder_half = _mm256_srli_epi32(remainder_mask, 1);
    low = _mm256_set1_epi32(w.range.min - w.output_zero_point);
    high = _mm256_set1_epi32(w.range.max - w.output_zero_point);
    zero_point = _mm256_set1_epi32(w.output_zero_point);
    left_shifts = w.any_left_shift;
    left_shift = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w.left_shift.data() + n));
    shift_low = _mm256_srav_epi32(_mm256_set1_epi32(std::numeric_limits<std::int32_t>::min()), left_shift);
    shift_high = _mm256_srav_epi32(_mm256_set1_epi32(std::numeric_limits<std::int32_t>::max()), left_shift);
  }

  __m256i operator()(__m256i x) const {
    if (left_shifts) {
      const __m256i above = _mm256_cmpgt_epi32(x, shift_high);
      const __m256i below = _mm256_cmpgt_epi32(shift_low, x);
      x = _mm256_sllv_epi32(x, left_shift);
      x = _mm256_blendv_epi8(x, _mm256_set1_epi32(std::numeric_limits<std::int32_t>::max()), above);
      x = _mm256_blendv_epi8(x, _mm256_set1_epi32(std::numeric_limits<std::int32_t>::min()), below);
    }
    const __m256i nudge = _mm256_set1_epi64x(std::int64_t{1} << 30);
    const __m256i even = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(x, multiplier), nudge), 31);
    const __m256i odd =
        _mm256_slli_epi64(_mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), multiplier_odd), nudge), 1);
    x = _mm256_blend_epi32(even, odd, 0xAA);
    const __m256i remainder = _mm256_and_si256(x, remainder_mask);
    const __m256i threshold = _mm256_add_epi32(remainder_half, _mm256_srli_epi32(x, 31));
    x = _mm256_srav_epi32(x, right_shift);
    x = _mm256_sub_epi32(x, _mm256_cmpgt_epi32(remainder, threshold));  // the comparison is -1 where true
    return _mm256_add_epi32(_mm256_min_epi32(_mm256_max_epi32(x, low), high), zero_point);
  }
};

// Stores the outputs of channels n .. n + 7 that exist (values already in [-128, 127]).
void store_outputs(std::int8_t* out, std::size_t n, std::size_t out_c, __m256i values) {
  const __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(values), _mm256_extracti128_si256(values, 1));
  const __m128i bytes = _mm_packs_epi16(words, words);
  if (n + lanes <= out_c) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out), bytes);
  } else {
    alignas(16) std::int8_t all[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(all), bytes);
    std::copy(all, all + (out_c - n), out);
  }
}

// Rows m0 .. m0 + R - 1 against panel p: per 2 k, 2 weight vectors are loaded, each row's two 16-bit
// activations are broadcast, and R x 2 accumulators stay in registers.
template <int R>
void tile(const Int8RowsArgs& args, std::size_t m0, std::size_t p, const Requantizer8 (&requantize)[vectors]) {
  const PackedInt8Weights& w = *args.weights;
  const auto* a = static_cast<const std::int16_t*>(args.a) + m0 * args.lda;
  const std::int16_t* b = w.panel<std::int16_t>(p);
  __m256i acc[R][vectors];
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
  for (std::size_t ky = 0; ky < w.kernel_rows; ++ky) {
    const std::int16_t* row = a + args.kernel_row_offsets[ky];
    for (std::size_t k = 0; k < w.row_k_padded; k += 2, b += panel_width * 2) {
      const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b));
      const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 16));
#pragma GCC unroll 6
      for (int r = 0; r < R; ++r) {
        std::int32_t pair;
        std::memcpy(&pair, row + r * args.lda + k, sizeof pair);
        const __m256i x = _mm256_set1_epi32(pair);
        acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(x, w0));
        acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(x, w1));
      }
    }
  }
  for (int j = 0; j < vectors; ++j) {
    const std::size_t n = p * panel_width + lanes * j;
    if (n >= w.out_c) break;
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) {
      if (std::int8_t* out = output_row(args, m0 + r)) {
        store_outputs(out + n, n, w.out_c, requantize[j](_mm256_add_epi32(acc[r][j], requantize[j].bias)));
      }
    }
  }
}

// The outputs of reference::int8_conv2d for args.m rows, panel by panel (its output transform set up once).
void run(const Int8RowsArgs& args) {
  for (std::size_t p = 0; p < args.weights->panels; ++p) {
    const Requantizer8 requantize[vectors] = {Requantizer8(*args.weights, p * panel_width),
                                              Requantizer8(*args.weights, p * panel_width + lanes)};
    for_row_blocks<max_rows>(args.m, [&]<int R>(std::size_t m0) { tile<R>(args, m0, p, requantize); });
  }
}

}  // namespace

const Int8Kernels& int8_kernels() {
  static const Int8Kernels kernels{"avx2", {Int8Encoding::int16, 2, 2, panel_width, 1}, true, run};
  return kernels;
}

}  // namespace xnor::avx2

XNOR_TARGET_END
