// Building a Model (layers packed, arena planned) and running it in a Session.
#include "xnor/model.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>

#include "xnor/batch_norm.hpp"
#include "xnor/binary_ops.hpp"
#include "xnor/float_conv.hpp"
#include "xnor/float_ops.hpp"
#include "xnor/grouped_conv.hpp"
#include "xnor/int8_conv.hpp"
#include "xnor/image.hpp"
#include "xnor/int8_ops.hpp"
#include "xnor/thread_pool.hpp"
#include "src/aligned_buffer.hpp"
#include "src/graph/overloaded.hpp"
#include "src/graph/sign_fusion.hpp"
#include "src/graph/sign_thresholds.hpp"

namespace xnor {

// One runnable step per node: reads its input tensors, writes its output tensor.
using Step = std::function<void(std::span<const std::byte* const> inputs, std::byte* output, ThreadPool* pool)>;

struct Model::Plan {
  GraphDef graph;
  std::vector<TensorSpec> tensors;
  std::vector<std::string> labels;
  bool ends_in_softmax = false;
  std::vector<Step> steps;
  std::vector<std::vector<std::uint32_t>> step_inputs;  // the tensors each step reads (see plan())
  std::vector<std::uint32_t> fused_into;                // per node: the node that computes it, else its own index
  std::vector<std::size_t> offsets;  // arena offset of each tensor (tensor 0, the input, is the caller's)
  std::size_t arena_bytes = 0;
};

namespace {

constexpr std::size_t arena_alignment = detail::AlignedBuffer::alignment;
// Elementwise steps split across threads only in chunks this large: smaller ones cost more to hand out.
constexpr std::size_t elementwise_grain = 1 << 15;
// A model needing more activation memory than this is refused at load, before any session allocates it.
constexpr std::size_t max_arena_bytes = std::size_t{2} << 30;

using detail::Overloaded;

template <class T>
std::span<const T> view(const std::byte* data, const TensorSpec& spec) {
  return {reinterpret_cast<const T*>(data), spec.elements()};
}
template <class T>
std::span<T> view(std::byte* data, const TensorSpec& spec) {
  return {reinterpret_cast<T*>(data), spec.elements()};
}

OutputTransform binary_transform(const BinaryConvOp& op, const ConvGeometry& g) {
  switch (op.output) {
    case DType::float32:
      return OutputTransform::to_float(op.multiplier, op.bias, op.activation);
    case DType::int8:
      return OutputTransform::to_int8(op.multiplier, op.bias, op.activation, op.output_quant.scale,
                                      op.output_quant.zero_point);
    case DType::bits:
      break;
  }
  return OutputTransform::to_bits(op.multiplier, op.bias, op.activation, static_cast<std::int32_t>(g.taps() * g.in_c));
}

// A Bitpack of x's signs; with thresholds, of the signs of x scaled and shifted (a fused ScaleShift).
Step bitpack_step(const TensorSpec& x, const TensorSpec& out, Path path,
                  std::shared_ptr<const detail::SignThresholds> thresholds = nullptr) {
  return [x, out, path, thresholds](auto inputs, std::byte* output, ThreadPool* pool) {
    const auto bits = view<std::uint64_t>(output, out);
    const std::size_t words = words_for_bits(x.c);
    parallel_for(pool, x.pixels(), elementwise_grain / x.c + 1, [&](std::size_t begin, std::size_t end) {
      const auto pixels = end - begin;
      const auto packed = bits.subspan(begin * words, pixels * words);
      if (x.dtype == DType::int8) {
        return pack_signs(view<std::int8_t>(inputs[0], x).subspan(begin * x.c, pixels * x.c),
                          static_cast<std::int8_t>(x.quant.zero_point), pixels, x.c, packed, path);
      }
      const auto values = view<float>(inputs[0], x).subspan(begin * x.c, pixels * x.c);
      if (thresholds != nullptr) {
        return pack_signs(values, pixels, x.c, thresholds->flip, thresholds->thresholds, packed, path);
      }
      pack_signs(values, pixels, x.c, packed, path);
    });
  };
}

// The step of one node; `in` are its input specs, `out` its output spec.
Step make_step(const Op& op, const std::vector<TensorSpec>& in, const TensorSpec& out, Path path) {
  const TensorSpec x = in.front();
  return std::visit(
      Overloaded{
          [&](const FloatConvOp& op) -> Step {
            if (op.window.groups > 1) {
              auto layer = std::make_shared<FloatGroupedConv2d>(op.window.geometry(x), op.window.groups, op.weights,
                                                                op.bias, op.activation, path);
              return [layer, x, out](auto inputs, std::byte* output, ThreadPool* pool) {
                layer->run(view<float>(inputs[0], x), view<float>(output, out), pool);
              };
            }
            auto layer = std::make_shared<FloatConv2d>(op.window.geometry(x), op.weights, op.bias, op.activation, path);
            return [layer, x, out](auto inputs, std::byte* output, ThreadPool* pool) {
              layer->run(view<float>(inputs[0], x), view<float>(output, out), pool);
            };
          },
          [&](const Int8ConvOp& op) -> Step {
            const Int8LayerParams params{op.weights, op.weight_scales, op.bias, x.quant, op.output,
                                         activation_range(op.activation, op.output)};
            if (op.window.groups > 1) {
              auto layer = std::make_shared<Int8GroupedConv2d>(op.window.geometry(x), op.window.groups, params, path);
              return [layer, x, out](auto inputs, std::byte* output, ThreadPool* pool) {
                layer->run(view<std::int8_t>(inputs[0], x), view<std::int8_t>(output, out), pool);
              };
            }
            auto layer = std::make_shared<Int8Conv2d>(op.window.geometry(x), params, path);
            return [layer, x, out](auto inputs, std::byte* output, ThreadPool* pool) {
              layer->run(view<std::int8_t>(inputs[0], x), view<std::int8_t>(output, out), pool);
            };
          },
          [&](const BinaryConvOp& op) -> Step {
            const ConvGeometry g = op.window.geometry(x);
            auto layer = std::make_shared<BinaryConv2d>(g, op.weight_bits, binary_transform(op, g), op.padding, path);
            return [layer, x, out](auto inputs, std::byte* output, ThreadPool* pool) {
              const auto input = view<std::uint64_t>(inputs[0], x);
              switch (out.dtype) {
                case DType::float32:
                  return layer->run(input, view<float>(output, out), pool);
                case DType::int8:
                  return layer->run(input, view<std::int8_t>(output, out), pool);
                case DType::bits:
                  return layer->run(input, view<std::uint64_t>(output, out), pool);
              }
            };
          },
          [&](const PoolOp& op) -> Step {
            const ConvGeometry g = op.geometry(x);
            const bool max = op.kind == PoolKind::max, count_padding = op.count_padding;
            // Threads take bands of output rows; each band runs the pool's own loops.
            return [g, max, count_padding, x, out](auto inputs, std::byte* output, ThreadPool* pool) {
              const std::size_t grain = std::max<std::size_t>(1, elementwise_grain / (g.out_w() * g.out_c * g.taps()));
              parallel_for(pool, g.out_h(), grain, [&](std::size_t begin, std::size_t end) {
                const OutputRows rows{begin, end};
                switch (x.dtype) {
                  case DType::float32:
                    if (max) return max_pool(view<float>(inputs[0], x), g, view<float>(output, out), rows);
                    return average_pool(view<float>(inputs[0], x), g, view<float>(output, out), rows, count_padding);
                  case DType::int8:
                    if (max) return int8_max_pool(g, view<std::int8_t>(inputs[0], x), view<std::int8_t>(output, out), {}, rows);
                    return int8_average_pool(g, view<std::int8_t>(inputs[0], x), view<std::int8_t>(output, out), {}, rows,
                                             count_padding, static_cast<std::int8_t>(x.quant.zero_point));
                  case DType::bits:
                    return binary_max_pool(view<std::uint64_t>(inputs[0], x), g, view<std::uint64_t>(output, out), rows);
                }
              });
            };
          },
          [&](const ConcatOp& op) -> Step {
            return [in, out, quant = op.output_quant](auto inputs, std::byte* output, ThreadPool*) {
              switch (out.dtype) {
                // The parts' list is kept by the thread: a session allocates nothing after its first run.
                case DType::float32: {
                  thread_local std::vector<FloatChannels> parts;
                  parts.clear();
                  for (std::size_t i = 0; i < in.size(); ++i) parts.push_back({view<float>(inputs[i], in[i]), in[i].c});
                  return concat_channels(parts, out.pixels(), view<float>(output, out));
                }
                case DType::int8: {
                  thread_local std::vector<Int8ConcatInput> parts;
                  parts.clear();
                  for (std::size_t i = 0; i < in.size(); ++i) {
                    parts.push_back({view<std::int8_t>(inputs[i], in[i]), in[i].c, in[i].quant});
                  }
                  return int8_concat(parts, out.pixels(), quant, view<std::int8_t>(output, out));
                }
                case DType::bits: {
                  thread_local std::vector<PackedChannels> parts;
                  parts.clear();
                  for (std::size_t i = 0; i < in.size(); ++i) {
                    parts.push_back({view<std::uint64_t>(inputs[i], in[i]), in[i].c});
                  }
                  return concat_bits(parts, out.pixels(), view<std::uint64_t>(output, out));
                }
              }
            };
          },
          [&](const QuantizeOp& op) -> Step {
            return [x, out, quant = op.output](auto inputs, std::byte* output, ThreadPool* pool) {
              const auto in = view<float>(inputs[0], x);
              const auto q = view<std::int8_t>(output, out);
              parallel_for(pool, in.size(), elementwise_grain, [&](std::size_t begin, std::size_t end) {
                quantize(in.subspan(begin, end - begin), quant, q.subspan(begin, end - begin));
              });
            };
          },
          [&](const DequantizeOp&) -> Step {
            return [x, out](auto inputs, std::byte* output, ThreadPool*) {
              dequantize(view<std::int8_t>(inputs[0], x), x.quant, view<float>(output, out));
            };
          },
          [&](const BitpackOp&) -> Step { return bitpack_step(x, out, path); },
          [&](const ActivationOp& op) -> Step {
            return [x, out, activation = op.activation](auto inputs, std::byte* output, ThreadPool*) {
              const auto values = view<float>(output, out);
              std::ranges::copy(view<float>(inputs[0], x), values.begin());
              activate(values, x.c, activation);
            };
          },
          [&](const ScaleShiftOp& op) -> Step {
            return [x, out, norm = BatchNorm{op.scale, op.shift}](auto inputs, std::byte* output, ThreadPool*) {
              norm.run(view<float>(inputs[0], x), view<float>(output, out));
            };
          },
          [&](const ElementwiseOp& op) -> Step {
            const TensorSpec y = in[1];
            if (x.dtype == DType::int8) {
              const Int8ElementwiseParams params{x.quant, y.quant, op.output_quant,
                                                 activation_range(op.activation, op.output_quant)};
              return [kind = op.kind, params, x, y, out](auto inputs, std::byte* output, ThreadPool*) {
                int8_elementwise(kind, view<std::int8_t>(inputs[0], x), view<std::int8_t>(inputs[1], y), x.c, params,
                                 view<std::int8_t>(output, out));
              };
            }
            return [op, x, y, out](auto inputs, std::byte* output, ThreadPool*) {
              elementwise(op.kind, view<float>(inputs[0], x), view<float>(inputs[1], y), x.c, op.activation,
                          view<float>(output, out));
            };
          },
          [&](const SoftmaxOp&) -> Step {
            return [x, out](auto inputs, std::byte* output, ThreadPool*) {
              const auto logits = view<float>(inputs[0], x);
              const auto probabilities = view<float>(output, out);
              for (std::size_t p = 0; p < x.pixels(); ++p) {
                softmax(logits.subspan(p * x.c, x.c), probabilities.subspan(p * x.c, x.c));
              }
            };
          },
      },
      op);
}

// The ScaleShift node that the Bitpack node `sign` alone reads, with its thresholds, if the Bitpack can pack
// its input's signs from them.
std::optional<std::pair<std::size_t, detail::SignThresholds>> fusable_scale_shift(const Model::Plan& p, std::size_t sign,
                                                                                  const std::vector<std::size_t>& uses) {
  const Node& node = p.graph.nodes[sign];
  if (!std::holds_alternative<BitpackOp>(node.op)) return std::nullopt;
  const std::uint32_t t = node.inputs[0];
  if (t == 0 || uses[t] != 1 || p.tensors[t].dtype != DType::float32) return std::nullopt;
  const auto* op = std::get_if<ScaleShiftOp>(&p.graph.nodes[t - 1].op);
  if (op == nullptr) return std::nullopt;
  auto thresholds = detail::sign_thresholds(BatchNorm{op->scale, op->shift});
  if (!thresholds) return std::nullopt;
  return std::pair{std::size_t{t - 1}, std::move(*thresholds)};
}

std::size_t aligned(std::size_t bytes) { return (bytes + arena_alignment - 1) / arena_alignment * arena_alignment; }

// The float or binary convolution (float output) whose output only the Add node `add` reads, as that Add's
// first or second operand, if the other operand is computed before the convolution runs: its tensor, else 0.
std::uint32_t fusable_shortcut(const Model::Plan& p, std::size_t add, const std::vector<std::size_t>& uses) {
  const Node& node = p.graph.nodes[add];
  const auto* op = std::get_if<ElementwiseOp>(&node.op);
  if (op == nullptr || op->kind != ElementwiseKind::add || !op->activation.fusable() ||
      p.tensors[add + 1].dtype != DType::float32) {
    return 0;
  }
  const TensorSpec &a = p.tensors[node.inputs[0]], &b = p.tensors[node.inputs[1]];
  if (a.h != b.h || a.w != b.w) return 0;  // a per-channel operand
  std::uint32_t best = 0;
  for (int k = 0; k < 2; ++k) {
    const std::uint32_t t = node.inputs[k], other = node.inputs[1 - k];
    if (t == 0 || other >= t || uses[t] != 1 || t + 1 == p.tensors.size()) continue;
    const Op& producer = p.graph.nodes[t - 1].op;
    const auto* conv = std::get_if<FloatConvOp>(&producer);
    const auto* binary = std::get_if<BinaryConvOp>(&producer);
    if ((conv != nullptr && conv->window.groups == 1 && conv->activation.kind == Activation::Kind::none) ||
        (binary != nullptr && binary->output == DType::float32 && binary->activation.kind == Activation::Kind::none)) {
      best = std::max(best, t);
    }
  }
  return best;
}

// The steps, and the arena plan. Fused nodes (Fusion::all) run as no-op steps: a convolution's step adds
// its shortcut Add's other operand (one more input) and writes the Add's output; a Bitpack's step reads the
// input of the ScaleShift it was fused with instead of that ScaleShift's output, which is never written.
// The arena: tensor t lives from the step that writes it (t - 1) to the last step that
// reads it (the output to the end). Each takes the lowest offset that overlaps no tensor alive at the same time;
// a fused Add's output is its convolution's tensor.
void plan(Model::Plan& p, Path path, Fusion fusion) {
  const std::size_t nodes = p.graph.nodes.size();
  std::vector<std::size_t> uses(p.tensors.size());
  for (const Node& node : p.graph.nodes) {
    for (std::uint32_t index : node.inputs) ++uses[index];
  }
  p.step_inputs.resize(nodes);
  p.fused_into.resize(nodes);
  std::vector<std::uint32_t> alias_of(p.tensors.size(), 0);  // an Add's output: the fused convolution's tensor
  std::vector<std::size_t> shortcut_add(nodes, 0);           // a convolution's fused Add node
  for (std::size_t i = 0; i < nodes; ++i) {
    p.step_inputs[i] = p.graph.nodes[i].inputs;
    p.fused_into[i] = static_cast<std::uint32_t>(i);
  }
  for (std::size_t i = 0; fusion == Fusion::all && i < nodes; ++i) {
    if (const std::uint32_t t = fusable_shortcut(p, i, uses)) {
      const Node& add = p.graph.nodes[i];
      p.step_inputs[t - 1].push_back(add.inputs[0] == t ? add.inputs[1] : add.inputs[0]);
      p.fused_into[i] = t - 1;
      shortcut_add[t - 1] = i;
      alias_of[i + 1] = t;
    }
  }
  std::vector<std::shared_ptr<const detail::SignThresholds>> sign_thresholds(nodes);  // a Bitpack's fused ScaleShift
  for (std::size_t i = 0; fusion == Fusion::all && i < nodes; ++i) {
    if (auto fused = fusable_scale_shift(p, i, uses)) {
      auto& [norm, thresholds] = *fused;
      p.step_inputs[i] = p.graph.nodes[norm].inputs;
      p.fused_into[norm] = static_cast<std::uint32_t>(i);
      sign_thresholds[i] = std::make_shared<const detail::SignThresholds>(std::move(thresholds));
    }
  }
  for (std::size_t i = 0; i < nodes; ++i) {
    const Node& node = p.graph.nodes[i];
    try {
      if (sign_thresholds[i] != nullptr) {
        p.steps.push_back(bitpack_step(p.tensors[p.step_inputs[i][0]], p.tensors[i + 1], path, sign_thresholds[i]));
        continue;
      }
      if (p.fused_into[i] != i) {
        p.steps.push_back([](auto, std::byte*, ThreadPool*) {});  // computed by the convolution it was fused into
        continue;
      }
      std::vector<TensorSpec> in;
      for (std::uint32_t index : node.inputs) in.push_back(p.tensors[index]);
      if (p.step_inputs[i].size() > node.inputs.size()) {
        // A convolution with its shortcut Add's operand and activation: the Add node is the one fused with it.
        const Activation& activation = std::get<ElementwiseOp>(p.graph.nodes[shortcut_add[i]].op).activation;
        const TensorSpec x = in[0], out = p.tensors[i + 1];
        if (const auto* binary = std::get_if<BinaryConvOp>(&node.op)) {
          BinaryConvOp conv = *binary;
          conv.activation = activation;
          const ConvGeometry g = conv.window.geometry(x);
          auto layer = std::make_shared<BinaryConv2d>(g, conv.weight_bits, binary_transform(conv, g), conv.padding, path);
          p.steps.push_back([layer, x, out](auto inputs, std::byte* output, ThreadPool* pool) {
            layer->run(view<std::uint64_t>(inputs[0], x), view<float>(output, out), pool, {}, view<float>(inputs[1], out));
          });
          continue;
        }
        FloatConvOp conv = std::get<FloatConvOp>(node.op);
        conv.activation = activation;
        auto layer = std::make_shared<FloatConv2d>(conv.window.geometry(x), conv.weights, conv.bias, conv.activation, path);
        p.steps.push_back([layer, x, out](auto inputs, std::byte* output, ThreadPool* pool) {
          layer->run(view<float>(inputs[0], x), view<float>(output, out), pool, view<float>(inputs[1], out));
        });
        continue;
      }
      p.steps.push_back(make_step(node.op, in, p.tensors[i + 1], path));
    } catch (const std::exception& error) {
      throw ModelError("node '" + node.name + "': " + error.what());
    }
  }
  std::vector<std::size_t> last_use(p.tensors.size());
  for (std::size_t t = 1; t < p.tensors.size(); ++t) last_use[t] = t - 1;
  last_use.back() = nodes;
  for (std::size_t i = 0; i < nodes; ++i) {
    for (std::uint32_t index : p.step_inputs[i]) last_use[index] = std::max(last_use[index], i);
  }
  // A fused Add's output is its convolution's tensor: that lives as long as either.
  for (std::size_t t = p.tensors.size(); t-- > 1;) {
    if (alias_of[t]) last_use[alias_of[t]] = std::max(last_use[alias_of[t]], last_use[t]);
  }
  p.offsets.assign(p.tensors.size(), 0);
  for (std::size_t t = 1; t < p.tensors.size(); ++t) {
    if (alias_of[t]) {
      p.offsets[t] = p.offsets[alias_of[t]];
      continue;
    }
    const std::size_t size = aligned(p.tensors[t].bytes());
    std::vector<std::pair<std::size_t, std::size_t>> busy;  // [begin, end) of tensors alive with t
    for (std::size_t u = 1; u < t; ++u) {
      if (last_use[u] >= t - 1) busy.emplace_back(p.offsets[u], p.offsets[u] + aligned(p.tensors[u].bytes()));
    }
    std::ranges::sort(busy);
    std::size_t offset = 0;
    for (const auto& [begin, end] : busy) {
      if (offset + size <= begin) break;
      offset = std::max(offset, end);
    }
    p.offsets[t] = offset;
    p.arena_bytes = std::max(p.arena_bytes, offset + size);
  }
  if (p.arena_bytes > max_arena_bytes) {
    throw ModelError("the model needs " + std::to_string(p.arena_bytes >> 20) + " MiB of activations, more than the " +
                     std::to_string(max_arena_bytes >> 20) + " MiB allowed");
  }
}

std::vector<std::string> output_labels(const GraphDef& graph, std::size_t outputs) {
  if (graph.labels.size() == outputs) return graph.labels;
  std::vector<std::string> labels;
  for (std::size_t k = 0; k < outputs; ++k) labels.push_back(std::to_string(k));
  return labels;
}

Model::Plan make_plan(GraphDef graph, Path path, Fusion fusion) {
  Model::Plan p;
  p.tensors = infer_tensors(graph);
  if (fusion == Fusion::all) {
    graph = detail::move_signs_before_pools(std::move(graph), p.tensors);
    p.tensors = infer_tensors(graph);
  }
  p.graph = std::move(graph);
  p.labels = output_labels(p.graph, p.tensors.back().elements());
  p.ends_in_softmax = !p.graph.nodes.empty() && std::holds_alternative<SoftmaxOp>(p.graph.nodes.back().op);
  plan(p, path, fusion);
  return p;
}

}  // namespace

Model::Model(GraphDef graph, Path path, Fusion fusion)
    : plan_(std::make_unique<const Plan>(make_plan(std::move(graph), path, fusion))) {}

Model::~Model() = default;

const GraphDef& Model::graph() const { return plan_->graph; }
const std::vector<TensorSpec>& Model::tensors() const { return plan_->tensors; }
const std::vector<std::string>& Model::labels() const { return plan_->labels; }
std::size_t Model::arena_bytes() const { return plan_->arena_bytes; }

std::vector<LayerInfo> Model::layers() const {
  const GraphDef& graph = plan_->graph;
  const std::vector<TensorSpec>& tensors = plan_->tensors;
  std::vector<LayerInfo> layers;
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    const TensorSpec& x = tensors[node.inputs.front()];
    LayerInfo info{node.name, op_kind(node.op), dtype_name(tensors[i + 1].dtype), tensors[i + 1], 0, 0, {}};
    if (plan_->fused_into[i] != i) info.fused_into = graph.nodes[plan_->fused_into[i]].name;
    const auto conv_macs = [&](const ConvWindow& window) {
      const ConvGeometry g = window.geometry(x);
      return static_cast<double>(g.out_pixels()) * g.out_c * g.taps() * window.group_in_c(x);
    };
    std::visit(Overloaded{
                   [&](const FloatConvOp& op) {
                     info.precision = "float";
                     info.macs = conv_macs(op.window);
                     info.weight_bytes = 4 * (op.weights.size() + op.bias.size());
                   },
                   [&](const Int8ConvOp& op) {
                     info.precision = "int8";
                     info.macs = conv_macs(op.window);
                     info.weight_bytes = op.weights.size() + 4 * (op.weight_scales.size() + op.bias.size());
                   },
                   [&](const BinaryConvOp& op) {
                     info.precision = "binary";
                     info.macs = conv_macs(op.window);
                     info.weight_bytes = 8 * op.weight_bits.size() + 4 * (op.multiplier.size() + op.bias.size());
                   },
                   [](const auto&) {},
               },
               node.op);
    layers.push_back(std::move(info));
  }
  return layers;
}

