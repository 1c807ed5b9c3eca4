#pragma once
// The reference convolution: the specification FloatConv2d and FloatDense are tested against (and the peer
// benchmarks' check), written for clarity. Windows that leave the input skip the missing cells, which is
// zero padding of the real values.
#include <cstddef>
#include <span>
#include <vector>

#include "src/window.hpp"
#include "xnor/activation.hpp"
#include "xnor/conv_geometry.hpp"

namespace xnor::reference {

// output = activation(conv(input) + bias), summed in double; input NHWC, weights OHWI, bias may be empty.
inline std::vector<float> float_conv2d(const ConvGeometry& g, std::span<const float> input,
                                       std::span<const float> weights, std::span<const float> bias,
                                       const Activation& activation = {}) {
  std::vector<float> output(g.out_pixels() * g.out_c);
  for (std::size_t oy = 0; oy < g.out_h(); ++oy) {
    for (std::size_t ox = 0; ox < g.out_w(); ++ox) {
      for (std::size_t n = 0; n < g.out_c; ++n) {
        double sum = bias.empty() ? 0.0 : bias[n];
        detail::for_each_window_cell(g, oy, ox, [&](std::size_t tap, std::size_t pixel) {
          const float* x = input.data() + pixel * g.in_c;
          const float* w = weights.data() + (n * g.taps() + tap) * g.in_c;
          for (std::size_t c = 0; c < g.in_c; ++c) sum += static_cast<double>(x[c]) * w[c];
        });
        output[(oy * g.out_w() + ox) * g.out_c + n] = activation.apply(static_cast<float>(sum), n);
      }
    }
  }
  return output;
}

// A dense layer is the 1x1 convolution of one pixel; weights out_features x in_features.
inline std::vector<float> float_dense(std::span<const float> input, std::span<const float> weights,
                                      std::span<const float> bias, std::size_t out_features,
                                      const Activation& activation = {}) {
  const ConvGeometry g{1, 1, input.size(), 1, 1, 1, Padding::valid, out_features};
  return float_conv2d(g, input, weights, bias, activation);
}


// FloatGroupedConv2d: output channel n sees only the in_c / groups input channels of its group, n / (out_c / groups),
// with weights OHWI [out_c][kernel_h][kernel_w][in_c / groups]; summed in double, padding skipped as above.
inline std::vector<float> float_grouped_conv2d(const ConvGeometry& g, std::size_t groups, std::span<const float> input,
                                               std::span<const float> weights, std::span<const float> bias,
                                               const Activation& activation = {}) {
  const std::size_t inputs_per_group = g.in_c / groups, outputs_per_group = g.out_c / groups;
  std::vector<float> output(g.out_pixels() * g.out_c);
  for (std::size_t group = 0; group < groups; ++group) {
    for (std::size_t n = group * outputs_per_group; n < (group + 1) * outputs_per_group; ++n) {
      for (std::size_t p = 0; p < g.out_pixels(); ++p) {
        double sum = bias.empty() ? 0.0 : bias[n];
        detail::for_each_window_cell(g, p / g.out_w(), p % g.out_w(), [&](std::size_t tap, std::size_t pixel) {
          for (std::size_t i = 0; i < inputs_per_group; ++i) {
            sum += static_cast<double>(input[pixel * g.in_c + group * inputs_per_group + i]) *
                   weights[(n * g.taps() + tap) * inputs_per_group + i];
          }
        });
        output[p * g.out_c + n] = activation.apply(static_cast<float>(sum), n);
      }
    }
  }
  return output;
}

}  // namespace xnor::reference
