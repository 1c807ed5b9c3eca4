#pragma once
// Element-wise operations of two tensors (NHWC, batch 1): a residual network's shortcut Add, a gating Mul.
// The second operand has the first's size, or one value per channel that every pixel shares (broadcast).
#include <cstddef>
#include <cstdint>
#include <span>

#include "xnor/activation.hpp"
#include "xnor/int8.hpp"

namespace xnor {

enum class ElementwiseKind : std::uint8_t { add, mul };

// out = activation(a op b), with `channels` values per pixel. Throws std::invalid_argument on inconsistent
// sizes (b neither a's size nor `channels`; out not a's size).
void elementwise(ElementwiseKind kind, std::span<const float> a, std::span<const float> b, std::size_t channels,
                 const Activation& activation, std::span<float> out);

// The quantization of an int8 element-wise operation's operands and output, and its fused activation.
struct Int8ElementwiseParams {
  QuantParams a, b, output;
  Int8Range range;
};

// TFLite's int8 ADD and MUL, integers only:
//   add: both operands, less their zero points, shifted left by 20 and rescaled by scale / (2 * max(scales));
//        their sum rescaled by 2 * max(scales) / (2^20 * output scale)
//   mul: (a - zero point) * (b - zero point) rescaled by a.scale * b.scale / output scale
// each rescale being multiply_by_quantized_multiplier; then the output zero point, clamped to range.
void int8_elementwise(ElementwiseKind kind, std::span<const std::int8_t> a, std::span<const std::int8_t> b,
                      std::size_t channels, const Int8ElementwiseParams& params, std::span<std::int8_t> out);

}  // namespace xnor
