// int8 max and average pooling (int8_ops.hpp), TFLite's integer semantics: only positions inside the image
// count, and the average of the raw values rounds half away from zero.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "src/separable_pool.hpp"
#include "src/window.hpp"
#include "xnor/int8_ops.hpp"

namespace xnor {
namespace {

void check_pool(const ConvGeometry& window, std::size_t input, std::size_t output, Int8Range range, const char* name) {
  window.validate();
  if (window.out_c != window.in_c) {
    throw std::invalid_argument(std::string(name) + ": a pool keeps the channels, but out_c " +
                                std::to_string(window.out_c) + " != in_c " + std::to_string(window.in_c));
  }
  if (input != window.in_pixels() * window.in_c || output != window.out_pixels() * window.out_c) {
    throw std::invalid_argument(std::string(name) + ": input of " + std::to_string(input) + " and output of " +
                                std::to_string(output) + " values, the shape needs " +
                                std::to_string(window.in_pixels() * window.in_c) + " and " +
                                std::to_string(window.out_pixels() * window.out_c));
  }
  if (range.min > range.max) throw std::invalid_argument(std::string(name) + ": empty activation range");
}

}  // namespace

void int8_max_pool(const ConvGeometry& window, std::span<const std::int8_t> input, std::span<std::int8_t> output,
                   Int8Range range, OutputRows rows) {
  check_pool(window, input.size(), output.size(), range, "int8_max_pool");
  // Starting from range.min clamps from below; the top of the range is applied after.
  detail::separable_pool(window, window.in_c, input.data(), output.data(), rows, range.min,
                         [](std::int8_t a, std::int8_t b) { return std::max(a, b); });
  if (range.max == std::numeric_limits<std::int8_t>::max()) return;
  const std::size_t row_values = window.out_w() * window.in_c;
  const std::size_t end = std::min(rows.end, window.out_h());
  for (std::size_t i = rows.begin * row_values; i < end * row_values; ++i) output[i] = std::min(output[i], range.max);
}

void int8_average_pool(const ConvGeometry& window, std::span<const std::int8_t> input, std::span<std::int8_t> output,
                       Int8Range range, OutputRows rows, bool count_padding, std::int8_t zero_point) {
  check_pool(window, input.size(), output.size(), range, "int8_average_pool");
  const std::size_t channels = window.in_c;
  thread_local std::vector<std::int32_t> sums;  // kept: no allocation after the first run
  sums.resize(channels);
  const std::size_t out_h = window.out_h(), out_w = window.out_w();  // (they divide: once, not per pixel)
  for (std::size_t oy = rows.begin; oy < std::min(rows.end, out_h); ++oy) {
    for (std::size_t ox = 0; ox < out_w; ++ox) {
      std::fill(sums.begin(), sums.end(), 0);
      std::int32_t count = 0;
      detail::for_each_window_cell(window, oy, ox, [&](std::size_t, std::size_t pixel) {
        const std::int8_t* in = input.data() + pixel * channels;
        for (std::size_t c = 0; c < channels; ++c) sums[c] += in[c];
        ++count;
      });
      // A window always overlaps the image (padding is smaller than the window), so count >= 1.
      std::int32_t padded = 0;
      if (count_padding) {
        padded = static_cast<std::int32_t>(detail::padded_window_cells(window, oy, ox)) - count;
        count += padded;
      }
      std::int8_t* out = output.data() + (oy * out_w + ox) * channels;
      for (std::size_t c = 0; c < channels; ++c) {
        const std::int32_t sum = sums[c] + padded * zero_point;
        const std::int32_t average = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
        out[c] = static_cast<std::int8_t>(std::clamp<std::int32_t>(average, range.min, range.max));
      }
    }
  }
}

}  // namespace xnor
