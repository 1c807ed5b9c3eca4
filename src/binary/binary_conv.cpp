#include "xnor/binary_conv.hpp"

#include <algorithm>
#include <cmath>
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

// The window of an output pixel whose taps are all inside the input (what gather_window gathers, without its
// bounds checks): kernel_h runs of kernel_w pixels, each run contiguous in NHWC; a compact row appends each
// tap's in_c bits instead. `g` is a copy, so the stores to `row` cannot alias its sizes.
void copy_inside_window(const ConvGeometry g, bool compact, const std::uint64_t* input, std::size_t top,
                        std::size_t left, std::uint64_t* row, std::size_t row_words) {
  const std::size_t words = words_for_bits(g.in_c);
  if (compact) {
    std::fill(row, row + row_words, std::uint64_t{0});
    for (std::size_t ky = 0; ky < g.kernel_h; ++ky) {
      const std::uint64_t* source = input + ((top + ky) * g.in_w + left) * words;
      for (std::size_t kx = 0; kx < g.kernel_w; ++kx) {
        detail::append_bits(source + kx * words, g.in_c, row, (ky * g.kernel_w + kx) * g.in_c);
      }
    }
    return;
  }
  const std::size_t run = g.kernel_w * words;
  for (std::size_t ky = 0; ky < g.kernel_h; ++ky, row += run) {
    const std::uint64_t* source = input + ((top + ky) * g.in_w + left) * words;
    for (std::size_t w = 0; w < run; ++w) row[w] = source[w];
  }
}

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

bool BinaryConv2d::gather_window(std::span<const std::uint64_t> input, std::size_t pixel, std::uint64_t* row,
                                 std::int32_t* correction) const {
  const ConvGeometry& g = geometry_;
  const std::size_t words = words_for_bits(g.in_c);
  const auto top = static_cast<std::ptrdiff_t>((pixel / out_w_) * g.stride) - static_cast<std::ptrdiff_t>(pad_top_);
  const auto left = static_cast<std::ptrdiff_t>((pixel % out_w_) * g.stride) - static_cast<std::ptrdiff_t>(pad_left_);
  const auto in_h = static_cast<std::ptrdiff_t>(g.in_h), in_w = static_cast<std::ptrdiff_t>(g.in_w);
  const auto kw = static_cast<std::ptrdiff_t>(g.kernel_w);
  bool padded = false;
  if (compact_) std::fill(row, row + weights_.words(), std::uint64_t{0});
  for (std::size_t ky = 0; ky < g.kernel_h; ++ky, row += compact_ ? 0 : g.kernel_w * words) {
    const std::ptrdiff_t y = top + static_cast<std::ptrdiff_t>(ky);
    if (compact_) {
      for (std::size_t kx = 0; kx < g.kernel_w; ++kx) {
        const std::ptrdiff_t x = left + static_cast<std::ptrdiff_t>(kx);
        if (y >= 0 && y < in_h && x >= 0 && x < in_w) {
          detail::append_bits(input.data() + (y * in_w + x) * words, g.in_c, row, (ky * g.kernel_w + kx) * g.in_c);
        } else {
          padded = true;
          add_padding_correction(ky * g.kernel_w + kx, correction);
        }
      }
      continue;
    }
    if (y >= 0 && y < in_h && left >= 0 && left + kw <= in_w) {
      // The whole kernel row is inside: its pixels are contiguous in NHWC. (A plain loop: the copies are a
      // few words, too short for memcpy's call to pay.)
      const std::uint64_t* source = input.data() + (y * in_w + left) * words;
      for (std::size_t w = 0; w < g.kernel_w * words; ++w) row[w] = source[w];
      continue;
    }
    for (std::size_t kx = 0; kx < g.kernel_w; ++kx) {
      const std::ptrdiff_t x = left + static_cast<std::ptrdiff_t>(kx);
      std::uint64_t* tap = row + kx * words;
      if (y >= 0 && y < in_h && x >= 0 && x < in_w) {
        const std::uint64_t* source = input.data() + (y * in_w + x) * words;
        for (std::size_t w = 0; w < words; ++w) tap[w] = source[w];
        continue;
      }
      std::fill(tap, tap + words, std::uint64_t{0});  // +1 padding
      padded = true;
      add_padding_correction(ky * g.kernel_w + kx, correction);
    }
  }
  return padded;
}

