#pragma once
// XNOR-Net binary convolution and dense layers (NHWC, batch 1).
//
// Input: a bitpacked tensor (bitpack.hpp: bit 1 means -1, padding bits 0). Weights: binarized once at load
// and packed for the kernels. For each output pixel and channel n the layer computes the ±1 dot product d
// over the window, then the OutputTransform (output_transform.hpp) turns d into float, int8 or bits: with
// multiplier = alpha (mean |W_n|, XNOR-Net's per-channel scale) times a folded BatchNorm scale.
//
// Padding ("same"), both exact:
//   BinaryPadding::one  — padded positions are +1 (bit 0): free in the kernel, what training with
//                          Pad(value=1) before the sign computes.
//   BinaryPadding::zero — padded positions are 0, as a float convolution of the ±1 input padded with zeros:
//                          the kernel computes the +1-padded sum, then subtracts each padded tap's weight sum.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "xnor/bgemm.hpp"
#include "xnor/bitpack.hpp"
#include "xnor/conv_geometry.hpp"
#include "xnor/cpu_path.hpp"
#include "xnor/output_transform.hpp"
#include "xnor/thread_pool.hpp"

namespace xnor {

namespace detail {
struct BitKernels;
}

enum class BinaryPadding { one, zero };

// Float weights binarized: sign bits (rows of taps * words_for_bits(in_c) words, one row per output
// channel, taps in row-major order) and alpha[n] = mean |W_n|.
struct BinaryWeights {
  std::vector<std::uint64_t> bits;
  std::vector<float> alpha;
};

// weights: OHWI, out_c x taps x in_c floats.
BinaryWeights binarize_weights(std::span<const float> weights, std::size_t out_c, std::size_t taps, std::size_t in_c);

class BinaryConv2d {
 public:
  // weight_bits: out_c rows of taps * words_for_bits(in_c) words (as binarize_weights makes them).
  BinaryConv2d(const ConvGeometry& geometry, std::span<const std::uint64_t> weight_bits, OutputTransform transform,
               BinaryPadding padding = BinaryPadding::one, Path path = active_path());

  const ConvGeometry& geometry() const { return geometry_; }
  const OutputTransform& transform() const { return transform_; }
  BinaryPadding padding() const { return padding_; }
  // The ±1 dot product runs over this many bits.
  std::int32_t k_bits() const { return static_cast<std::int32_t>(geometry_.taps() * geometry_.in_c); }
  std::size_t input_words() const { return geometry_.in_pixels() * words_for_bits(geometry_.in_c); }
  // Output elements: out_pixels * out_c values, or out_pixels * words_for_bits(out_c) words for bits.
  std::size_t output_size() const;

  // Runs the layer; the output type must match transform().kind(). pixel_scale, if not empty, holds one
  // factor per output pixel (XNOR-Net's activation scaling K, see activation_scale()). Floats: residual, if
  // not empty, holds one value per output, added before the activation (a shortcut Add fused into the layer:
  // the same floats as the layer without activation, then the Add, then the activation); a residual of
  // another size: std::invalid_argument.
  void run(std::span<const std::uint64_t> input, std::span<float> output, ThreadPool* pool = nullptr,
           std::span<const float> pixel_scale = {}, std::span<const float> residual = {}) const;
  void run(std::span<const std::uint64_t> input, std::span<std::int8_t> output, ThreadPool* pool = nullptr,
           std::span<const float> pixel_scale = {}) const;
  void run(std::span<const std::uint64_t> input, std::span<std::uint64_t> output, ThreadPool* pool = nullptr,
           std::span<const float> pixel_scale = {}) const;

 private:
  // Runs the layer in blocks of output pixels: gathers windows, runs the kernels, then emit(pixel, counts,
  // correction or null, pixel scale) per pixel — or, with fused_bits, lets the kernels write the bits there.
  template <class Emit>
  void run_blocks(std::span<const std::uint64_t> input, std::size_t output_size, OutputKind kind,
                  std::span<const float> pixel_scale, ThreadPool* pool, std::uint64_t* fused_bits, Emit emit) const;
  // The input with its padding around it (zero bits: +1), in `buffer`; the input itself where windows stay
  // inside it (copies_input_ false).
  const std::uint64_t* padded_input(std::span<const std::uint64_t> input, std::vector<std::uint64_t>& buffer) const;
  std::size_t padded_h() const { return (geometry_.out_h() - 1) * geometry_.stride + geometry_.kernel_h; }
  std::size_t padded_w() const { return (out_w_ - 1) * geometry_.stride + geometry_.kernel_w; }
  // Gathers the windows of output pixels first .. first + pixels - 1 from the padded input into rows of
  // weights_.words() words (compact, or a whole-word pixel per tap).
  void gather_rows(const std::uint64_t* image, std::size_t first, std::size_t pixels, std::uint64_t* rows) const;
  // Zero padding: whether output pixel `pixel`'s window meets the padding, and then, in `correction`, the
  // weight sums of its padded taps.
  bool padding_correction(std::size_t pixel, std::int32_t* correction) const;

  ConvGeometry geometry_;
  // geometry_.out_w(), pad_top(), pad_left(): they divide, and the gathering needs them for every pixel.
  std::size_t out_w_, pad_top_, pad_left_;
  // When the channels do not fill whole words and the window has several taps, a window's taps are packed
  // back to back (K bits in ceil(K / 64) words) rather than a word-padded pixel each: a 5x5 window of 16
  // channels then takes 7 words instead of 25.
  bool compact_;
  bool copies_input_ = false;  // windows reach outside the input: they read padded_input's copy
  BgemmWeights weights_;
  OutputTransform transform_;
  BinaryPadding padding_;
  const detail::BitKernels* kernels_;
  std::vector<std::int32_t> tap_sums_;  // [tap][n]: sum over channels of the ±1 weights
};

// A binary fully connected layer: a 1x1 convolution of a 1x1 image with in_features channels.
class BinaryDense {
 public:
  BinaryDense(std::size_t in_features, std::size_t out_features, std::span<const std::uint64_t> weight_bits,
              OutputTransform transform, Path path = active_path());
  const BinaryConv2d& conv() const { return conv_; }
  template <class T>
  void run(std::span<const std::uint64_t> input, std::span<T> output) const {
    conv_.run(input, output);
  }

 private:
  BinaryConv2d conv_;
};

// XNOR-Net's activation scaling K for one convolution: per input pixel the mean of |x| over channels, then
// the mean of that over each output's kernel window (padded positions count as 0). One value per output pixel.
std::vector<float> activation_scale(std::span<const float> input, const ConvGeometry& geometry);

}  // namespace xnor
