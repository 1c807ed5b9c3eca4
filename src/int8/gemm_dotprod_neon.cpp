// The NEON int8 kernel for CPUs with the dot-product extension (Armv8.2 DotProd, detected at run time):
// SDOT (by element) multiplies 4 activation bytes by 4 weight bytes of each of 4 channels and adds the sums
// to 32-bit lanes.
#include <arm_neon.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "src/int8/kernels.hpp"
#include "src/int8/packed_weights.hpp"

#define XNOR_ISA neon_dotprod
#include "src/target.hpp"
XNOR_TARGET_BEGIN(XNOR_TARGET_NEON_DOTPROD)
#include "src/row_blocks.hpp"
#include "src/int8/gemm_neon.hpp"

namespace xnor::neon_dotprod {
namespace {

struct DotProduct {
  static constexpr int max_rows = 4;  // 4 x 4 accumulators, 4 activation vectors and a weight vector
  using Acc = int32x4_t;
  using Operand = int8x16_t;  // the row's 16 k; the group is picked by the instruction's lane index

  static Acc zero() { return vdupq_n_s32(0); }
  template <int Q>
  static Operand prepare(int8x16_t x) {
    return x;
  }
  template <int Q>
  static void multiply_add(Acc& acc, int8x16_t weights, Operand x) {
    acc = vdotq_laneq_s32(acc, weights, x, Q);
  }
  static int32x4_t sums(Acc acc) { return acc; }
};

}  // namespace

const Int8Kernels& int8_kernels() {
  static const Int8Kernels kernels{"neon-dotprod", neon_layout, true, run<DotProduct>};
  return kernels;
}

}  // namespace xnor::neon_dotprod

XNOR_TARGET_END
