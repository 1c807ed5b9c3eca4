#include "xnor/network_builder.hpp"

#include <cmath>

namespace xnor {
namespace {

// Activations of the random networks stay roughly within [-8, 8]: int8 steps of 1/16.
constexpr QuantParams random_int8_quant{1.0f / 16.0f, 0};

}  // namespace

NetworkBuilder::NetworkBuilder(InputSpec input, std::uint64_t seed) : rng_(seed) {
  graph_.input = std::move(input);
  specs_.push_back({graph_.input.h, graph_.input.w, graph_.input.c, DType::float32, {}});
}

NetworkBuilder::Tensor NetworkBuilder::add(const std::string& name, std::vector<Tensor> inputs, Op op) {
  graph_.nodes.push_back({name, std::move(inputs), std::move(op)});
  specs_.push_back(infer_node(graph_.nodes.back(), specs_));
  return static_cast<Tensor>(specs_.size() - 1);
}

std::vector<float> NetworkBuilder::random_weights(std::size_t count, std::size_t fan_in) {
  std::normal_distribution<float> normal(0.0f, std::sqrt(2.0f / static_cast<float>(fan_in)));
  std::vector<float> weights(count);
  for (float& w : weights) w = normal(rng_);
  return weights;
}

NetworkBuilder::Tensor NetworkBuilder::as(Tensor x, DType dtype) {
  if (spec(x).dtype == dtype) return x;
  if (auto it = converted_.find({x, dtype}); it != converted_.end()) return it->second;
  const std::string name = "to_" + dtype_name(dtype) + "_" + std::to_string(x);
  Tensor y = x;
  switch (dtype) {
    case DType::bits:
      y = add(name, {x}, BitpackOp{});
      break;
    case DType::int8:
      y = add(name, {as(x, DType::float32)}, QuantizeOp{random_int8_quant});
      break;
    case DType::float32:
      if (spec(x).dtype != DType::int8) throw ModelError("bits cannot become float: give the binary layer a float output");
      y = add(name, {x}, DequantizeOp{});
      break;
  }
  return converted_[{x, dtype}] = y;
}

NetworkBuilder::Tensor NetworkBuilder::conv(const std::string& name, Tensor x, std::size_t out_c, std::size_t kernel,
                                            std::size_t stride, Precision precision, DType binary_output) {
  return conv_layer(name, x, {kernel, kernel, stride, Padding::same, out_c}, precision, binary_output,
                    binary_output == DType::bits && precision == Precision::binary ? Activation::none() : Activation::relu());
}

NetworkBuilder::Tensor NetworkBuilder::dense(const std::string& name, Tensor x, std::size_t out_features,
                                             Precision precision) {
  const TensorSpec& in = spec(x);
  return conv_layer(name, x, {in.h, in.w, 1, Padding::valid, out_features}, precision, DType::float32, Activation::none());
}

NetworkBuilder::Tensor NetworkBuilder::conv_layer(const std::string& name, Tensor x, const ConvWindow& window,
                                                  Precision precision, DType binary_output, const Activation& activation) {
  const std::size_t fan_in = window.kernel_h * window.kernel_w * spec(x).c;
  const std::size_t out_c = window.out_c;
  switch (precision) {
    case Precision::float32: {
      x = as(x, DType::float32);
      return add(name, {x}, FloatConvOp{window, random_weights(out_c * fan_in, fan_in), std::vector<float>(out_c, 0.01f),
                                        activation});
    }
    case Precision::int8: {
      x = as(x, DType::int8);
      const std::vector<float> weights = random_weights(out_c * fan_in, fan_in);
      Int8ConvOp op{window, {}, {}, std::vector<std::int32_t>(out_c, 0), random_int8_quant, activation};
      // Symmetric per-channel quantization of the random weights.
      for (std::size_t n = 0; n < out_c; ++n) {
        float max_abs = 1e-6f;
        for (std::size_t i = 0; i < fan_in; ++i) max_abs = std::max(max_abs, std::fabs(weights[n * fan_in + i]));
        op.weight_scales.push_back(max_abs / 127.0f);
        for (std::size_t i = 0; i < fan_in; ++i) {
          op.weights.push_back(static_cast<std::int8_t>(std::lround(weights[n * fan_in + i] / op.weight_scales.back())));
        }
      }
      return add(name, {x}, std::move(op));
    }
    case Precision::binary: {
      x = as(x, DType::bits);
      const BinaryWeights binary =
          binarize_weights(random_weights(out_c * fan_in, fan_in), out_c, window.kernel_h * window.kernel_w, spec(x).c);
      // A BatchNorm that scales the ±1 sums (spread sqrt(K)) to unit variance, with random offsets.
      std::vector<float> multiplier(out_c, 1.0f / std::sqrt(static_cast<float>(fan_in))), bias(out_c);
      std::normal_distribution<float> offset(0.0f, 0.5f);
      for (float& b : bias) b = offset(rng_);
      BinaryConvOp op{window, binary.bits, multiplier, bias, activation, BinaryPadding::one, binary_output, {}};
      if (binary_output == DType::int8) op.output_quant = random_int8_quant;
      return add(name, {x}, std::move(op));
    }
  }
  return x;
}

NetworkBuilder::Tensor NetworkBuilder::max_pool(const std::string& name, Tensor x, std::size_t kernel, std::size_t stride) {
  return add(name, {x}, PoolOp{PoolKind::max, kernel, stride, Padding::same, false});
}

NetworkBuilder::Tensor NetworkBuilder::global_average_pool(const std::string& name, Tensor x) {
  if (spec(x).dtype == DType::bits) throw ModelError(name + ": bits cannot be averaged");
  return add(name, {x}, PoolOp{PoolKind::average, 1, 1, Padding::valid, true});
}

NetworkBuilder::Tensor NetworkBuilder::inception(const std::string& name, Tensor x, const InceptionBlock& b,
                                                 Precision precision, DType binary_output) {
  const Tensor branch1 = conv(name + "/1x1", x, b.branch1x1, 1, 1, precision, binary_output);
  const Tensor reduce3 = conv(name + "/3x3_reduce", x, b.branch3x3_reduce, 1, 1, precision);
  const Tensor branch2 = conv(name + "/3x3", reduce3, b.branch3x3, 3, 1, precision, binary_output);
  const Tensor reduce5 = conv(name + "/5x5_reduce", x, b.branch5x5_reduce, 1, 1, precision);
  const Tensor branch3 =
      b.double_3x3 ? conv(name + "/3x3b", conv(name + "/3x3a", reduce5, b.branch5x5, 3, 1, precision), b.branch5x5, 3, 1,
                          precision, binary_output)
                   : conv(name + "/5x5", reduce5, b.branch5x5, 5, 1, precision, binary_output);
  const Tensor pooled = max_pool(name + "/pool", precision == Precision::binary ? as(x, DType::bits) : x, 3, 1);
  const Tensor branch4 = conv(name + "/pool_proj", pooled, b.pool_projection, 1, 1, precision, binary_output);
  const bool int8_out = precision == Precision::int8 || (precision == Precision::binary && binary_output == DType::int8);
  return add(name + "/concat", {branch1, branch2, branch3, branch4}, ConcatOp{int8_out ? random_int8_quant : QuantParams{}});
}

NetworkBuilder::Tensor NetworkBuilder::softmax(const std::string& name, Tensor x) {
  return add(name, {as(x, DType::float32)}, SoftmaxOp{});
}

GraphDef NetworkBuilder::finish(std::vector<std::string> labels) {
  as(static_cast<Tensor>(specs_.size() - 1), DType::float32);
  graph_.labels = std::move(labels);
  infer_tensors(graph_);
  return graph_;
}

}  // namespace xnor
