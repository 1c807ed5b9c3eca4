// Shape and precision inference: the one place a graph is checked before anything is built or allocated.
#include <algorithm>
#include <string>

#include "src/graph/overloaded.hpp"
#include "xnor/graph.hpp"

namespace xnor {
namespace {

// Far beyond any network here, small enough that no product of them overflows.
constexpr std::size_t max_dimension = 1 << 16;
constexpr std::size_t max_tensor_bytes = std::size_t{1} << 30;

using detail::Overloaded;

class Checker {
 public:
  Checker(const std::string& node) : node_(node) {}

  [[noreturn]] void fail(const std::string& problem) const { throw ModelError("node '" + node_ + "': " + problem); }
  void expect(bool ok, const std::string& problem) const {
    if (!ok) fail(problem);
  }
  void expect_count(const char* what, std::size_t actual, std::size_t expected) const {
    expect(actual == expected, std::string(what) + " has " + std::to_string(actual) + " values, expected " +
                                   std::to_string(expected));
  }
  void expect_dtype(const TensorSpec& input, DType dtype) const {
    expect(input.dtype == dtype, "input is " + dtype_name(input.dtype) + ", expected " + dtype_name(dtype));
  }
  void expect_quant(QuantParams q, const char* what) const {
    expect(q.scale > 0.0f && q.scale < 1e30f && q.zero_point >= -128 && q.zero_point <= 127,
           std::string(what) + " quantization needs a positive finite scale and a zero point in [-128, 127]");
  }
  // A layer's activation: one its output transform fuses.
  void expect_layer_activation(const Activation& activation, std::size_t channels) const {
    expect(activation.fusable(), "a hard sigmoid or swish does not fuse into a layer");
    expect_activation(activation, channels);
  }
  void expect_activation(const Activation& activation, std::size_t channels) const {
    if (activation.kind == Activation::Kind::prelu) expect_count("PReLU slopes", activation.slopes.size(), channels);
    if (activation.kind == Activation::Kind::clamp) expect(activation.low <= activation.high, "clamp has low > high");
  }
  ConvGeometry geometry(const TensorSpec& input, const ConvWindow& window) const {
    expect(window.kernel_h > 0 && window.kernel_h <= max_dimension && window.kernel_w > 0 &&
               window.kernel_w <= max_dimension && window.stride > 0 && window.stride <= max_dimension &&
               window.out_c > 0 && window.out_c <= max_dimension,
           "kernel, stride and output channels must be in [1, 65536]");
    expect(window.groups > 0 && input.c % window.groups == 0 && window.out_c % window.groups == 0,
           std::to_string(window.groups) + " groups must divide the " + std::to_string(input.c) + " input and " +
               std::to_string(window.out_c) + " output channels");
    return checked(window.geometry(input));
  }
  ConvGeometry checked(const ConvGeometry& g) const {
    const Padding& p = g.padding;
    expect(std::max({p.top, p.left, p.bottom, p.right}) <= max_dimension, "padding must be at most 65536");
    expect(g.taps() * g.in_c <= (std::size_t{1} << 28), "the kernel window holds more than 2^28 values");
    try {
      g.validate();
    } catch (const std::invalid_argument& error) {
      fail(error.what());
    }
    expect(g.out_h() > 0 && g.out_w() > 0, "the output is empty");
    return g;
  }

