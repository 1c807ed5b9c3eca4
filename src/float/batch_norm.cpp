#include "xnor/batch_norm.hpp"

#include <cmath>

#include "src/check_size.hpp"

namespace xnor {

BatchNorm BatchNorm::from_statistics(std::span<const float> gamma, std::span<const float> beta,
                                     std::span<const float> mean, std::span<const float> variance, float epsilon) {
  detail::check_size("batch norm", "beta", beta.size(), gamma.size());
  detail::check_size("batch norm", "mean", mean.size(), gamma.size());
  detail::check_size("batch norm", "variance", variance.size(), gamma.size());
  BatchNorm norm{std::vector<float>(gamma.size()), std::vector<float>(gamma.size())};
  for (std::size_t c = 0; c < gamma.size(); ++c) {
    norm.scale[c] = gamma[c] / std::sqrt(variance[c] + epsilon);
    norm.shift[c] = beta[c] - mean[c] * norm.scale[c];
  }
  return norm;
}

void BatchNorm::run(std::span<const float> input, std::span<float> output) const {
  detail::check_size("batch norm", "shift", shift.size(), channels());
  detail::check_size("batch norm", "output", output.size(), input.size());
  detail::groups_of("batch norm", input.size(), channels());
  for (std::size_t i = 0; i < input.size(); i += channels()) {
    for (std::size_t c = 0; c < channels(); ++c) output[i + c] = scale[c] * input[i + c] + shift[c];
  }
}

void fold_batch_norm(const BatchNorm& norm, std::span<float> weights, std::span<float> bias) {
  const std::size_t channels = norm.channels();
  detail::check_size("batch norm folding", "shift", norm.shift.size(), channels);
  detail::check_size("batch norm folding", "bias", bias.size(), channels);
  // One row of weights per output channel (the number of groups of `channels` values is the row length).
  const std::size_t row = detail::groups_of("batch norm folding", weights.size(), channels);
  for (std::size_t n = 0; n < channels; ++n) {
    for (float& w : weights.subspan(n * row, row)) w *= norm.scale[n];
    bias[n] = norm.scale[n] * bias[n] + norm.shift[n];
  }
}

}  // namespace xnor
