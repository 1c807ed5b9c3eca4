// int8 concatenation along channels (int8_ops.hpp); an input quantized differently from the output is
// requantized with the fixed-point arithmetic of the layers.
#include <cstdio>
#include <stdexcept>
#include <string>

#include "xnor/int8_ops.hpp"

namespace xnor {

void int8_concat(std::span<const Int8ConcatInput> inputs, std::size_t pixels, QuantParams output_params,
                 std::span<std::int8_t> output) {
  validate_quant_params(output_params, "int8_concat output");
  std::size_t total = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    char name[48];  // not a std::string: a session allocates nothing after its first run
    std::snprintf(name, sizeof name, "int8_concat input %zu", i);
    validate_quant_params(inputs[i].params, name);
    if (inputs[i].values.size() != pixels * inputs[i].channels) {
      throw std::invalid_argument("int8_concat: input " + std::to_string(i) + " has " +
                                  std::to_string(inputs[i].values.size()) + " values, " + std::to_string(pixels) +
                                  " pixels of " + std::to_string(inputs[i].channels) + " channels need " +
                                  std::to_string(pixels * inputs[i].channels));
    }
    total += inputs[i].channels;
  }
  if (output.size() != pixels * total) {
    throw std::invalid_argument("int8_concat: the output has " + std::to_string(output.size()) + " values, " +
                                std::to_string(pixels) + " pixels of " + std::to_string(total) + " channels need " +
                                std::to_string(pixels * total));
  }
  std::size_t first_channel = 0;
  for (const Int8ConcatInput& input : inputs) {
    const QuantParams in = input.params;
    const bool same = in.scale == output_params.scale && in.zero_point == output_params.zero_point;
    const FixedPointMultiplier m =
        same ? FixedPointMultiplier{} : quantize_multiplier(static_cast<double>(in.scale) / output_params.scale);
    for (std::size_t p = 0; p < pixels; ++p) {
      const std::int8_t* from = input.values.data() + p * input.channels;
      std::int8_t* to = output.data() + p * total + first_channel;
      for (std::size_t c = 0; c < input.channels; ++c) {
        to[c] = same ? from[c] : requantize(from[c] - in.zero_point, m, output_params.zero_point, Int8Range{});
      }
    }
    first_channel += input.channels;
  }
}

}  // namespace xnor
