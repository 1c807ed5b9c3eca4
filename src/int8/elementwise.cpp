// int8 element-wise ADD and MUL (elementwise.hpp), TFLite's integer arithmetic.
#include <algorithm>
#include <array>

#include "src/elementwise_loop.hpp"
#include "xnor/elementwise.hpp"

namespace xnor {
namespace {

// TFLite's left shift of int8 ADD operands: room for the rescaled sum's precision.
constexpr int add_left_shift = 20;

std::int8_t clamp_to(std::int32_t value, Int8Range range) {
  return static_cast<std::int8_t>(std::clamp<std::int32_t>(value, range.min, range.max));
}

}  // namespace

void int8_elementwise(ElementwiseKind kind, std::span<const std::int8_t> a, std::span<const std::int8_t> b,
                      std::size_t channels, const Int8ElementwiseParams& params, std::span<std::int8_t> out) {
  detail::check_elementwise("int8 elementwise", a.size(), b.size(), channels, out.size());
  validate_quant_params(params.a, "first operand");
  validate_quant_params(params.b, "second operand");
  validate_quant_params(params.output, "output");
  if (params.range.min > params.range.max) throw std::invalid_argument("int8 elementwise: empty activation range");
  const std::int32_t zero_a = params.a.zero_point, zero_b = params.b.zero_point, zero_out = params.output.zero_point;
  if (kind == ElementwiseKind::mul) {
    const FixedPointMultiplier m = quantize_multiplier(double{params.a.scale} * params.b.scale / params.output.scale);
    detail::for_each_pair(a.size(), b.size(), channels, [&](std::size_t i, std::size_t j) {
      const std::int32_t product = (a[i] - zero_a) * (b[j] - zero_b);
      out[i] = clamp_to(zero_out + multiply_by_quantized_multiplier(product, m), params.range);
    });
    return;
  }
  const double twice_max = 2.0 * std::max(params.a.scale, params.b.scale);
  const FixedPointMultiplier mo = quantize_multiplier(twice_max / ((1 << add_left_shift) * double{params.output.scale}));
  // An operand's rescaled value depends on its byte alone: 256 of them, computed once per call.
  const auto rescaled = [&](QuantParams q) {
    const FixedPointMultiplier m = quantize_multiplier(q.scale / twice_max);
    std::array<std::int32_t, 256> table;
    for (int v = -128; v < 128; ++v) {
      table[static_cast<std::uint8_t>(v)] = multiply_by_quantized_multiplier((v - q.zero_point) * (1 << add_left_shift), m);
    }
    return table;
  };
  const std::array<std::int32_t, 256> ta = rescaled(params.a), tb = rescaled(params.b);
  detail::for_each_pair(a.size(), b.size(), channels, [&](std::size_t i, std::size_t j) {
    const std::int32_t sum = ta[static_cast<std::uint8_t>(a[i])] + tb[static_cast<std::uint8_t>(b[j])];
    out[i] = clamp_to(zero_out + multiply_by_quantized_multiplier(sum, mo), params.range);
  });
}

}  // namespace xnor
