// The AVX-512 float kernel: 6 pixels x 4 vectors of 16 channels, 24 of the 32 zmm registers holding sums.
// Compiled with -mavx512f -mfma (see CMakeLists.txt).
// GCC 12 warns about _mm512_undefined_ps() inside its own max/min intrinsics (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "src/float/conv_tiles.hpp"

namespace xnor::detail {
namespace {

using Tiles = FloatConvTiles<xsimd::avx512f, 6, 4>;

}  // namespace

const FloatConvKernels& avx512_float_conv_kernels() {
  static const FloatConvKernels kernels{Tiles::panel_width, Tiles::conv_panel};
  return kernels;
}

}  // namespace xnor::detail
