// ONNX graph -> Ir: constants are evaluated, runtime operations become Ir nodes (src/onnx/ir.hpp).
#include "src/onnx/import.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include "src/onnx/fold.hpp"
#include "src/onnx/ir.hpp"
#include "src/onnx/tensor.hpp"

namespace xnor::onnx_import {
namespace {

constexpr std::size_t max_file_bytes = std::size_t{1} << 30;

// A named ONNX value: a constant, or the output of an Ir node.
struct Value {
  std::optional<Tensor> constant;
  std::size_t node = 0;
};

std::vector<float> to_floats(const Tensor& t) { return {t.values.begin(), t.values.end()}; }

class Lowering {
 public:
  Lowering(const onnx::GraphProto& graph, const Options& options) {
    for (const auto& init : graph.initializer()) set_constant(init.name(), to_tensor(init, "initializer '" + init.name() + "'"));
    for (const auto& [name, tensor] : options.bound_inputs) set_constant(name, tensor);
    for (const auto& input : graph.input()) {
      if (values_.count(input.name())) continue;
      if (image_name_) throw ModelError("graph input '" + input.name() + "': only one image input is supported");
      image_name_ = input.name();
      ir_.nodes.push_back(IrNode::of(IrKind::input, {}, image_shape(input)));
      // A CHW input has no batch axis: its non-negative axes count one less than NCHW's.
      axis_shift_ = input.type().tensor_type().shape().dim_size() == 3 ? 1 : 0;
      ir_.nodes.back().name = input.name();
      values_[input.name()] = {std::nullopt, 0};
    }
    if (!image_name_) throw ModelError("the graph has no input");
    for (const auto& node : graph.node()) lower(node);
    if (graph.output_size() < 1) throw ModelError("the graph has no output");
    ir_.output = runtime(graph.output(0).name(), "graph output");
  }

  Ir take() { return std::move(ir_); }
  const Shape& input_shape() const { return ir_.nodes.front().shape; }

 private:
  static Shape image_shape(const onnx::ValueInfoProto& input) {
    const auto& type = input.type().tensor_type();
    if (type.elem_type() != onnx::TensorProto::FLOAT) throw ModelError("input '" + input.name() + "': must be float");
    const auto& dims = type.shape().dim();
    if (dims.size() != 4 && dims.size() != 3) {
      throw ModelError("input '" + input.name() + "': must be an NCHW image of batch 1, or CHW (3 or 4 dimensions)");
    }
    const int first = 4 - dims.size();
    std::array<std::size_t, 4> d{1, 1, 1, 1};
    for (int i = first; i < 4; ++i) {
      const auto& dim = dims[i - first];
      const bool symbolic = !dim.has_dim_value();
      if (symbolic && i > 0) throw ModelError("input '" + input.name() + "': C, H and W must be fixed");
      const std::int64_t v = symbolic ? 1 : dim.dim_value();
      if (v <= 0 || v > 65536) throw ModelError("input '" + input.name() + "': dimension " + std::to_string(v));
      d[static_cast<std::size_t>(i)] = static_cast<std::size_t>(v);
    }
    if (d[0] != 1) throw ModelError("input '" + input.name() + "': batch must be 1");
    return {d[1], d[2], d[3], false};
  }

  // Keeps a constant, within the budget of all constants' elements.
  void set_constant(const std::string& name, Tensor t) {
    constant_elements_ += t.values.size();
    if (constant_elements_ > max_total_constant_elements) {
      throw ModelError("the model's constants hold more than " + std::to_string(max_total_constant_elements) +
                       " elements in total");
    }
    values_[name] = {std::move(t), 0};
  }

  const Tensor* constant(const std::string& name) const {
    if (name.empty()) return nullptr;
    auto it = values_.find(name);
    return it != values_.end() && it->second.constant ? &*it->second.constant : nullptr;
  }
  std::size_t runtime(const std::string& name, const std::string& who) const {
    auto it = values_.find(name);
    if (it == values_.end()) throw ModelError(who + ": input '" + name + "' is not defined before it is used");
    if (it->second.constant) throw ModelError(who + ": input '" + name + "' must be a computed tensor, not a constant");
    return it->second.node;
  }
  const Tensor& required_constant(const onnx::NodeProto& node, int i) const {
    const Tensor* t = i < node.input_size() ? constant(node.input(i)) : nullptr;
    if (!t) throw ModelError(describe(node) + ": input " + std::to_string(i) + " must be a constant");
    return *t;
  }
  float scalar(const onnx::NodeProto& node, int i) const {
    const Tensor& t = required_constant(node, i);
    if (t.values.size() != 1) throw ModelError(describe(node) + ": input " + std::to_string(i) + " must be a scalar");
    return static_cast<float>(t.values[0]);
  }

