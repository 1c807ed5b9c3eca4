#pragma once
// What a binary layer emits for output channel n from its integer ±1 dot product d:
//   y = multiplier[n] * (d * pixel_scale) + bias[n], then the activation,
// emitted as float y, as int8 round_half_away(y / scale) + zero_point (saturated), or as one bit
// (bit 1 where y < 0, bitpack.hpp's convention). multiplier is the XNOR-Net alpha times a folded BatchNorm
// scale; pixel_scale is 1 unless the layer uses the paper's activation scaling K.
//
// For bits, the transform is precomputed as a range of d per channel: bit = lo[n] <= d <= hi[n]. y is affine
// in d and "activation(y) < 0" is a half-line in y for every activation here, so the set of d giving bit 1
// is an interval; it is found by evaluating the float expression itself, so thresholds agree with
// value() exactly, and the comparison's direction follows the sign of the multiplier.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "xnor/activation.hpp"

namespace xnor {

enum class OutputKind { float32, int8, bits };

class OutputTransform {
 public:
  static OutputTransform to_float(std::vector<float> multiplier, std::vector<float> bias, Activation activation = {});
  static OutputTransform to_int8(std::vector<float> multiplier, std::vector<float> bias, Activation activation,
                                 float scale, std::int32_t zero_point);
  // max_abs_dot: the largest |d| the layer can produce (its K in bits); bounds the threshold search.
  static OutputTransform to_bits(std::vector<float> multiplier, std::vector<float> bias, Activation activation,
                                 std::int32_t max_abs_dot);

  OutputKind kind() const { return kind_; }
  std::size_t channels() const { return multiplier_.size(); }
  const std::vector<float>& multiplier() const { return multiplier_; }
  const std::vector<float>& bias() const { return bias_; }
  const Activation& activation() const { return activation_; }
  float int8_scale() const { return scale_; }
  std::int32_t int8_zero_point() const { return zero_point_; }

  float value(std::int32_t d, std::size_t n, float pixel_scale = 1.0f) const {
    return activation_.apply(multiplier_[n] * (static_cast<float>(d) * pixel_scale) + bias_[n], n);
  }
  std::int8_t quantize(float y) const;
  // The output bit for d (pixel_scale 1), from the precomputed range.
  bool negative(std::int32_t d, std::size_t n) const { return negative_low_[n] <= d && d <= negative_high_[n]; }
  const std::vector<std::int32_t>& negative_low() const { return negative_low_; }
  const std::vector<std::int32_t>& negative_high() const { return negative_high_; }

 private:
  OutputTransform(OutputKind kind, std::vector<float> multiplier, std::vector<float> bias, Activation activation);

  OutputKind kind_;
  std::vector<float> multiplier_, bias_;
  Activation activation_;
  float scale_ = 1.0f;
  std::int32_t zero_point_ = 0;
  std::vector<std::int32_t> negative_low_, negative_high_;
};

}  // namespace xnor
