#pragma once
// A network as data: a list of nodes over tensors, in topological order. Tensor 0 is the float input image
// (H x W x C); node i produces tensor i + 1; the last node's tensor is the network's output. Shapes and
// precisions are not stored: infer_tensors() derives and checks them, once, when a model is loaded.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "xnor/activation.hpp"
#include "xnor/binary_conv.hpp"
#include "xnor/conv_geometry.hpp"
#include "xnor/elementwise.hpp"
#include "xnor/error.hpp"
#include "xnor/int8.hpp"

namespace xnor {

enum class DType : std::uint8_t { float32, int8, bits };

struct TensorSpec {
  std::size_t h = 0, w = 0, c = 0;
  DType dtype = DType::float32;
  QuantParams quant;  // int8 only

  std::size_t pixels() const { return h * w; }
  // Values, or 64-bit words for bits.
  std::size_t elements() const { return dtype == DType::bits ? pixels() * words_for_bits(c) : pixels() * c; }
  std::size_t bytes() const { return elements() * (dtype == DType::bits ? 8 : dtype == DType::int8 ? 1 : 4); }
};

// A convolution's window; the input size comes from the input tensor. A dense layer is the convolution whose
// kernel covers its whole (valid-padded) input, so dense weights in NHWC-flattened order are OHWI. With groups
// (float and int8 only), output channel o reads the in_c / groups input channels of group o / (out_c / groups),
// and the weights are OHWI with I = in_c / groups (grouped_conv.hpp); groups == in_c is a depthwise convolution.
struct ConvWindow {
  std::size_t kernel_h = 1, kernel_w = 1, stride = 1;
  Padding padding = Padding::valid;
  std::size_t out_c = 0;
  std::size_t groups = 1;

  // Input channels each output channel reads.
  std::size_t group_in_c(const TensorSpec& input) const { return input.c / groups; }

  ConvGeometry geometry(const TensorSpec& input) const {
    return {input.h, input.w, input.c, kernel_h, kernel_w, stride, padding, out_c};
  }
};

struct FloatConvOp {
  ConvWindow window;
  std::vector<float> weights;  // OHWI
  std::vector<float> bias;
  Activation activation;
};

struct Int8ConvOp {
  ConvWindow window;
  std::vector<std::int8_t> weights;  // OHWI, symmetric per output channel
  std::vector<float> weight_scales;  // per output channel
  std::vector<std::int32_t> bias;    // scale: input scale * weight scale
  QuantParams output;
  Activation activation;  // none, relu or clamp (a range of the output)
};

struct BinaryConvOp {
  ConvWindow window;
  std::vector<std::uint64_t> weight_bits;  // binarize_weights' layout
  std::vector<float> multiplier, bias;     // the OutputTransform
  Activation activation;
  BinaryPadding padding = BinaryPadding::one;
  DType output = DType::bits;
  QuantParams output_quant;  // int8 output only
};

enum class PoolKind : std::uint8_t { max, average };

// Padded positions take no part in a max; an average divides by the cells inside the input, or with
// count_padding (ONNX's count_include_pad) by those inside the padded input (never a ceil_mode overhang).
struct PoolOp {
  PoolKind kind = PoolKind::max;
  std::size_t kernel = 1, stride = 1;
  Padding padding = Padding::valid;
  bool global = false;  // the window is the whole image (kernel, stride, padding and modes unused)
  bool ceil_mode = false;
  bool count_padding = false;

  ConvGeometry geometry(const TensorSpec& input) const {
    if (global) return {input.h, input.w, input.c, input.h, input.w, 1, Padding::valid, input.c};
    return {input.h, input.w, input.c, kernel, kernel, stride, padding, input.c, ceil_mode};
  }
};

struct ConcatOp {
  QuantParams output_quant;  // int8 only: every input is requantized to it
};
struct QuantizeOp {
  QuantParams output;
};
struct DequantizeOp {};
struct BitpackOp {};  // float or int8 to bits (sign)
struct ActivationOp {
  Activation activation;
};
struct SoftmaxOp {};
// y = x * scale[c] + shift[c] on float tensors: a BatchNorm (or a per-channel Mul / Add) that no neighbouring
// layer can absorb, e.g. before the sign of a binary layer that follows a pooling.
struct ScaleShiftOp {
  std::vector<float> scale, shift;
};

// y = activation(a op b) of two float or two int8 tensors: b of a's shape, or 1x1 with a's channels (broadcast
// over pixels). int8: TFLite's ADD / MUL to output_quant (elementwise.hpp); the activation is then none, relu
// or clamp.
struct ElementwiseOp {
  ElementwiseKind kind = ElementwiseKind::add;
  Activation activation;
  QuantParams output_quant;  // int8 only
};

// New kinds go at the end: the model file stores the index.
using Op = std::variant<FloatConvOp, Int8ConvOp, BinaryConvOp, PoolOp, ConcatOp, QuantizeOp, DequantizeOp, BitpackOp,
                        ActivationOp, SoftmaxOp, ScaleShiftOp, ElementwiseOp>;

struct Node {
  std::string name;
  std::vector<std::uint32_t> inputs;  // tensor indices, each below this node's own tensor
  Op op;
};

// How an image becomes the input tensor: size, channels, normalization ((v - mean) / std per channel, on
// values scaled to [0, value_max]), and whether the background must be inverted (dark-on-light photos for
// a model trained on light-on-dark images).
struct InputSpec {
  std::size_t h = 0, w = 0, c = 0;
  std::vector<float> mean, std;
  float value_max = 1.0f;
  bool invert = false;
};

struct GraphDef {
  InputSpec input;
  std::vector<std::string> labels;
  std::vector<Node> nodes;
};

// The spec of the tensor `node` produces, given the specs of the tensors before it; checks the node's inputs,
// shapes, precisions and parameter sizes. Throws ModelError naming the node.
TensorSpec infer_node(const Node& node, const std::vector<TensorSpec>& tensors);

// The spec of every tensor (index 0: the input). Checks the whole graph: node inputs, shapes, precisions,
// parameter sizes; throws ModelError naming the node.
std::vector<TensorSpec> infer_tensors(const GraphDef& graph);

// Name of the op kind, e.g. "conv" or "pool", and its precision, e.g. "binary".
std::string op_kind(const Op& op);
std::string dtype_name(DType dtype);

}  // namespace xnor
