// Ir -> GraphDef: each live node becomes one runtime node (aliases and flattens become none).
#include <algorithm>

#include "src/onnx/ir.hpp"

namespace xnor::onnx_import {
namespace {

// OIHW weights as OHWI, each output row multiplied by scale[o] (float layers fold it into the weights).
std::vector<float> ohwi(const IrNode& n, std::size_t in_c, bool fold_scale) {
  const std::size_t out_c = n.scale.size(), taps = n.kernel_h * n.kernel_w;
  std::vector<float> w(n.weights.size());
  for (std::size_t o = 0; o < out_c; ++o) {
    for (std::size_t i = 0; i < in_c; ++i) {
      for (std::size_t t = 0; t < taps; ++t) {
        const float v = n.weights[(o * in_c + i) * taps + t];
        w[(o * taps + t) * in_c + i] = fold_scale ? v * n.scale[o] : v;
      }
    }
  }
  return w;
}

Op conv_op(const IrNode& n, const Shape& in) {
  const ConvWindow window{n.kernel_h, n.kernel_w, n.stride, n.padding(), n.scale.size(), n.groups};
  if (!n.binary) return FloatConvOp{window, ohwi(n, in.c / n.groups, true), n.shift, n.activation};
  const BinaryWeights weights = binarize_weights(ohwi(n, in.c, false), n.scale.size(), n.kernel_h * n.kernel_w, in.c);
  return BinaryConvOp{window,     weights.bits,      n.scale, n.shift, n.activation,
                      n.binary_padding, n.bits_output ? DType::bits : DType::float32, {}};
}

}  // namespace

GraphDef emit(const Ir& ir, InputSpec input, std::vector<std::string> labels) {
  const std::size_t count = ir.nodes.size();
  std::vector<bool> live(count);
  live[ir.output] = true;
  for (std::size_t i = count; i-- > 0;) {
    if (!live[i]) continue;
    for (std::size_t x : ir.nodes[i].inputs) live[x] = true;
  }
  GraphDef graph;
  graph.input = std::move(input);
  std::vector<std::uint32_t> tensor(count, 0);
  for (std::size_t i = 1; i < count; ++i) {
    const IrNode& n = ir.nodes[i];
    if (!live[i]) continue;
    std::vector<std::uint32_t> inputs;
    for (std::size_t x : n.inputs) inputs.push_back(tensor[x]);
    const Shape& in = ir.nodes[n.inputs.at(0)].shape;
    Op op;
    switch (n.kind) {
      case IrKind::alias:
      case IrKind::flatten:
        tensor[i] = inputs[0];
        continue;
      case IrKind::input:
        throw ModelError("node '" + n.name + "': a second input");
      case IrKind::pad:
        throw ModelError("node '" + n.name + "' (Pad): only a pad of 0 before a convolution, or of 1 between a Sign and a "
                         "binary convolution, is supported");
      case IrKind::conv:
        if (!n.binary && ir.nodes[n.inputs[0]].kind == IrKind::sign) {
          throw ModelError("node '" + n.name + "' (Conv): its input is a Sign but its weights are not ±alpha per output "
                           "channel (a float convolution of signs is not supported)");
        }
        op = conv_op(n, in);
        break;
      case IrKind::scale_shift:
        op = ScaleShiftOp{n.scale, n.shift};
        break;
      case IrKind::activation:
        op = ActivationOp{n.activation};
        break;
      case IrKind::sign:
        op = BitpackOp{};
        break;
      case IrKind::pool: {
        op = PoolOp{n.pool_kind, n.kernel_h, n.stride, n.padding(), n.global, n.ceil_mode, n.count_padding};
        break;
      }
      case IrKind::concat:
        op = ConcatOp{};
        break;
      case IrKind::softmax:
        op = SoftmaxOp{};
        break;
      case IrKind::elementwise:
        op = ElementwiseOp{n.elementwise_kind, n.activation, {}};
        break;
    }
    graph.nodes.push_back({n.name, std::move(inputs), std::move(op)});
    tensor[i] = static_cast<std::uint32_t>(graph.nodes.size());
  }
  if (graph.nodes.empty()) throw ModelError("the graph computes nothing (its output is its input)");
  if (tensor[ir.output] != graph.nodes.size()) {
    throw ModelError("the graph output must be computed by its last operation");
  }
  const Shape& out = ir.nodes[ir.output].shape;
  if (labels.empty()) {
    for (std::size_t k = 0; k < out.c * out.h * out.w; ++k) labels.push_back(std::to_string(k));
  }
  graph.labels = std::move(labels);
  infer_tensors(graph);
  return graph;
}

}  // namespace xnor::onnx_import
