#pragma once
// CPU code paths: which instruction sets xnor's kernels were compiled for, which the running CPU supports,
// and which one is in use. A path fixes every kernel at once (bit kernels, int8 and float convolutions,
// quantization: src/cpu_path.cpp holds the one table), and every path computes bit-identical results to the
// reference kernels; they differ only in speed. The best path that is both compiled in and supported is
// chosen once, at first use; the environment variable XNOR_PATH (a path's name) forces one (an unsupported
// choice is an error).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace xnor {

// Each path's CPU needs what the path before it in its list needs, and more.
enum class Path : std::uint32_t {
  scalar = 1u << 0,        // portable C++ (x86-64: needs POPCNT), the fallback
  avx2 = 1u << 1,          // x86 AVX2 + FMA
  avx512 = 1u << 2,        // x86 AVX-512 F/BW/VL/DQ + VPOPCNTDQ: bits by VPOPCNTQ; int8 on the AVX2 kernel
  avx512_vnni = 1u << 3,   // + AVX512-VNNI: int8 by VPDPBUSD
  avx512_amx = 1u << 4,    // + AMX-INT8 tiles the OS grants: int8 by TDPBSSD
  neon = 1u << 5,          // aarch64 Advanced SIMD
  neon_dotprod = 1u << 6,  // + the dot-product extension: int8 by SDOT
};

using PathMask = std::uint32_t;

// Paths whose kernels are in this binary.
PathMask compiled_paths();
// Compiled paths that this CPU can run.
PathMask supported_paths();
// Supported paths, best first.
std::vector<Path> supported_path_list();

// "scalar", "avx2", "avx512", "avx512-vnni", "avx512-amx", "neon", "neon-dotprod".
std::string_view path_name(Path path);
// Parses a path's name; throws std::invalid_argument naming the valid choices.
Path parse_path(std::string_view name);

// The path in use: XNOR_PATH if set (throws std::runtime_error if it names a path this binary or CPU
// cannot run), otherwise the best supported one. Decided once per process.
Path active_path();

// One line for --version: the active path and every supported one, e.g. "avx512-vnni (supported: avx512-vnni avx512 avx2 scalar)".
std::string describe_paths();

}  // namespace xnor
