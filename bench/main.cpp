// build/xnor-bench: Google Benchmark over xnor's kernels; the context names the CPU paths.
#include <benchmark/benchmark.h>

#include "bench/benchmarks.hpp"
#include "xnor/cpu_path.hpp"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("xnor_paths", xnor::describe_paths());
  xnor::bench::register_roofline_benchmarks();
  xnor::bench::register_bgemm_benchmarks();
  xnor::bench::register_bitpack_benchmarks();
  xnor::bench::register_binary_conv_benchmarks();
  xnor::bench::register_net_benchmarks();
  xnor::bench::register_float_conv_benchmarks();
  xnor::bench::register_int8_conv_benchmarks();
  xnor::bench::register_onednn_benchmarks();
  xnor::bench::register_xnnpack_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
