#pragma once
// The table of bit kernels one instruction set provides. Each lives in its own translation unit
// (bitops/kernels_<isa>.cpp) compiled for that instruction set, in its namespace (src/target.hpp);
// src/cpu_path.cpp maps each path to one table.
// Every entry computes exactly what the matching function in bitops/reference.hpp computes.
#include <cstddef>
#include <cstdint>


namespace xnor::detail {

// Output bits instead of counts (a binary layer's thresholded output, reference::dots_to_bits on the
// panel's columns): bit j of row r's 32-bit word is set where
//   low[j] <= k_bits - 2 * count[r][j] - correction[r][j] <= high[j],
// correction[r] = corrections + r * correction_stride for rows with corrected[r], else 0. The word goes to
// out[r * out_stride]: on little-endian CPUs, half of a 64-bit word of the packed output.
struct PanelBits {
  std::int32_t k_bits;
  const std::int32_t* low;   // this panel's columns
  const std::int32_t* high;
  const std::int32_t* corrections;
  std::size_t correction_stride;
  const char* corrected;     // per row; null: no row is corrected
  std::uint32_t* out;
  std::size_t out_stride;
};

// Rows a PanelBits call may have: a binary layer's block of output pixels.
constexpr std::size_t max_panel_bits_rows = 32;

// One weight panel (BgemmWeights::panel_width rows, word-interleaved) against M rows of A.
struct BgemmPanelArgs {
  const std::uint64_t* a;      // M rows of `words` words, row stride lda
  std::size_t lda;
  std::size_t m;
  const std::uint64_t* panel;  // [words][panel_width]
  std::size_t words;
  std::size_t n_valid;         // rows of the panel to store (the rest are zero padding)
  std::int32_t* c;             // C for this panel's first column, row stride ldc
  std::size_t ldc;
  const PanelBits* bits = nullptr;  // if set, bits are written instead of C (m <= max_panel_bits_rows)
};

// A binary layer's float outputs for one pixel (reference::dots_to_floats): for channel c < n,
//   y = multiplier[c] * ((k_bits - 2 * counts[c] - correction[c]) * scale) + bias[c] (+ residual[c]),
//   out[c] = min(max(y < 0 ? slopes[c] * y : y, low), high),
// the output transform with any piecewise-linear activation: none (no slopes, -inf, +inf), ReLU (low 0),
// PReLU (slopes), a clamp (low, high); with a residual, a shortcut Add's operand is added before it.
struct DotsToFloats {
  const std::int32_t* counts;
  std::size_t n;
  std::int32_t k_bits;
  const std::int32_t* correction;  // null: 0
  float scale;                     // the pixel's activation scale; 1 without
  const float* multiplier;
  const float* bias;
  const float* slopes;             // null: y < 0 is left as it is
  float low, high;
  float* out;
  const float* residual = nullptr;  // null: none
};

struct BitKernels {
  // reference::pack_signs_float
  void (*pack_float)(const float* values, std::size_t pixels, std::size_t channels, std::uint64_t* bits);
  // reference::pack_thresholded
  void (*pack_thresholded)(const float* values, std::size_t pixels, std::size_t channels, const float* flip,
                           const float* thresholds, std::uint64_t* bits);
  // reference::pack_signs_int8
  void (*pack_int8)(const std::int8_t* values, std::int8_t zero_point, std::size_t pixels, std::size_t channels,
                    std::uint64_t* bits);
  // reference::bgemm, one panel at a time
  void (*bgemm_panel)(const BgemmPanelArgs& args);
  // reference::dots_to_bits
  void (*dots_to_bits)(const std::int32_t* counts, std::size_t n, std::int32_t k_bits, const std::int32_t* correction,
                       const std::int32_t* low, const std::int32_t* high, std::uint64_t* bits);
  // reference::dots_to_floats
  void (*dots_to_floats)(const DotsToFloats& args);
};

}  // namespace xnor::detail

namespace xnor::scalar {
const detail::BitKernels& bit_kernels();
}
#if defined(__x86_64__)
namespace xnor::avx2 {
const detail::BitKernels& bit_kernels();
}
namespace xnor::avx512 {
const detail::BitKernels& bit_kernels();
}
#endif
#if defined(__aarch64__)
namespace xnor::neon {
const detail::BitKernels& bit_kernels();
}
#endif
