#pragma once
// Float convolution and dense layers (NHWC, batch 1): a network's first and last layers, and the float
// baseline the binary and int8 layers are compared with.
//
// The weights are packed once, at construction, into panels of the kernel's width in output channels
// ([tap][input channel][panel width] per panel, zero past out_c), so the kernel streams one panel with
// aligned vector loads while a tile of output pixels x the panel's channels stays in registers. Windows
// that hang over the edge ("same") read zeros. Each path sums in the same order for every pixel, so the
// output does not depend on the thread count; paths differ from one another (and from the reference in
// src/float/reference.hpp) only by float rounding.
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "xnor/activation.hpp"
#include "xnor/conv_geometry.hpp"
#include "xnor/cpu_path.hpp"
#include "xnor/thread_pool.hpp"

namespace xnor {

namespace detail {
struct FloatConvKernels;
struct FloatConvPanels;
}  // namespace detail

class FloatConv2d {
 public:
  // weights: OHWI, out_c x kernel_h x kernel_w x in_c. bias: out_c values, or empty for none. A PReLU
  // activation needs out_c slopes. Throws std::invalid_argument on inconsistent sizes.
  FloatConv2d(const ConvGeometry& geometry, std::span<const float> weights, std::span<const float> bias,
              Activation activation = {}, Path path = active_path());

  const ConvGeometry& geometry() const { return geometry_; }
  Path path() const { return path_; }
  std::size_t input_size() const { return geometry_.in_pixels() * geometry_.in_c; }
  std::size_t output_size() const { return geometry_.out_pixels() * geometry_.out_c; }

  // output = activation(conv(input) + bias), both NHWC. Output rows are split among the pool's threads.
  // With a residual (a shortcut of the output's size): activation(conv(input) + bias + residual), the
  // residual network's Add fused into the store; the same floats as adding afterwards.
  void run(std::span<const float> input, std::span<float> output, ThreadPool* pool = nullptr,
           std::span<const float> residual = {}) const;

 private:
  ConvGeometry geometry_;
  Path path_;
  const detail::FloatConvKernels* kernels_;
  // The weight panels and their epilogue, cache-line aligned (src/float/float_conv.cpp); copies share them.
  std::shared_ptr<const detail::FloatConvPanels> panels_;
  bool pads_input_;                       // whether run() copies the input into a zero border first
  std::size_t row_pixels_;                // pixels per row of the (possibly padded) input the kernel reads
  std::vector<std::size_t> tap_offsets_;  // floats from a window's first pixel to each tap's pixel
};

// A fully connected layer: the 1x1 convolution of a 1x1 image with in_features channels.
class FloatDense {
 public:
  // weights: out_features x in_features, row-major; bias: out_features values or empty.
  FloatDense(std::size_t in_features, std::size_t out_features, std::span<const float> weights,
             std::span<const float> bias, Activation activation = {}, Path path = active_path());

  std::size_t in_features() const { return conv_.geometry().in_c; }
  std::size_t out_features() const { return conv_.geometry().out_c; }
  void run(std::span<const float> input, std::span<float> output) const { conv_.run(input, output); }

 private:
  FloatConv2d conv_;
};

}  // namespace xnor
