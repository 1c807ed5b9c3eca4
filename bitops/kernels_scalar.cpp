// The portable path: plain C++. On x86 it is compiled for POPCNT (src/target.hpp).
#include <algorithm>
#include <cstring>

#include "bitops/kernels.hpp"
#include "bitops/reference.hpp"
#include "xnor/bgemm.hpp"

#define XNOR_ISA scalar
#include "src/target.hpp"
#if defined(__x86_64__)
XNOR_TARGET_BEGIN(XNOR_TARGET_SCALAR)
#endif
#include "src/row_blocks.hpp"
#include "bitops/loops.hpp"

namespace xnor::scalar {
namespace {

constexpr std::size_t panel_width = BgemmWeights::panel_width;

// reference::bgemm on a panel: R rows x 4 weight rows of accumulators stay in registers.
void count_panel(const BgemmPanelArgs& p) {
  for_row_blocks<2>(p.m, [&]<int R>(std::size_t m0) {
    for (std::size_t j0 = 0; j0 < p.n_valid; j0 += 4) {
      std::uint64_t acc[R][4] = {};
      for (std::size_t k = 0; k < p.words; ++k) {
        const std::uint64_t* b = p.panel + k * panel_width + j0;
        for (int r = 0; r < R; ++r) {
          const std::uint64_t a = p.a[(m0 + r) * p.lda + k];
          for (int j = 0; j < 4; ++j) acc[r][j] += static_cast<std::uint64_t>(__builtin_popcountll(a ^ b[j]));
        }
      }
      for (int r = 0; r < R; ++r) {
        for (std::size_t j = 0; j < 4 && j0 + j < p.n_valid; ++j) {
          p.c[(m0 + r) * p.ldc + j0 + j] = static_cast<std::int32_t>(acc[r][j]);
        }
      }
    }
  });
}

void bgemm_panel(const BgemmPanelArgs& args) {
  if (args.bits != nullptr) return panel_bits_from_counts(args, count_panel, reference::dots_to_bits);
  count_panel(args);
}

}  // namespace

const detail::BitKernels& bit_kernels() {
  static const detail::BitKernels kernels{reference::pack_signs_float, reference::pack_thresholded,
                                          reference::pack_signs_int8, bgemm_panel,
                                          reference::dots_to_bits, reference::dots_to_floats};
  return kernels;
}

}  // namespace xnor::scalar

#if defined(__x86_64__)
XNOR_TARGET_END
#endif
