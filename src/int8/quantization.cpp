// The int8 quantization arithmetic (int8.hpp): TFLite's and gemmlowp's fixed-point functions, written plainly.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "src/check_size.hpp"
#include "src/int8/quantize_kernels.hpp"
#include "src/path_kernels.hpp"
#include "xnor/int8.hpp"

#define XNOR_ISA baseline
#include "src/int8/quantize_value.hpp"

namespace xnor {
namespace {

constexpr std::int32_t int32_min = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t int32_max = std::numeric_limits<std::int32_t>::max();

}  // namespace

void validate_quant_params(QuantParams params, const char* what) {
  if (!(params.scale > 0.0f) || !std::isfinite(params.scale) || params.zero_point < -128 || params.zero_point > 127) {
    throw std::invalid_argument(std::string(what) +
                                ": quantization needs a positive finite scale and a zero point in "
                                "[-128, 127], got scale " +
                                std::to_string(params.scale) + ", zero point " + std::to_string(params.zero_point));
  }
}

FixedPointMultiplier quantize_multiplier(double real) {
  if (!(real >= 0.0) || !std::isfinite(real)) {
    throw std::invalid_argument("quantize_multiplier: the real multiplier must be finite and >= 0, got " +
                                std::to_string(real));
  }
  if (real == 0.0) return {};
  int shift = 0;
  const double fraction = std::frexp(real, &shift);  // real = fraction * 2^shift, fraction in [0.5, 1)
  auto fixed = static_cast<std::int64_t>(std::round(fraction * static_cast<double>(std::int64_t{1} << 31)));
  if (fixed == std::int64_t{1} << 31) {  // the fraction rounded up to 1
    fixed /= 2;
    ++shift;
  }
  if (shift < -31) return {};
  if (shift > 30) return {int32_max, 30};
  return {static_cast<std::int32_t>(fixed), shift};
}

Int8Range activation_range(const Activation& activation, QuantParams output) {
  validate_quant_params(output, "activation range");
  switch (activation.kind) {
    case Activation::Kind::none:
      return {};
    case Activation::Kind::relu:
      return {quantize(0.0f, output), 127};
    case Activation::Kind::clamp: {
      const Int8Range range{quantize(activation.low, output), quantize(activation.high, output)};
      if (range.min > range.max) {
        throw std::invalid_argument("activation range: clamp(" + std::to_string(activation.low) + ", " +
                                    std::to_string(activation.high) + ") is empty");
      }
      return range;
    }
    case Activation::Kind::prelu:
    case Activation::Kind::hard_sigmoid:
    case Activation::Kind::hard_swish:
      break;
  }
  throw std::invalid_argument("activation range: PReLU and the hard sigmoid and swish are not clamps and cannot be "
                              "fused into an int8 layer");
}

std::int8_t requantize(std::int32_t acc, FixedPointMultiplier m, std::int32_t output_zero_point, Int8Range range) {
  const std::int64_t y = std::int64_t{multiply_by_quantized_multiplier(acc, m)} + output_zero_point;
  return static_cast<std::int8_t>(std::clamp<std::int64_t>(y, range.min, range.max));
}

std::int8_t quantize(float value, QuantParams params) {
  return baseline::quantize_value(value, params.scale, params.zero_point);
}

float dequantize(std::int8_t q, QuantParams params) {
  return params.scale * static_cast<float>(std::int32_t{q} - params.zero_point);
}

void baseline::quantize(const float* values, std::size_t count, float scale, std::int32_t zero_point,
                        std::int8_t* out) {
  quantize_values(values, count, scale, zero_point, out);
}

void quantize(std::span<const float> values, QuantParams params, std::span<std::int8_t> out, Path path) {
  validate_quant_params(params, "quantize");
  detail::check_size("quantize", "the output", out.size(), values.size(), "values");
  detail::path_kernels(path).quantize(values.data(), values.size(), params.scale, params.zero_point, out.data());
}

void dequantize(std::span<const std::int8_t> values, QuantParams params, std::span<float> out) {
  validate_quant_params(params, "dequantize");
  detail::check_size("dequantize", "the output", out.size(), values.size(), "values");
  std::transform(values.begin(), values.end(), out.begin(), [params](std::int8_t q) { return dequantize(q, params); });
}

}  // namespace xnor
