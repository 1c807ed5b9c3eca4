#pragma once
// Resizing one axis of an image: each output position is a weighted sum of a run of input positions.
#include <cstddef>
#include <vector>

namespace xnor::image_detail {

struct Taps {
  std::size_t first = 0;       // the first input position of the run
  std::vector<float> weights;  // one per input position, summing to 1
};

// The taps of each of `out` positions resampling `in` positions (both positive): area averaging when the
// axis shrinks (each input pixel weighs by how much of it the output pixel covers), bilinear interpolation
// when it grows (pixel centres aligned, clamped at the edges), the identity when the sizes are equal.
std::vector<Taps> resample_taps(std::size_t in, std::size_t out);

}  // namespace xnor::image_detail
