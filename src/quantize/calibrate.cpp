#include "xnor/calibrate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <stdexcept>

#include "src/graph/overloaded.hpp"
#include "xnor/model.hpp"

namespace xnor {
namespace {

struct Range {
  float low = std::numeric_limits<float>::infinity();
  float high = -std::numeric_limits<float>::infinity();
  void add(float v) {
    low = std::min(low, v);
    high = std::max(high, v);
  }
  void add(const Range& r) {
    low = std::min(low, r.low);
    high = std::max(high, r.high);
  }
};

// A histogram over a known range, for percentile ranges.
struct Histogram {
  static constexpr std::size_t bins = 4096;
  Range range;
  std::vector<double> counts = std::vector<double>(bins, 0.0);

  void add(float v) {
    const float width = range.high - range.low;
    if (!(width > 0)) return;
    const auto bin = static_cast<std::size_t>(std::clamp((v - range.low) / width * bins, 0.0f, float(bins - 1)));
    counts[bin] += 1;
  }
  Range clipped(double percentile) const {
    double total = 0;
    for (double c : counts) total += c;
    const double tail = total * (100.0 - percentile) / 100.0;
    const float width = (range.high - range.low) / bins;
    Range r;
    double seen = 0;
    std::size_t lo = 0, hi = bins - 1;
    while (lo < bins - 1 && seen + counts[lo] <= tail) seen += counts[lo++];
    seen = 0;
    while (hi > lo && seen + counts[hi] <= tail) seen += counts[hi--];
    r.low = range.low + width * static_cast<float>(lo);
    r.high = range.low + width * static_cast<float>(hi + 1);
    return r;
  }
};

// Asymmetric int8 parameters covering [low, high] and 0 (so that 0 and ReLU's floor are exact).
QuantParams quant_params(Range r) {
  const float low = std::min(r.low, 0.0f), high = std::max(r.high, 0.0f);
  const float scale = high > low ? (high - low) / 255.0f : 1.0f;
  const auto zero_point = static_cast<std::int32_t>(std::clamp(std::lround(-128.0 - low / scale), -128L, 127L));
  return {scale, zero_point};
}

// The range of every tensor (index as in infer_tensors) over the calibration inputs.
std::vector<Range> measure(const GraphDef& graph, std::span<const std::vector<float>> inputs, const CalibrationOptions& options) {
  auto model = std::make_shared<const Model>(graph, active_path(), Fusion::none);  // every tensor as computed
  Session session(model);
  const auto& tensors = model->tensors();
  std::vector<Range> ranges(tensors.size());
  const auto observe = [&](auto&& record) {
    for (const std::vector<float>& input : inputs) {
      for (float v : input) record(0, v);
      session.run_observed(input, [&](std::size_t node, const std::byte* output, double) {
        const auto* values = reinterpret_cast<const float*>(output);
        for (std::size_t i = 0; i < tensors[node + 1].elements(); ++i) record(node + 1, values[i]);
      });
    }
  };
  observe([&](std::size_t t, float v) { ranges[t].add(v); });
  if (options.method == CalibrationMethod::minmax) return ranges;
  std::vector<Histogram> histograms(tensors.size());
  for (std::size_t t = 0; t < tensors.size(); ++t) histograms[t].range = ranges[t];
  observe([&](std::size_t t, float v) { histograms[t].add(v); });
  for (std::size_t t = 0; t < tensors.size(); ++t) ranges[t] = histograms[t].clipped(options.percentile);
  return ranges;
}

Int8ConvOp quantize_conv(const FloatConvOp& op, std::size_t in_c, QuantParams input, QuantParams output) {
  const std::size_t out_c = op.window.out_c;
  const std::size_t fan_in = op.window.kernel_h * op.window.kernel_w * in_c / op.window.groups;
  Int8ConvOp q{op.window, std::vector<std::int8_t>(op.weights.size()), std::vector<float>(out_c),
               std::vector<std::int32_t>(out_c), output, op.activation};
  for (std::size_t n = 0; n < out_c; ++n) {
    float max_abs = 0;
    for (std::size_t k = 0; k < fan_in; ++k) max_abs = std::max(max_abs, std::fabs(op.weights[n * fan_in + k]));
    const float scale = max_abs > 0 ? max_abs / 127.0f : 1.0f;
    q.weight_scales[n] = scale;
    for (std::size_t k = 0; k < fan_in; ++k) {
      q.weights[n * fan_in + k] = static_cast<std::int8_t>(std::lround(op.weights[n * fan_in + k] / scale));
    }
    const double bias = std::round(op.bias[n] / (static_cast<double>(input.scale) * scale));
    q.bias[n] = static_cast<std::int32_t>(std::clamp(bias, -1073741824.0, 1073741824.0));
  }
  return q;
}

}  // namespace

GraphDef quantize_int8(const GraphDef& float_graph, std::span<const std::vector<float>> inputs,
                       const CalibrationOptions& options) {
  if (inputs.empty()) throw std::invalid_argument("int8 calibration needs at least one input");
  const std::vector<TensorSpec> specs = infer_tensors(float_graph);
  for (std::size_t t = 0; t < specs.size(); ++t) {
    if (specs[t].dtype != DType::float32) throw ModelError("int8 calibration: the model must be float only");
  }
  for (const auto& input : inputs) {
    if (input.size() != specs[0].elements()) throw std::invalid_argument("int8 calibration: an input has the wrong size");
  }
  std::vector<Range> ranges = measure(float_graph, inputs, options);
  const auto& nodes = float_graph.nodes;
  // A concatenation's inputs take its range (one scale for all of them) where they are layers used only there.
  std::vector<std::size_t> uses(specs.size());
  for (const Node& node : nodes) {
    for (auto t : node.inputs) ++uses[t];
  }
  for (std::size_t i = nodes.size(); i-- > 0;) {
    if (!std::holds_alternative<ConcatOp>(nodes[i].op)) continue;
    Range joint = ranges[i + 1];
    for (auto t : nodes[i].inputs) joint.add(ranges[t]);
    ranges[i + 1] = joint;
    for (auto t : nodes[i].inputs) {
      if (uses[t] == 1 && t > 0 && std::holds_alternative<FloatConvOp>(nodes[t - 1].op)) ranges[t] = joint;
    }
  }

  GraphDef out{float_graph.input, float_graph.labels, {}};
  std::vector<std::uint32_t> as_float(specs.size(), 0), as_int8(specs.size(), 0);
  std::vector<QuantParams> quant(specs.size());
  const auto add = [&](std::string name, std::vector<std::uint32_t> in, Op op) {
    out.nodes.push_back({std::move(name), std::move(in), std::move(op)});
    return static_cast<std::uint32_t>(out.nodes.size());
  };
  const auto int8_of = [&](std::uint32_t t) {
    if (!as_int8[t]) {
      quant[t] = quant_params(ranges[t]);
      as_int8[t] = add((t ? nodes[t - 1].name : std::string("input")) + "/quantize", {as_float[t]}, QuantizeOp{quant[t]});
    }
    return as_int8[t];
  };
  const auto float_of = [&](std::uint32_t t) {
    if (!as_float[t] && t) as_float[t] = add(nodes[t - 1].name + "/dequantize", {as_int8[t]}, DequantizeOp{});
    return as_float[t];
  };
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Node& node = nodes[i];
    const auto t = static_cast<std::uint32_t>(i + 1);
    const std::uint32_t x = node.inputs.front();
    std::visit(detail::Overloaded{
                   [&](const FloatConvOp& op) {
                     const std::uint32_t in = int8_of(x);
                     quant[t] = quant_params(ranges[t]);
                     as_int8[t] = add(node.name, {in}, quantize_conv(op, specs[x].c, quant[x], quant[t]));
                   },
                   [&](const PoolOp& op) {
                     const std::uint32_t in = int8_of(x);
                     quant[t] = quant[x];
                     as_int8[t] = add(node.name, {in}, op);
                   },
                   [&](const ConcatOp&) {
                     std::vector<std::uint32_t> in;
                     for (auto u : node.inputs) in.push_back(int8_of(u));
                     quant[t] = quant_params(ranges[t]);
                     as_int8[t] = add(node.name, in, ConcatOp{quant[t]});
                   },
                   [&](const ElementwiseOp& op) {
                     // int8 unless a PReLU or hard activation is fused (TFLite's ADD and MUL clamp, nothing more).
                     if (op.activation.kind == Activation::Kind::prelu || !op.activation.fusable()) {
                       as_float[t] = add(node.name, {float_of(node.inputs[0]), float_of(node.inputs[1])}, op);
                       return;
                     }
                     const std::uint32_t a = int8_of(node.inputs[0]), b = int8_of(node.inputs[1]);
                     quant[t] = quant_params(ranges[t]);
                     as_int8[t] = add(node.name, {a, b}, ElementwiseOp{op.kind, op.activation, quant[t]});
                   },
                   [&](const auto& op) {
                     std::vector<std::uint32_t> in;
                     for (auto u : node.inputs) in.push_back(float_of(u));
                     as_float[t] = add(node.name, in, op);
                   },
               },
               node.op);
  }
  float_of(static_cast<std::uint32_t>(nodes.size()));
  infer_tensors(out);
  return out;
}

}  // namespace xnor
