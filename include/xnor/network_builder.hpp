#pragma once
// A C++ builder for Inception-style networks with the precision chosen per layer. Tensors are node outputs
// (tensor ids); when a layer needs another precision than its input has, the builder inserts the
// conversion (quantize, dequantize, bitpack) once per tensor and precision, so branches share it.
// Weights are deterministic random values (He-scaled) from a seed: for benchmarks and tests; trained
// models come from the converter.
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "xnor/graph.hpp"

namespace xnor {

enum class Precision { float32, int8, binary };

struct InceptionBlock {
  std::size_t branch1x1;                      // 1x1
  std::size_t branch3x3_reduce, branch3x3;    // 1x1 -> 3x3
  std::size_t branch5x5_reduce, branch5x5;    // 1x1 -> 5x5, or 1x1 -> 3x3 -> 3x3 when double_3x3
  std::size_t pool_projection;                // 3x3 max-pool -> 1x1
  bool double_3x3 = false;
};

class NetworkBuilder {
 public:
  using Tensor = std::uint32_t;

  NetworkBuilder(InputSpec input, std::uint64_t seed);

  Tensor input() const { return 0; }
  // A convolution with ReLU (float, int8) or a binary convolution emitting `binary_output` (a BatchNorm
  // and the sign of the next layer fold into its transform when that is bits).
  Tensor conv(const std::string& name, Tensor x, std::size_t out_c, std::size_t kernel, std::size_t stride,
              Precision precision, DType binary_output = DType::bits);
  // A dense layer over the whole input (a convolution whose kernel covers it), no activation.
  Tensor dense(const std::string& name, Tensor x, std::size_t out_features, Precision precision);
  Tensor max_pool(const std::string& name, Tensor x, std::size_t kernel, std::size_t stride);
  Tensor global_average_pool(const std::string& name, Tensor x);
  Tensor inception(const std::string& name, Tensor x, const InceptionBlock& block, Precision precision,
                   DType binary_output = DType::bits);
  Tensor softmax(const std::string& name, Tensor x);

  // The graph, with the output converted to float if needed.
  GraphDef finish(std::vector<std::string> labels);

 private:
  Tensor add(const std::string& name, std::vector<Tensor> inputs, Op op);
  Tensor conv_layer(const std::string& name, Tensor x, const ConvWindow& window, Precision precision,
                    DType binary_output, const Activation& activation);
  Tensor as(Tensor x, DType dtype);
  const TensorSpec& spec(Tensor x) const { return specs_[x]; }
  std::vector<float> random_weights(std::size_t count, std::size_t fan_in);

  GraphDef graph_;
  std::vector<TensorSpec> specs_;
  std::map<std::pair<Tensor, DType>, Tensor> converted_;
  std::mt19937_64 rng_;
};

}  // namespace xnor
