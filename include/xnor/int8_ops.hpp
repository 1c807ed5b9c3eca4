#pragma once
// int8 pooling and concatenation on NHWC tensors (batch 1), TFLite int8 semantics.
#include <cstddef>
#include <cstdint>
#include <span>

#include "xnor/conv_geometry.hpp"
#include "xnor/int8.hpp"

namespace xnor {

// Pools keep the input's quantization (TFLite requires the output's to be equal). `window` gives the window,
// stride and padding, with out_c == in_c; only positions inside the image count. The result is clamped to
// range (a fused activation). Throws std::invalid_argument on inconsistent sizes.
// `rows` limits the work to a band of output rows.
void int8_max_pool(const ConvGeometry& window, std::span<const std::int8_t> input, std::span<std::int8_t> output,
                   Int8Range range = {}, OutputRows rows = {});
// The mean of the positions inside the image, rounded half away from zero; with count_padding the padded
// positions inside the padded input count too, as the value 0 (the zero point).
void int8_average_pool(const ConvGeometry& window, std::span<const std::int8_t> input, std::span<std::int8_t> output,
                       Int8Range range = {}, OutputRows rows = {}, bool count_padding = false,
                       std::int8_t zero_point = 0);

struct Int8ConcatInput {
  std::span<const std::int8_t> values;  // pixels x channels
  std::size_t channels;
  QuantParams params;
};

// Concatenates along channels: output pixel p holds every input's channels of pixel p, in order. An input
// whose QuantParams differ from `output_params` is requantized: output zero point +
// multiply_by_quantized_multiplier(q - its zero point, quantize_multiplier(its scale / output scale)),
// saturated to [-128, 127]. Throws std::invalid_argument on inconsistent sizes.
void int8_concat(std::span<const Int8ConcatInput> inputs, std::size_t pixels, QuantParams output_params,
                 std::span<std::int8_t> output);

}  // namespace xnor
