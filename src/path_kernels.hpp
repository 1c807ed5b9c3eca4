#pragma once
// What each CPU path runs: one table (src/cpu_path.cpp) from a path to its kernels, so that a path, once
// chosen or forced, decides every kernel at once.
#include "bitops/kernels.hpp"
#include "src/float/conv_kernels.hpp"
#include "src/grouped/depthwise_kernels.hpp"
#include "src/int8/kernels.hpp"
#include "src/int8/quantize_kernels.hpp"
#include "xnor/cpu_path.hpp"

namespace xnor::detail {

struct PathKernels {
  const BitKernels* bits;
  const Int8Kernels* int8;
  const FloatConvKernels* float_conv;
  QuantizeKernel quantize;
  const DepthwiseKernels* depthwise;
};

// The kernels of `path`; throws std::runtime_error if this binary or CPU cannot run it.
const PathKernels& path_kernels(Path path);

}  // namespace xnor::detail
