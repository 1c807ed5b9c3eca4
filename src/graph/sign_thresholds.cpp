#include "src/graph/sign_thresholds.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <numeric>

namespace xnor::detail {
namespace {

// Floats other than NaN in order, as integers: -inf ... -0 and +0 (both 0) ... +inf. A scale and shift give
// -0 and +0 the same sign, so one ordinal serves both.
std::int64_t ordinal(float x) {
  const auto bits = std::bit_cast<std::uint32_t>(x);
  return bits >> 31 ? -static_cast<std::int64_t>(bits & 0x7fffffffu) : static_cast<std::int64_t>(bits);
}

float from_ordinal(std::int64_t k) {
  return std::bit_cast<float>(k < 0 ? 0x80000000u | static_cast<std::uint32_t>(-k) : static_cast<std::uint32_t>(k));
}

}  // namespace

std::optional<SignThresholds> sign_thresholds(const BatchNorm& norm) {
  const std::size_t channels = norm.channels();
  if (norm.shift.size() != channels) return std::nullopt;
  for (std::size_t c = 0; c < channels; ++c) {
    if (!std::isfinite(norm.scale[c]) || norm.scale[c] == 0.0f || !std::isfinite(norm.shift[c])) return std::nullopt;
  }
  SignThresholds result{std::vector<float>(channels), std::vector<float>(channels)};
  // With y = flip * x, norm gives a non-decreasing function of y (rounding is monotonic), -inf at y = -inf and
  // +inf at y = +inf: "negative" holds for every y below some T and for none from T on. Bisect for T in every
  // channel at once, each step one run of norm over a pixel of candidates: below[c] is negative, above[c] not.
  std::vector<std::int64_t> below(channels, ordinal(-INFINITY) - 1), above(channels, ordinal(INFINITY));
  std::vector<float> x(channels), y(channels);
  for (std::size_t c = 0; c < channels; ++c) result.flip[c] = norm.scale[c] > 0.0f ? 1.0f : -1.0f;
  for (bool narrowing = true; narrowing;) {
    narrowing = false;
    for (std::size_t c = 0; c < channels; ++c) {
      x[c] = result.flip[c] * from_ordinal(std::midpoint(below[c], above[c]));
    }
    norm.run(x, y);
    for (std::size_t c = 0; c < channels; ++c) {
      if (above[c] - below[c] <= 1) continue;
      (y[c] < 0.0f ? below[c] : above[c]) = std::midpoint(below[c], above[c]);
      narrowing = narrowing || above[c] - below[c] > 1;
    }
  }
  for (std::size_t c = 0; c < channels; ++c) result.thresholds[c] = from_ordinal(above[c]);
  return result;
}

}  // namespace xnor::detail
