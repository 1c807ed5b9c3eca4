// Building a Model (layers packed, arena planned) and running it in a Session.
#include "xnor/model.hpp"

#include <algorithm>
#include <chrono>

#include "xnor/batch_norm.hpp"
#include "xnor/binary_ops.hpp"
#include "xnor/float_conv.hpp"
#include "xnor/float_ops.hpp"
#include "xnor/int8_conv.hpp"
#include "xnor/int8_ops.hpp"
#include "src/graph/overloaded.hpp"

namespace xnor {
namespace {

constexpr std::size_t arena_alignment = 64;
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

// The step of one node; `in` are its input specs, `out` its output spec.
Model::Step make_step(const Op& op, const std::vector<TensorSpec>& in, const TensorSpec& out, Path path) {
  const TensorSpec x = in.front();
  return std::visit(
      Overloaded{
          [&](const FloatConvOp& op) -> Model::Step {
            auto layer = std::make_shared<FloatConv2d>(op.window.geometry(x), op.weights, op.bias, op.activation, path);
            return [layer, x, out](auto inputs, std::byte* output, ThreadPool* pool) {
              layer->run(view<float>(inputs[0], x), view<float>(output, out), pool);
            };
          },
          [&](const Int8ConvOp& op) -> Model::Step {
            const Int8LayerParams params{op.weights, op.weight_scales, op.bias, x.quant, op.output,
                                         activation_range(op.activation, op.output)};
            auto layer = std::make_shared<Int8Conv2d>(op.window.geometry(x), params, path);
            return [layer, x, out](auto inputs, std::byte* output, ThreadPool* pool) {
              layer->run(view<std::int8_t>(inputs[0], x), view<std::int8_t>(output, out), pool);
            };
          },
          [&](const BinaryConvOp& op) -> Model::Step {
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
          [&](const PoolOp& op) -> Model::Step {
            const ConvGeometry g = op.global ? ConvGeometry{x.h, x.w, x.c, x.h, x.w, 1, Padding::valid, x.c}
                                             : ConvGeometry{x.h, x.w, x.c, op.kernel, op.kernel, op.stride, op.padding, x.c};
            const bool max = op.kind == PoolKind::max;
            // Threads take bands of output rows; each band runs the pool's own loops.
            return [g, max, x, out](auto inputs, std::byte* output, ThreadPool* pool) {
              const std::size_t grain = std::max<std::size_t>(1, elementwise_grain / (g.out_w() * g.out_c * g.taps()));
              parallel_for(pool, g.out_h(), grain, [&](std::size_t begin, std::size_t end) {
                const OutputRows rows{begin, end};
                switch (x.dtype) {
                  case DType::float32:
                    if (max) return max_pool(view<float>(inputs[0], x), g, view<float>(output, out), rows);
                    return average_pool(view<float>(inputs[0], x), g, view<float>(output, out), rows);
                  case DType::int8:
                    if (max) return int8_max_pool(g, view<std::int8_t>(inputs[0], x), view<std::int8_t>(output, out), {}, rows);
                    return int8_average_pool(g, view<std::int8_t>(inputs[0], x), view<std::int8_t>(output, out), {}, rows);
                  case DType::bits:
                    return binary_max_pool(view<std::uint64_t>(inputs[0], x), g, view<std::uint64_t>(output, out), rows);
                }
              });
            };
          },
          [&](const ConcatOp& op) -> Model::Step {
            return [in, out, quant = op.output_quant](auto inputs, std::byte* output, ThreadPool*) {
              switch (out.dtype) {
                case DType::float32: {
                  std::vector<FloatChannels> parts;
                  for (std::size_t i = 0; i < in.size(); ++i) parts.push_back({view<float>(inputs[i], in[i]), in[i].c});
                  return concat_channels(parts, out.pixels(), view<float>(output, out));
                }
                case DType::int8: {
                  std::vector<Int8ConcatInput> parts;
                  for (std::size_t i = 0; i < in.size(); ++i) {
                    parts.push_back({view<std::int8_t>(inputs[i], in[i]), in[i].c, in[i].quant});
                  }
                  return int8_concat(parts, out.pixels(), quant, view<std::int8_t>(output, out));
                }
                case DType::bits: {
                  std::vector<PackedChannels> parts;
                  for (std::size_t i = 0; i < in.size(); ++i) {
                    parts.push_back({view<std::uint64_t>(inputs[i], in[i]), in[i].c});
                  }
                  return concat_bits(parts, out.pixels(), view<std::uint64_t>(output, out));
                }
              }
            };
          },
          [&](const QuantizeOp& op) -> Model::Step {
            return [x, out, quant = op.output](auto inputs, std::byte* output, ThreadPool* pool) {
              const auto in = view<float>(inputs[0], x);
              const auto q = view<std::int8_t>(output, out);
              parallel_for(pool, in.size(), elementwise_grain, [&](std::size_t begin, std::size_t end) {
                quantize(in.subspan(begin, end - begin), quant, q.subspan(begin, end - begin));
              });
            };
          },
          [&](const DequantizeOp&) -> Model::Step {
            return [x, out](auto inputs, std::byte* output, ThreadPool*) {
              dequantize(view<std::int8_t>(inputs[0], x), x.quant, view<float>(output, out));
            };
          },
          [&](const BitpackOp&) -> Model::Step {
            return [x, out, path](auto inputs, std::byte* output, ThreadPool* pool) {
              const auto bits = view<std::uint64_t>(output, out);
              const std::size_t words = words_for_bits(x.c);
              parallel_for(pool, x.pixels(), elementwise_grain / x.c + 1, [&](std::size_t begin, std::size_t end) {
                const auto pixels = end - begin;
                const auto packed = bits.subspan(begin * words, pixels * words);
                if (x.dtype == DType::float32) {
                  return pack_signs(view<float>(inputs[0], x).subspan(begin * x.c, pixels * x.c), pixels, x.c, packed, path);
                }
                pack_signs(view<std::int8_t>(inputs[0], x).subspan(begin * x.c, pixels * x.c),
                           static_cast<std::int8_t>(x.quant.zero_point), pixels, x.c, packed, path);
              });
            };
          },
          [&](const ActivationOp& op) -> Model::Step {
            return [x, out, activation = op.activation](auto inputs, std::byte* output, ThreadPool*) {
              const auto values = view<float>(output, out);
              std::ranges::copy(view<float>(inputs[0], x), values.begin());
              activate(values, x.c, activation);
            };
          },
          [&](const ScaleShiftOp& op) -> Model::Step {
            return [x, out, norm = BatchNorm{op.scale, op.shift}](auto inputs, std::byte* output, ThreadPool*) {
              norm.run(view<float>(inputs[0], x), view<float>(output, out));
            };
          },
          [&](const SoftmaxOp&) -> Model::Step {
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

std::size_t aligned(std::size_t bytes) { return (bytes + arena_alignment - 1) / arena_alignment * arena_alignment; }

}  // namespace

Model::Model(GraphDef graph, Path path) : graph_(std::move(graph)), tensors_(infer_tensors(graph_)) {
  const std::size_t nodes = graph_.nodes.size();
  for (std::size_t i = 0; i < nodes; ++i) {
    const Node& node = graph_.nodes[i];
    std::vector<TensorSpec> in;
    for (std::uint32_t index : node.inputs) in.push_back(tensors_[index]);
    try {
      steps_.push_back(make_step(node.op, in, tensors_[i + 1], path));
    } catch (const std::exception& error) {
      throw ModelError("node '" + node.name + "': " + error.what());
    }
  }
  // Arena plan: tensor t lives from the step that writes it (t - 1) to the last step that reads it (the
  // output to the end). Each takes the lowest offset that overlaps no tensor alive at the same time.
  std::vector<std::size_t> last_use(tensors_.size());
  for (std::size_t t = 1; t < tensors_.size(); ++t) last_use[t] = t - 1;
  last_use.back() = nodes;
  for (std::size_t i = 0; i < nodes; ++i) {
    for (std::uint32_t index : graph_.nodes[i].inputs) last_use[index] = std::max(last_use[index], i);
  }
  offsets_.assign(tensors_.size(), 0);
  for (std::size_t t = 1; t < tensors_.size(); ++t) {
    const std::size_t size = aligned(tensors_[t].bytes());
    std::vector<std::pair<std::size_t, std::size_t>> busy;  // [begin, end) of tensors alive with t
    for (std::size_t u = 1; u < t; ++u) {
      if (last_use[u] >= t - 1) busy.emplace_back(offsets_[u], offsets_[u] + aligned(tensors_[u].bytes()));
    }
    std::ranges::sort(busy);
    std::size_t offset = 0;
    for (const auto& [begin, end] : busy) {
      if (offset + size <= begin) break;
      offset = std::max(offset, end);
    }
    offsets_[t] = offset;
    arena_bytes_ = std::max(arena_bytes_, offset + size);
  }
  if (arena_bytes_ > max_arena_bytes) {
    throw ModelError("the model needs " + std::to_string(arena_bytes_ >> 20) + " MiB of activations, more than the " +
                     std::to_string(max_arena_bytes >> 20) + " MiB allowed");
  }
}

Model::~Model() = default;

std::vector<LayerInfo> Model::layers() const {
  std::vector<LayerInfo> layers;
  for (std::size_t i = 0; i < graph_.nodes.size(); ++i) {
    const Node& node = graph_.nodes[i];
    const TensorSpec& x = tensors_[node.inputs.front()];
    LayerInfo info{node.name, op_kind(node.op), dtype_name(tensors_[i + 1].dtype), tensors_[i + 1], 0, 0};
    const auto conv_macs = [&](const ConvWindow& window) {
      const ConvGeometry g = window.geometry(x);
      return static_cast<double>(g.out_pixels()) * g.out_c * g.taps() * g.in_c;
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

Session::Session(std::shared_ptr<const Model> model, std::size_t threads)
    : model_(std::move(model)),
      pool_(threads > 1 ? std::make_unique<ThreadPool>(threads) : nullptr),
      arena_(model_->arena_bytes() + arena_alignment) {
  const auto address = reinterpret_cast<std::uintptr_t>(arena_.data());
  base_ = arena_.data() + (arena_alignment - address % arena_alignment) % arena_alignment;
}

std::span<const float> Session::run(std::span<const float> input) { return run_observed(input, {}); }

std::span<const float> Session::run_timed(std::span<const float> input, std::vector<double>& seconds) {
  seconds.assign(model_->steps_.size(), 0.0);
  return run_observed(input, [&](std::size_t node, const std::byte*, double s) { seconds[node] = s; });
}

OutputView Session::run(const xt::xtensor<float, 3>& image) {
  const TensorSpec& in = model_->input();
  if (image.shape(0) != in.h || image.shape(1) != in.w || image.shape(2) != in.c) {
    throw std::invalid_argument("model input is " + std::to_string(in.h) + "x" + std::to_string(in.w) + "x" +
                                std::to_string(in.c) + ", the image tensor " + std::to_string(image.shape(0)) + "x" +
                                std::to_string(image.shape(1)) + "x" + std::to_string(image.shape(2)));
  }
  const std::span<const float> out = run(std::span<const float>(image.data(), image.size()));
  const TensorSpec& o = model_->output();
  return xt::adapt(out.data(), out.size(), xt::no_ownership(), std::array<std::size_t, 3>{o.h, o.w, o.c});
}

std::span<const float> Session::run_observed(std::span<const float> input, const Observer& observer) {
  const Model& m = *model_;
  if (input.size() != m.input().elements()) {
    throw std::invalid_argument("model input needs " + std::to_string(m.input().elements()) + " floats (" +
                                std::to_string(m.input().h) + "x" + std::to_string(m.input().w) + "x" +
                                std::to_string(m.input().c) + "), got " + std::to_string(input.size()));
  }
  std::vector<const std::byte*> inputs;
  for (std::size_t i = 0; i < m.steps_.size(); ++i) {
    inputs.clear();
    for (std::uint32_t index : m.graph_.nodes[i].inputs) {
      inputs.push_back(index == 0 ? reinterpret_cast<const std::byte*>(input.data()) : base_ + m.offsets_[index]);
    }
    if (!observer) {
      m.steps_[i](inputs, base_ + m.offsets_[i + 1], pool_.get());
      continue;
    }
    const auto start = std::chrono::steady_clock::now();
    m.steps_[i](inputs, base_ + m.offsets_[i + 1], pool_.get());
    observer(i, base_ + m.offsets_[i + 1], std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return {reinterpret_cast<const float*>(base_ + m.offsets_.back()), m.output().elements()};
}

}  // namespace xnor