void BinaryConv2d::add_padding_correction(std::size_t tap, std::int32_t* correction) const {
  if (padding_ != BinaryPadding::zero) return;
  const std::int32_t* sums = tap_sums_.data() + tap * geometry_.out_c;
  for (std::size_t n = 0; n < geometry_.out_c; ++n) correction[n] += sums[n];
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
  parallel_for(pool, geometry_.out_pixels(), split_pixels, [&](std::size_t begin, std::size_t end) {
    // Scratch kept by each thread: a session allocates nothing after its first run.
    thread_local std::vector<std::uint64_t> rows;
    thread_local std::vector<std::int32_t> counts, corrections;
    thread_local std::vector<char> padded;
    rows.assign(direct ? 0 : block_pixels * row_words, 0);
    // Not cleared: the kernels store every count they make, and a row's corrections are cleared below when
    // its window meets zero padding (they are read for those rows only). Clearing both cost a 2 x 22 KB
    // memset per call at 176 channels.
    counts.resize(block_pixels * n);
    corrections.resize(block_pixels * n);
    padded.assign(block_pixels, 0);
    for (std::size_t first = begin; first < end; first += block_pixels) {
      const std::size_t pixels = std::min(block_pixels, end - first);
      const std::uint64_t* a = input.data() + first * row_words;
      if (!direct) {
        // Windows inside the input are copied without bounds checks; the others take gather_window.
        const ConvGeometry& g = geometry_;
        std::size_t y = first / out_w_, x = first % out_w_;
        for (std::size_t r = 0; r < pixels; ++r) {
          const std::size_t top = y * g.stride, left = x * g.stride;  // before the padding
          if (top >= pad_top_ && left >= pad_left_ && top - pad_top_ + g.kernel_h <= g.in_h &&
              left - pad_left_ + g.kernel_w <= g.in_w) {
            copy_inside_window(g, compact_, input.data(), top - pad_top_, left - pad_left_, rows.data() + r * row_words,
                               row_words);
            padded[r] = false;
          } else {
            // Only zero padding adds to corrections (+1 padding has none).
            if (padding_ == BinaryPadding::zero) std::fill_n(corrections.data() + r * n, n, 0);
            padded[r] = gather_window(input, first + r, rows.data() + r * row_words, corrections.data() + r * n);
          }
          if (++x == out_w_) x = 0, ++y;
        }
        a = rows.data();
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
                       std::span<const float> pixel_scale) const {
  const std::size_t n = geometry_.out_c;
  const float* multiplier = transform_.multiplier().data();
  const float* bias = transform_.bias().data();
  const Activation& activation = transform_.activation();
  const float* slopes = activation.slopes.data();
  const std::int32_t k = k_bits();
  // transform_.value() as one pass per output row, the activation inside it, each kind a loop of its own
  // without branches on the data, so that it vectorizes: small layers spend as long here as in the GEMM.
  const auto row = [&](float* __restrict out, const std::int32_t* counts, const std::int32_t* correction, float scale,
                       auto activate) {
    if (correction != nullptr) {
      for (std::size_t c = 0; c < n; ++c) {
        out[c] = activate(multiplier[c] * (static_cast<float>(k - 2 * counts[c] - correction[c]) * scale) + bias[c], c);
      }
    } else {
      for (std::size_t c = 0; c < n; ++c) {
        out[c] = activate(multiplier[c] * (static_cast<float>(k - 2 * counts[c]) * scale) + bias[c], c);
      }
    }
  };
  run_blocks(input, output.size(), OutputKind::float32, pixel_scale, pool, nullptr,
             [&](std::size_t pixel, const std::int32_t* counts, const std::int32_t* correction, float scale) {
               float* out = output.data() + pixel * n;
               switch (activation.kind) {
                 case Activation::Kind::none:
                   return row(out, counts, correction, scale, [](float y, std::size_t) { return y; });
                 case Activation::Kind::relu:  // std::max(y, 0) is y < 0 ? 0 : y
                   return row(out, counts, correction, scale, [](float y, std::size_t) { return std::max(y, 0.0f); });
                 case Activation::Kind::prelu:  // ReActNet's RPReLU; as in activate() (float_ops.cpp)
                   return row(out, counts, correction, scale, [slopes](float y, std::size_t c) {
                     return std::max(y, 0.0f) + slopes[c] * std::min(y, 0.0f);
                   });
                 default:
                   return row(out, counts, correction, scale,
                              [&activation](float y, std::size_t c) { return activation.apply(y, c); });
               }
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
