// The baseline float kernel: xsimd's default architecture for the compiler's flags, SSE2 on x86-64 (16
// registers of 4 floats) and NEON on aarch64 (32 registers of 4 floats), which every CPU of the
// architecture has. 6 pixels x 2 or 4 vectors of channels.
#include "src/float/conv_tiles.hpp"

namespace xnor::detail {
namespace {

#if defined(__aarch64__)
constexpr int vectors_per_tile_row = 4;
#else
constexpr int vectors_per_tile_row = 2;
#endif
using Tiles = FloatConvTiles<xsimd::default_arch, 6, vectors_per_tile_row>;

}  // namespace

const FloatConvKernels& baseline_float_conv_kernels() {
  static const FloatConvKernels kernels{Tiles::panel_width, Tiles::conv_panel};
  return kernels;
}

}  // namespace xnor::detail
