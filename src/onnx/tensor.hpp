#pragma once
// Reading ONNX tensors and attributes, with every size checked before anything is allocated.
#include <cstdint>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "src/onnx/import.hpp"

namespace xnor::onnx_import {

// The most elements one constant may hold, and all of a model's constants together (weights of large models
// fit easily; hostile shapes do not).
inline constexpr std::size_t max_constant_elements = std::size_t{1} << 24;
inline constexpr std::size_t max_total_constant_elements = std::size_t{1} << 25;

// Elements of a shape; ModelError (naming `what`) for a negative dimension or more than max_constant_elements.
std::size_t element_count(const std::vector<std::int64_t>& dims, const std::string& what);

Tensor to_tensor(const onnx::TensorProto& proto, const std::string& what);
// The values as integers (truncated; NaN as 0; clamped to +-2^62, so that no conversion is undefined).
std::vector<std::int64_t> to_ints(const Tensor& t);

const onnx::AttributeProto* find_attribute(const onnx::NodeProto& node, const std::string& name);
std::int64_t int_attribute(const onnx::NodeProto& node, const std::string& name, std::int64_t fallback);
float float_attribute(const onnx::NodeProto& node, const std::string& name, float fallback);
std::string string_attribute(const onnx::NodeProto& node, const std::string& name, const std::string& fallback);
std::vector<std::int64_t> ints_attribute(const onnx::NodeProto& node, const std::string& name,
                                         std::vector<std::int64_t> fallback);

// "node 'NAME' (Op)": how errors name a node.
std::string describe(const onnx::NodeProto& node);

}  // namespace xnor::onnx_import
