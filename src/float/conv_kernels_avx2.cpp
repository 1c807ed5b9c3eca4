// The AVX2 float kernel: 6 pixels x 2 vectors of 8 channels, 12 of the 16 ymm registers holding sums.
#include "src/float/conv_kernels.hpp"
#include "src/float/xsimd_for_target.hpp"

#define XNOR_ISA avx2
#include "src/target.hpp"
XNOR_TARGET_BEGIN(XNOR_TARGET_AVX2)
#include "src/float/avx2_feature_macros.hpp"
#include <xsimd/xsimd.hpp>

#include "src/row_blocks.hpp"
#include "src/float/conv_tiles.hpp"

namespace xnor::avx2 {

const detail::FloatConvKernels& float_conv_kernels() {
  using Tiles = FloatConvTiles<xsimd::fma3<xsimd::avx2>, 6, 2>;
  static const detail::FloatConvKernels kernels{Tiles::panel_width, Tiles::conv_panel};
  return kernels;
}

}  // namespace xnor::avx2

XNOR_TARGET_END
