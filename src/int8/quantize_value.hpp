#pragma once
// quantize(float, QuantParams) (xnor/int8.hpp) as an inline function, so that each instruction set's loop
// (quantize_kernels.hpp) compiles the same formula: a per-path header (src/target.hpp), in the including
// unit's namespace xnor::XNOR_ISA. It includes nothing itself: the unit includes <algorithm>, <cstddef> and
// <cstdint> before its target begins.
#ifndef XNOR_ISA
#error "src/int8/quantize_value.hpp is a per-path header: define XNOR_ISA first (src/target.hpp)"
#endif

namespace xnor::XNOR_ISA {

// value / scale rounded half away from zero, plus the zero point, saturated to [-128, 127]; NaN gives the zero
// point. Written without a libm call or a branch so that loops over it vectorize (with -fno-trapping-math, see
// CMakeLists.txt): truncate, then step away from zero when the dropped fraction is at least one half (exact
// below 2^23).
inline std::int8_t quantize_value(float value, float scale, std::int32_t zero_point) {
  const float scaled = value / scale;
  const float clamped = std::clamp(scaled == scaled ? scaled : 0.0f, -512.0f, 512.0f);
  auto q = static_cast<std::int32_t>(clamped);
  const float fraction = clamped - static_cast<float>(q);
  q += static_cast<std::int32_t>(fraction >= 0.5f) - static_cast<std::int32_t>(fraction <= -0.5f);
  return static_cast<std::int8_t>(std::clamp(q + zero_point, -128, 127));
}

// The loop every path's kernel runs, compiled in its own translation unit for its instruction set.
inline void quantize_values(const float* values, std::size_t count, float scale, std::int32_t zero_point,
                            std::int8_t* out) {
  for (std::size_t i = 0; i < count; ++i) out[i] = quantize_value(values[i], scale, zero_point);
}

}  // namespace xnor::XNOR_ISA
