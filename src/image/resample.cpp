#include "src/image/resample.hpp"

#include <algorithm>
#include <cmath>

namespace xnor::image_detail {

std::vector<Taps> resample_taps(std::size_t in, std::size_t out) {
  std::vector<Taps> taps(out);
  if (in > out) {
    // Measured in units of 1/(in * out) of the axis, input pixel i covers [i * out, (i + 1) * out) and
    // output pixel j covers [j * in, (j + 1) * in): the overlaps are exact integers.
    for (std::size_t j = 0; j < out; ++j) {
      const std::size_t begin = j * in, end = (j + 1) * in;
      taps[j].first = begin / out;
      for (std::size_t i = taps[j].first; i * out < end; ++i) {
        const std::size_t overlap = std::min(end, (i + 1) * out) - std::max(begin, i * out);
        taps[j].weights.push_back(static_cast<float>(static_cast<double>(overlap) / static_cast<double>(in)));
      }
    }
    return taps;
  }
  const double scale = static_cast<double>(in) / static_cast<double>(out);
  for (std::size_t j = 0; j < out; ++j) {
    const double x = std::clamp((static_cast<double>(j) + 0.5) * scale - 0.5, 0.0, static_cast<double>(in - 1));
    const double left = std::floor(x);
    const auto fraction = static_cast<float>(x - left);
    taps[j].first = static_cast<std::size_t>(left);
    taps[j].weights = fraction > 0.0f ? std::vector<float>{1.0f - fraction, fraction} : std::vector<float>{1.0f};
  }
  return taps;
}

}  // namespace xnor::image_detail
