#pragma once
// The convolution shapes of the per-layer benchmark (batch 1, stride 1, same padding), named
// conv/<impl>/<H>x<W>x<Cin>-<Cout>k<K>: Inception-style 3x3 and 1x1 layers.
#include <cstddef>
#include <string>
#include <string_view>

#include "xnor/conv_geometry.hpp"

namespace xnor::bench {

struct ConvShape {
  std::size_t h, w, in_c, out_c, kernel;

  ConvGeometry geometry() const { return {h, w, in_c, kernel, kernel, 1, Padding::same, out_c}; }
  // Multiply-accumulates of one run (every output x every tap x every input channel).
  double macs() const { return static_cast<double>(h) * w * out_c * kernel * kernel * in_c; }
  std::string name(std::string_view impl) const {
    return "conv/" + std::string(impl) + "/" + std::to_string(h) + "x" + std::to_string(w) + "x" +
           std::to_string(in_c) + "-" + std::to_string(out_c) + "k" + std::to_string(kernel);
  }
};

inline constexpr ConvShape conv_shapes[] = {
    {56, 56, 64, 64, 3},  {28, 28, 128, 128, 3}, {14, 14, 256, 256, 3}, {7, 7, 512, 512, 3},
    {28, 28, 192, 64, 1}, {14, 14, 480, 192, 1}, {28, 28, 96, 128, 3},
};

}  // namespace xnor::bench
