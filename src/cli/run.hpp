#pragma once
#include <ostream>
#include <span>
#include <string>

namespace xnor::cli {

// `xnor run MODEL --input X.npy --output Y.npy`: runs the model on one preprocessed input tensor and writes
// its output tensor. Returns the exit code.
int run(std::span<const std::string> args, std::ostream& out);

}  // namespace xnor::cli