 private:
  const std::string& node_;
};

TensorSpec conv_output(const ConvGeometry& g, DType dtype) { return {g.out_h(), g.out_w(), g.out_c, dtype, {}}; }

}  // namespace

TensorSpec infer_node(const Node& node, const std::vector<TensorSpec>& tensors) {
  const Checker check(node.name);
  std::vector<TensorSpec> in;
  for (std::uint32_t index : node.inputs) {
    check.expect(index < tensors.size(), "input tensor " + std::to_string(index) + " is not produced before it");
    in.push_back(tensors[index]);
  }
  const bool many = std::holds_alternative<ConcatOp>(node.op);
  const std::size_t expected_inputs = std::holds_alternative<ElementwiseOp>(node.op) ? 2 : 1;
  check.expect(many ? !in.empty() : in.size() == expected_inputs,
               std::to_string(in.size()) + " inputs, expected " + (many ? "at least 1" : std::to_string(expected_inputs)));
  const TensorSpec& x = in.front();
  return std::visit(
      Overloaded{
          [&](const FloatConvOp& op) {
            check.expect_dtype(x, DType::float32);
            const ConvGeometry g = check.geometry(x, op.window);
            check.expect_count("weights", op.weights.size(), g.out_c * g.taps() * op.window.group_in_c(x));
            check.expect_count("bias", op.bias.size(), g.out_c);
            check.expect_layer_activation(op.activation, g.out_c);
            return conv_output(g, DType::float32);
          },
          [&](const Int8ConvOp& op) {
            check.expect_dtype(x, DType::int8);
            const ConvGeometry g = check.geometry(x, op.window);
            check.expect_count("weights", op.weights.size(), g.out_c * g.taps() * op.window.group_in_c(x));
            check.expect_count("weight scales", op.weight_scales.size(), g.out_c);
            check.expect_count("bias", op.bias.size(), g.out_c);
            check.expect_quant(op.output, "output");
            check.expect(op.activation.fusable() && op.activation.kind != Activation::Kind::prelu,
                         "int8 layers fuse ReLU or clamp only");
            TensorSpec out = conv_output(g, DType::int8);
            out.quant = op.output;
            return out;
          },
          [&](const BinaryConvOp& op) {
            check.expect_dtype(x, DType::bits);
            check.expect(op.window.groups == 1, "binary convolutions are not grouped");
            const ConvGeometry g = check.geometry(x, op.window);
            check.expect_count("weight words", op.weight_bits.size(), g.out_c * g.taps() * words_for_bits(g.in_c));
            check.expect_count("multipliers", op.multiplier.size(), g.out_c);
            check.expect_count("bias", op.bias.size(), g.out_c);
            check.expect_layer_activation(op.activation, g.out_c);
            TensorSpec out = conv_output(g, op.output);
            if (op.output == DType::int8) {
              check.expect_quant(op.output_quant, "output");
              out.quant = op.output_quant;
            }
            return out;
          },
          [&](const PoolOp& op) {
            check.expect(op.kind == PoolKind::max || x.dtype != DType::bits, "bits can only be max-pooled");
            if (op.global) return TensorSpec{1, 1, x.c, x.dtype, x.quant};
            check.expect(op.kernel > 0 && op.kernel <= max_dimension && op.stride > 0 && op.stride <= max_dimension,
                         "kernel and stride must be in [1, 65536]");
            const ConvGeometry g = check.checked(op.geometry(x));
            // So every window holds at least one input cell (a max of nothing, an average over 0).
            check.expect(g.pad_top() < g.kernel_h && g.pad_left() < g.kernel_w && g.pad_bottom() < g.kernel_h &&
                             g.pad_right() < g.kernel_w,
                         "pool padding must be smaller than the window");
            return TensorSpec{g.out_h(), g.out_w(), x.c, x.dtype, x.quant};
          },
          [&](const ConcatOp& op) {
            TensorSpec out = x;
            out.c = 0;
            for (const TensorSpec& t : in) {
              check.expect(t.h == x.h && t.w == x.w && t.dtype == x.dtype,
                           "concatenated inputs differ in height, width or precision");
              out.c += t.c;
            }
            check.expect(out.c <= max_dimension, "too many channels");
            if (x.dtype == DType::int8) {
              check.expect_quant(op.output_quant, "output");
              out.quant = op.output_quant;
            }
            return out;
          },
          [&](const QuantizeOp& op) {
            check.expect_dtype(x, DType::float32);
            check.expect_quant(op.output, "output");
            return TensorSpec{x.h, x.w, x.c, DType::int8, op.output};
          },
          [&](const DequantizeOp&) {
            check.expect_dtype(x, DType::int8);
            return TensorSpec{x.h, x.w, x.c, DType::float32, {}};
          },
          [&](const BitpackOp&) {
            check.expect(x.dtype != DType::bits, "input is already bits");
            return TensorSpec{x.h, x.w, x.c, DType::bits, {}};
          },
          [&](const ActivationOp& op) {
            check.expect_dtype(x, DType::float32);
            check.expect_activation(op.activation, x.c);
            return x;
          },
          [&](const SoftmaxOp&) {
            check.expect_dtype(x, DType::float32);
            return x;
          },
          [&](const ScaleShiftOp& op) {
            check.expect_dtype(x, DType::float32);
            check.expect_count("scale", op.scale.size(), x.c);
            check.expect_count("shift", op.shift.size(), x.c);
            return x;
          },
          [&](const ElementwiseOp& op) {
            const TensorSpec& y = in[1];
            check.expect(x.dtype != DType::bits && y.dtype == x.dtype, "operands must be both float or both int8");
            check.expect(op.kind == ElementwiseKind::add || op.kind == ElementwiseKind::mul, "unknown element-wise kind");
            check.expect(y.c == x.c && ((y.h == x.h && y.w == x.w) || y.pixels() == 1),
                         "the second operand must have the first's shape, or 1x1 with its channels");
            check.expect_activation(op.activation, x.c);
            TensorSpec out = x;
            if (x.dtype == DType::int8) {
              check.expect(op.activation.fusable() && op.activation.kind != Activation::Kind::prelu,
                           "int8 element-wise operations fuse ReLU or clamp only");
              check.expect_quant(op.output_quant, "output");
              out.quant = op.output_quant;
            }
            return out;
          },
      },
      node.op);
}

std::string dtype_name(DType dtype) {
  switch (dtype) {
    case DType::float32:
      return "float";
    case DType::int8:
      return "int8";
    case DType::bits:
      return "bits";
  }
  return "unknown";
}

std::string op_kind(const Op& op) {
  return std::visit(Overloaded{
                        [](const FloatConvOp&) { return std::string("conv"); },
                        [](const Int8ConvOp&) { return std::string("conv"); },
                        [](const BinaryConvOp&) { return std::string("conv"); },
                        [](const PoolOp& p) {
                          return std::string(p.global ? "global_" : "") + (p.kind == PoolKind::max ? "max_pool" : "avg_pool");
                        },
                        [](const ConcatOp&) { return std::string("concat"); },
                        [](const QuantizeOp&) { return std::string("quantize"); },
                        [](const DequantizeOp&) { return std::string("dequantize"); },
                        [](const BitpackOp&) { return std::string("bitpack"); },
                        [](const ActivationOp&) { return std::string("activation"); },
                        [](const SoftmaxOp&) { return std::string("softmax"); },
                        [](const ScaleShiftOp&) { return std::string("scale_shift"); },
                        [](const ElementwiseOp& e) { return std::string(e.kind == ElementwiseKind::add ? "add" : "mul"); },
                    },
                    op);
}

std::vector<TensorSpec> infer_tensors(const GraphDef& graph) {
  const InputSpec& input = graph.input;
  if (input.h == 0 || input.w == 0 || input.c == 0 || input.h > max_dimension || input.w > max_dimension ||
      input.c > max_dimension) {
    throw ModelError("input: size " + std::to_string(input.h) + "x" + std::to_string(input.w) + "x" +
                     std::to_string(input.c) + " must be positive and at most 65536 per dimension");
  }
  if (input.mean.size() != input.c || input.std.size() != input.c) {
    throw ModelError("input: mean and std need one value per channel");
  }
  for (float s : input.std) {
    if (!(s > 0.0f)) throw ModelError("input: std must be positive");
  }
  if (graph.nodes.empty()) throw ModelError("the graph has no nodes");
  std::vector<TensorSpec> tensors{{input.h, input.w, input.c, DType::float32, {}}};
  if (tensors.front().bytes() > max_tensor_bytes) {
    throw ModelError("input: " + std::to_string(tensors.front().bytes()) + " bytes is too large");
  }
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    tensors.push_back(infer_node(node, tensors));
    if (tensors.back().bytes() > max_tensor_bytes || tensors.back().elements() == 0) {
      throw ModelError("node '" + node.name + "': output of " + std::to_string(tensors.back().bytes()) +
                       " bytes is empty or too large");
    }
  }
  if (tensors.back().dtype != DType::float32) throw ModelError("the output must be float (add a dequantize)");
  return tensors;
}

}  // namespace xnor
