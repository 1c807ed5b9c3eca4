#pragma once
// Float operations without weights (NHWC, batch 1): activations, pooling, channel concatenation, softmax.
#include <cstddef>
#include <span>

#include "xnor/activation.hpp"
#include "xnor/conv_geometry.hpp"

namespace xnor {

// Applies the activation in place to NHWC values with `channels` per pixel (PReLU: one slope per channel).
void activate(std::span<float> values, std::size_t channels, const Activation& activation);

// Pooling windows follow geometry (geometry.out_c must equal geometry.in_c). Cells of a padded window that
// fall outside the input are left out, as in TensorFlow: the maximum is over real cells only, and the
// average divides by the number of real cells, or with count_padding (ONNX's count_include_pad) by the
// cells inside the padded input (a ceil_mode overhang never counts).
// `rows` limits the work to a band of output rows (the rest of the output is not written).
void max_pool(std::span<const float> input, const ConvGeometry& geometry, std::span<float> output, OutputRows rows = {});
void average_pool(std::span<const float> input, const ConvGeometry& geometry, std::span<float> output,
                  OutputRows rows = {}, bool count_padding = false);
// The mean of each channel over all pixels: `channels` outputs.
void global_average_pool(std::span<const float> input, std::size_t pixels, std::size_t channels,
                         std::span<float> output);

// One input of a channel concatenation: `channels` values per pixel.
struct FloatChannels {
  std::span<const float> values;
  std::size_t channels;
};

// Concatenates the inputs' channels pixel by pixel (Inception branches), in the order given.
void concat_channels(std::span<const FloatChannels> inputs, std::size_t pixels, std::span<float> output);

// probabilities[i] = exp(logits[i] - max) / sum of them: stable for any finite logits, sums to 1.
void softmax(std::span<const float> logits, std::span<float> probabilities);

}  // namespace xnor
