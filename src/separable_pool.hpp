#pragma once
// Max pooling and its kin (AND over packed bits). Overlapping windows take two passes: per output row, the
// reduction over its window's input rows, whole rows at a time (long loops that vectorize), then per output
// pixel the reduction of that over its window's columns. The window is clipped to the image: padded
// positions take no part.
#include <algorithm>
#include <cstddef>
#include <vector>

#include "xnor/conv_geometry.hpp"

namespace xnor::detail {

// Windows that do not overlap (stride >= kernel: the 2x2 stride-2 pools between stages): each input is read
// once, straight into the output pixel, with no row pass.
template <class T, class Combine>
void tiled_pool(const ConvGeometry& g, std::size_t values, const T* input, T* output, OutputRows rows, T start,
                Combine combine) {
  const std::size_t out_h = g.out_h(), out_w = g.out_w(), pad_top = g.pad_top(), pad_left = g.pad_left();
  for (std::size_t oy = rows.begin; oy < std::min(rows.end, out_h); ++oy) {
    const std::size_t y0 = std::max(oy * g.stride, pad_top) - pad_top;
    const std::size_t y1 = std::min(oy * g.stride + g.kernel_h - pad_top, g.in_h);
    for (std::size_t ox = 0; ox < out_w; ++ox) {
      const std::size_t x0 = std::max(ox * g.stride, pad_left) - pad_left;
      const std::size_t x1 = std::min(ox * g.stride + g.kernel_w - pad_left, g.in_w);
      T* __restrict out = output + (oy * out_w + ox) * values;
      if (y0 >= y1 || x0 >= x1) {  // a window wholly in the padding (ceil mode)
        std::fill(out, out + values, start);
        continue;
      }
      const T* __restrict first = input + (y0 * g.in_w + x0) * values;
      if (y1 - y0 == 2 && x1 - x0 == 2) {
        // A whole 2x2 window, the common case: its four values meet in registers, one store per value.
        const T* __restrict right = first + values;
        const T* __restrict below = first + g.in_w * values;
        const T* __restrict diagonal = below + values;
        for (std::size_t v = 0; v < values; ++v) {
          out[v] = combine(start, combine(combine(first[v], right[v]), combine(below[v], diagonal[v])));
        }
        continue;
      }
      for (std::size_t v = 0; v < values; ++v) out[v] = combine(start, first[v]);  // start may clamp (int8)
      for (std::size_t y = y0; y < y1; ++y) {
        for (std::size_t x = y == y0 ? x0 + 1 : x0; x < x1; ++x) {
          const T* __restrict in = input + (y * g.in_w + x) * values;
          for (std::size_t v = 0; v < values; ++v) out[v] = combine(out[v], in[v]);
        }
      }
    }
  }
}

// output[pixel][v] = combine over the window's positions of input[position][v], starting from `start`, for the
// output rows in `rows`; `values` values per pixel, combine associative and commutative.
template <class T, class Combine>
void separable_pool(const ConvGeometry& g, std::size_t values, const T* input, T* output, OutputRows rows, T start,
                    Combine combine) {
  if (g.stride >= g.kernel_h && g.stride >= g.kernel_w) return tiled_pool(g, values, input, output, rows, start, combine);
  // The geometry's derived sizes divide, and T stores may alias it: computed once here.
  const std::size_t out_h = g.out_h(), out_w = g.out_w(), pad_top = g.pad_top(), pad_left = g.pad_left();
  const std::size_t row_values = g.in_w * values;
  thread_local std::vector<T> column_results;  // kept by the thread: no allocation after the first run
  column_results.resize(row_values);
  for (std::size_t oy = rows.begin; oy < std::min(rows.end, out_h); ++oy) {
    const std::size_t y0 = std::max(oy * g.stride, pad_top) - pad_top;
    const std::size_t y1 = std::min(oy * g.stride + g.kernel_h - pad_top, g.in_h);
    T* __restrict columns = column_results.data();
    std::fill(columns, columns + row_values, start);
    for (std::size_t y = y0; y < y1; ++y) {
      const T* __restrict in = input + y * row_values;
      for (std::size_t i = 0; i < row_values; ++i) columns[i] = combine(columns[i], in[i]);
    }
    for (std::size_t ox = 0; ox < out_w; ++ox) {
      const std::size_t x0 = std::max(ox * g.stride, pad_left) - pad_left;
      const std::size_t x1 = std::min(ox * g.stride + g.kernel_w - pad_left, g.in_w);
      T* __restrict out = output + (oy * out_w + ox) * values;
      std::fill(out, out + values, start);
      for (std::size_t x = x0; x < x1; ++x) {
        const T* __restrict column = columns + x * values;
        for (std::size_t v = 0; v < values; ++v) out[v] = combine(out[v], column[v]);
      }
    }
  }
}

}  // namespace xnor::detail
