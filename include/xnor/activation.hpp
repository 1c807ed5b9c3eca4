#pragma once
// The activation fused at the end of a layer's output transform.
#include <algorithm>
#include <cstddef>
#include <vector>

namespace xnor {

struct Activation {
  // New kinds go at the end: the model file stores the index.
  enum class Kind { none, relu, prelu, clamp, hard_sigmoid, hard_swish };
  Kind kind = Kind::none;
  float low = 0.0f, high = 0.0f;  // clamp: min(max(y, low), high)
  std::vector<float> slopes;      // prelu: y < 0 ? slopes[channel] * y : y
  // hard_sigmoid: min(max(alpha * y + beta, 0), 1) (ONNX HardSigmoid); hard_swish: y times that (alpha 1/6,
  // beta 1/2: ONNX HardSwish, MobileNet v3's).
  float alpha = 0.0f, beta = 0.0f;

  static Activation none() { return {}; }
  static Activation relu() { return {Kind::relu, 0.0f, 0.0f, {}}; }
  static Activation prelu(std::vector<float> slopes) { return {Kind::prelu, 0.0f, 0.0f, std::move(slopes)}; }
  static Activation clamp(float low, float high) { return {Kind::clamp, low, high, {}}; }
  static Activation hard_sigmoid(float alpha, float beta) { return {Kind::hard_sigmoid, 0.0f, 0.0f, {}, alpha, beta}; }
  static Activation hard_swish() { return {Kind::hard_swish, 0.0f, 0.0f, {}, 1.0f / 6.0f, 0.5f}; }

  // Whether a layer's output transform can apply it (the piecewise-linear kinds); the hard kinds run as an
  // activation of their own.
  bool fusable() const { return kind != Kind::hard_sigmoid && kind != Kind::hard_swish; }

  float apply(float y, std::size_t channel) const {
    switch (kind) {
      case Kind::none:
        return y;
      case Kind::relu:
        return y < 0.0f ? 0.0f : y;
      case Kind::prelu:
        return y < 0.0f ? slopes[channel] * y : y;
      case Kind::clamp:
        return std::min(std::max(y, low), high);
      case Kind::hard_sigmoid:
        return std::min(std::max(alpha * y + beta, 0.0f), 1.0f);
      case Kind::hard_swish:
        return y * std::min(std::max(alpha * y + beta, 0.0f), 1.0f);
    }
    return y;
  }
};

}  // namespace xnor
