#pragma once
// The activation fused at the end of a layer's output transform.
#include <algorithm>
#include <cstddef>
#include <vector>

namespace xnor {

struct Activation {
  enum class Kind { none, relu, prelu, clamp };
  Kind kind = Kind::none;
  float low = 0.0f, high = 0.0f;  // clamp: min(max(y, low), high)
  std::vector<float> slopes;      // prelu: y < 0 ? slopes[channel] * y : y

  static Activation none() { return {}; }
  static Activation relu() { return {Kind::relu, 0.0f, 0.0f, {}}; }
  static Activation prelu(std::vector<float> slopes) { return {Kind::prelu, 0.0f, 0.0f, std::move(slopes)}; }
  static Activation clamp(float low, float high) { return {Kind::clamp, low, high, {}}; }

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
    }
    return y;
  }
};

}  // namespace xnor