  std::size_t add(const onnx::NodeProto& node, IrNode ir_node) {
    ir_node.name = node.name().empty() ? node.output(0) : node.name();
    ir_.nodes.push_back(std::move(ir_node));
    values_[node.output(0)] = {std::nullopt, ir_.nodes.size() - 1};
    return ir_.nodes.size() - 1;
  }
  const Shape& shape(std::size_t node) const { return ir_.nodes[node].shape; }
  std::int64_t nchw_axis(std::int64_t axis) const { return axis >= 0 ? axis + axis_shift_ : axis; }

  // A constant that applies per channel to a tensor of `shape` (NCHW: scalar, [C,1,1] or [1,C,1,1]; flat:
  // scalar, [K] or [1,K]), as one value per channel.
  static std::vector<float> per_channel(const onnx::NodeProto& node, const Tensor& t, const Shape& s) {
    const std::size_t channels = s.flat ? s.c * s.h * s.w : s.c;
    std::vector<std::int64_t> dims = t.dims;
    while (!dims.empty() && dims.front() == 1 && dims.size() > (s.flat ? 1u : 3u)) dims.erase(dims.begin());
    const bool scalar = t.values.size() == 1;
    const bool fits = s.flat ? dims.size() <= 1 : dims.size() == 3 && dims[1] == 1 && dims[2] == 1;
    if (!scalar && !(fits && t.values.size() == channels)) {
      throw ModelError(describe(node) + ": the constant must be a scalar or hold one value per channel");
    }
    if (s.flat && !scalar && s.h * s.w != 1) {
      throw ModelError(describe(node) + ": a per-element constant on a flattened image is not supported");
    }
    return scalar ? std::vector<float>(channels, static_cast<float>(t.values[0])) : to_floats(t);
  }

  std::size_t scale_shift(const onnx::NodeProto& node, std::size_t x, std::vector<float> scale, std::vector<float> shift) {
    IrNode n = IrNode::of(IrKind::scale_shift, {x}, shape(x));
    n.scale = std::move(scale);
    n.shift = std::move(shift);
    return add(node, std::move(n));
  }
  std::size_t activation(const onnx::NodeProto& node, std::size_t x, Activation a) {
    IrNode n = IrNode::of(IrKind::activation, {x}, shape(x));
    n.activation = std::move(a);
    return add(node, std::move(n));
  }

  // Window attributes shared by Conv and the pools: output size and pads (top, left, bottom, right).
  void window(const onnx::NodeProto& node, const Shape& in, IrNode& n, std::size_t kh, std::size_t kw) {
    if (in.flat) throw ModelError(describe(node) + ": needs an image input, not a flattened one");
    const auto strides = ints_attribute(node, "strides", {1, 1});
    const auto dilations = ints_attribute(node, "dilations", {1, 1});
    if (strides.size() != 2 || strides[0] != strides[1] || strides[0] < 1 || strides[0] > 64) {
      throw ModelError(describe(node) + ": only equal strides in height and width are supported");
    }
    if (dilations != std::vector<std::int64_t>{1, 1}) throw ModelError(describe(node) + ": dilations are not supported");
    n.ceil_mode = int_attribute(node, "ceil_mode", 0) != 0;
    n.kernel_h = kh, n.kernel_w = kw, n.stride = static_cast<std::size_t>(strides[0]);
    const std::string auto_pad = string_attribute(node, "auto_pad", "NOTSET");
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      const auto same = [&](std::size_t size, std::size_t k, std::size_t& before, std::size_t& after) {
        const std::size_t out = (size + n.stride - 1) / n.stride;
        const std::size_t needed = (out - 1) * n.stride + k;
        const std::size_t total = needed > size ? needed - size : 0;
        before = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
        after = total - before;
      };
      same(in.h, kh, n.pads[0], n.pads[2]);
      same(in.w, kw, n.pads[1], n.pads[3]);
    } else if (auto_pad == "NOTSET") {
      const auto pads = ints_attribute(node, "pads", {0, 0, 0, 0});
      if (pads.size() != 4) throw ModelError(describe(node) + ": pads must have 4 values");
      for (std::size_t i = 0; i < 4; ++i) {
        if (pads[i] < 0 || pads[i] > 1024) throw ModelError(describe(node) + ": pads must be in [0, 1024]");
        n.pads[i] = static_cast<std::size_t>(pads[i]);
      }
    } else if (auto_pad != "VALID") {
      throw ModelError(describe(node) + ": unknown auto_pad " + auto_pad);
    }
    const std::size_t h = in.h + n.pads[0] + n.pads[2], w = in.w + n.pads[1] + n.pads[3];
    if (kh == 0 || kw == 0 || kh > h || kw > w) throw ModelError(describe(node) + ": the window is larger than its input");
    const ConvGeometry g = n.geometry(in);
    n.shape = {in.c, g.out_h(), g.out_w(), false};
  }

