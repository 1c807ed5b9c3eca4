#pragma once
// ONNX import: an ONNX model (a float network for one NCHW image) becomes a GraphDef.
//
// BatchNormalization, per-channel Mul / Add and activations fold into the layer before them; a Conv whose
// input is Sign (optionally through a Pad of value 1) and whose weights take the values ±alpha_n per output
// channel becomes a binary convolution (Pad 1 -> BinaryPadding::one, the Conv's own zero pads -> ::zero);
// a BatchNorm -> Sign after a binary convolution becomes its bit output, so binary layers pass packed bits.
// Small shape subgraphs (Constant, Shape, ConstantOfShape, Slice, Concat, Reshape, Transpose, Cast, ...) are
// evaluated at import. Anything else is refused with the node's name and op (ModelError).
//
// Sign: ONNX maps 0 to 0, xnor to +1 (bit 0); they differ only where a value is exactly 0.
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "xnor/graph.hpp"

namespace xnor::onnx_import {

// A dense N-d tensor of numbers (shape subgraphs, weights, test data), row-major.
struct Tensor {
  std::vector<std::int64_t> dims;
  std::vector<double> values;
  bool integer = false;  // an integer or bool ONNX type: arithmetic and casts truncate
};

// A serialized onnx.TensorProto (e.g. a node test's input_0.pb) as a Tensor; ModelError if it is malformed.
Tensor parse_tensor(std::span<const std::byte> bytes, const std::string& what);

struct Options {
  // Graph inputs other than the image, bound to constants (the ONNX node tests pass weights as inputs).
  std::map<std::string, Tensor> bound_inputs;
  // Labels and input normalization; empty means: from the model's metadata ("xnor.labels" one per line,
  // "xnor.mean", "xnor.std", "xnor.value_max", "xnor.invert"), else class numbers, mean 0, std 1, range [0, 1].
  std::vector<std::string> labels;
  std::vector<float> mean, std;
};

GraphDef import_model(std::span<const std::byte> onnx, const Options& options = {});
// The graph's inputs that are not initializers, in order (the first is the image).
std::vector<std::string> input_names(std::span<const std::byte> onnx);
GraphDef import_file(const std::string& path, const Options& options = {});

}  // namespace xnor::onnx_import
