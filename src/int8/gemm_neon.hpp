#pragma once
// What the two NEON int8 kernels share (gemm_neon.cpp: widening multiplies; gemm_dotprod_neon.cpp: SDOT):
// panels of 16 output channels (4 vectors of 4 channels x 4 k), tiles of R rows whose accumulators stay in
// registers, 16 k per activation load, and the requantization. A kernel supplies the multiply-accumulate
// (Mac). A per-path header (src/target.hpp), compiled in each unit's namespace xnor::XNOR_ISA: it includes
// nothing itself; the units include <arm_neon.h>, <algorithm>, <cstddef>, <cstdint>, src/int8/kernels.hpp and
// src/int8/packed_weights.hpp before their target begins, and src/row_blocks.hpp before this.
#ifndef XNOR_ISA
#error "src/int8/gemm_neon.hpp is a per-path header: define XNOR_ISA first (src/target.hpp)"
#endif

namespace xnor::XNOR_ISA {

using namespace detail;

constexpr std::size_t lanes = 4;
constexpr int vectors = 4;
constexpr std::size_t panel_width = lanes * vectors;
constexpr std::size_t k_step = 16;  // 4 groups of 4 k per activation load
constexpr Int8Layout neon_layout{Int8Encoding::int8, 4, k_step, panel_width, 1};

// requantize() (xnor/int8.hpp) for 4 output channels, including the bias.
struct Requantizer4 {
  int32x4_t bias, multiplier, left_shift, right_shift_negated, low, high, zero_point;
  bool left_shifts;

  Requantizer4(const PackedInt8Weights& w, std::size_t n)
      : bias(vld1q_s32(w.bias.data() + n)),
        multiplier(vld1q_s32(w.multiplier.data() + n)),
        left_shift(vld1q_s32(w.left_shift.data() + n)),
        right_shift_negated(vnegq_s32(vld1q_s32(w.right_shift.data() + n))),
        low(vdupq_n_s32(w.range.min - w.output_zero_point)),
        high(vdupq_n_s32(w.range.max - w.output_zero_point)),
        zero_point(vdupq_n_s32(w.output_zero_point)),
        left_shifts(w.any_left_shift) {}

  int32x4_t operator()(int32x4_t x) const {
    x = vaddq_s32(x, bias);
    if (left_shifts) x = vqshlq_s32(x, left_shift);  // saturating
    // SQRDMULH is SaturatingRoundingDoublingHighMul: (2 * x * M + 2^31) >> 32, saturated.
    x = vqrdmulhq_s32(x, multiplier);
    // RoundingDivideByPOT as gemmlowp writes it for NEON: a negative x steps down by one (where the shift is
    // positive), then the rounding shift rounds half up, so ties go away from zero.
    const int32x4_t fixup = vshrq_n_s32(vandq_s32(x, right_shift_negated), 31);
    x = vrshlq_s32(vqaddq_s32(x, fixup), right_shift_negated);
    // clamp(y + zero point, min, max) = clamp(y, min - zero point, max - zero point) + zero point.
    return vaddq_s32(vminq_s32(vmaxq_s32(x, low), high), zero_point);
  }
};

// Stores a row's 16 outputs of a panel (values already in [-128, 127]), the `valid` ones that exist.
inline void store_outputs(std::int8_t* out, std::size_t valid, const int32x4_t (&values)[vectors]) {
  const int16x8_t low = vcombine_s16(vqmovn_s32(values[0]), vqmovn_s32(values[1]));
  const int16x8_t high = vcombine_s16(vqmovn_s32(values[2]), vqmovn_s32(values[3]));
  const int8x16_t bytes = vqmovn_high_s16(vqmovn_s16(low), high);
  if (valid == panel_width) {
    vst1q_s8(out, bytes);
    return;
  }
  std::int8_t row[panel_width];
  vst1q_s8(row, bytes);
  std::copy(row, row + valid, out);
}

// Rows m0 .. m0 + R - 1 against panel p. Per 16 k: one 16-byte load per row, then for each group q of 4 k the
// Mac prepares each row's group and multiplies it into R x 4 accumulators with the group's 4 weight vectors.
template <class Mac, int R>
void tile(const Int8RowsArgs& args, std::size_t m0, std::size_t p, const Requantizer4 (&requantize)[vectors]) {
  const PackedInt8Weights& w = *args.weights;
  const auto* a = static_cast<const std::int8_t*>(args.a) + m0 * args.lda;
  const std::int8_t* b = w.panel<std::int8_t>(p);
  typename Mac::Acc acc[R][vectors];
  for (int r = 0; r < R; ++r) {
    for (int j = 0; j < vectors; ++j) acc[r][j] = Mac::zero();
  }
  for (std::size_t ky = 0; ky < w.kernel_rows; ++ky) {
    const std::int8_t* row = a + args.kernel_row_offsets[ky];
    for (std::size_t k = 0; k < w.row_k_padded; k += k_step, b += panel_width * k_step) {
      int8x16_t x[R];
      for (int r = 0; r < R; ++r) x[r] = vld1q_s8(row + r * args.lda + k);
      const auto group = [&]<int Q>() {
        typename Mac::Operand operand[R];
        for (int r = 0; r < R; ++r) operand[r] = Mac::template prepare<Q>(x[r]);
        for (int j = 0; j < vectors; ++j) {
          const int8x16_t weights = vld1q_s8(b + (Q * panel_width + lanes * j) * 4);
          for (int r = 0; r < R; ++r) Mac::template multiply_add<Q>(acc[r][j], weights, operand[r]);
        }
      };
      group.template operator()<0>();
      group.template operator()<1>();
      group.template operator()<2>();
      group.template operator()<3>();
    }
  }
  // The packed weights' bias and requantization arrays cover whole panels, so every lane is requantized.
  const std::size_t n0 = p * panel_width;
  const std::size_t valid = std::min(panel_width, w.out_c - n0);
  for (int r = 0; r < R; ++r) {
    std::int8_t* out = output_row(args, m0 + r);
    if (out == nullptr) continue;
    int32x4_t values[vectors];
    for (int j = 0; j < vectors; ++j) values[j] = requantize[j](Mac::sums(acc[r][j]));
    store_outputs(out + n0, valid, values);
  }
}

// The outputs of reference::int8_conv2d for args.m rows, panel by panel (its output transform set up once).
template <class Mac>
void run(const Int8RowsArgs& args) {
  const PackedInt8Weights& w = *args.weights;
  for (std::size_t p = 0; p < w.panels; ++p) {
    const std::size_t n0 = p * panel_width;
    const Requantizer4 requantize[vectors] = {Requantizer4(w, n0), Requantizer4(w, n0 + lanes),
                                              Requantizer4(w, n0 + 2 * lanes), Requantizer4(w, n0 + 3 * lanes)};
    for_row_blocks<Mac::max_rows>(args.m, [&]<int R>(std::size_t m0) { tile<Mac, R>(args, m0, p, requantize); });
  }
}

}  // namespace xnor::XNOR_ISA
