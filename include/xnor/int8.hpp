#pragma once
// int8 quantization, the TFLite int8 scheme: a tensor's real value is scale * (q - zero_point), q in [-128, 127].
// Layers compute in integers only: an int32 accumulator is rescaled to the output by a fixed-point multiplier
// (gemmlowp's SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT), the output zero point is added and
// the result is clamped to the bounds of the fused activation. These functions are the specification every
// int8 kernel is tested against.
#include <cstdint>
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
// overflowing case, a = b = INT32_MIN, gives INT32_MAX.
std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a, std::int32_t b);
// gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero; exponent in [0, 31].
std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent);
// x times the multiplier, as TFLite's MultiplyByQuantizedMultiplier: x shifted left by max(shift, 0) (saturating
// where TFLite would overflow), SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT by max(-shift, 0).
std::int32_t multiply_by_quantized_multiplier(std::int32_t x, FixedPointMultiplier m);

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
