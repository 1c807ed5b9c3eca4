// conv/binary/<shape>: the binary convolution in a binary network's steady state — bitpacked input,
// bitpacked output (threshold), weights packed beforehand. MAC/s counts one MAC per ±1 multiply-add.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "bench/benchmarks.hpp"
#include "bench/conv_shapes.hpp"
#include "xnor/binary_conv.hpp"

namespace xnor::bench {
namespace {

void run_binary_conv(benchmark::State& state, ConvShape shape) {
  const ConvGeometry g = shape.geometry();
  std::mt19937_64 rng(1);
  std::normal_distribution<float> normal;
  std::vector<float> weights(g.out_c * g.taps() * g.in_c);
  for (float& w : weights) w = normal(rng);
  const BinaryWeights binary = binarize_weights(weights, g.out_c, g.taps(), g.in_c);
  std::vector<float> bias(g.out_c);
  for (float& b : bias) b = normal(rng);
  const BinaryConv2d layer(g, binary.bits,
                           OutputTransform::to_bits(binary.alpha, bias, Activation::none(),
                                                    static_cast<std::int32_t>(g.taps() * g.in_c)));
  std::vector<std::uint64_t> input(layer.input_words()), output(layer.output_size());
  for (auto& w : input) w = rng();
  for (std::size_t p = 0; p < g.in_pixels(); ++p) {
    if (g.in_c % 64 != 0) input[(p + 1) * words_for_bits(g.in_c) - 1] &= (std::uint64_t{1} << (g.in_c % 64)) - 1;
  }
  for (auto _ : state) {
    layer.run(input, std::span(output));
    benchmark::DoNotOptimize(output.data());
  }
  state.counters["MAC/s"] = benchmark::Counter(shape.macs() * state.iterations(), benchmark::Counter::kIsRate);
  state.SetLabel(std::string(path_name(active_path())));
}

}  // namespace

void register_binary_conv_benchmarks() {
  for (const ConvShape& shape : conv_shapes) {
    benchmark::RegisterBenchmark(shape.name("binary").c_str(), run_binary_conv, shape);
  }
}

}  // namespace xnor::bench
