// conv/float/<shape>: FloatConv2d on the active path, one thread, weights packed beforehand.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench/benchmarks.hpp"
#include "bench/conv_cases.hpp"
#include "xnor/float_conv.hpp"

namespace xnor::bench {
namespace {

void run_float_conv(benchmark::State& state, ConvShape shape) {
  const FloatConvCase c = float_case(shape);
  const FloatConv2d layer(shape.geometry(), c.weights, c.bias);
  std::vector<float> output(layer.output_size());
  for (auto _ : state) {
    layer.run(c.input, output);
    benchmark::DoNotOptimize(output.data());
  }
  state.counters["MAC/s"] = benchmark::Counter(shape.macs() * state.iterations(), benchmark::Counter::kIsRate);
  state.SetLabel(std::string(path_name(layer.path())));
}

}  // namespace

void register_float_conv_benchmarks() {
  for (const ConvShape& shape : conv_shapes) {
    benchmark::RegisterBenchmark(shape.name("float").c_str(), run_float_conv, shape);
  }
}

}  // namespace xnor::bench