  void conv(const onnx::NodeProto& node) {
    const std::size_t x = runtime(node.input(0), describe(node));
    const Tensor& weights = required_constant(node, 1);
    if (weights.dims.size() != 4) throw ModelError(describe(node) + ": weights must be OIHW (4 dimensions)");
    const Shape& in = shape(x);
    const std::int64_t group = int_attribute(node, "group", 1);
    if (group < 1 || in.c % static_cast<std::size_t>(group) != 0 || weights.dims[0] % group != 0) {
      throw ModelError(describe(node) + ": group " + std::to_string(group) + " must divide the input and output channels");
    }
    if (static_cast<std::size_t>(weights.dims[1]) != in.c / static_cast<std::size_t>(group)) {
      throw ModelError(describe(node) + ": weights expect " + std::to_string(weights.dims[1]) +
                       " input channels per group, the input has " + std::to_string(in.c) + " in " +
                       std::to_string(group) + " groups");
    }
    IrNode n = IrNode::of(IrKind::conv, {x}, {});
    n.groups = static_cast<std::size_t>(group);
    window(node, in, n, static_cast<std::size_t>(weights.dims[2]), static_cast<std::size_t>(weights.dims[3]));
    const auto out_c = static_cast<std::size_t>(weights.dims[0]);
    n.shape.c = out_c;
    n.weights = to_floats(weights);
    n.scale.assign(out_c, 1.0f);
    n.shift.assign(out_c, 0.0f);
    if (node.input_size() > 2 && !node.input(2).empty()) {
      const Tensor& bias = required_constant(node, 2);
      if (bias.values.size() != out_c) throw ModelError(describe(node) + ": bias needs one value per output channel");
      n.shift = to_floats(bias);
    }
    add(node, std::move(n));
  }

  // Gemm (transA 0) and MatMul with constant weights: a dense layer, a conv whose kernel covers its input.
  void dense(const onnx::NodeProto& node, bool gemm) {
    const std::size_t x = runtime(node.input(0), describe(node));
    const Tensor& b = required_constant(node, 1);
    if (gemm && int_attribute(node, "transA", 0) != 0) throw ModelError(describe(node) + ": transA is not supported");
    if (b.dims.size() != 2) throw ModelError(describe(node) + ": weights must be a matrix");
    const Shape& in = shape(x);
    const std::size_t k = in.c * in.h * in.w;
    if (!in.flat && in.h * in.w != 1) throw ModelError(describe(node) + ": flatten the image first");
    const bool trans_b = gemm && int_attribute(node, "transB", 0) != 0;
    const auto rows = static_cast<std::size_t>(b.dims[0]), cols = static_cast<std::size_t>(b.dims[1]);
    const std::size_t out = trans_b ? rows : cols;
    if ((trans_b ? cols : rows) != k) {
      throw ModelError(describe(node) + ": weights expect " + std::to_string(trans_b ? cols : rows) + " inputs, the input has " +
                       std::to_string(k));
    }
    const float alpha = gemm ? float_attribute(node, "alpha", 1.0f) : 1.0f;
    IrNode n = IrNode::of(IrKind::conv, {x}, {out, 1, 1, true});
    n.kernel_h = in.h, n.kernel_w = in.w;
    n.weights.resize(out * k);
    for (std::size_t o = 0; o < out; ++o) {
      for (std::size_t i = 0; i < k; ++i) {
        n.weights[o * k + i] = alpha * static_cast<float>(trans_b ? b.values[o * k + i] : b.values[i * out + o]);
      }
    }
    n.scale.assign(out, 1.0f);
    n.shift.assign(out, 0.0f);
    if (gemm && node.input_size() > 2 && !node.input(2).empty()) {
      const float beta = float_attribute(node, "beta", 1.0f);
      const Tensor& c = required_constant(node, 2);
      if (c.values.size() != 1 && c.values.size() != out) throw ModelError(describe(node) + ": C must be a scalar or a row");
      for (std::size_t o = 0; o < out; ++o) n.shift[o] = beta * static_cast<float>(c.values[c.values.size() == 1 ? 0 : o]);
    }
    add(node, std::move(n));
  }

