#pragma once
// CPU code paths: which instruction sets xnor's kernels were compiled for, which the running CPU supports,
// and which one is in use. Every path computes bit-identical results to the reference kernels; they differ
// only in speed. The best path that is both compiled in and supported is chosen once, at first use; the
// environment variable XNOR_PATH=scalar|avx2|avx512|neon forces one (an unsupported choice is an error).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace xnor {

enum class Path : std::uint32_t {
  scalar = 1u << 0,  // portable C++ (x86: needs POPCNT), the fallback
  avx2 = 1u << 1,    // x86 AVX2
  avx512 = 1u << 2,  // x86 AVX-512 F/BW/VL + VPOPCNTDQ (+ VNNI for int8)
  neon = 1u << 3,    // aarch64 Advanced SIMD
};

using PathMask = std::uint32_t;

// Paths whose kernels are in this binary.
PathMask compiled_paths();
// Compiled paths that this CPU can run.
PathMask supported_paths();
// Supported paths, best first.
std::vector<Path> supported_path_list();

std::string_view path_name(Path path);
// Parses "scalar", "avx2", "avx512" or "neon"; throws std::invalid_argument naming the valid choices.
Path parse_path(std::string_view name);

// The path in use: XNOR_PATH if set (throws std::runtime_error if it names a path this binary or CPU
// cannot run), otherwise the best supported one. Decided once per process.
Path active_path();

// One line for --version: the active path and every supported one, e.g. "avx512 (supported: avx512 avx2 scalar)".
std::string describe_paths();

}  // namespace xnor
