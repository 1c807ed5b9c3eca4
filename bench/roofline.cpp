// The roofline benchmarks (roofline/<path>) and the per-process ceiling that bgemm rows divide by.
#include "bench/roofline.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "bench/benchmarks.hpp"

namespace xnor::bench {

std::optional<Roofline> roofline_for(Path path) {
  switch (path) {
    case Path::scalar:
      return Roofline{scalar::bit_roofline, 2 * 4 * 64};
#if defined(__x86_64__)
    case Path::avx2:
      return Roofline{avx2::bit_roofline, 4 * 2 * 256};
    case Path::avx512:
      return Roofline{avx512::bit_roofline, 4 * 4 * 512};
#endif
#if defined(__aarch64__)
    case Path::neon:
      return Roofline{neon::bit_roofline, 4 * 4 * 128};
#endif
    default:
      return std::nullopt;
  }
}

double roofline_rate(Path path) {
  static std::map<Path, double> rates;
  if (auto it = rates.find(path); it != rates.end()) return it->second;
  const Roofline roofline = *roofline_for(path);
  constexpr std::size_t iterations = 1 << 20;
  std::vector<double> samples;
  for (int i = 0; i < 7; ++i) {
    const auto start = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(roofline.run(iterations));
    const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
    samples.push_back(roofline.bit_macs_per_iteration * iterations / seconds.count());
  }
  std::nth_element(samples.begin(), samples.begin() + 3, samples.end());
  return rates[path] = samples[3];
}

void register_roofline_benchmarks() {
  for (Path path : supported_path_list()) {
    const std::optional<Roofline> roofline = roofline_for(path);
    if (!roofline) continue;
    benchmark::RegisterBenchmark(("roofline/" + std::string(path_name(path))).c_str(),
                                 [roofline = *roofline](benchmark::State& state) {
                                   constexpr std::size_t iterations = 1 << 16;
                                   for (auto _ : state) benchmark::DoNotOptimize(roofline.run(iterations));
                                   state.counters["bitMAC/s"] = benchmark::Counter(
                                       roofline.bit_macs_per_iteration * iterations * state.iterations(),
                                       benchmark::Counter::kIsRate);
                                 });
  }
}

}  // namespace xnor::bench
