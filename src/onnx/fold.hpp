#pragma once
// Import-time evaluation of nodes whose inputs are all constants: the small shape subgraphs that exporters
// emit (Pad amounts since opset 11, Reshape targets) and constant arithmetic.
#include <optional>
#include <vector>

#include "src/onnx/tensor.hpp"

namespace xnor::onnx_import {

// The node's output, or nullopt if the op is not one evaluated here. ModelError for bad attributes or shapes.
std::optional<Tensor> fold_constant(const onnx::NodeProto& node, const std::vector<const Tensor*>& inputs);

}  // namespace xnor::onnx_import
