#include "src/graph/sign_fusion.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <tuple>
#include <utility>

namespace xnor::detail {
namespace {

class SignFusion {
 public:
  SignFusion(GraphDef& graph, const std::vector<TensorSpec>& tensors)
      : graph_(graph), tensors_(tensors), uses_(tensors.size(), 0), removed_(graph.nodes.size(), false) {
    for (const Node& node : graph_.nodes) {
      for (std::uint32_t t : node.inputs) ++uses_[t];
    }
    ++uses_.back();  // the network's output
  }

  void run() {
    // The last node stays: its tensor is the network's output.
    for (std::size_t i = 0; i + 1 < graph_.nodes.size(); ++i) {
      if (std::holds_alternative<BitpackOp>(graph_.nodes[i].op)) fuse(i);
    }
    compact();
  }

 private:
  const Op& producer(std::uint32_t tensor) const { return graph_.nodes[tensor - 1].op; }
  bool single_use(std::uint32_t tensor) const { return tensor != 0 && uses_[tensor] == 1; }

  // A binary conv whose output one node alone reads, emitting floats with no activation (the conv half of
  // the pattern src/onnx/fuse.cpp's open_conv matches on the importer's graph).
  bool open_binary_conv(std::uint32_t tensor) const {
    if (!single_use(tensor)) return false;
    const auto* conv = std::get_if<BinaryConvOp>(&producer(tensor));
    return conv != nullptr && conv->output == DType::float32 && conv->activation.kind == Activation::Kind::none;
  }

  // Bitpack node `sign`: rewrites its chain where the pattern holds.
  void fuse(std::size_t sign) {
    std::uint32_t pooled = graph_.nodes[sign].inputs[0];
    const ScaleShiftOp* norm = nullptr;
    std::size_t norm_node = 0;
    if (single_use(pooled) && std::holds_alternative<ScaleShiftOp>(producer(pooled))) {
      norm_node = pooled - 1;
      norm = &std::get<ScaleShiftOp>(producer(pooled));
      pooled = graph_.nodes[norm_node].inputs[0];
    }
    if (!single_use(pooled) || tensors_[pooled].dtype != DType::float32) return;
    const auto* pool = std::get_if<PoolOp>(&producer(pooled));
    // (ceil_mode: a window wholly in the overhang is -inf as floats, whatever the scale; not worth the case.)
    if (pool == nullptr || pool->kind != PoolKind::max || pool->global || pool->ceil_mode) return;
    const std::uint32_t x = graph_.nodes[pooled - 1].inputs[0];
    std::vector<std::uint32_t> convs{x};
    if (single_use(x) && std::holds_alternative<ConcatOp>(producer(x))) convs = graph_.nodes[x - 1].inputs;
    if (!std::all_of(convs.begin(), convs.end(), [&](std::uint32_t t) { return open_binary_conv(t); })) return;
    // The folded multipliers and biases, checked before anything changes: every scale finite and not
    // negative (a non-decreasing map; NaN fails the test), every folded value finite.
    std::vector<std::pair<std::vector<float>, std::vector<float>>> folded;
    std::size_t channel = 0;
    for (std::uint32_t t : convs) {
      const auto& conv = std::get<BinaryConvOp>(producer(t));
      auto& [multiplier, bias] = folded.emplace_back(conv.multiplier, conv.bias);
      for (std::size_t c = 0; norm != nullptr && c < multiplier.size(); ++c, ++channel) {
        const float s = norm->scale[channel];
        multiplier[c] *= s;
        bias[c] = bias[c] * s + norm->shift[channel];
        if (!(s >= 0.0f) || !std::isfinite(s) || !std::isfinite(multiplier[c]) || !std::isfinite(bias[c])) return;
      }
    }
    for (std::size_t k = 0; k < convs.size(); ++k) {
      auto& conv = std::get<BinaryConvOp>(graph_.nodes[convs[k] - 1].op);
      conv.output = DType::bits;
      std::tie(conv.multiplier, conv.bias) = std::move(folded[k]);
    }
    // The Bitpack's readers read the pool's bits; the Bitpack and the ScaleShift go.
    replace_[sign + 1] = pooled;
    removed_[sign] = true;
    if (norm != nullptr) removed_[norm_node] = true;
  }

  // Drops the removed nodes and renumbers the tensors.
  void compact() {
    std::vector<std::uint32_t> index(tensors_.size(), 0);
    std::vector<Node> kept;
    for (std::size_t i = 0; i < graph_.nodes.size(); ++i) {
      if (removed_[i]) continue;
      Node node = std::move(graph_.nodes[i]);
      for (std::uint32_t& t : node.inputs) {
        const auto replaced = replace_.find(t);
        t = index[replaced != replace_.end() ? replaced->second : t];
      }
      kept.push_back(std::move(node));
      index[i + 1] = static_cast<std::uint32_t>(kept.size());
    }
    graph_.nodes = std::move(kept);
  }

  GraphDef& graph_;
  const std::vector<TensorSpec>& tensors_;
  std::vector<std::size_t> uses_;
  std::vector<bool> removed_;
  std::map<std::uint32_t, std::uint32_t> replace_;  // a removed Bitpack's tensor -> the pool's
};

}  // namespace

GraphDef move_signs_before_pools(GraphDef graph, const std::vector<TensorSpec>& tensors) {
  SignFusion(graph, tensors).run();
  return graph;
}

}  // namespace xnor::detail
