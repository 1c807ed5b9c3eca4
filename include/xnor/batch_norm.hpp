#pragma once
// Inference BatchNorm: y = scale[c] * x + shift[c] per channel, where scale = gamma / sqrt(variance + epsilon)
// and shift = beta - mean * scale. After a convolution or dense layer it folds into that layer's weights and
// bias and costs nothing at run time.
#include <cstddef>
#include <span>
#include <vector>

namespace xnor {

struct BatchNorm {
  std::vector<float> scale, shift;

  // Throws std::invalid_argument unless all four have the same size.
  static BatchNorm from_statistics(std::span<const float> gamma, std::span<const float> beta,
                                   std::span<const float> mean, std::span<const float> variance, float epsilon);

  std::size_t channels() const { return scale.size(); }
  // NHWC, channels() values per pixel; input and output may be the same memory.
  void run(std::span<const float> input, std::span<float> output) const;
};

// Folds `norm`, applied to the output of a convolution or dense layer, into that layer: `weights` holds one
// row per output channel (OHWI, or out x in), row n is scaled by scale[n], and bias[n] becomes
// scale[n] * bias[n] + shift[n] (pass zeros for a layer without bias).
void fold_batch_norm(const BatchNorm& norm, std::span<float> weights, std::span<float> bias);

}  // namespace xnor
