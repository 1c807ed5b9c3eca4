#include "xnor/binary_conv.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "bitops/append_bits.hpp"
#include "src/check_size.hpp"
#include "src/path_kernels.hpp"

namespace xnor {
namespace {

// Output pixels per block: their windows (a few KB) and counts stay in L1 while every weight panel passes.
constexpr std::size_t block_pixels = 32;
// Threads split the output pixels in multiples of this (the kernels' row tile), not of whole blocks: a 7x7
// image's 49 pixels split 24 + 25 rather than 32 + 17.
constexpr std::size_t split_pixels = 4;

constexpr const char* layer_name = "binary layer";
// The largest padded copy of an input a layer may make (a tensor's limit at load).
constexpr std::size_t max_padded_input_bytes = std::size_t{1} << 30;

// Compact windows of channels that fill whole bytes are assembled by byte copies rather than bit shifts: on a
// little-endian CPU, bit i of packed words is bit i % 8 of byte i / 8, so tap t starts at byte t * in_c / 8 of
// the row. Each tap is a copy of its pixel's whole words there; their zero bits past in_c land where the next
// tap's copy overwrites them, or past the window's bits (a row needs one word of slack after it for the last
// tap's zeros: the rows buffer has it).
bool whole_bytes(std::size_t in_c) { return std::endian::native == std::endian::little && in_c % 8 == 0; }

}  // namespace

BinaryWeights binarize_weights(std::span<const float> weights, std::size_t out_c, std::size_t taps, std::size_t in_c) {
  detail::check_size(layer_name, "float weights", weights.size(), out_c * taps * in_c);
  const std::size_t words = words_for_bits(in_c);
  BinaryWeights result{std::vector<std::uint64_t>(out_c * taps * words), std::vector<float>(out_c)};
  for (std::size_t n = 0; n < out_c; ++n) {
    const auto row = weights.subspan(n * taps * in_c, taps * in_c);
    double sum_abs = 0;
    for (float w : row) sum_abs += std::fabs(w);
    result.alpha[n] = static_cast<float>(sum_abs / static_cast<double>(row.size()));
    pack_signs(row, taps, in_c, std::span(result.bits).subspan(n * taps * words, taps * words));
  }
  return result;
}

BinaryConv2d::BinaryConv2d(const ConvGeometry& geometry, std::span<const std::uint64_t> weight_bits,
                           OutputTransform transform, BinaryPadding padding, Path path)
    : geometry_(geometry),
      out_w_(geometry.out_w()),
      pad_top_(geometry.pad_top()),
      pad_left_(geometry.pad_left()),
      compact_(geometry.in_c % 64 != 0 && geometry.taps() > 1),
      transform_(std::move(transform)),
      padding_(padding),
      kernels_(detail::path_kernels(path).bits) {
  geometry_.validate();
  const std::size_t words = words_for_bits(geometry_.in_c);
  const std::size_t row_words = geometry_.taps() * words;
  // Windows read a padded copy where they reach outside the input (padding, or a ceil_mode overhang). Its size
  // follows the padding and stride, not the input: absurd ones are refused here, at load, not at run time.
  copies_input_ = pad_top_ != 0 || pad_left_ != 0 || padded_h() > geometry_.in_h || padded_w() > geometry_.in_w;
  if (copies_input_ && padded_h() * padded_w() * words * sizeof(std::uint64_t) > max_padded_input_bytes) {
    throw std::invalid_argument("binary layer: its padding and stride need a padded input of " +
                                std::to_string(padded_h()) + "x" + std::to_string(padded_w()) + " pixels, more than " +
                                std::to_string(max_padded_input_bytes >> 20) + " MiB");
  }
  detail::check_size(layer_name, "weight bits", weight_bits.size(), geometry_.out_c * row_words);
  if (transform_.channels() != geometry_.out_c) {
    detail::check_size(layer_name, "output transform", transform_.channels(), geometry_.out_c);
  }
  if (compact_) {
    const std::size_t compact_words = words_for_bits(geometry_.taps() * geometry_.in_c);
    std::vector<std::uint64_t> rows(geometry_.out_c * compact_words, 0);
    for (std::size_t n = 0; n < geometry_.out_c; ++n) {
      for (std::size_t t = 0; t < geometry_.taps(); ++t) {
        detail::append_bits(weight_bits.data() + n * row_words + t * words, geometry_.in_c,
                            rows.data() + n * compact_words, t * geometry_.in_c);
      }
    }
    weights_ = BgemmWeights(rows, geometry_.out_c, compact_words);
  } else {
    weights_ = BgemmWeights(weight_bits, geometry_.out_c, row_words);
  }
  tap_sums_.resize(geometry_.taps() * geometry_.out_c);
  for (std::size_t n = 0; n < geometry_.out_c; ++n) {
    for (std::size_t t = 0; t < geometry_.taps(); ++t) {
      std::int32_t negatives = 0;
      for (std::size_t w = 0; w < words; ++w) negatives += std::popcount(weight_bits[n * row_words + t * words + w]);
      tap_sums_[t * geometry_.out_c + n] = static_cast<std::int32_t>(geometry_.in_c) - 2 * negatives;
    }
  }
}

std::size_t BinaryConv2d::output_size() const {
  return geometry_.out_pixels() *
         (transform_.kind() == OutputKind::bits ? words_for_bits(geometry_.out_c) : geometry_.out_c);
}

const std::uint64_t* BinaryConv2d::padded_input(std::span<const std::uint64_t> input,
                                                std::vector<std::uint64_t>& buffer) const {
  const ConvGeometry& g = geometry_;
  if (!copies_input_) return input.data();
  const std::size_t words = words_for_bits(g.in_c);
  const std::size_t height = padded_h(), width = padded_w();
  buffer.assign(height * width * words, 0);  // zero bits: +1
  // Input columns that windows reach (none where the left padding alone is wider than all windows).
  const std::size_t columns = width > pad_left_ ? std::min(width - pad_left_, g.in_w) : 0;
  for (std::size_t y = pad_top_; y < std::min(height, pad_top_ + g.in_h); ++y) {
    std::copy_n(input.data() + (y - pad_top_) * g.in_w * words, columns * words,
                buffer.data() + (y * width + pad_left_) * words);
  }
  return buffer.data();
}

void BinaryConv2d::gather_rows(const std::uint64_t* image, std::size_t first, std::size_t pixels,
                               std::uint64_t* rows) const {
  // Copies: the byte stores below may alias anything, and the loops must not reload the sizes after each.
  const std::size_t kernel_h = geometry_.kernel_h, kernel_w = geometry_.kernel_w, stride = geometry_.stride;
  const std::size_t in_c = geometry_.in_c, words = words_for_bits(in_c), row_words = weights_.words();
  const std::size_t out_w = out_w_, image_w = copies_input_ ? padded_w() : geometry_.in_w;
  // Bytes from one tap to the next in a row: a compact row's taps are in_c bits apart, the others whole words.
  const std::size_t tap_bytes = compact_ ? in_c / 8 : 8 * words;
  // The loop over the rows; Width and Words are the kernel's width and the words per pixel where they are
  // known at compile time (0: not), so that the common 3-wide one-word windows are straight-line moves.
  const auto gather = [&]<std::size_t Width, std::size_t Words>() {
    const std::size_t width = Width != 0 ? Width : kernel_w, pixel_words = Words != 0 ? Words : words;
    std::size_t y = first / out_w, x = first % out_w;
    for (std::size_t r = 0; r < pixels; ++r, rows += row_words) {
      const std::uint64_t* window = image + (y * stride * image_w + x * stride) * pixel_words;
      if (++x == out_w) x = 0, ++y;
      if (compact_ && !whole_bytes(in_c)) {
        std::fill(rows, rows + row_words, std::uint64_t{0});
        for (std::size_t ky = 0; ky < kernel_h; ++ky) {
          for (std::size_t kx = 0; kx < width; ++kx) {
            detail::append_bits(window + (ky * image_w + kx) * pixel_words, in_c, rows, (ky * width + kx) * in_c);
          }
        }
        continue;
      }
      rows[row_words - 1] = 0;
      auto* target = reinterpret_cast<unsigned char*>(rows);
      for (std::size_t ky = 0; ky < kernel_h; ++ky) {
        const std::uint64_t* source = window + ky * image_w * pixel_words;
        for (std::size_t kx = 0; kx < width; ++kx, source += pixel_words, target += tap_bytes) {
          for (std::size_t w = 0; w < pixel_words; ++w) std::memcpy(target + 8 * w, source + w, 8);
        }
      }
    }
  };
  if (kernel_w == 3 && words == 1) return gather.operator()<3, 1>();
  if (words == 1) return gather.operator()<0, 1>();
  gather.operator()<0, 0>();
}

bool BinaryConv2d::padding_correction(std::size_t pixel, std::int32_t* correction) const {
  const ConvGeometry& g = geometry_;
  const std::size_t top = (pixel / out_w_) * g.stride, left = (pixel % out_w_) * g.stride;  // in the padded image
  if (top >= pad_top_ && left >= pad_left_ && top - pad_top_ + g.kernel_h <= g.in_h &&
      left - pad_left_ + g.kernel_w <= g.in_w) {
    return false;
  }
  std::fill_n(correction, g.out_c, 0);
  for (std::size_t ky = 0; ky < g.kernel_h; ++ky) {
    for (std::size_t kx = 0; kx < g.kernel_w; ++kx) {
      const std::size_t y = top + ky, x = left + kx;
      if (y >= pad_top_ && y - pad_top_ < g.in_h && x >= pad_left_ && x - pad_left_ < g.in_w) continue;
      const std::int32_t* sums = tap_sums_.data() + (ky * g.kernel_w + kx) * g.out_c;
      for (std::size_t n = 0; n < g.out_c; ++n) correction[n] += sums[n];
    }
  }
  return true;
}

template <class Emit>
void BinaryConv2d::run_blocks(std::span<const std::uint64_t> input, std::size_t output_size, OutputKind kind,
                              std::span<const float> pixel_scale, ThreadPool* pool, std::uint64_t* fused_bits,
                              Emit emit) const {
  if (transform_.kind() != kind) throw std::invalid_argument("binary layer: output type does not match its transform");
  detail::check_size(layer_name, "input", input.size(), input_words());
  detail::check_size(layer_name, "output", output_size, this->output_size());
  if (!pixel_scale.empty()) detail::check_size(layer_name, "pixel scale", pixel_scale.size(), geometry_.out_pixels());
  const std::size_t n = geometry_.out_c;
  const std::size_t row_words = weights_.words();
  // A 1x1 stride-1 window is the input pixel itself: the input rows are the GEMM rows, nothing is gathered.
  const bool direct = geometry_.taps() == 1 && geometry_.stride == 1 && !geometry_.padded();
  // Windows are gathered from a copy of the input with its padding around it (+1, zero bits): every window
  // is then inside, and a zero-padded layer adds its corrections where a window meets the padding.
  thread_local std::vector<std::uint64_t> padded_image;
  const std::uint64_t* image = direct ? input.data() : padded_input(input, padded_image);
  parallel_for(pool, geometry_.out_pixels(), split_pixels, [&](std::size_t begin, std::size_t end) {
    // Scratch kept by each thread: a session allocates nothing after its first run.
    thread_local std::vector<std::uint64_t> rows;
    thread_local std::vector<std::int32_t> counts, corrections;
    thread_local std::vector<char> padded;
    rows.assign(direct ? 0 : block_pixels * row_words + 1, 0);  // + 1: the slack of whole_bytes rows
    // Not cleared: the kernels store every count they make, and a row's corrections are cleared where its
    // window meets zero padding (they are read for those rows only). Clearing both cost a 2 x 22 KB memset
    // per call at 176 channels.
    counts.resize(block_pixels * n);
    corrections.resize(block_pixels * n);
    padded.assign(block_pixels, 0);
    for (std::size_t first = begin; first < end; first += block_pixels) {
      const std::size_t pixels = std::min(block_pixels, end - first);
      const std::uint64_t* a = input.data() + first * row_words;
      if (!direct) {
        gather_rows(image, first, pixels, rows.data());
        a = rows.data();
        for (std::size_t r = 0; padding_ == BinaryPadding::zero && r < pixels; ++r) {
          padded[r] = padding_correction(first + r, corrections.data() + r * n);
        }
      }
      const std::size_t out_words = words_for_bits(n);
      // Panels write 32-bit halves of the output words; a last word with no upper panel gets 0 there.
      if (fused_bits != nullptr && n % 64 != 0 && n % 64 <= 32) {
        for (std::size_t r = 0; r < pixels; ++r) fused_bits[(first + r + 1) * out_words - 1] = 0;
      }
      for (std::size_t p = 0; p < weights_.panels(); ++p) {
        const std::size_t column = p * BgemmWeights::panel_width;
        const detail::PanelBits bits{k_bits(),
                                     transform_.negative_low().data() + column,
                                     transform_.negative_high().data() + column,
                                     corrections.data() + column,
                                     n,
                                     padding_ == BinaryPadding::zero && !direct ? padded.data() : nullptr,
                                     // No arithmetic on the null pointer of an unfused output (UB).
                                     fused_bits != nullptr
                                         ? reinterpret_cast<std::uint32_t*>(fused_bits + first * out_words) + p
                                         : nullptr,
                                     2 * out_words};
        kernels_->bgemm_panel({a, row_words, pixels, weights_.panel(p), row_words,
                               std::min(BgemmWeights::panel_width, n - column), counts.data() + column, n,
                               fused_bits != nullptr ? &bits : nullptr});
      }
      if (fused_bits != nullptr) continue;
      for (std::size_t r = 0; r < pixels; ++r) {
        const bool corrected = padded[r] && padding_ == BinaryPadding::zero;
        emit(first + r, counts.data() + r * n, corrected ? corrections.data() + r * n : nullptr,
             pixel_scale.empty() ? 1.0f : pixel_scale[first + r]);
      }
    }
  });
}

void BinaryConv2d::run(std::span<const std::uint64_t> input, std::span<float> output, ThreadPool* pool,
                       std::span<const float> pixel_scale, std::span<const float> residual) const {
  const std::size_t n = geometry_.out_c;
  const Activation& activation = transform_.activation();
  if (!residual.empty()) detail::check_size("binary conv", "residual", residual.size(), output.size());
  // The activation (piecewise linear: OutputTransform takes no other) runs in the path's kernel, as a range and
  // slopes.
  constexpr float infinity = std::numeric_limits<float>::infinity();
  const bool clamped = activation.kind == Activation::Kind::clamp;
  const float low = clamped ? activation.low : activation.kind == Activation::Kind::relu ? 0.0f : -infinity;
  const float high = clamped ? activation.high : infinity;
  const float* slopes = activation.kind == Activation::Kind::prelu ? activation.slopes.data() : nullptr;
  run_blocks(input, output.size(), OutputKind::float32, pixel_scale, pool, nullptr,
             [&](std::size_t pixel, const std::int32_t* counts, const std::int32_t* correction, float scale) {
               kernels_->dots_to_floats({counts, n, k_bits(), correction, scale, transform_.multiplier().data(),
                                         transform_.bias().data(), slopes, low, high, output.data() + pixel * n,
                                         residual.empty() ? nullptr : residual.data() + pixel * n});
             });
}

void BinaryConv2d::run(std::span<const std::uint64_t> input, std::span<std::int8_t> output, ThreadPool* pool,
                       std::span<const float> pixel_scale) const {
  const std::size_t n = geometry_.out_c;
  run_blocks(input, output.size(), OutputKind::int8, pixel_scale, pool, nullptr,
             [&](std::size_t pixel, const std::int32_t* counts, const std::int32_t* correction, float scale) {
               std::int8_t* out = output.data() + pixel * n;
               for (std::size_t c = 0; c < n; ++c) {
                 const std::int32_t d = k_bits() - 2 * counts[c] - (correction != nullptr ? correction[c] : 0);
                 out[c] = transform_.quantize(transform_.value(d, c, scale));
               }
             });
}

void BinaryConv2d::run(std::span<const std::uint64_t> input, std::span<std::uint64_t> output, ThreadPool* pool,
                       std::span<const float> pixel_scale) const {
  const std::size_t n = geometry_.out_c;
  const std::size_t words = words_for_bits(n);
  // Without a per-pixel scale, the kernels threshold the counts in registers (PanelBits); with one, the
  // thresholds move from pixel to pixel, so y itself is evaluated.
  run_blocks(input, output.size(), OutputKind::bits, pixel_scale, pool, pixel_scale.empty() ? output.data() : nullptr,
             [&](std::size_t pixel, const std::int32_t* counts, const std::int32_t* correction, float scale) {
               std::uint64_t* out = output.data() + pixel * words;
               std::fill(out, out + words, std::uint64_t{0});
               for (std::size_t c = 0; c < n; ++c) {
                 const std::int32_t d = k_bits() - 2 * counts[c] - (correction != nullptr ? correction[c] : 0);
                 if (transform_.value(d, c, scale) < 0.0f) out[c / 64] |= std::uint64_t{1} << (c % 64);
               }
             });
}

BinaryDense::BinaryDense(std::size_t in_features, std::size_t out_features, std::span<const std::uint64_t> weight_bits,
                         OutputTransform transform, Path path)
    : conv_({1, 1, in_features, 1, 1, 1, Padding::valid, out_features}, weight_bits, std::move(transform),
            BinaryPadding::one, path) {}

std::vector<float> activation_scale(std::span<const float> input, const ConvGeometry& g) {
  detail::check_size(layer_name, "float input", input.size(), g.in_pixels() * g.in_c);
  std::vector<float> mean_abs(g.in_pixels());
  for (std::size_t p = 0; p < g.in_pixels(); ++p) {
    float sum = 0.0f;
    for (std::size_t c = 0; c < g.in_c; ++c) sum += std::fabs(input[p * g.in_c + c]);
    mean_abs[p] = sum / static_cast<float>(g.in_c);
  }
  std::vector<float> scale(g.out_pixels());
  for (std::size_t oy = 0; oy < g.out_h(); ++oy) {
    for (std::size_t ox = 0; ox < g.out_w(); ++ox) {
      float sum = 0.0f;
      for (std::size_t ky = 0; ky < g.kernel_h; ++ky) {
        for (std::size_t kx = 0; kx < g.kernel_w; ++kx) {
          const auto y = static_cast<std::ptrdiff_t>(oy * g.stride + ky) - static_cast<std::ptrdiff_t>(g.pad_top());
          const auto x = static_cast<std::ptrdiff_t>(ox * g.stride + kx) - static_cast<std::ptrdiff_t>(g.pad_left());
          if (y >= 0 && x >= 0 && y < static_cast<std::ptrdiff_t>(g.in_h) && x < static_cast<std::ptrdiff_t>(g.in_w)) {
            sum += mean_abs[static_cast<std::size_t>(y) * g.in_w + static_cast<std::size_t>(x)];
          }
        }
      }
      scale[oy * g.out_w() + ox] = sum / static_cast<float>(g.taps());
    }
  }
  return scale;
}

}  // namespace xnor
