// The AVX2 float kernel: 6 pixels x 2 vectors of 8 channels, 12 of the 16 ymm registers holding sums.
// Compiled with -mavx2 -mfma (see CMakeLists.txt).
#include "src/float/conv_tiles.hpp"

namespace xnor::detail {
namespace {

using Tiles = FloatConvTiles<xsimd::fma3<xsimd::avx2>, 6, 2>;

}  // namespace

const FloatConvKernels& avx2_float_conv_kernels() {
  static const FloatConvKernels kernels{Tiles::panel_width, Tiles::conv_panel};
  return kernels;
}

}  // namespace xnor::detail
