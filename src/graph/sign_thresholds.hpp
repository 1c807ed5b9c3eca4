#pragma once
// A per-channel scale and shift followed by a sign (a BatchNorm, or ReActNet's learned threshold, before a
// binary layer) as thresholds on the values it would scale: the bits are then packed straight from those
// values (pack_signs with flips and thresholds), and the scaled tensor is never written.
#include <optional>
#include <vector>

#include "xnor/batch_norm.hpp"

namespace xnor::detail {

struct SignThresholds {
  std::vector<float> flip;        // +1 or -1 per channel: the sign of the scale
  std::vector<float> thresholds;  // per channel
};

// Flips and thresholds such that for every float x of channel c, flip[c] * x < thresholds[c] exactly where
// norm.run gives a negative value (NaN: neither). Found by bisection on norm.run itself, so they hold for the
// arithmetic this build does (with or without a fused multiply-add), in the default floating-point environment:
// with denormals flushed to zero, a denormal threshold (|shift / scale| below ~1e-38) compares as 0. nullopt
// where a scale is 0 or not finite or a shift is not finite: the sign is then not monotonic in x.
std::optional<SignThresholds> sign_thresholds(const BatchNorm& norm);

}  // namespace xnor::detail
