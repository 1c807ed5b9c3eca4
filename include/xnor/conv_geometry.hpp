#pragma once
// The geometry of a 2-D convolution or pooling window over an NHWC image (batch 1), TensorFlow conventions:
// "valid" uses no padding; "same" gives ceil(in / stride) outputs and pads by
// max((out - 1) * stride + kernel - in, 0) in total, the smaller half before (top/left).
#include <cstddef>
#include <stdexcept>
#include <string>

namespace xnor {

enum class Padding { valid, same };

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

  std::size_t out_h() const { return out_size(in_h, kernel_h); }
  std::size_t out_w() const { return out_size(in_w, kernel_w); }
  std::size_t pad_top() const { return pad_before(in_h, kernel_h, out_h()); }
  std::size_t pad_left() const { return pad_before(in_w, kernel_w, out_w()); }
  std::size_t taps() const { return kernel_h * kernel_w; }
  std::size_t in_pixels() const { return in_h * in_w; }
  std::size_t out_pixels() const { return out_h() * out_w(); }

  // Throws std::invalid_argument for zero sizes or a kernel larger than a valid-padded input.
  void validate() const {
    if (in_h == 0 || in_w == 0 || in_c == 0 || kernel_h == 0 || kernel_w == 0 || stride == 0 || out_c == 0) {
      throw std::invalid_argument("convolution geometry: every size must be positive (input " + std::to_string(in_h) +
                                  "x" + std::to_string(in_w) + "x" + std::to_string(in_c) + ", kernel " +
                                  std::to_string(kernel_h) + "x" + std::to_string(kernel_w) + ", stride " +
                                  std::to_string(stride) + ", " + std::to_string(out_c) + " outputs)");
    }
    if (padding == Padding::valid && (kernel_h > in_h || kernel_w > in_w)) {
      throw std::invalid_argument("convolution geometry: kernel " + std::to_string(kernel_h) + "x" +
                                  std::to_string(kernel_w) + " larger than the unpadded input " +
                                  std::to_string(in_h) + "x" + std::to_string(in_w));
    }
  }

 private:
  std::size_t out_size(std::size_t in, std::size_t kernel) const {
    if (padding == Padding::same) return (in + stride - 1) / stride;
    return in >= kernel ? (in - kernel) / stride + 1 : 0;
  }
  std::size_t pad_before(std::size_t in, std::size_t kernel, std::size_t out) const {
    if (padding == Padding::valid) return 0;
    const std::size_t needed = (out - 1) * stride + kernel;
    return needed > in ? (needed - in) / 2 : 0;
  }
};

}  // namespace xnor
