// The NEON int8 kernel for CPUs without the dot-product extension: SMULL multiplies 8 activation bytes by 8
// weight bytes into 16-bit products (exact: |product| <= 2^14) and SADALP adds neighbouring products into
// 32-bit lanes. A vector of 4 channels x 4 k yields two accumulators of partial sums, paired up at the end.
#include <arm_neon.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "src/int8/kernels.hpp"
#include "src/int8/packed_weights.hpp"

#define XNOR_ISA neon
#include "src/row_blocks.hpp"
#include "src/int8/gemm_neon.hpp"

namespace xnor::neon {
namespace {

struct WideningMultiply {
  static constexpr int max_rows = 2;  // 2 x 4 pairs of accumulators
  // low: channels 0, 0, 1, 1 (two partial sums each); high: channels 2, 2, 3, 3.
  struct Acc {
    int32x4_t low, high;
  };
  using Operand = int8x16_t;  // the row's group of 4 k, repeated 4 times

  static Acc zero() { return {vdupq_n_s32(0), vdupq_n_s32(0)}; }
  template <int Q>
  static Operand prepare(int8x16_t x) {
    return vreinterpretq_s8_s32(vdupq_laneq_s32(vreinterpretq_s32_s8(x), Q));
  }
  template <int Q>
  static void multiply_add(Acc& acc, int8x16_t weights, Operand x) {
    acc.low = vpadalq_s16(acc.low, vmull_s8(vget_low_s8(x), vget_low_s8(weights)));
    acc.high = vpadalq_s16(acc.high, vmull_high_s8(x, weights));
  }
  static int32x4_t sums(const Acc& acc) { return vpaddq_s32(acc.low, acc.high); }
};

}  // namespace

const Int8Kernels& int8_kernels() {
  static const Int8Kernels kernels{"neon", neon_layout, true, run<WideningMultiply>};
  return kernels;
}

}  // namespace xnor::neon
