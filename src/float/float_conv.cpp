// FloatConv2d and FloatDense: weight panels, the zero border, and the loop over row chunks and panels.
#include "xnor/float_conv.hpp"

#include <algorithm>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>

#include "src/aligned_buffer.hpp"
#include "src/check_size.hpp"
#include "src/float/conv_kernels.hpp"
#include "src/path_kernels.hpp"

namespace xnor {
namespace detail {

// Aligned so that no vector load of a panel straddles two cache lines.
struct FloatConvPanels {
  AlignedBuffer weights;   // [panel][tap][in_c][panel width]
  AlignedBuffer epilogue;  // [panel][bias, negative slope, low, high][panel width]
  bool sloped = false;     // a PReLU: negative slopes other than 1
};

}  // namespace detail

namespace {

// The epilogue's four rows per panel (conv_kernels.hpp).
enum EpilogueRow : std::size_t { bias_row, slope_row, low_row, high_row, epilogue_rows };

constexpr const char* layer_name = "float layer";

// Padded input rows (or columns) the windows reach: past the input where padding follows it.
std::size_t reach(std::size_t out, std::size_t stride, std::size_t kernel) { return (out - 1) * stride + kernel; }

}  // namespace

FloatConv2d::FloatConv2d(const ConvGeometry& geometry, std::span<const float> weights, std::span<const float> bias,
                         Activation activation, Path path)
    : geometry_(geometry), path_(path), kernels_(detail::path_kernels(path).float_conv) {
  geometry_.validate();
  const ConvGeometry& g = geometry_;
  const std::size_t k = g.taps() * g.in_c;
  detail::check_size(layer_name, "weights", weights.size(), g.out_c * k);
  if (!bias.empty()) detail::check_size(layer_name, "bias", bias.size(), g.out_c);
  if (!activation.fusable()) throw std::invalid_argument("float layer: a hard sigmoid or swish does not fuse into a convolution");
  if (activation.kind == Activation::Kind::prelu) {
    detail::check_size(layer_name, "PReLU slopes", activation.slopes.size(), g.out_c);
  }

  const std::size_t width = kernels_->panel_width;
  const std::size_t panels = (g.out_c + width - 1) / width;
  auto packed = std::make_shared<detail::FloatConvPanels>();
  packed->weights = detail::AlignedBuffer(panels * k * width * sizeof(float));  // zero past out_c
  packed->epilogue = detail::AlignedBuffer(panels * epilogue_rows * width * sizeof(float));
  packed->sloped = activation.kind == Activation::Kind::prelu;
  for (std::size_t n = 0; n < panels * width; ++n) {
    float* e = packed->epilogue.as<float>() + (n / width) * epilogue_rows * width + n % width;
    e[bias_row * width] = 0.0f;
    e[slope_row * width] = 1.0f;
    e[low_row * width] = -std::numeric_limits<float>::infinity();
    e[high_row * width] = std::numeric_limits<float>::infinity();
    if (n >= g.out_c) continue;
    float* column = packed->weights.as<float>() + (n / width) * k * width + n % width;
    for (std::size_t i = 0; i < k; ++i) column[i * width] = weights[n * k + i];
    if (!bias.empty()) e[bias_row * width] = bias[n];
    switch (activation.kind) {
      case Activation::Kind::none:
        break;
      case Activation::Kind::relu:
        e[low_row * width] = 0.0f;
        break;
      case Activation::Kind::prelu:
        e[slope_row * width] = activation.slopes[n];
        break;
      case Activation::Kind::clamp:
        e[low_row * width] = activation.low;
        e[high_row * width] = activation.high;
        break;
      case Activation::Kind::hard_sigmoid:
      case Activation::Kind::hard_swish:
        break;  // refused above
    }
  }
  panels_ = std::move(packed);

  // The kernel reads every window without bounds checks: if a window leaves the input, run() first copies
  // the input into a zero border wide enough for all of them.
  pads_input_ = g.pad_top() != 0 || g.pad_left() != 0 || reach(g.out_h(), g.stride, g.kernel_h) > g.in_h ||
                reach(g.out_w(), g.stride, g.kernel_w) > g.in_w;
  row_pixels_ = pads_input_ ? reach(g.out_w(), g.stride, g.kernel_w) : g.in_w;
  for (std::size_t ky = 0; ky < g.kernel_h; ++ky) {
    for (std::size_t kx = 0; kx < g.kernel_w; ++kx) tap_offsets_.push_back((ky * row_pixels_ + kx) * g.in_c);
  }
}

void FloatConv2d::run(std::span<const float> input, std::span<float> output, ThreadPool* pool,
                      std::span<const float> residual) const {
  detail::check_size(layer_name, "input", input.size(), input_size());
  detail::check_size(layer_name, "output", output.size(), output_size());
  if (!residual.empty()) detail::check_size(layer_name, "residual", residual.size(), output_size());
  const ConvGeometry& g = geometry_;
  // Scratch kept by the thread: a session allocates nothing after its first run.
  thread_local std::vector<float> bordered;
  const float* source = input.data();
  if (pads_input_) {
    // The bordered image is as large as the windows reach: input rows and columns past it are never read.
    const std::size_t rows = reach(g.out_h(), g.stride, g.kernel_h);
    bordered.assign(rows * row_pixels_ * g.in_c, 0.0f);
    const std::size_t columns = g.pad_left() < row_pixels_ ? std::min(g.in_w, row_pixels_ - g.pad_left()) : 0;
    for (std::size_t y = 0; y < g.in_h && y + g.pad_top() < rows; ++y) {
      std::copy_n(input.data() + y * g.in_w * g.in_c, columns * g.in_c,
                  bordered.data() + ((y + g.pad_top()) * row_pixels_ + g.pad_left()) * g.in_c);
    }
    source = bordered.data();
  }
  const std::size_t width = kernels_->panel_width;
  const std::size_t panel_size = g.taps() * g.in_c * width;
  const float* weights = panels_->weights.as<float>();
  const float* epilogue = panels_->epilogue.as<float>();
  parallel_for(pool, g.out_h(), 1, [&](std::size_t row_begin, std::size_t row_end) {
    for (std::size_t first = 0; first < g.out_c; first += width) {
      const std::size_t panel = first / width;
      kernels_->conv_panel({source, g.in_c, row_pixels_, g.stride, g.out_w(), tap_offsets_.data(), g.taps(),
                            row_begin * g.out_w(), row_end * g.out_w(), weights + panel * panel_size,
                            epilogue + panel * epilogue_rows * width, panels_->sloped,
                            residual.empty() ? nullptr : residual.data() + first, output.data() + first, g.out_c,
                            std::min(width, g.out_c - first)});
    }
  });
}

FloatDense::FloatDense(std::size_t in_features, std::size_t out_features, std::span<const float> weights,
                       std::span<const float> bias, Activation activation, Path path)
    : conv_(ConvGeometry{1, 1, in_features, 1, 1, 1, Padding::valid, out_features}, weights, bias,
            std::move(activation), path) {}

}  // namespace xnor
