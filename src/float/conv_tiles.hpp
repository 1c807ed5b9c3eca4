#pragma once
// The float convolution kernel, written once over an xsimd architecture: a per-path header
// (src/target.hpp), compiled in the including unit's namespace xnor::XNOR_ISA for its instruction set. It
// includes nothing itself: the unit includes <cstddef>, <cstdint>, <type_traits>, src/float/conv_kernels.hpp
// and xsimd (src/float/xsimd_for_target.hpp) first, and src/row_blocks.hpp before this.
#ifndef XNOR_ISA
#error "src/float/conv_tiles.hpp is a per-path header: define XNOR_ISA first (src/target.hpp)"
#endif

namespace xnor::XNOR_ISA {

using detail::FloatConvPanelArgs;

// A tile is R output pixels x NR vectors of output channels: its R * NR sums stay in registers while, per
// tap and input channel, the panel's NR weight vectors are loaded once and each pixel's input value is
// broadcast against them. Pixels of a tile may span output rows; each has its own window pointer.
template <class Arch, int MR, int NR>
struct FloatConvTiles {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr std::size_t width = Batch::size;
  static constexpr std::size_t panel_width = NR * width;
  // A panel is larger than L1, and the hardware prefetcher alone leaves the weight loads waiting: the weights
  // 16 input channels ahead are prefetched, a cache line at a time (past the panel's end too: a prefetch
  // never faults).
  static constexpr std::size_t prefetch_bytes = 15 * panel_width * sizeof(float), line_bytes = 64;

  static void conv_panel(const FloatConvPanelArgs& args) {
    for_row_blocks<MR>(args.pixel_end - args.pixel_begin,
                       [&]<int R>(std::size_t first) { tile<R>(args, args.pixel_begin + first); });
  }

  template <int R>
  static void tile(const FloatConvPanelArgs& a, std::size_t first) {
    const float* windows[R];
    // One division for the tile, then a running (y, x): a division per pixel cost as much as a stem tile's sums.
    std::size_t oy = first / a.out_w, ox = first % a.out_w;
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      windows[r] = a.input + (oy * a.stride * a.row_pixels + ox * a.stride) * a.in_c;
      if (++ox == a.out_w) ox = 0, ++oy;
    }
    Batch sums[R][NR];
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
      for (int j = 0; j < NR; ++j) sums[r][j] = Batch(0.0f);
    }
    const float* weights = a.panel;
    for (std::size_t t = 0; t < a.taps; ++t) {
      const std::size_t offset = a.tap_offsets[t];
      for (std::size_t c = 0; c < a.in_c; ++c, weights += panel_width) {
        Batch w[NR];
#pragma GCC unroll 4
        for (int j = 0; j < NR; ++j) w[j] = Batch::load_aligned(weights + j * width);
        // An address, not a pointer: near the panel's end it points past the allocation.
        const auto ahead = reinterpret_cast<std::uintptr_t>(weights + panel_width) + prefetch_bytes;
#pragma GCC unroll 4
        for (std::size_t i = 0; i < panel_width * sizeof(float); i += line_bytes) {
          __builtin_prefetch(reinterpret_cast<const void*>(ahead + i));
        }
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r) {
          const Batch x(windows[r][offset + c]);
#pragma GCC unroll 4
          for (int j = 0; j < NR; ++j) multiply_add(x, w[j], sums[r][j]);
        }
      }
    }
    store<R>(a, first, sums);
  }

  // acc += x * w. xsimd 8.1's avx512f fma is x * y + z by its friend operators, which GCC 12 compiles without
  // the unit's target (see store): the member operators compute the same.
  static void multiply_add(const Batch& x, const Batch& w, Batch& acc) {
    if constexpr (std::is_same_v<Arch, xsimd::avx512f>) {
      Batch product = x;
      product *= w;
      acc += product;
    } else {
      acc = xsimd::fma(x, w, acc);
    }
  }

  // Vector j of the shortcut at this panel's channels of `pixel` (zeros past the panel's last channel).
  static Batch residual(const FloatConvPanelArgs& a, std::size_t pixel, int j) {
    const float* from = a.residual + pixel * a.out_c + j * width;
    if (a.channels >= (j + 1) * width) return Batch::load_unaligned(from);
    alignas(64) float part[width] = {};
    for (std::size_t n = j * width; n < a.channels; ++n) part[n - j * width] = from[n - j * width];
    return Batch::load_aligned(part);
  }

  // Bias, the shortcut, activation, and the store: straight into the output for a full panel, through a buffer for the
  // last, partial one.
  template <int R>
  static void store(const FloatConvPanelArgs& a, std::size_t first, Batch (&sums)[R][NR]) {
    // The shortcut and PReLU tests outside the unrolled loops: inside, the first split the epilogue into
    // R * NR branches; without a PReLU the slope is 1 and its multiply and select are skipped.
    if (a.residual != nullptr) return a.sloped ? store<R, true, true>(a, first, sums) : store<R, true, false>(a, first, sums);
    a.sloped ? store<R, false, true>(a, first, sums) : store<R, false, false>(a, first, sums);
  }

  template <int R, bool Residual, bool Sloped>
  static void store(const FloatConvPanelArgs& a, std::size_t first, Batch (&sums)[R][NR]) {
#pragma GCC unroll 4
    for (int j = 0; j < NR; ++j) {
      const float* e = a.epilogue + j * width;
      const Batch bias = Batch::load_aligned(e), slope = Batch::load_aligned(e + panel_width);
      const Batch low = Batch::load_aligned(e + 2 * panel_width), high = Batch::load_aligned(e + 3 * panel_width);
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) {
        // Member operators only: GCC 12 compiles a class template's inline friends (xsimd's binary + and *)
        // without the unit's target, so unoptimized they would return an AVX batch by the baseline ABI.
        Batch y = sums[r][j];
        y += bias;
        if constexpr (Residual) y += residual(a, first + r, j);
        if constexpr (Sloped) {
          Batch negative = y;
          negative *= slope;
          y = xsimd::select(y < Batch(0.0f), negative, y);
        }
        sums[r][j] = xsimd::min(xsimd::max(y, low), high);
      }
    }
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      float* out = a.output + (first + r) * a.out_c;
      if (a.channels == panel_width) {
#pragma GCC unroll 4
        for (int j = 0; j < NR; ++j) sums[r][j].store_unaligned(out + j * width);
      } else {
        alignas(64) float row[panel_width];
#pragma GCC unroll 4
        for (int j = 0; j < NR; ++j) sums[r][j].store_aligned(row + j * width);
        for (std::size_t n = 0; n < a.channels; ++n) out[n] = row[n];
      }
    }
  }
};

}  // namespace xnor::XNOR_ISA
