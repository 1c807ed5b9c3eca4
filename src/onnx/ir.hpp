#pragma once
// The importer's intermediate form: one node per runtime operation, in topological order, over NCHW images of
// batch 1 (c, h, w) or flat vectors. Node 0 is the input image; node i's value is its output. Fusion rewrites
// it in place (a fused node becomes an alias of its input), then emit() turns it into a GraphDef.
#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "xnor/graph.hpp"

namespace xnor::onnx_import {

struct Shape {
  std::size_t c = 0, h = 1, w = 1;
  bool flat = false;  // a vector of c * h * w values in NCHW order (after Flatten), still laid out as c, h, w
};

enum class IrKind { input, conv, scale_shift, activation, sign, pad, pool, concat, flatten, softmax, elementwise, alias };

struct IrNode {
  static IrNode of(IrKind kind, std::vector<std::size_t> inputs, Shape shape) {
    IrNode n;
    n.kind = kind;
    n.inputs = std::move(inputs);
    n.shape = shape;
    return n;
  }

  IrKind kind = IrKind::input;
  std::string name;
  std::vector<std::size_t> inputs;
  Shape shape;  // of the output

  // conv (dense too: a conv whose kernel covers its input): y = activation(scale[n] * (W * x)[n] + shift[n]).
  std::vector<float> weights;  // OIHW
  std::size_t kernel_h = 1, kernel_w = 1, stride = 1;
  std::size_t groups = 1;             // conv
  std::array<std::size_t, 4> pads{};  // top, left, bottom, right (pool and pad too)
  std::vector<float> scale, shift;    // conv and scale_shift
  Activation activation;              // conv, activation and elementwise
  bool binary = false;                // weights are ±1 and the input is a sign
  BinaryPadding binary_padding = BinaryPadding::zero;
  bool bits_output = false;  // a binary conv whose sign is taken by the next layer (fused)

  // pool
  PoolKind pool_kind = PoolKind::max;
  bool global = false;
  bool ceil_mode = false;
  bool count_padding = false;  // count_include_pad

  Padding padding() const {
    return pads == std::array<std::size_t, 4>{} ? Padding::valid : Padding::amounts(pads[0], pads[1], pads[2], pads[3]);
  }
  // The window over an input of `in` (conv and pool).
  ConvGeometry geometry(const Shape& in) const {
    return {in.h, in.w, in.c, kernel_h, kernel_w, stride, padding(), std::max<std::size_t>(scale.size(), 1), ceil_mode};
  }

  // pad
  float pad_value = 0.0f;

  // elementwise: activation(inputs[0] op inputs[1]), the second of the first's shape or 1x1 (per channel)
  ElementwiseKind elementwise_kind = ElementwiseKind::add;
};

struct Ir {
  std::vector<IrNode> nodes;
  std::size_t output = 0;
};

// Folds BatchNorm / Mul / Add and activations into the convolutions before them, recognizes binary
// convolutions, and turns BatchNorm -> Sign after binary convolutions into their bit outputs.
void fuse(Ir& ir);

// The GraphDef of a fused Ir. Throws ModelError for what the runtime cannot run (naming the node).
GraphDef emit(const Ir& ir, InputSpec input, std::vector<std::string> labels);

}  // namespace xnor::onnx_import
