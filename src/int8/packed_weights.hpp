#pragma once
// A layer's weights prepacked for one kernel, with the per-channel values of its output transform.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "src/aligned_buffer.hpp"
#include "src/int8/kernels.hpp"
#include "xnor/int8.hpp"
#include "xnor/int8_conv.hpp"

namespace xnor::detail {

struct PackedInt8Weights {
  const Int8Kernels* kernels = nullptr;
  std::size_t k = 0;             // taps * in_c
  std::size_t kernel_rows = 0;   // kernel_h (1 for a layer fed im2col rows)
  std::size_t row_k = 0;         // kernel_w * in_c: one kernel row (taps * in_c for im2col rows)
  std::size_t row_k_padded = 0;  // row_k rounded up to the layout's k_align
  std::size_t k_padded = 0;      // kernel_h * row_k_padded
  std::size_t out_c = 0;
  std::size_t panels = 0;
  AlignedBuffer panel_data;  // panels of the layout (int16 weights for the int16 encoding, else int8)
  // Per output channel, padded with zeros to panels * panel_width channels:
  std::vector<std::int32_t> bias;  // bias - (input zero point + the encoding's offset) * the channel's weight sum
  std::vector<std::int32_t> multiplier;
  std::vector<std::int32_t> left_shift;   // max(shift, 0)
  std::vector<std::int32_t> right_shift;  // max(-shift, 0)
  // Accumulators (bias included) below clamp_low all give range.min, above clamp_high all range.max (the output
  // transform is monotonic), so a kernel may clamp an accumulator to [clamp_low, clamp_high] first.
  std::vector<std::int32_t> clamp_low, clamp_high;
  bool any_left_shift = false;
  // Whether every multiplier is below 1/2 and no sum of products plus bias can wrap (|bias| + k_padded * 2^15 <
  // 2^31): then a kernel may fold the bias into wider arithmetic after the multiply and needs no clamp before it.
  bool bias_folds = false;
  std::int8_t input_zero_point = 0;
  std::int32_t output_zero_point = 0;
  Int8Range range;

  template <class T>
  const T* panel(std::size_t p) const {
    return panel_data.as<T>() + p * k_padded * kernels->layout.panel_width;
  }
  FixedPointMultiplier multiplier_of(std::size_t channel) const {
    return {multiplier[channel], left_shift[channel] - right_shift[channel]};
  }
};

// Checks params against the shape (std::invalid_argument, messages start with `layer`) and packs them.
PackedInt8Weights pack_int8_weights(const Int8Kernels& kernels, std::size_t kernel_h, std::size_t kernel_w,
                                    std::size_t in_c, std::size_t out_c, const Int8LayerParams& params,
                                    const char* layer);

}  // namespace xnor::detail
