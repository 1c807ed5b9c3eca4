#pragma once
// Register-resident ceilings: each path's XOR + popcount + accumulate loop with every operand in registers,
// shaped like that path's bgemm tile (bench/roofline_<path>.cpp). bgemm rows report their throughput as a
// share of this ceiling, measured in the same process.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "xnor/cpu_path.hpp"

namespace xnor::bench {

struct Roofline {
  // Runs `iterations` iterations; returns a value that depends on every count (so nothing is optimized away).
  std::uint64_t (*run)(std::size_t iterations);
  double bit_macs_per_iteration;
};

// The path's ceiling; none for the paths that run another path's bit kernels (avx512-vnni and avx512-amx
// run avx512's, neon-dotprod runs neon's), so each bit kernel is measured once.
std::optional<Roofline> roofline_for(Path path);

// The path's ceiling in bit-MAC/s, measured once per process (median of several timed runs).
double roofline_rate(Path path);

}  // namespace xnor::bench

// Each in its instruction set's unit and namespace (src/target.hpp).
namespace xnor::scalar {
std::uint64_t bit_roofline(std::size_t iterations);  // 2 x 4 words of 64 bits per iteration
}
#if defined(__x86_64__)
namespace xnor::avx2 {
std::uint64_t bit_roofline(std::size_t iterations);  // 4 x 2 vectors of 256 bits
}
namespace xnor::avx512 {
std::uint64_t bit_roofline(std::size_t iterations);  // 4 x 4 vectors of 512 bits
}
#endif
#if defined(__aarch64__)
namespace xnor::neon {
std::uint64_t bit_roofline(std::size_t iterations);  // 4 x 4 vectors of 128 bits
}
#endif
