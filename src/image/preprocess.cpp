// An image to a model's input tensor (see preprocess() in image.hpp). One pass over the source rows: each
// is converted to the model's colours and resized horizontally, then added with its vertical weights to
// the output rows it falls in, so memory stays at one source row plus the output whatever the image size.
#include <algorithm>
#include <stdexcept>
#include <utility>

#include "src/image/resample.hpp"
#include "xnor/image.hpp"

namespace xnor {
namespace {

// The pixel's colour on a white background, in [0, 255]: gray (BT.601 luma) when `out_channels` is 1,
// else RGB.
void flattened_colour(const std::uint8_t* pixel, std::size_t channels, std::size_t out_channels, float* out) {
  const bool gray = channels <= 2;
  const float alpha = channels == 2 || channels == 4 ? pixel[channels - 1] / 255.0f : 1.0f;
  const auto on_white = [alpha](std::uint8_t v) { return 255.0f - (255.0f - v) * alpha; };
  if (gray) {
    std::fill_n(out, out_channels, on_white(pixel[0]));
    return;
  }
  const float r = on_white(pixel[0]), g = on_white(pixel[1]), b = on_white(pixel[2]);
  if (out_channels == 1) {
    out[0] = 0.299f * r + 0.587f * g + 0.114f * b;
  } else {
    out[0] = r;
    out[1] = g;
    out[2] = b;
  }
}

void check_arguments(const Image& image, const InputSpec& spec) {
  if (!is_image_input(spec)) {
    throw std::invalid_argument("preprocess: the input " + std::to_string(spec.h) + "x" + std::to_string(spec.w) + "x" +
                                std::to_string(spec.c) + " is not an image (1 or 3 channels, a mean and a positive std each)");
  }
  if (image.h == 0 || image.w == 0 || image.c == 0 || image.c > 4 || image.pixels.size() != image.h * image.w * image.c) {
    throw std::invalid_argument("preprocess: an image of " + std::to_string(image.h) + "x" + std::to_string(image.w) + "x" +
                                std::to_string(image.c) + " with " + std::to_string(image.pixels.size()) + " bytes");
  }
}

// Writes spec.h x spec.w x spec.c floats to `out`; the arguments are checked.
void fill_input(const Image& image, const InputSpec& spec, float* out) {
  const std::size_t channels = spec.c, out_row = spec.w * channels;
  const std::vector<image_detail::Taps> columns = image_detail::resample_taps(image.w, spec.w);
  const std::vector<image_detail::Taps> rows = image_detail::resample_taps(image.h, spec.h);
  // For each source row, the output rows it adds to and its weight in each.
  std::vector<std::vector<std::pair<std::size_t, float>>> row_uses(image.h);
  for (std::size_t y = 0; y < spec.h; ++y) {
    for (std::size_t k = 0; k < rows[y].weights.size(); ++k) row_uses[rows[y].first + k].emplace_back(y, rows[y].weights[k]);
  }

  std::fill_n(out, spec.h * out_row, 0.0f);
  std::vector<float> colours(image.w * channels), resized(out_row);
  for (std::size_t source_y = 0; source_y < image.h; ++source_y) {
    if (row_uses[source_y].empty()) continue;
    const std::uint8_t* row = image.pixels.data() + source_y * image.w * image.c;
    for (std::size_t x = 0; x < image.w; ++x) flattened_colour(row + x * image.c, image.c, channels, &colours[x * channels]);
    for (std::size_t x = 0; x < spec.w; ++x) {
      for (std::size_t ch = 0; ch < channels; ++ch) {
        float sum = 0.0f;
        for (std::size_t k = 0; k < columns[x].weights.size(); ++k) {
          sum += columns[x].weights[k] * colours[(columns[x].first + k) * channels + ch];
        }
        resized[x * channels + ch] = sum;
      }
    }
    for (const auto& [y, weight] : row_uses[source_y]) {
      float* target = out + y * out_row;
      for (std::size_t i = 0; i < out_row; ++i) target[i] += weight * resized[i];
    }
  }

  for (std::size_t i = 0; i < spec.h * spec.w; ++i) {
    for (std::size_t ch = 0; ch < channels; ++ch) {
      float& v = out[i * channels + ch];
      v = v / 255.0f * spec.value_max;
      if (spec.invert) v = spec.value_max - v;
      v = (v - spec.mean[ch]) / spec.std[ch];
    }
  }
}

}  // namespace

bool is_image_input(const InputSpec& spec) {
  return (spec.c == 1 || spec.c == 3) && spec.h > 0 && spec.w > 0 && spec.mean.size() == spec.c &&
         spec.std.size() == spec.c && std::all_of(spec.std.begin(), spec.std.end(), [](float s) { return s > 0.0f; });
}

std::vector<float> preprocess(const Image& image, const InputSpec& spec) {
  check_arguments(image, spec);
  std::vector<float> input(spec.h * spec.w * spec.c);
  fill_input(image, spec, input.data());
  return input;
}

}  // namespace xnor
