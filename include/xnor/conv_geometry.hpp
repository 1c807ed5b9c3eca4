#pragma once
// The geometry of a 2-D convolution or pooling window over an NHWC image (batch 1). Padding is one of:
//   valid    — none;
//   same     — TensorFlow's: ceil(in / stride) outputs, padded by max((out - 1) * stride + kernel - in, 0) in
//              total, the smaller half before (top/left);
//   explicit — given amounts per side (PyTorch's symmetric padding, ONNX pads).
// Outputs are floor((in + before + after - kernel) / stride) + 1, or with ceil_mode (pools) the ceiling, less
// one where the last window would start past the input and its leading padding (PyTorch's and ONNX's rule).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace xnor {

struct Padding {
  enum class Mode : std::uint8_t { valid, same, explicit_amounts };
  Mode mode = Mode::valid;
  std::size_t top = 0, left = 0, bottom = 0, right = 0;  // explicit_amounts only

  static constexpr Padding amounts(std::size_t top, std::size_t left, std::size_t bottom, std::size_t right) {
    return {Mode::explicit_amounts, top, left, bottom, right};
  }
  static constexpr Padding symmetric(std::size_t amount) { return amounts(amount, amount, amount, amount); }
  static const Padding valid, same;

  friend constexpr bool operator==(const Padding&, const Padding&) = default;
};
inline constexpr Padding Padding::valid{};
inline constexpr Padding Padding::same{Padding::Mode::same};

// A band [begin, end) of a window operation's output rows (end is clamped to the output's height), so that
// threads can share one operation without changing its inner loops.
struct OutputRows {
  std::size_t begin = 0, end = static_cast<std::size_t>(-1);
};

struct ConvGeometry {
  std::size_t in_h = 0, in_w = 0, in_c = 0;
  std::size_t kernel_h = 1, kernel_w = 1;
  std::size_t stride = 1;
  Padding padding = Padding::valid;
  std::size_t out_c = 0;
  bool ceil_mode = false;

  std::size_t out_h() const { return out_size(in_h, kernel_h, padding.top, padding.bottom); }
  std::size_t out_w() const { return out_size(in_w, kernel_w, padding.left, padding.right); }
  std::size_t pad_top() const { return pads(in_h, kernel_h, padding.top, padding.bottom).first; }
  std::size_t pad_left() const { return pads(in_w, kernel_w, padding.left, padding.right).first; }
  // Padding after the input that windows cover (PyTorch counts it in an average's divisor; a ceil_mode
  // overhang beyond it is not).
  std::size_t pad_bottom() const { return pads(in_h, kernel_h, padding.top, padding.bottom).second; }
  std::size_t pad_right() const { return pads(in_w, kernel_w, padding.left, padding.right).second; }
  bool padded() const { return pad_top() != 0 || pad_left() != 0 || pad_bottom() != 0 || pad_right() != 0; }
  std::size_t taps() const { return kernel_h * kernel_w; }
  std::size_t in_pixels() const { return in_h * in_w; }
  std::size_t out_pixels() const { return out_h() * out_w(); }

  // Throws std::invalid_argument for zero sizes or a kernel larger than the padded input.
  void validate() const {
    if (in_h == 0 || in_w == 0 || in_c == 0 || kernel_h == 0 || kernel_w == 0 || stride == 0 || out_c == 0) {
      throw std::invalid_argument("convolution geometry: every size must be positive (input " + std::to_string(in_h) +
                                  "x" + std::to_string(in_w) + "x" + std::to_string(in_c) + ", kernel " +
                                  std::to_string(kernel_h) + "x" + std::to_string(kernel_w) + ", stride " +
                                  std::to_string(stride) + ", " + std::to_string(out_c) + " outputs)");
    }
    if (padding.mode == Padding::Mode::same) return;
    if (kernel_h > in_h + padding.top + padding.bottom || kernel_w > in_w + padding.left + padding.right) {
      throw std::invalid_argument("convolution geometry: kernel " + std::to_string(kernel_h) + "x" +
                                  std::to_string(kernel_w) + " larger than the padded input " +
                                  std::to_string(in_h + padding.top + padding.bottom) + "x" +
                                  std::to_string(in_w + padding.left + padding.right));
    }
  }

 private:
  std::size_t out_size(std::size_t in, std::size_t kernel, std::size_t before, std::size_t after) const {
    if (padding.mode == Padding::Mode::same) return (in + stride - 1) / stride;
    const std::size_t padded = in + before + after;
    if (padded < kernel) return 0;
    const std::size_t span = padded - kernel;
    std::size_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
    if (ceil_mode && (out - 1) * stride >= in + before) --out;
    return out;
  }
  // The padding before and after the input along one axis.
  std::pair<std::size_t, std::size_t> pads(std::size_t in, std::size_t kernel, std::size_t before, std::size_t after) const {
    switch (padding.mode) {
      case Padding::Mode::valid:
        return {0, 0};
      case Padding::Mode::explicit_amounts:
        return {before, after};
      case Padding::Mode::same:
        break;
    }
    const std::size_t needed = (out_size(in, kernel, 0, 0) - 1) * stride + kernel;
    const std::size_t total = needed > in ? needed - in : 0;
    return {total / 2, total - total / 2};
  }
};

}  // namespace xnor
