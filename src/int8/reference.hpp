#pragma once
// The reference int8 layers: the specification every int8 kernel is tested against, written for clarity.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "xnor/conv_geometry.hpp"
#include "xnor/int8.hpp"
#include "xnor/int8_conv.hpp"

namespace xnor::reference {

// Int8Conv2d: input NHWC in_h x in_w x in_c, weights OHWI, output out_h x out_w x out_c.
inline void int8_conv2d(const ConvGeometry& g, const Int8LayerParams& params, const std::int8_t* input,
                        std::int8_t* output) {
  std::vector<FixedPointMultiplier> multipliers(g.out_c);
  for (std::size_t c = 0; c < g.out_c; ++c) multipliers[c] = output_multiplier(params, c);
  for (std::size_t oy = 0; oy < g.out_h(); ++oy) {
    for (std::size_t ox = 0; ox < g.out_w(); ++ox) {
      for (std::size_t c = 0; c < g.out_c; ++c) {
        std::int64_t acc = params.bias.empty() ? 0 : params.bias[c];
        for (std::size_t ky = 0; ky < g.kernel_h; ++ky) {
          for (std::size_t kx = 0; kx < g.kernel_w; ++kx) {
            const auto y = static_cast<std::ptrdiff_t>(oy * g.stride + ky) - static_cast<std::ptrdiff_t>(g.pad_top());
            const auto x = static_cast<std::ptrdiff_t>(ox * g.stride + kx) - static_cast<std::ptrdiff_t>(g.pad_left());
            // A tap in the padding holds the input zero point: it adds nothing.
            if (y < 0 || x < 0 || y >= static_cast<std::ptrdiff_t>(g.in_h) ||
                x >= static_cast<std::ptrdiff_t>(g.in_w)) {
              continue;
            }
            const std::int8_t* pixel =
                input + (static_cast<std::size_t>(y) * g.in_w + static_cast<std::size_t>(x)) * g.in_c;
            const std::int8_t* w = params.weights.data() + ((c * g.kernel_h + ky) * g.kernel_w + kx) * g.in_c;
            for (std::size_t i = 0; i < g.in_c; ++i) acc += (pixel[i] - params.input.zero_point) * w[i];
          }
        }
        // The int32 accumulator wraps modulo 2^32.
        output[(oy * g.out_w() + ox) * g.out_c + c] =
            requantize(static_cast<std::int32_t>(acc), multipliers[c], params.output.zero_point, params.range);
      }
    }
  }
}

// Int8Dense: a batch of rows of `inputs` values, weights [outputs][inputs].
inline void int8_dense(std::size_t batch, std::size_t inputs, std::size_t outputs, const Int8LayerParams& params,
                       const std::int8_t* input, std::int8_t* output) {
  int8_conv2d({batch, 1, inputs, 1, 1, 1, Padding::valid, outputs}, params, input, output);
}


// Int8GroupedConv2d: output channel c sees only the in_c / groups input channels of its group, c / (out_c / groups),
// with weights OHWI [out_c][kernel_h][kernel_w][in_c / groups]; otherwise as int8_conv2d.
inline void int8_grouped_conv2d(const ConvGeometry& g, std::size_t groups, const Int8LayerParams& params,
                                const std::int8_t* input, std::int8_t* output) {
  const std::size_t inputs_per_group = g.in_c / groups, outputs_per_group = g.out_c / groups;
  const auto pad_top = static_cast<std::ptrdiff_t>(g.pad_top()), pad_left = static_cast<std::ptrdiff_t>(g.pad_left());
  for (std::size_t c = 0; c < g.out_c; ++c) {
    const std::size_t first_input = c / outputs_per_group * inputs_per_group;
    const FixedPointMultiplier multiplier = output_multiplier(params, c);
    for (std::size_t p = 0; p < g.out_pixels(); ++p) {
      std::int64_t sum = params.bias.empty() ? 0 : params.bias[c];
      for (std::size_t tap = 0; tap < g.taps(); ++tap) {
        const std::ptrdiff_t y = static_cast<std::ptrdiff_t>(p / g.out_w() * g.stride + tap / g.kernel_w) - pad_top;
        const std::ptrdiff_t x = static_cast<std::ptrdiff_t>(p % g.out_w() * g.stride + tap % g.kernel_w) - pad_left;
        // Taps in the padding hold the input zero point and add nothing.
        if (y < 0 || y >= static_cast<std::ptrdiff_t>(g.in_h) || x < 0 || x >= static_cast<std::ptrdiff_t>(g.in_w)) {
          continue;
        }
        const std::int8_t* group_input =
            input + (static_cast<std::size_t>(y) * g.in_w + static_cast<std::size_t>(x)) * g.in_c + first_input;
        for (std::size_t i = 0; i < inputs_per_group; ++i) {
          sum += (group_input[i] - params.input.zero_point) *
                 params.weights[(c * g.taps() + tap) * inputs_per_group + i];
        }
      }
      // The int32 accumulator wraps modulo 2^32.
      output[p * g.out_c + c] =
          requantize(static_cast<std::int32_t>(sum), multiplier, params.output.zero_point, params.range);
    }
  }
}

}  // namespace xnor::reference
