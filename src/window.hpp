#pragma once
// The cells of a convolution or pooling window that lie inside the input.
#include <algorithm>
#include <cstddef>

#include "xnor/conv_geometry.hpp"

namespace xnor::detail {

// Calls visit(tap, pixel) for every cell of output pixel (oy, ox)'s window inside the input, row by row:
// tap = ky * kernel_w + kx, pixel = y * in_w + x. Cells in the padding are left out.
template <class Visit>
void for_each_window_cell(const ConvGeometry& g, std::size_t oy, std::size_t ox, Visit visit) {
  const std::size_t pad_top = g.pad_top(), pad_left = g.pad_left();  // (they divide: once, not per cell)
  for (std::size_t ky = 0; ky < g.kernel_h; ++ky) {
    const std::size_t y = oy * g.stride + ky;
    if (y < pad_top || y - pad_top >= g.in_h) continue;
    for (std::size_t kx = 0; kx < g.kernel_w; ++kx) {
      const std::size_t x = ox * g.stride + kx;
      if (x < pad_left || x - pad_left >= g.in_w) continue;
      visit(ky * g.kernel_w + kx, (y - pad_top) * g.in_w + x - pad_left);
    }
  }
}

// How many cells of output pixel (oy, ox)'s window lie inside the padded input (the input and the padding
// before and after it, not a ceil_mode overhang): an average's divisor when padding counts.
inline std::size_t padded_window_cells(const ConvGeometry& g, std::size_t oy, std::size_t ox) {
  const auto inside = [&](std::size_t start, std::size_t kernel, std::size_t padded) {
    return start >= padded ? 0 : std::min(kernel, padded - start);
  };
  return inside(oy * g.stride, g.kernel_h, g.pad_top() + g.in_h + g.pad_bottom()) *
         inside(ox * g.stride, g.kernel_w, g.pad_left() + g.in_w + g.pad_right());
}

}  // namespace xnor::detail
