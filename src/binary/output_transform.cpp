#include "xnor/output_transform.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace xnor {

OutputTransform::OutputTransform(OutputKind kind, std::vector<float> multiplier, std::vector<float> bias,
                                 Activation activation)
    : kind_(kind), multiplier_(std::move(multiplier)), bias_(std::move(bias)), activation_(std::move(activation)) {
  if (!activation_.fusable()) throw std::invalid_argument("output transform: a hard sigmoid or swish does not fuse");
  if (bias_.size() != multiplier_.size() ||
      (activation_.kind == Activation::Kind::prelu && activation_.slopes.size() != multiplier_.size())) {
    throw std::invalid_argument("output transform: " + std::to_string(multiplier_.size()) + " multipliers, " +
                                std::to_string(bias_.size()) + " biases and " +
                                std::to_string(activation_.slopes.size()) + " PReLU slopes disagree");
  }
}

OutputTransform OutputTransform::to_float(std::vector<float> multiplier, std::vector<float> bias, Activation activation) {
  return {OutputKind::float32, std::move(multiplier), std::move(bias), std::move(activation)};
}

OutputTransform OutputTransform::to_int8(std::vector<float> multiplier, std::vector<float> bias, Activation activation,
                                         float scale, std::int32_t zero_point) {
  if (!(scale > 0.0f) || !std::isfinite(scale) || zero_point < -128 || zero_point > 127) {
    throw std::invalid_argument("int8 output: scale must be positive and finite, zero point in [-128, 127]");
  }
  OutputTransform transform(OutputKind::int8, std::move(multiplier), std::move(bias), std::move(activation));
  transform.scale_ = scale;
  transform.zero_point_ = zero_point;
  return transform;
}

OutputTransform OutputTransform::to_bits(std::vector<float> multiplier, std::vector<float> bias, Activation activation,
                                         std::int32_t max_abs_dot) {
  OutputTransform transform(OutputKind::bits, std::move(multiplier), std::move(bias), std::move(activation));
  constexpr std::int32_t none_low = 1, none_high = 0;  // an empty range: never negative
  for (std::size_t n = 0; n < transform.channels(); ++n) {
    const auto is_negative = [&](std::int32_t d) { return transform.value(d, n) < 0.0f; };
    // Negative outputs lie on the low side of d when the multiplier is positive, on the high side when it is
    // negative; with a zero multiplier, y does not depend on d.
    const bool low_side = transform.multiplier_[n] > 0.0f || (transform.multiplier_[n] == 0.0f && is_negative(0));
    const std::int32_t near = low_side ? -max_abs_dot : max_abs_dot;
    const std::int32_t far = low_side ? max_abs_dot : -max_abs_dot;
    if (!is_negative(near)) {
      transform.negative_low_.push_back(none_low);
      transform.negative_high_.push_back(none_high);
      continue;
    }
    // Binary search for the last negative d seen from `near`.
    std::int32_t inside = far;
    if (!is_negative(far)) {
      inside = near;
      std::int32_t outside = far;
      while (outside - inside > 1 || inside - outside > 1) {
        const std::int32_t mid = inside + (outside - inside) / 2;
        (is_negative(mid) ? inside : outside) = mid;
      }
    }
    // Beyond [-max_abs_dot, max_abs_dot] the range just extends (d never gets there).
    transform.negative_low_.push_back(low_side ? std::numeric_limits<std::int32_t>::min() : inside);
    transform.negative_high_.push_back(low_side ? inside : std::numeric_limits<std::int32_t>::max());
  }
  return transform;
}

std::int8_t OutputTransform::quantize(float y) const {
  const float q = std::round(y / scale_) + static_cast<float>(zero_point_);  // std::round: half away from zero
  if (!(q > -128.0f)) return -128;  // also NaN
  if (q > 127.0f) return 127;
  return static_cast<std::int8_t>(q);
}

}  // namespace xnor
