#pragma once
// Loop skeletons shared by the per-path kernels: a per-path header (src/target.hpp). A unit includes it
// after XNOR_TARGET_BEGIN, so these loops are compiled for its instruction set, in its namespace
// xnor::XNOR_ISA, and inline the path's word and tile functions. It includes nothing itself, so that nothing
// from outside the path is compiled for the path's target: the unit includes <algorithm>, <cstring>,
// bitops/kernels.hpp and bitops/reference.hpp before the target begins, and src/row_blocks.hpp with it.
#ifndef XNOR_ISA
#error "bitops/loops.hpp is a per-path header: define XNOR_ISA first (src/target.hpp)"
#endif

namespace xnor::XNOR_ISA {

using detail::BgemmPanelArgs;
using detail::max_panel_bits_rows;
using detail::PanelBits;

// Packs pixel by pixel (see bitpack.hpp). pack_word(const T* values, std::size_t channel, std::size_t count)
// packs the `count` values from channel `channel` on (64, or fewer in a pixel's last word) into one word, the
// bits from `count` up 0.
template <class T, class PackWord>
inline void pack_pixels(const T* values, std::size_t pixels, std::size_t channels, std::uint64_t* bits,
                        PackWord pack_word) {
  for (std::size_t p = 0; p < pixels; ++p, values += channels) {
    for (std::size_t c = 0; c < channels; c += 64) {
      *bits++ = pack_word(values + c, c, std::min<std::size_t>(64, channels - c));
    }
  }
}

// reference::pack_signs_float, or with Thresholded reference::pack_thresholded, from the path's
// PackWordFloat::word<Thresholded>(values, flip, thresholds, count) (flip and thresholds from the word's first
// channel; count as for pack_pixels).
template <class PackWordFloat, bool Thresholded>
inline void pack_float_pixels(const float* values, std::size_t pixels, std::size_t channels, const float* flip,
                              const float* thresholds, std::uint64_t* bits) {
  pack_pixels(values, pixels, channels, bits, [flip, thresholds](const float* v, std::size_t c, std::size_t count) {
    if constexpr (Thresholded) return PackWordFloat::template word<true>(v, flip + c, thresholds + c, count);
    return PackWordFloat::template word<false>(v, nullptr, nullptr, count);
  });
}

// The first `count` values copied into 64 filled up with `pad` (a value that packs as bit 0): a pixel's last
// word for a path without masked loads.
template <class T>
inline const T* filled_up(const T* values, std::size_t count, T pad, T (&copy)[64]) {
  for (std::size_t i = 0; i < 64; ++i) copy[i] = i < count ? values[i] : pad;
  return copy;
}

// reference::dots_to_bits for channels full..n (fewer than fill one vector: at most 63), ORed into bits.
inline void dots_to_bits_tail(std::size_t full, const std::int32_t* counts, std::size_t n, std::int32_t k_bits,
                              const std::int32_t* correction, const std::int32_t* low, const std::int32_t* high,
                              std::uint64_t* bits) {
  if (full == n) return;
  std::uint64_t rest[1];
  reference::dots_to_bits(counts + full, n - full, k_bits, correction != nullptr ? correction + full : nullptr,
                          low + full, high + full, rest);
  bits[full / 64] |= rest[0] << (full % 64);
}

// reference::dots_to_floats as loops without branches on the data, one per kind of pixel, that the compiler
// vectorizes for the unit's instruction set (the PReLU select only without trapping math: CMakeLists.txt).
inline void dots_to_floats(const detail::DotsToFloats& a) {
  const auto run = [&a]<bool Corrected, bool Sloped, bool Residual>() {
    const float scale = a.scale, low = a.low, high = a.high;
    const std::int32_t k_bits = a.k_bits;
    for (std::size_t c = 0; c < a.n; ++c) {
      const std::int32_t d = k_bits - 2 * a.counts[c] - (Corrected ? a.correction[c] : 0);
      float y = a.multiplier[c] * (static_cast<float>(d) * scale) + a.bias[c];
      if constexpr (Residual) y += a.residual[c];
      if constexpr (Sloped) {
        const float slope = a.slopes[c];  // loaded for every channel: a load under the condition would not vectorize
        y = y < 0.0f ? slope * y : y;
      }
      y = y < low ? low : y;
      a.out[c] = y > high ? high : y;
    }
  };
  const auto sloped = [&]<bool Corrected, bool Residual>() {
    return a.slopes != nullptr ? run.template operator()<Corrected, true, Residual>()
                               : run.template operator()<Corrected, false, Residual>();
  };
  if (a.residual != nullptr) {
    return a.correction != nullptr ? sloped.template operator()<true, true>() : sloped.template operator()<false, true>();
  }
  a.correction != nullptr ? sloped.template operator()<true, false>() : sloped.template operator()<false, false>();
}

// PanelBits for a path without a fused epilogue: the panel's counts into a small buffer, then the path's
// dots_to_bits per row.
template <class CountPanel, class DotsToBits>
inline void panel_bits_from_counts(const BgemmPanelArgs& args, CountPanel count_panel, DotsToBits dots_to_bits) {
  std::int32_t counts[max_panel_bits_rows * 32];
  BgemmPanelArgs counting = args;
  counting.bits = nullptr;
  counting.c = counts;
  counting.ldc = 32;
  count_panel(counting);
  const PanelBits& b = *args.bits;
  for (std::size_t r = 0; r < args.m; ++r) {
    const bool corrected = b.corrected != nullptr && b.corrected[r];
    std::uint64_t word = 0;
    dots_to_bits(counts + r * 32, args.n_valid, b.k_bits, corrected ? b.corrections + r * b.correction_stride : nullptr,
                 b.low, b.high, &word);
    b.out[r * b.out_stride] = static_cast<std::uint32_t>(word);
  }
}

}  // namespace xnor::XNOR_ISA
