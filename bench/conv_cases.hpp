#pragma once
// The data of the convolution benchmarks, the same for xnor and every peer, and the one-time check that an
// implementation computes that convolution: floats against src/float/reference.hpp (within 1e-4 of the output's
// scale), int8 against src/int8/reference.hpp (within 1 LSB, as peers requantize in float). A row whose check
// fails reports an error instead of a time.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "bench/conv_shapes.hpp"
#include "xnor/int8_conv.hpp"

namespace xnor::bench {

struct FloatConvCase {
  std::vector<float> input, weights, bias;  // NHWC, OHWI, out_c; uniform in [-1, 1]
};

// int8 data in the TFLite scheme: the input has scale 1 and zero point -128 (real values 0..255, so a peer
// that takes uint8 without a zero point reads q + 128), weights symmetric with a scale per output channel,
// output scale 1 and zero point 0; the weight scales keep most outputs inside int8.
struct Int8ConvCase {
  static constexpr std::int32_t input_zero_point = -128;
  std::vector<std::int8_t> input, weights;
  std::vector<float> weight_scales;
  std::vector<std::int32_t> bias;

  Int8LayerParams params() const;
};

// The padding below and right of the input, for peers that take explicit padding: what the windows reach
// past the input after ConvGeometry's padding above and left (0 for "valid").
std::size_t pad_bottom(const ConvGeometry& g);
std::size_t pad_right(const ConvGeometry& g);

// Deterministic random data for the shape.
FloatConvCase float_case(const ConvShape& shape);
Int8ConvCase int8_case(const ConvShape& shape);

// Whether output is the shape's case run through the reference; the reference output is computed once per
// shape and process.
bool matches_reference(const ConvShape& shape, std::span<const float> output);
bool matches_reference(const ConvShape& shape, std::span<const std::int8_t> output);

}  // namespace xnor::bench