  void pool(const onnx::NodeProto& node, PoolKind kind) {
    const std::size_t x = runtime(node.input(0), describe(node));
    const auto kernel = ints_attribute(node, "kernel_shape", {});
    if (kernel.size() != 2 || kernel[0] != kernel[1] || kernel[0] < 1) {
      throw ModelError(describe(node) + ": only square 2-D windows are supported");
    }
    if (int_attribute(node, "storage_order", 0) != 0) throw ModelError(describe(node) + ": storage_order is not supported");
    if (node.output_size() > 1 && !node.output(1).empty()) throw ModelError(describe(node) + ": the Indices output is not supported");
    IrNode n = IrNode::of(IrKind::pool, {x}, {});
    n.pool_kind = kind;
    window(node, shape(x), n, static_cast<std::size_t>(kernel[0]), static_cast<std::size_t>(kernel[1]));
    n.count_padding = kind == PoolKind::average && int_attribute(node, "count_include_pad", 0) != 0;
    add(node, std::move(n));
  }

  void pad(const onnx::NodeProto& node) {
    const std::size_t x = runtime(node.input(0), describe(node));
    if (string_attribute(node, "mode", "constant") != "constant") throw ModelError(describe(node) + ": only constant padding");
    std::vector<std::int64_t> pads = ints_attribute(node, "pads", {});
    float value = float_attribute(node, "value", 0.0f);
    if (node.input_size() > 1) {
      pads = to_ints(required_constant(node, 1));
    }
    if (node.input_size() > 2 && !node.input(2).empty()) {
      const Tensor& v = required_constant(node, 2);
      if (v.values.size() != 1) throw ModelError(describe(node) + ": the value must be a scalar");
      value = static_cast<float>(v.values[0]);
    }
    if (node.input_size() > 3 && !node.input(3).empty()) throw ModelError(describe(node) + ": axes are not supported");
    if (pads.size() != 8 || pads[0] || pads[1] || pads[4] || pads[5]) {
      throw ModelError(describe(node) + ": only height and width of an NCHW image can be padded");
    }
    const Shape& in = shape(x);
    if (in.flat) throw ModelError(describe(node) + ": needs an image input");
    IrNode n = IrNode::of(IrKind::pad, {x}, in);
    const std::array<std::int64_t, 4> amounts{pads[2], pads[3], pads[6], pads[7]};
    for (std::size_t i = 0; i < 4; ++i) {
      if (amounts[i] < 0 || amounts[i] > 1024) throw ModelError(describe(node) + ": pads must be in [0, 1024]");
      n.pads[i] = static_cast<std::size_t>(amounts[i]);
    }
    n.shape.h += n.pads[0] + n.pads[2];
    n.shape.w += n.pads[1] + n.pads[3];
    n.pad_value = value;
    add(node, std::move(n));
  }

  // Add / Sub / Mul / Div with one constant operand: a per-channel scale and shift.
  void arithmetic(const onnx::NodeProto& node) {
    const std::string& op = node.op_type();
    if (node.input_size() != 2) throw ModelError(describe(node) + ": needs two inputs");
    const bool first_constant = constant(node.input(0)) != nullptr;
    const std::size_t x = runtime(node.input(first_constant ? 1 : 0), describe(node));
    const Tensor* c = constant(node.input(first_constant ? 0 : 1));
    if (!c) return void(two_tensors(node, x, runtime(node.input(1), describe(node))));
    std::vector<float> v = per_channel(node, *c, shape(x));
    std::vector<float> ones(v.size(), 1.0f), zeros(v.size(), 0.0f);
    if (op == "Add") return void(scale_shift(node, x, ones, v));
    if (op == "Mul") return void(scale_shift(node, x, v, zeros));
    if (op == "Sub") {
      if (first_constant) return void(scale_shift(node, x, std::vector<float>(v.size(), -1.0f), v));
      for (float& f : v) f = -f;
      return void(scale_shift(node, x, ones, v));
    }
    if (first_constant) throw ModelError(describe(node) + ": dividing a constant by a tensor is not supported");
    for (float& f : v) {
      if (f == 0.0f) throw ModelError(describe(node) + ": division by zero");
      f = 1.0f / f;
    }
    scale_shift(node, x, v, zeros);
  }

