// The baseline float kernel: xsimd's default architecture for the compiler's flags, SSE2 on x86-64 (16
// registers of 4 floats) and NEON on aarch64 (32 registers of 4 floats), which every CPU of the
// architecture has. 6 pixels x 2 or 4 vectors of channels.
#include <xsimd/xsimd.hpp>

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "src/float/conv_kernels.hpp"

#define XNOR_ISA baseline
#include "src/row_blocks.hpp"
#include "src/float/conv_tiles.hpp"

namespace xnor::baseline {

const detail::FloatConvKernels& float_conv_kernels() {
#if defined(__aarch64__)
  constexpr int vectors_per_tile_row = 4;
#else
  constexpr int vectors_per_tile_row = 2;
#endif
  using Tiles = FloatConvTiles<xsimd::default_arch, 6, vectors_per_tile_row>;
  static const detail::FloatConvKernels kernels{Tiles::panel_width, Tiles::conv_panel};
  return kernels;
}

}  // namespace xnor::baseline
