// conv/int8/<shape> and dwconv/int8/<shape>: Int8Conv2d (Int8GroupedConv2d for the depthwise shapes) on the
// active path's best kernel, one thread, int8 in and out, weights prepacked beforehand, on the data every peer
// gets (conv_cases.hpp). The label names the kernel.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench/benchmarks.hpp"
#include "bench/conv_cases.hpp"
#include "xnor/grouped_conv.hpp"
#include "xnor/int8_conv.hpp"

namespace xnor::bench {
namespace {

template <class Layer>
void time_int8_layer(benchmark::State& state, const ConvShape& shape, const Int8ConvCase& c, const Layer& layer) {
  std::vector<std::int8_t> output(shape.geometry().out_pixels() * shape.out_c);
  layer.run(c.input, output);
  if (!matches_reference(shape, output)) {
    state.SkipWithError("the output differs from src/int8/reference.hpp");
    return;
  }
  for (auto _ : state) {
    layer.run(c.input, output);
    benchmark::DoNotOptimize(output.data());
  }
  state.counters["MAC/s"] = benchmark::Counter(shape.macs() * state.iterations(), benchmark::Counter::kIsRate);
  state.SetLabel(std::string(layer.kernel_name()));
}

void run_int8_conv(benchmark::State& state, ConvShape shape) {
  const Int8ConvCase c = int8_case(shape);
  if (shape.groups > 1) return time_int8_layer(state, shape, c, Int8GroupedConv2d(shape.geometry(), shape.groups, c.params()));
  time_int8_layer(state, shape, c, Int8Conv2d(shape.geometry(), c.params()));
}

}  // namespace

void register_int8_conv_benchmarks() {
  for (const auto& shapes : {std::span<const ConvShape>(conv_shapes), std::span<const ConvShape>(depthwise_shapes)}) {
    for (const ConvShape& shape : shapes) benchmark::RegisterBenchmark(shape.name("int8").c_str(), run_int8_conv, shape);
  }
}

}  // namespace xnor::bench
