#pragma once
// int8 convolution and fully-connected layers (TFLite int8 spec), integer-only:
//   acc[p][c] = bias[c] + sum over the taps and input channels of (x - input.zero_point) * w[c]   (int32)
//   out[p][c] = requantize(acc, output_multiplier(params, c), output.zero_point, range)          (int8.hpp)
// Weights are symmetric per output channel (zero point 0, any value in [-128, 127]); taps that fall in the
// padding hold the input zero point, so they add nothing. The accumulator wraps modulo 2^32 as in hardware,
// which cannot happen for K = taps * in_c <= 65536 and |bias| <= 2^30.
//
// The constructor prepacks the weights for the kernel of the chosen path, folding the zero-point terms into
// the bias; run() then converts input rows to the kernel's layout a block at a time (im2col) and calls one GEMM
// kernel per block. Every kernel gives exactly the reference's outputs (src/int8/reference.hpp).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "xnor/conv_geometry.hpp"
#include "xnor/cpu_path.hpp"
#include "xnor/int8.hpp"
#include "xnor/thread_pool.hpp"

namespace xnor {

namespace detail {
struct PackedInt8Weights;
}  // namespace detail

// What an int8 convolution or dense layer is made of. The constructors copy what they need.
struct Int8LayerParams {
  std::span<const std::int8_t> weights;  // OHWI [out_c][kernel_h][kernel_w][in_c]; dense: [out][in]
  std::span<const float> weight_scales;  // one per output channel, or one for all
  std::span<const std::int32_t> bias;    // one per output channel, scale input.scale * weight_scales[c]; empty: 0
  QuantParams input, output;
  Int8Range range;  // the fused activation: activation_range()
};

// Output channel c's multiplier: input.scale * weight_scales[c] / output.scale, as a fixed-point multiplier.
FixedPointMultiplier output_multiplier(const Int8LayerParams& params, std::size_t channel);

class Int8Conv2d {
 public:
  // Checks the geometry and the parameters (std::invalid_argument) and prepacks the weights for the kernel
  // of `path` (std::runtime_error if this binary or CPU cannot run it).
  Int8Conv2d(const ConvGeometry& geometry, const Int8LayerParams& params, Path path = active_path());

  const ConvGeometry& geometry() const { return geometry_; }
  // The kernel in use, e.g. "avx512-vnni".
  std::string_view kernel_name() const;

  // input: NHWC, in_h * in_w * in_c values; output: out_h * out_w * out_c. Threads of `pool` split the output
  // rows; the result is the same for any thread count. Throws std::invalid_argument on other sizes.
  void run(std::span<const std::int8_t> input, std::span<std::int8_t> output, ThreadPool* pool = nullptr) const;

 private:
  ConvGeometry geometry_;
  std::shared_ptr<const detail::PackedInt8Weights> weights_;
};

class Int8Dense {
 public:
  // weights: [outputs][inputs]; otherwise as Int8Conv2d.
  Int8Dense(std::size_t inputs, std::size_t outputs, const Int8LayerParams& params, Path path = active_path());

  std::size_t inputs() const { return inputs_; }
  std::size_t outputs() const { return outputs_; }
  std::string_view kernel_name() const;

  // input: a batch of rows of `inputs` values (the batch is input.size() / inputs); output: batch x outputs.
  void run(std::span<const std::int8_t> input, std::span<std::int8_t> output, ThreadPool* pool = nullptr) const;

 private:
  std::size_t inputs_, outputs_;
  std::shared_ptr<const detail::PackedInt8Weights> weights_;
};

}  // namespace xnor
