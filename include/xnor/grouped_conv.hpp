#pragma once
// Grouped and depthwise 2-D convolutions (NHWC, batch 1), float and int8: MobileNet-style layers.
//
// `groups` splits the input channels and the output channels into that many equal, consecutive parts: output
// channel o reads the in_c / groups input channels of its group, o / (out_c / groups). The weights are OHWI with
// I = in_c / groups: [out_c][kernel_h][kernel_w][in_c / groups]. groups == 1 is a standard convolution;
// groups == in_c is a depthwise convolution (with out_c / in_c, the channel multiplier, outputs per input
// channel), which runs on its own kernel (src/grouped/depthwise_loops.hpp, compiled for each CPU path): per
// output pixel, a loop over the contiguous channels, vectorized, sums the taps of each channel in a register.
// Other groupings run as one FloatConv2d or Int8Conv2d per group on its slice of the channels (groups == 1: one
// on the whole input).
//
// The float layer computes activation(bias + conv(input)) with zero padding (like FloatConv2d, taps in the padding
// multiply zeros); paths differ from each other and from reference::float_grouped_conv2d (src/float/reference.hpp)
// only by float rounding. The int8 layer has Int8Conv2d's
// semantics (int8_conv.hpp: TFLite int8, taps in the padding hold the input zero point) and exactly the outputs
// of reference::int8_grouped_conv2d (src/int8/reference.hpp). Output rows are split among the pool's threads;
// the result does not depend on the thread count.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "xnor/activation.hpp"
#include "xnor/conv_geometry.hpp"
#include "xnor/cpu_path.hpp"
#include "xnor/float_conv.hpp"
#include "xnor/int8_conv.hpp"
#include "xnor/thread_pool.hpp"

namespace xnor {

namespace detail {
struct DepthwiseKernels;
struct FloatDepthwiseWeights;
struct Int8DepthwiseWeights;

// What both grouped layers have: the geometry, the groups, the path and the kernel.
class GroupedConv2d {
 public:
  const ConvGeometry& geometry() const { return geometry_; }
  std::size_t groups() const { return groups_; }
  Path path() const { return path_; }
  // "depthwise <instruction set>" (the depthwise kernel's build, e.g. "depthwise avx512"), or "grouped <kernel>"
  // (the kernel of the per-group convolutions: the path's name, or for int8 Int8Conv2d's kernel_name()).
  std::string_view kernel_name() const { return kernel_name_; }
  std::size_t input_size() const { return geometry_.in_pixels() * geometry_.in_c; }
  std::size_t output_size() const { return geometry_.out_pixels() * geometry_.out_c; }

 protected:
  // Checks the geometry and that groups divides in_c and out_c (std::invalid_argument naming `layer`), and the
  // path (std::runtime_error); a depthwise layer gets the path's depthwise kernel.
  GroupedConv2d(const char* layer, const ConvGeometry& geometry, std::size_t groups, Path path);

  ConvGeometry geometry_;
  std::size_t groups_;
  Path path_;
  std::string kernel_name_;
  const DepthwiseKernels* depthwise_ = nullptr;  // null: one convolution per group
};
}  // namespace detail

class FloatGroupedConv2d : public detail::GroupedConv2d {
 public:
  // weights: OHWI, out_c x kernel_h x kernel_w x (in_c / groups). bias: out_c values, or empty for none. A PReLU
  // activation needs out_c slopes. Throws std::invalid_argument unless groups divides in_c and out_c and the
  // sizes agree, std::runtime_error if this binary or CPU cannot run `path`.
  FloatGroupedConv2d(const ConvGeometry& geometry, std::size_t groups, std::span<const float> weights,
                     std::span<const float> bias, Activation activation = {}, Path path = active_path());

  // output = activation(grouped conv(input) + bias), both NHWC. Throws std::invalid_argument on other sizes.
  void run(std::span<const float> input, std::span<float> output, ThreadPool* pool = nullptr) const;

 private:
  std::shared_ptr<const detail::FloatDepthwiseWeights> depthwise_weights_;
  std::vector<FloatConv2d> group_convs_;
};

class Int8GroupedConv2d : public detail::GroupedConv2d {
 public:
  // params.weights: OHWI, out_c x kernel_h x kernel_w x (in_c / groups); otherwise as Int8Conv2d. Throws
  // std::invalid_argument unless groups divides in_c and out_c and the parameters are consistent,
  // std::runtime_error if this binary or CPU cannot run `path`.
  Int8GroupedConv2d(const ConvGeometry& geometry, std::size_t groups, const Int8LayerParams& params,
                    Path path = active_path());

  // input: NHWC, in_h * in_w * in_c values; output: out_h * out_w * out_c. Throws std::invalid_argument on other
  // sizes.
  void run(std::span<const std::int8_t> input, std::span<std::int8_t> output, ThreadPool* pool = nullptr) const;

 private:
  std::shared_ptr<const detail::Int8DepthwiseWeights> depthwise_weights_;
  std::vector<Int8Conv2d> group_convs_;
};

}  // namespace xnor
