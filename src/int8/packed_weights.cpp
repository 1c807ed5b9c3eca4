// Weight prepacking (packed_weights.hpp): checks a layer's parameters, rearranges the weights into the
// kernel's panels and folds the zero-point terms into the bias:
//   sum (x - zp) * w = sum (x + offset) * w - (zp + offset) * sum w,
// where x + offset is what the kernel multiplies (offset 128 for the uint8_xor encoding, else 0).
#include "src/int8/packed_weights.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>

namespace xnor::detail {
namespace {

std::size_t round_up(std::size_t n, std::size_t multiple) { return (n + multiple - 1) / multiple * multiple; }

void check_params(const Int8LayerParams& params, std::size_t k, std::size_t out_c, const std::string& layer) {
  if (params.weights.size() != out_c * k) {
    throw std::invalid_argument(layer + ": " + std::to_string(out_c) + " output channels of " + std::to_string(k) +
                                " weights need " + std::to_string(out_c * k) + " weights, got " +
                                std::to_string(params.weights.size()));
  }
  if (params.weight_scales.size() != out_c && params.weight_scales.size() != 1) {
    throw std::invalid_argument(layer + ": " + std::to_string(params.weight_scales.size()) + " weight scales for " +
                                std::to_string(out_c) + " output channels (want one each, or one)");
  }
  for (float scale : params.weight_scales) {
    if (!(scale >= 0.0f) || !std::isfinite(scale)) {
      throw std::invalid_argument(layer + ": weight scales must be finite and >= 0, got " + std::to_string(scale));
    }
  }
  if (!params.bias.empty() && params.bias.size() != out_c) {
    throw std::invalid_argument(layer + ": " + std::to_string(params.bias.size()) + " biases for " +
                                std::to_string(out_c) + " output channels");
  }
  validate_quant_params(params.input, (layer + " input").c_str());
  validate_quant_params(params.output, (layer + " output").c_str());
  if (params.range.min > params.range.max) {
    throw std::invalid_argument(layer + ": empty activation range [" + std::to_string(params.range.min) + ", " +
                                std::to_string(params.range.max) + "]");
  }
}

// Weight k of channel c is k' = its kernel row * row_k_padded + its place in the row; it goes to panel c / P,
// group k' / g, lane c % P, position k' % g.
template <class T>
void fill_panels(PackedInt8Weights& packed, std::span<const std::int8_t> weights) {
  const Int8Layout& layout = packed.kernels->layout;
  const std::size_t width = layout.panel_width;
  const std::size_t group = layout.k_group;
  packed.panel_data = AlignedBuffer(packed.panels * width * packed.k_padded * sizeof(T));
  T* data = packed.panel_data.as<T>();
  for (std::size_t c = 0; c < packed.out_c; ++c) {
    T* panel = data + (c / width) * width * packed.k_padded;
    for (std::size_t k = 0; k < packed.k; ++k) {
      const std::size_t at = k / packed.row_k * packed.row_k_padded + k % packed.row_k;
      panel[(at / group) * width * group + (c % width) * group + at % group] = weights[c * packed.k + k];
    }
  }
}

// The least accumulator whose multiply_by_quantized_multiplier reaches `target` (int32 max if none does).
std::int32_t first_reaching(FixedPointMultiplier m, std::int32_t target) {
  std::int64_t low = std::numeric_limits<std::int32_t>::min(), high = std::numeric_limits<std::int32_t>::max();
  if (multiply_by_quantized_multiplier(static_cast<std::int32_t>(high), m) < target)
    return static_cast<std::int32_t>(high);
  while (low < high) {  // the function is monotonic
    const std::int64_t mid = low + (high - low) / 2;
    if (multiply_by_quantized_multiplier(static_cast<std::int32_t>(mid), m) >= target) {
      high = mid;
    } else {
      low = mid + 1;
    }
  }
  return static_cast<std::int32_t>(low);
}

// The greatest accumulator whose multiply_by_quantized_multiplier stays at or below `target` (int32 min if none).
std::int32_t last_below(FixedPointMultiplier m, std::int32_t target) {
  const std::int32_t first_above = first_reaching(m, target + 1);
  if (multiply_by_quantized_multiplier(first_above, m) <= target) return first_above;  // none goes above
  return first_above == std::numeric_limits<std::int32_t>::min() ? first_above : first_above - 1;
}

}  // namespace

PackedInt8Weights pack_int8_weights(const Int8Kernels& kernels, std::size_t kernel_h, std::size_t kernel_w,
                                    std::size_t in_c, std::size_t out_c, const Int8LayerParams& params,
                                    const char* layer) {
  PackedInt8Weights packed;
  packed.kernels = &kernels;
  packed.k = kernel_h * kernel_w * in_c;
  check_params(params, packed.k, out_c, layer);
  const Int8Layout& layout = kernels.layout;
  packed.kernel_rows = kernel_h;
  packed.row_k = kernel_w * in_c;
  packed.row_k_padded = round_up(packed.row_k, layout.k_align);
  packed.k_padded = kernel_h * packed.row_k_padded;
  packed.out_c = out_c;
  packed.panels = (out_c + layout.panel_width - 1) / layout.panel_width;
  if (layout.encoding == Int8Encoding::int16) {
    fill_panels<std::int16_t>(packed, params.weights);
  } else {
    fill_panels<std::int8_t>(packed, params.weights);
  }

  const std::size_t channels = packed.panels * layout.panel_width;
  packed.bias.assign(channels, 0);
  packed.multiplier.assign(channels, 0);
  packed.left_shift.assign(channels, 0);
  packed.right_shift.assign(channels, 0);
  packed.clamp_low.assign(channels, 0);
  packed.clamp_high.assign(channels, 0);
  const std::int64_t offset = params.input.zero_point + (layout.encoding == Int8Encoding::uint8_xor ? 128 : 0);
  bool bias_folds = true;
  for (std::size_t c = 0; c < out_c; ++c) {
    std::int64_t weight_sum = 0;
    for (std::size_t k = 0; k < packed.k; ++k) weight_sum += params.weights[c * packed.k + k];
    const std::int64_t bias = params.bias.empty() ? 0 : params.bias[c];
    packed.bias[c] = static_cast<std::int32_t>(bias - offset * weight_sum);  // modulo 2^32, as the accumulator
    const FixedPointMultiplier m = output_multiplier(params, c);
    packed.multiplier[c] = m.multiplier;
    packed.left_shift[c] = std::max(m.shift, 0);
    packed.right_shift[c] = std::max(-m.shift, 0);
    packed.any_left_shift = packed.any_left_shift || m.shift > 0;
    const std::int32_t low = params.range.min - params.output.zero_point;
    const std::int32_t high = params.range.max - params.output.zero_point;
    packed.clamp_low[c] = last_below(m, low);
    packed.clamp_high[c] = first_reaching(m, high);
    // |a sum of products| <= k_padded * 255 * 128 < k_padded * 2^15 in every encoding.
    const std::int64_t largest =
        std::abs(std::int64_t{packed.bias[c]}) + static_cast<std::int64_t>(packed.k_padded) * (1 << 15);
    bias_folds = bias_folds && m.shift < 0 && largest < std::int64_t{1} << 31;
  }
  packed.bias_folds = bias_folds;
  packed.input_zero_point = static_cast<std::int8_t>(params.input.zero_point);
  packed.output_zero_point = params.output.zero_point;
  packed.range = params.range;
  return packed;
}

}  // namespace xnor::detail
