#pragma once
// The input shape a model takes from an array (an .npy file for `xnor run`, a numpy array in the Python
// module): its H x W x C, or 1 x H x W x C. One check, one wording, for both.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "xnor/graph.hpp"

namespace xnor::cli {

// "(28, 28, 1)".
inline std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + ")";
}

// Throws std::invalid_argument "<what>: shape (..), but <model_name> takes (h, w, c) or (1, h, w, c) (H, W, C)"
// unless `shape` is one of those.
inline void check_input_shape(const std::vector<std::size_t>& shape, const TensorSpec& input, const std::string& what,
                              const std::string& model_name) {
  const std::vector<std::size_t> hwc = {input.h, input.w, input.c}, batch_of_one = {1, input.h, input.w, input.c};
  if (shape != hwc && shape != batch_of_one) {
    throw std::invalid_argument(what + ": shape " + shape_text(shape) + ", but " + model_name + " takes " +
                                shape_text(hwc) + " or " + shape_text(batch_of_one) + " (H, W, C)");
  }
}

}  // namespace xnor::cli
