#pragma once
// The convolution shapes of the per-layer benchmark (batch 1, same padding): Inception-style 3x3 and 1x1
// layers, named conv/<impl>/<H>x<W>x<Cin>-<Cout>k<K>, and MobileNet v2's depthwise 3x3 layers (groups = channels),
// named dwconv/<impl>/<H>x<W>x<C>s<stride>.
#include <cstddef>
#include <string>
#include <string_view>

#include "xnor/conv_geometry.hpp"

namespace xnor::bench {

struct ConvShape {
  std::size_t h, w, in_c, out_c, kernel;
  std::size_t stride = 1, groups = 1;

  ConvGeometry geometry() const { return {h, w, in_c, kernel, kernel, stride, Padding::same, out_c}; }
  // Multiply-accumulates of one run (every output x every tap x every input channel of its group).
  double macs() const {
    const ConvGeometry g = geometry();
    return static_cast<double>(g.out_pixels()) * out_c * kernel * kernel * (in_c / groups);
  }
  std::string name(std::string_view impl) const {
    const std::string size = std::to_string(h) + "x" + std::to_string(w) + "x" + std::to_string(in_c);
    if (groups > 1) return "dwconv/" + std::string(impl) + "/" + size + "s" + std::to_string(stride);
    return "conv/" + std::string(impl) + "/" + size + "-" + std::to_string(out_c) + "k" + std::to_string(kernel);
  }
};

inline constexpr ConvShape conv_shapes[] = {
    {56, 56, 64, 64, 3},  {28, 28, 128, 128, 3}, {14, 14, 256, 256, 3}, {7, 7, 512, 512, 3},
    {28, 28, 192, 64, 1}, {14, 14, 480, 192, 1}, {28, 28, 96, 128, 3},
};

// MobileNet v2's depthwise layers at 224x224 (multiplier 1).
inline constexpr ConvShape depthwise_shapes[] = {
    {112, 112, 32, 32, 3, 1, 32},  {112, 112, 96, 96, 3, 2, 96}, {56, 56, 144, 144, 3, 1, 144},
    {28, 28, 192, 192, 3, 1, 192}, {14, 14, 576, 576, 3, 1, 576}, {7, 7, 960, 960, 3, 1, 960},
};

}  // namespace xnor::bench