struct Session::State {
  std::unique_ptr<ThreadPool> pool;
  detail::AlignedBuffer arena;
  std::vector<const std::byte*> inputs;  // of the node being run; grows in the first run only
  std::vector<float> image_input;        // run(const Image&)'s preprocessed image
};

Session::Session(std::shared_ptr<const Model> model, std::size_t threads)
    : model_(std::move(model)), state_(std::make_unique<State>()) {
  State& s = *state_;
  if (threads > 1) s.pool = std::make_unique<ThreadPool>(threads);
  s.arena = detail::AlignedBuffer(model_->arena_bytes());
}

Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

std::span<const float> Session::run(std::span<const float> input) { return run_observed(input, {}); }

std::span<const float> Session::run(const Image& image) {
  state_->image_input = preprocess(image, model_->graph().input);
  return run(state_->image_input);
}

std::vector<Prediction> Session::classify(const Image& image, std::size_t top) {
  const std::span<const float> output = run(image);
  std::vector<float> probabilities(output.begin(), output.end());
  if (!model_->plan_->ends_in_softmax) softmax(output, probabilities);
  std::vector<std::size_t> order(probabilities.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto key = [&](std::size_t i) {
    return std::isnan(probabilities[i]) ? -std::numeric_limits<float>::infinity() : probabilities[i];
  };
  const auto end = order.begin() + static_cast<std::ptrdiff_t>(std::min(top, order.size()));
  std::partial_sort(order.begin(), end, order.end(),
                    [&](std::size_t a, std::size_t b) { return key(a) != key(b) ? key(a) > key(b) : a < b; });
  std::vector<Prediction> predictions;
  for (auto it = order.begin(); it != end; ++it) predictions.push_back({model_->labels()[*it], probabilities[*it], *it});
  return predictions;
}

std::span<const float> Session::run_timed(std::span<const float> input, std::vector<double>& seconds) {
  seconds.assign(model_->plan_->steps.size(), 0.0);
  return run_observed(input, [&](std::size_t node, const std::byte*, double s) { seconds[node] = s; });
}

std::span<const float> Session::run_observed(std::span<const float> input, const Observer& observer) {
  const Model& m = *model_;
  const Model::Plan& p = *m.plan_;
  State& s = *state_;
  std::byte* base = s.arena.as<std::byte>();
  if (input.size() != m.input().elements()) {
    throw std::invalid_argument("model input needs " + std::to_string(m.input().elements()) + " floats (" +
                                std::to_string(m.input().h) + "x" + std::to_string(m.input().w) + "x" +
                                std::to_string(m.input().c) + "), got " + std::to_string(input.size()));
  }
  for (std::size_t i = 0; i < p.steps.size(); ++i) {
    s.inputs.clear();
    for (std::uint32_t index : p.step_inputs[i]) {
      s.inputs.push_back(index == 0 ? reinterpret_cast<const std::byte*>(input.data()) : base + p.offsets[index]);
    }
    std::byte* output = base + p.offsets[i + 1];
    if (!observer) {
      p.steps[i](s.inputs, output, s.pool.get());
      continue;
    }
    const auto start = std::chrono::steady_clock::now();
    p.steps[i](s.inputs, output, s.pool.get());
    observer(i, output, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return {reinterpret_cast<const float*>(base + p.offsets.back()), m.output().elements()};
}

}  // namespace xnor