  // Add or Mul of two computed tensors: of one shape, or one of them 1x1 per channel (it becomes the second).
  void two_tensors(const onnx::NodeProto& node, std::size_t a, std::size_t b) {
    const std::string& op = node.op_type();
    if (op != "Add" && op != "Mul") {
      throw ModelError(describe(node) + ": both operands are computed tensors (only Add and Mul of two tensors are supported)");
    }
    const auto same = [](const Shape& x, const Shape& y) { return x.c == y.c && x.h == y.h && x.w == y.w && x.flat == y.flat; };
    const auto per_channel = [](const Shape& x, const Shape& of) { return !of.flat && x.c == of.c && x.h == 1 && x.w == 1; };
    if (per_channel(shape(a), shape(b)) && !same(shape(a), shape(b))) std::swap(a, b);
    if (!same(shape(a), shape(b)) && !per_channel(shape(b), shape(a))) {
      throw ModelError(describe(node) + ": the operands' shapes differ beyond a per-channel broadcast");
    }
    IrNode n = IrNode::of(IrKind::elementwise, {a, b}, shape(a));
    n.elementwise_kind = op == "Add" ? ElementwiseKind::add : ElementwiseKind::mul;
    add(node, std::move(n));
  }

  void lower(const onnx::NodeProto& node) {
    if (node.output_size() < 1) throw ModelError(describe(node) + ": has no output");
    const std::string& op = node.op_type();
    if (!node.domain().empty() && node.domain() != "ai.onnx") throw ModelError(describe(node) + ": domain " + node.domain());
    // Constant inputs (and the shape of a computed tensor) are evaluated now.
    bool all_constant = true;
    std::vector<const Tensor*> inputs;
    for (const auto& name : node.input()) {
      inputs.push_back(constant(name));
      if (!name.empty() && !inputs.back()) all_constant = false;
    }
    if (op == "Shape" && !all_constant) {
      const Shape& s = shape(runtime(node.input(0), describe(node)));
      const Tensor dims = s.flat ? Tensor{{2}, {1.0, double(s.c * s.h * s.w)}, true}
                                 : Tensor{{4}, {1.0, double(s.c), double(s.h), double(s.w)}, true};
      values_[node.output(0)] = {dims, 0};
      return;
    }
    if (all_constant) {
      if (auto folded = fold_constant(node, inputs)) {
        set_constant(node.output(0), std::move(*folded));
        return;
      }
    }
    if (node.input_size() < 1 || node.input(0).empty()) throw ModelError(describe(node) + ": has no input");
    if (op == "Conv") return conv(node);
    if (op == "Gemm" || op == "MatMul") return dense(node, op == "Gemm");
    if (op == "MaxPool") return pool(node, PoolKind::max);
    if (op == "AveragePool") return pool(node, PoolKind::average);
    if (op == "GlobalAveragePool" || op == "GlobalMaxPool") {
      const std::size_t x = runtime(node.input(0), describe(node));
      if (shape(x).flat) throw ModelError(describe(node) + ": needs an image input");
      IrNode n = IrNode::of(IrKind::pool, {x}, {shape(x).c, 1, 1, false});
      n.pool_kind = op == "GlobalMaxPool" ? PoolKind::max : PoolKind::average;
      n.global = true;
      return void(add(node, std::move(n)));
    }
    if (op == "Pad") return pad(node);
    if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") return arithmetic(node);
    if (op == "BatchNormalization") {
      const std::size_t x = runtime(node.input(0), describe(node));
      if (int_attribute(node, "training_mode", 0) != 0) throw ModelError(describe(node) + ": training mode");
      const float epsilon = float_attribute(node, "epsilon", 1e-5f);
      const Shape& s = shape(x);
      if (s.flat && s.h * s.w != 1) throw ModelError(describe(node) + ": needs an image or a vector");
      const std::size_t channels = s.flat ? s.c * s.h * s.w : s.c;
      std::vector<float> stats[4];
      for (int i = 0; i < 4; ++i) {
        stats[i] = to_floats(required_constant(node, i + 1));  // each [C]
        if (stats[i].size() != channels) throw ModelError(describe(node) + ": statistics need one value per channel");
      }
      std::vector<float> scale(stats[0].size()), shift(stats[0].size());
      for (std::size_t c = 0; c < scale.size(); ++c) {
        scale[c] = stats[0][c] / std::sqrt(stats[3][c] + epsilon);
        shift[c] = stats[1][c] - stats[2][c] * scale[c];
      }
      return void(scale_shift(node, x, std::move(scale), std::move(shift)));
    }
    if (op == "Relu") return void(activation(node, runtime(node.input(0), describe(node)), Activation::relu()));
    if (op == "LeakyRelu" || op == "PRelu") {
      const std::size_t x = runtime(node.input(0), describe(node));
      const Shape& s = shape(x);
      std::vector<float> slopes = op == "LeakyRelu"
                                      ? std::vector<float>(s.flat ? s.c * s.h * s.w : s.c, float_attribute(node, "alpha", 0.01f))
                                      : per_channel(node, required_constant(node, 1), s);
      return void(activation(node, x, Activation::prelu(std::move(slopes))));
    }
    if (op == "Clip") {
      const std::size_t x = runtime(node.input(0), describe(node));
      float low = float_attribute(node, "min", -std::numeric_limits<float>::infinity());
      float high = float_attribute(node, "max", std::numeric_limits<float>::infinity());
      if (node.input_size() > 1 && !node.input(1).empty()) low = scalar(node, 1);
      if (node.input_size() > 2 && !node.input(2).empty()) high = scalar(node, 2);
      if (!(low <= high)) throw ModelError(describe(node) + ": min is above max");
      return void(activation(node, x, Activation::clamp(low, high)));
    }
    if (op == "HardSigmoid") {
      const Activation a = Activation::hard_sigmoid(float_attribute(node, "alpha", 0.2f), float_attribute(node, "beta", 0.5f));
      return void(activation(node, runtime(node.input(0), describe(node)), a));
    }
    if (op == "HardSwish") return void(activation(node, runtime(node.input(0), describe(node)), Activation::hard_swish()));
    if (op == "Sign") {
      const std::size_t x = runtime(node.input(0), describe(node));
      return void(add(node, IrNode::of(IrKind::sign, {x}, shape(x))));
    }
    if (op == "Concat") {
      std::vector<std::size_t> xs;
      for (const auto& name : node.input()) xs.push_back(runtime(name, describe(node)));
      const Shape first = shape(xs.at(0));
      const auto axis = nchw_axis(int_attribute(node, "axis", 1));
      if (first.flat ? axis != 1 && axis != -1 : axis != 1 && axis != -3) {
        throw ModelError(describe(node) + ": only concatenation along channels is supported");
      }
      IrNode n = IrNode::of(IrKind::concat, xs, first);
      n.shape.c = 0;
      for (std::size_t i : xs) {
        if (shape(i).h != first.h || shape(i).w != first.w || shape(i).flat != first.flat ||
            (first.flat && first.h * first.w != 1)) {
          throw ModelError(describe(node) + ": inputs differ in height or width");
        }
        n.shape.c += shape(i).c;
      }
      return void(add(node, std::move(n)));
    }
    if (op == "Flatten" || op == "Reshape") {
      const std::size_t x = runtime(node.input(0), describe(node));
      Shape s = shape(x);
      const std::int64_t total = static_cast<std::int64_t>(s.c * s.h * s.w);
      if (op == "Flatten" && nchw_axis(int_attribute(node, "axis", 1)) != 1) throw ModelError(describe(node) + ": only axis 1");
      if (op == "Reshape") {
        const Tensor& target = required_constant(node, 1);
        const bool flattens = target.values.size() == 2 && (target.values[0] == 1 || target.values[0] == 0 || target.values[0] == -1) &&
                              (target.values[1] == -1 || target.values[1] == static_cast<double>(total)) &&
                              !(target.values[0] == -1 && target.values[1] == -1);
        if (!flattens) throw ModelError(describe(node) + ": only a reshape to [1, -1] (a flatten) is supported");
      }
      s.flat = true;
      return void(add(node, IrNode::of(IrKind::flatten, {x}, s)));
    }
    if (op == "Softmax") {
      const std::size_t x = runtime(node.input(0), describe(node));
      const Shape& s = shape(x);
      const auto axis = nchw_axis(int_attribute(node, "axis", -1));
      const bool channels = s.flat ? axis == 1 || axis == -1 : axis == 1 || axis == -3 || s.h * s.w == 1;
      if (!channels || (s.flat && s.h * s.w != 1)) throw ModelError(describe(node) + ": only a softmax over channels is supported");
      return void(add(node, IrNode::of(IrKind::softmax, {x}, s)));
    }
    if (op == "Identity" || op == "Dropout") {
      values_[node.output(0)] = {std::nullopt, runtime(node.input(0), describe(node))};
      return;
    }
    throw ModelError(describe(node) + ": operator not supported");
  }

