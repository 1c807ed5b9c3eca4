#pragma once
// int8 quantization, the TFLite int8 scheme: a tensor's real value is scale * (q - zero_point), q in [-128, 127].
// Layers compute in integers only: an int32 accumulator is rescaled to the output by a fixed-point multiplier
// (gemmlowp's SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT), the output zero point is added and
// the result is clamped to the bounds of the fused activation. These functions are the specification every
// int8 kernel is tested against.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>

#include "xnor/activation.hpp"
#include "xnor/cpu_path.hpp"

namespace xnor {

struct QuantParams {
  float scale = 1.0f;
  std::int32_t zero_point = 0;
};

// Throws std::invalid_argument (naming `what`) unless scale is positive and finite and zero_point in [-128, 127].
void validate_quant_params(QuantParams params, const char* what);

// A real multiplier as multiplier * 2^(shift - 31), multiplier in [2^30, 2^31) (0 for a real 0).
struct FixedPointMultiplier {
  std::int32_t multiplier = 0;
  int shift = 0;  // in [-31, 30]
};

// TFLite's QuantizeMultiplier: the nearest fixed-point form of real >= 0. Below 2^-32 it is 0; from 2^30 up it
// saturates. Throws std::invalid_argument for a negative or non-finite real.
FixedPointMultiplier quantize_multiplier(double real);

// gemmlowp's SaturatingRoundingDoublingHighMul: a * b / 2^31 rounded to nearest, ties toward +infinity; the one
// overflowing case, a = b = INT32_MIN, gives INT32_MAX. (Inline, as the next two: element-wise loops call them.)
inline std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a, std::int32_t b) {
  if (a == std::numeric_limits<std::int32_t>::min() && b == a) return std::numeric_limits<std::int32_t>::max();
  const std::int64_t ab = std::int64_t{a} * b;
  const std::int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  return static_cast<std::int32_t>((ab + nudge) / (std::int64_t{1} << 31));  // C++ division truncates toward 0
}
// gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero; exponent in [0, 31].
inline std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent) {
  const auto mask = static_cast<std::int32_t>((std::int64_t{1} << exponent) - 1);
  const std::int32_t remainder = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}
// x times the multiplier, as TFLite's MultiplyByQuantizedMultiplier: x shifted left by max(shift, 0) (saturating
// where TFLite would overflow), SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT by max(-shift, 0).
inline std::int32_t multiply_by_quantized_multiplier(std::int32_t x, FixedPointMultiplier m) {
  const int left = std::max(m.shift, 0);
  const int right = std::max(-m.shift, 0);
  const auto shifted = static_cast<std::int32_t>(std::clamp<std::int64_t>(
      std::int64_t{x} * (std::int64_t{1} << left), std::numeric_limits<std::int32_t>::min(),
      std::numeric_limits<std::int32_t>::max()));
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, m.multiplier), right);
}

// The int8 bounds of a fused activation, both inclusive.
struct Int8Range {
  std::int8_t min = -128;
  std::int8_t max = 127;
};

// none: [-128, 127]; relu: [quantize(0), 127]; clamp(low, high): [quantize(low), quantize(high)] (TFLite's
// CalculateActivationRangeQuantized). PReLU is no clamp: std::invalid_argument.
Int8Range activation_range(const Activation& activation, QuantParams output);

// An int32 accumulator to an int8 output: multiply_by_quantized_multiplier, plus the output zero point, clamped to
// range (the sum is formed without overflow).
std::int8_t requantize(std::int32_t acc, FixedPointMultiplier m, std::int32_t output_zero_point, Int8Range range);

// value / scale rounded half away from zero, plus the zero point, saturated to [-128, 127]; NaN gives the zero point.
std::int8_t quantize(float value, QuantParams params);
float dequantize(std::int8_t q, QuantParams params);
// Element-wise; throws std::invalid_argument if the spans' sizes differ. quantize runs the loop compiled for
// `path` (every path gives the same bytes).
void quantize(std::span<const float> values, QuantParams params, std::span<std::int8_t> out,
              Path path = active_path());
void dequantize(std::span<const std::int8_t> values, QuantParams params, std::span<float> out);

}  // namespace xnor
