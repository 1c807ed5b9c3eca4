// bitpack/<path>/<H>x<W>x<C> and bitpack_thresholded/<path>/<H>x<W>x<C>: the signs of a float tensor packed
// into bits, plainly or against per-channel thresholds (a fused scale and shift), on the tensors before binary
// layers: a Bi-Real block of tools/train (32 channels: one partial word a pixel), the residual Inception
// network's 14x14x192, ResNet-18's 56x56x64, and 7x7x912 (14 words and a partial one).
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "bench/benchmarks.hpp"
#include "xnor/bitpack.hpp"

namespace xnor::bench {
namespace {

struct PackShape {
  std::size_t h, w, c;
};

constexpr PackShape pack_shapes[] = {{14, 14, 32}, {14, 14, 192}, {56, 56, 64}, {7, 7, 912}};

void run_bitpack(benchmark::State& state, Path path, PackShape shape, bool thresholded) {
  const std::size_t pixels = shape.h * shape.w;
  std::mt19937_64 rng(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> values(pixels * shape.c), flip(shape.c), thresholds(shape.c);
  for (float& v : values) v = normal(rng);
  for (std::size_t c = 0; c < shape.c; ++c) {
    flip[c] = c % 3 == 0 ? -1.0f : 1.0f;
    thresholds[c] = normal(rng);
  }
  std::vector<std::uint64_t> bits(pixels * words_for_bits(shape.c));
  for (auto _ : state) {
    if (thresholded) {
      pack_signs(values, pixels, shape.c, flip, thresholds, bits, path);
    } else {
      pack_signs(values, pixels, shape.c, bits, path);
    }
    benchmark::DoNotOptimize(bits.data());
  }
  state.counters["values/s"] =
      benchmark::Counter(static_cast<double>(values.size() * state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

void register_bitpack_benchmarks() {
  for (Path path : supported_path_list()) {
    for (const PackShape& shape : pack_shapes) {
      for (const bool thresholded : {false, true}) {
        const std::string name = std::string(thresholded ? "bitpack_thresholded/" : "bitpack/") + std::string(path_name(path)) + "/" +
                                 std::to_string(shape.h) + "x" + std::to_string(shape.w) + "x" + std::to_string(shape.c);
        benchmark::RegisterBenchmark(name.c_str(), run_bitpack, path, shape, thresholded);
      }
    }
  }
}

}  // namespace xnor::bench
