// The AVX-512 float kernel: 6 pixels x 4 vectors of 16 channels, 24 of the 32 zmm registers holding sums.
#include "src/float/conv_kernels.hpp"
#include "src/float/xsimd_for_target.hpp"

#define XNOR_ISA avx512
#include "src/target.hpp"
XNOR_TARGET_BEGIN(XNOR_TARGET_AVX512)
#include "src/float/avx2_feature_macros.hpp"  // and xsimd's avx512f architecture's:
#define __AVX512F__ 1
// GCC 12 warns about _mm512_undefined_ps() inside its own max/min intrinsics (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <xsimd/xsimd.hpp>

#include "src/row_blocks.hpp"
#include "src/float/conv_tiles.hpp"

namespace xnor::avx512 {

const detail::FloatConvKernels& float_conv_kernels() {
  using Tiles = FloatConvTiles<xsimd::avx512f, 6, 4>;
  static const detail::FloatConvKernels kernels{Tiles::panel_width, Tiles::conv_panel};
  return kernels;
}

}  // namespace xnor::avx512

XNOR_TARGET_END
