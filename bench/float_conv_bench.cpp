// conv/float/<shape> and dwconv/float/<shape>: FloatConv2d (FloatGroupedConv2d for the depthwise shapes) on the
// active path, one thread, weights packed beforehand, output checked once against the reference.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench/benchmarks.hpp"
#include "bench/conv_cases.hpp"
#include "xnor/float_conv.hpp"
#include "xnor/grouped_conv.hpp"

namespace xnor::bench {
namespace {

template <class Layer>
void time_float_layer(benchmark::State& state, const ConvShape& shape, const FloatConvCase& c, const Layer& layer) {
  std::vector<float> output(layer.output_size());
  layer.run(c.input, output);
  if (!matches_reference(shape, output)) {
    state.SkipWithError("the output differs from src/float/reference.hpp");
    return;
  }
  for (auto _ : state) {
    layer.run(c.input, output);
    benchmark::DoNotOptimize(output.data());
  }
  state.counters["MAC/s"] = benchmark::Counter(shape.macs() * state.iterations(), benchmark::Counter::kIsRate);
  state.SetLabel(std::string(path_name(layer.path())));
}

void run_float_conv(benchmark::State& state, ConvShape shape) {
  const FloatConvCase c = float_case(shape);
  if (shape.groups > 1) {
    return time_float_layer(state, shape, c, FloatGroupedConv2d(shape.geometry(), shape.groups, c.weights, c.bias));
  }
  time_float_layer(state, shape, c, FloatConv2d(shape.geometry(), c.weights, c.bias));
}

}  // namespace

void register_float_conv_benchmarks() {
  for (const auto& shapes : {std::span<const ConvShape>(conv_shapes), std::span<const ConvShape>(depthwise_shapes)}) {
    for (const ConvShape& shape : shapes) benchmark::RegisterBenchmark(shape.name("float").c_str(), run_float_conv, shape);
  }
}

}  // namespace xnor::bench