  std::map<std::string, Value> values_;
  std::optional<std::string> image_name_;
  std::int64_t axis_shift_ = 0;
  std::size_t constant_elements_ = 0;
  Ir ir_;
};

std::vector<float> numbers(const std::string& text, const std::string& what) {
  std::vector<float> v;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    // The whole item must be the number (blanks around it aside): "0.5 0.4" is not two numbers.
    std::size_t used = 0;
    try {
      v.push_back(std::stof(item, &used));
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || item.find_first_not_of(" \t", used) != std::string::npos) {
      throw ModelError("metadata " + what + ": '" + item + "' is not a number (numbers are separated by commas)");
    }
  }
  return v;
}

onnx::ModelProto parse(std::span<const std::byte> bytes) {
  onnx::ModelProto model;
  if (bytes.size() > max_file_bytes || !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    throw ModelError("not an ONNX model (it does not parse as onnx.ModelProto)");
  }
  return model;
}

}  // namespace

std::vector<std::string> input_names(std::span<const std::byte> bytes) {
  const onnx::ModelProto model = parse(bytes);
  std::vector<std::string> names;
  for (const auto& input : model.graph().input()) {
    const auto& inits = model.graph().initializer();
    if (std::none_of(inits.begin(), inits.end(), [&](const auto& init) { return init.name() == input.name(); })) {
      names.push_back(input.name());
    }
  }
  return names;
}

