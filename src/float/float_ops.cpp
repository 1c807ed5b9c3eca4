#include "xnor/float_ops.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "src/check_size.hpp"
#include "src/window.hpp"
#include "src/separable_pool.hpp"

namespace xnor {
namespace {

void check_pool(const char* operation, std::span<const float> input, const ConvGeometry& g, std::span<float> output) {
  g.validate();
  if (g.out_c != g.in_c) {
    throw std::invalid_argument(std::string(operation) + ": a pool keeps its " + std::to_string(g.in_c) +
                                " channels, geometry asks for " + std::to_string(g.out_c));
  }
  detail::check_size(operation, "input", input.size(), g.in_pixels() * g.in_c);
  detail::check_size(operation, "output", output.size(), g.out_pixels() * g.out_c);
}

}  // namespace

void activate(std::span<float> values, std::size_t channels, const Activation& activation) {
  detail::groups_of("activation", values.size(), channels);
  if (activation.kind == Activation::Kind::prelu) {
    detail::check_size("activation", "PReLU slopes", activation.slopes.size(), channels);
    // Per pixel, the channel is the loop index: Activation::apply's select, which vectorizes without a branch
    // on the data's sign because this unit is compiled without trapping math (CMakeLists.txt). The same floats
    // as every kernel's PReLU, -0 and infinite slopes included, so fusing it into a layer changes nothing.
    const float* __restrict slopes = activation.slopes.data();
    for (std::size_t first = 0; first < values.size(); first += channels) {
      float* __restrict v = values.data() + first;
      for (std::size_t c = 0; c < channels; ++c) {
        const float sloped = slopes[c] * v[c];
        v[c] = v[c] < 0.0f ? sloped : v[c];
      }
    }
    return;
  }
  // One kind for every value: the loop of each kind vectorizes (apply's switch inside it would not).
  const auto each = [&](auto f) {
    for (float& v : values) v = f(v);
  };
  const float low = activation.low, high = activation.high, alpha = activation.alpha, beta = activation.beta;
  switch (activation.kind) {
    case Activation::Kind::none:
    case Activation::Kind::prelu:
      return;
    case Activation::Kind::relu:
      return each([](float y) { return y < 0.0f ? 0.0f : y; });
    case Activation::Kind::clamp:
      return each([=](float y) { return std::min(std::max(y, low), high); });
    case Activation::Kind::hard_sigmoid:
      return each([=](float y) { return std::min(std::max(alpha * y + beta, 0.0f), 1.0f); });
    case Activation::Kind::hard_swish:
      return each([=](float y) { return y * std::min(std::max(alpha * y + beta, 0.0f), 1.0f); });
  }
}

void max_pool(std::span<const float> input, const ConvGeometry& geometry, std::span<float> output, OutputRows rows) {
  check_pool("max pool", input, geometry, output);
  detail::separable_pool(geometry, geometry.in_c, input.data(), output.data(), rows,
                         -std::numeric_limits<float>::infinity(), [](float a, float b) { return std::max(a, b); });
}

// The mean of the window's cells inside the image (padded cells add 0 but may count).
void average_pool(std::span<const float> input, const ConvGeometry& g, std::span<float> output, OutputRows rows,
                  bool count_padding) {
  check_pool("average pool", input, g, output);
  const std::size_t channels = g.in_c;
  for (std::size_t oy = rows.begin; oy < std::min(rows.end, g.out_h()); ++oy) {
    for (std::size_t ox = 0; ox < g.out_w(); ++ox) {
      float* out = output.data() + (oy * g.out_w() + ox) * channels;
      std::fill(out, out + channels, 0.0f);
      std::size_t cells = 0;
      detail::for_each_window_cell(g, oy, ox, [&](std::size_t, std::size_t pixel) {
        const float* in = input.data() + pixel * channels;
        for (std::size_t c = 0; c < channels; ++c) out[c] += in[c];
        ++cells;
      });
      if (count_padding) cells = detail::padded_window_cells(g, oy, ox);
      for (std::size_t c = 0; c < channels; ++c) out[c] /= static_cast<float>(cells);
    }
  }
}

void global_average_pool(std::span<const float> input, std::size_t pixels, std::size_t channels,
                         std::span<float> output) {
  detail::check_size("global average pool", "input", input.size(), pixels * channels);
  detail::check_size("global average pool", "output", output.size(), channels);
  if (pixels == 0) throw std::invalid_argument("global average pool: no pixels");
  std::fill(output.begin(), output.end(), 0.0f);
  for (std::size_t p = 0; p < pixels; ++p) {
    for (std::size_t c = 0; c < channels; ++c) output[c] += input[p * channels + c];
  }
  for (float& sum : output) sum /= static_cast<float>(pixels);
}

void concat_channels(std::span<const FloatChannels> inputs, std::size_t pixels, std::span<float> output) {
  std::size_t total = 0;
  for (const FloatChannels& in : inputs) {
    detail::check_size("concat", "an input", in.values.size(), pixels * in.channels);
    total += in.channels;
  }
  detail::check_size("concat", "output", output.size(), pixels * total);
  std::size_t first = 0;
  for (const FloatChannels& in : inputs) {
    for (std::size_t p = 0; p < pixels; ++p) {
      std::copy_n(in.values.data() + p * in.channels, in.channels, output.data() + p * total + first);
    }
    first += in.channels;
  }
}

void softmax(std::span<const float> logits, std::span<float> probabilities) {
  detail::check_size("softmax", "output", probabilities.size(), logits.size());
  if (logits.empty()) throw std::invalid_argument("softmax: no logits");
  const float max = *std::max_element(logits.begin(), logits.end());
  float sum = 0.0f;
  for (std::size_t i = 0; i < logits.size(); ++i) sum += probabilities[i] = std::exp(logits[i] - max);
  for (float& p : probabilities) p /= sum;
}

}  // namespace xnor
