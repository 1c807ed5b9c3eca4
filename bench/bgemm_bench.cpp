// bgemm/<path>/M<M>xN<N>xK<K>: the binary GEMM of 3x3 convolutions (M = H*W, K = 9*Cin bits, N = Cout),
// weights packed beforehand. efficiency = throughput / roofline/<path> measured in this process.
#include <benchmark/benchmark.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "bench/benchmarks.hpp"
#include "bench/roofline.hpp"
#include "xnor/bgemm.hpp"
#include "xnor/bitpack.hpp"

namespace xnor::bench {
namespace {

struct GemmShape {
  std::size_t m, n, k_bits;
};

// 3x3 convolutions 56x56x64->64, 28x28x128->128, 14x14x256->256, 7x7x512->512.
constexpr GemmShape conv3x3_shapes[] = {{56 * 56, 64, 9 * 64}, {28 * 28, 128, 9 * 128}, {14 * 14, 256, 9 * 256},
                                        {7 * 7, 512, 9 * 512}};

void run_bgemm(benchmark::State& state, Path path, GemmShape shape) {
  const std::size_t words = words_for_bits(shape.k_bits);
  std::mt19937_64 rng(1);
  std::vector<std::uint64_t> a(shape.m * words), b(shape.n * words);
  for (auto& w : a) w = rng();
  for (auto& w : b) w = rng();
  const BgemmWeights weights(b, shape.n, words);
  std::vector<std::int32_t> c(shape.m * shape.n);
  const double ceiling = roofline_for(path) ? roofline_rate(path) : 0.0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    bgemm(a, shape.m, words, weights, c, shape.n, path);
    benchmark::DoNotOptimize(c.data());
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  const double bit_macs = static_cast<double>(shape.m) * shape.n * shape.k_bits * state.iterations();
  state.counters["bitMAC/s"] = benchmark::Counter(bit_macs, benchmark::Counter::kIsRate);
  if (ceiling > 0) state.counters["efficiency"] = bit_macs / elapsed.count() / ceiling;
}

}  // namespace

void register_bgemm_benchmarks() {
  for (Path path : supported_path_list()) {
    if (!roofline_for(path)) continue;  // it runs another path's bit kernels
    for (const GemmShape& shape : conv3x3_shapes) {
      const std::string name = "bgemm/" + std::string(path_name(path)) + "/M" + std::to_string(shape.m) + "xN" +
                               std::to_string(shape.n) + "xK" + std::to_string(shape.k_bits);
      benchmark::RegisterBenchmark(name.c_str(), run_bgemm, path, shape);
    }
  }
}

}  // namespace xnor::bench
