#pragma once
// The float convolution kernels of each instruction set. Each lives in its own translation unit
// (conv_kernels_<isa>.cpp) compiled for it, in its namespace (src/target.hpp); src/cpu_path.cpp maps each
// path to one.
#include <cstddef>

namespace xnor::detail {

// One weight panel against the output pixels [pixel_begin, pixel_end).
struct FloatConvPanelArgs {
  const float* input;               // the (padded) input: row_pixels pixels per row, in_c floats per pixel
  std::size_t in_c;
  std::size_t row_pixels;
  std::size_t stride;
  std::size_t out_w;
  const std::size_t* tap_offsets;   // floats from a window's first pixel to each tap's pixel
  std::size_t taps;
  std::size_t pixel_begin, pixel_end;
  const float* panel;               // [tap][in_c][panel_width]
  const float* epilogue;            // [bias, negative slope, low, high][panel_width]
  bool sloped;                      // some negative slope is not 1 (a PReLU): else y < 0 needs no test
  const float* residual;            // nullptr, or a shortcut added before the activation, laid out as output
  float* output;                    // the output at this panel's first channel, out_c floats per pixel
  std::size_t out_c;
  std::size_t channels;             // channels of this panel to store (the last one may be partial)
};

struct FloatConvKernels {
  std::size_t panel_width;  // output channels per weight panel
  // For every pixel p and panel channel n < channels:
  //   output[p][n] = min(max(y < 0 ? slope * y : y, low), high), y = bias + sum over taps and in_c
  //   (+ residual[p][n], added after the bias).
  void (*conv_panel)(const FloatConvPanelArgs& args);
};

}  // namespace xnor::detail

// The baseline SIMD of the architecture (SSE2 on x86-64, NEON on aarch64): the scalar and neon paths.
namespace xnor::baseline {
const detail::FloatConvKernels& float_conv_kernels();
}
#if defined(__x86_64__)
namespace xnor::avx2 {
const detail::FloatConvKernels& float_conv_kernels();
}
namespace xnor::avx512 {
const detail::FloatConvKernels& float_conv_kernels();
}
#endif
