#pragma once
// The depthwise convolution kernels of each instruction set (float and int8): the loops of
// depthwise_loops.hpp, compiled once per path in its own translation unit (depthwise_<isa>.cpp) and namespace
// (src/target.hpp); src/cpu_path.cpp maps each path to one.
//
// A depthwise layer has groups == in_c: output channel o = i * multiplier + j reads input channel i alone. The
// kernels work in "lane order", k = j * in_c + i, so that for every j the channels i are contiguous in both the
// input pixel and the weights. Per output pixel the taps are summed in passes of depthwise_pass_taps taps (row-major
// order), each a loop over the contiguous channels whose body sums the pass's taps in registers; taps outside the
// input read a padding pixel (zeros, or the input zero point), so that every pixel runs the same code and sums in
// the same order. The last pass ends with the epilogue (bias and activation, or requantization), which stores lane
// k as output channel o.
#include <cstddef>
#include <cstdint>

namespace xnor::detail {

// The taps of one pass; the weights hold depthwise_padded_taps(kernel_h * kernel_w) taps, those past the kernel's
// with zero weights.
inline constexpr std::size_t depthwise_pass_taps = 9;
constexpr std::size_t depthwise_padded_taps(std::size_t taps) {
  return (taps + depthwise_pass_taps - 1) / depthwise_pass_taps * depthwise_pass_taps;
}

struct DepthwiseShape {
  std::size_t in_h, in_w, in_c;
  std::size_t kernel_h, kernel_w, stride, pad_top, pad_left;
  std::size_t out_w;
  std::size_t multiplier;            // out_c / in_c
  std::size_t row_begin, row_end;    // the output rows to compute
};

struct FloatDepthwiseArgs {
  DepthwiseShape shape;
  const float* input;     // NHWC
  const float* padding;   // in_c zeros
  const float* weights;   // [padded tap][multiplier][in_c]
  const float* epilogue;  // [bias, negative slope, low, high][multiplier][in_c]
  float* scratch;         // out_c sums, between passes
  float* output;          // NHWC, out_c = in_c * multiplier
};

struct Int8DepthwiseArgs {
  DepthwiseShape shape;
  const std::int8_t* input;    // NHWC
  const std::int8_t* padding;  // in_c copies of the input zero point
  const std::int8_t* weights;  // [padded tap][multiplier][in_c]
  // [bias, multiplier, left shift, right shift][multiplier][in_c]: the bias and output_multiplier() of each
  // channel, its shift split as in TFLite (left = max(shift, 0), right = max(-shift, 0)).
  const std::int32_t* channels;
  bool left_shifts;  // whether any left shift is nonzero
  std::int32_t input_zero_point, output_zero_point;
  std::int32_t output_min, output_max;  // the activation range
  std::uint32_t* scratch;               // out_c sums, between passes
  std::int8_t* output;                  // NHWC
};

struct DepthwiseKernels {
  const char* name;  // the instruction set the loops were compiled for
  // For rows [row_begin, row_end) and every output channel: float, activation(bias + the sum over the taps);
  // int8, as reference::int8_grouped_conv2d.
  void (*run_float)(const FloatDepthwiseArgs& args);
  void (*run_int8)(const Int8DepthwiseArgs& args);
};

}  // namespace xnor::detail

namespace xnor::baseline {
const detail::DepthwiseKernels& depthwise_kernels();
}
#if defined(__x86_64__)
namespace xnor::avx2 {
const detail::DepthwiseKernels& depthwise_kernels();
}
namespace xnor::avx512 {
const detail::DepthwiseKernels& depthwise_kernels();
}
#endif
#if defined(__aarch64__)
namespace xnor::neon {
const detail::DepthwiseKernels& depthwise_kernels();
}
#endif