GraphDef import_model(std::span<const std::byte> bytes, const Options& options) {
  const onnx::ModelProto model = parse(bytes);
  for (const auto& opset : model.opset_import()) {
    if ((opset.domain().empty() || opset.domain() == "ai.onnx") && (opset.version() < 1 || opset.version() > 18)) {
      throw ModelError("ONNX opset " + std::to_string(opset.version()) + " is not supported (1 to 18)");
    }
  }
  Lowering lowering(model.graph(), options);
  const Shape image = lowering.input_shape();
  Ir ir = lowering.take();

  InputSpec input{image.h, image.w, image.c, options.mean, options.std, 1.0f, false};
  std::vector<std::string> labels = options.labels;
  for (const auto& entry : model.metadata_props()) {
    if (entry.key() == "xnor.labels" && labels.empty()) {
      std::istringstream in(entry.value());
      for (std::string line; std::getline(in, line);) labels.push_back(line);
    }
    if (entry.key() == "xnor.mean" && options.mean.empty()) input.mean = numbers(entry.value(), entry.key());
    if (entry.key() == "xnor.std" && options.std.empty()) input.std = numbers(entry.value(), entry.key());
    if (entry.key() == "xnor.value_max") {
      const std::vector<float> v = numbers(entry.value(), entry.key());
      if (v.size() != 1) throw ModelError("metadata xnor.value_max: one number expected");
      input.value_max = v[0];
    }
    if (entry.key() == "xnor.invert") input.invert = entry.value() == "1" || entry.value() == "true";
  }
  if (input.mean.empty()) input.mean.assign(image.c, 0.0f);
  if (input.std.empty()) input.std.assign(image.c, 1.0f);
  fuse(ir);
  return emit(ir, std::move(input), std::move(labels));
}

GraphDef import_file(const std::string& path, const Options& options) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw ModelError(path + ": cannot open");
  const auto size = static_cast<std::size_t>(in.tellg());
  if (size > max_file_bytes) throw ModelError(path + ": larger than 1 GiB");
  std::vector<std::byte> bytes(size);
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size))) throw ModelError(path + ": cannot read");
  try {
    return import_model(bytes, options);
  } catch (const ModelError& error) {
    throw ModelError(path + ": " + error.what());
  }
}

}  // namespace xnor::onnx_import
