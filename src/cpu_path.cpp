// Run-time choice of the CPU path (see cpu_path.hpp) and the one table of what each path runs
// (path_kernels.hpp).
#include "xnor/cpu_path.hpp"

#include <array>
#include <cstdlib>
#include <stdexcept>

#include "src/path_kernels.hpp"

#if defined(__x86_64__)
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#if defined(__aarch64__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace xnor {
namespace {

// Best first.
constexpr std::array all_paths{Path::avx512_amx, Path::avx512_vnni, Path::avx512,      Path::avx2,
                               Path::neon_dotprod, Path::neon,      Path::scalar};

constexpr PathMask bit(Path path) { return static_cast<PathMask>(path); }

#if defined(__x86_64__)
// AMX needs the CPU's AMX-TILE and AMX-INT8 and, on Linux, the kernel's permission to use the tile state
// (asked once per process with arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA)).
bool amx_int8_usable() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
  const bool amx_tile = (edx >> 24) & 1u;
  const bool amx_int8 = (edx >> 25) & 1u;
  constexpr long arch_req_xcomp_perm = 0x1023;
  constexpr long xfeature_xtiledata = 18;
  return amx_tile && amx_int8 && syscall(SYS_arch_prctl, arch_req_xcomp_perm, xfeature_xtiledata) == 0;
}

// The features of src/target.hpp's XNOR_TARGET_<PATH>, each path's on top of the one before it.
bool cpu_supports(Path path) {
  const bool scalar = __builtin_cpu_supports("popcnt");
  const bool avx2 = scalar && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
                      __builtin_cpu_supports("avx512vpopcntdq");
  const bool vnni = avx512 && __builtin_cpu_supports("avx512vnni");
  switch (path) {
    case Path::scalar:
      return scalar;
    case Path::avx2:
      return avx2;
    case Path::avx512:
      return avx512;
    case Path::avx512_vnni:
      return vnni;
    case Path::avx512_amx:
      return vnni && amx_int8_usable();
    default:
      return false;
  }
}
#elif defined(__aarch64__)
bool cpu_supports(Path path) {
  return path == Path::scalar || path == Path::neon ||
         (path == Path::neon_dotprod && (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0);
}
#else
bool cpu_supports(Path path) { return path == Path::scalar; }
#endif

std::string mask_names(PathMask mask) {
  std::string names;
  for (Path path : all_paths) {
    if ((mask & bit(path)) == 0) continue;
    if (!names.empty()) names += ' ';
    names += path_name(path);
  }
  return names.empty() ? "none" : names;
}

Path choose_path() {
  const PathMask supported = supported_paths();
  if (const char* forced = std::getenv("XNOR_PATH"); forced != nullptr && *forced != '\0') {
    Path path{};
    try {
      path = parse_path(forced);
    } catch (const std::invalid_argument& error) {
      throw std::runtime_error(std::string("XNOR_PATH: ") + error.what());
    }
    if ((supported & bit(path)) == 0) {
      throw std::runtime_error("XNOR_PATH=" + std::string(forced) + ": " +
                               ((compiled_paths() & bit(path)) == 0 ? "not compiled into this binary"
                                                                    : "not supported by this CPU") +
                               " (supported: " + mask_names(supported) + ")");
    }
    return path;
  }
  for (Path path : all_paths) {
    if ((supported & bit(path)) != 0) return path;
  }
  throw std::runtime_error("no xnor code path runs on this CPU (x86-64 needs POPCNT)");
}

}  // namespace

PathMask compiled_paths() {
#if defined(__x86_64__)
  return bit(Path::scalar) | bit(Path::avx2) | bit(Path::avx512) | bit(Path::avx512_vnni) | bit(Path::avx512_amx);
#elif defined(__aarch64__)
  return bit(Path::scalar) | bit(Path::neon) | bit(Path::neon_dotprod);
#else
  return bit(Path::scalar);
#endif
}

PathMask supported_paths() {
  static const PathMask supported = [] {
    PathMask mask = 0;
    for (Path path : all_paths) {
      if ((compiled_paths() & bit(path)) != 0 && cpu_supports(path)) mask |= bit(path);
    }
    return mask;
  }();
  return supported;
}

std::vector<Path> supported_path_list() {
  std::vector<Path> paths;
  for (Path path : all_paths) {
    if ((supported_paths() & bit(path)) != 0) paths.push_back(path);
  }
  return paths;
}

std::string_view path_name(Path path) {
  switch (path) {
    case Path::scalar:
      return "scalar";
    case Path::avx2:
      return "avx2";
    case Path::avx512:
      return "avx512";
    case Path::avx512_vnni:
      return "avx512-vnni";
    case Path::avx512_amx:
      return "avx512-amx";
    case Path::neon:
      return "neon";
    case Path::neon_dotprod:
      return "neon-dotprod";
  }
  return "unknown";
}

Path parse_path(std::string_view name) {
  std::string choices;
  // In the enum's order: the architectures' paths from the plainest up.
  for (PathMask b = bit(Path::scalar); b <= bit(Path::neon_dotprod); b <<= 1) {
    const auto path = static_cast<Path>(b);
    if (name == path_name(path)) return path;
    choices += (choices.empty() ? "" : ", ") + std::string(path_name(path));
  }
  throw std::invalid_argument("unknown path '" + std::string(name) + "' (choose " + choices + ")");
}

Path active_path() {
  static const Path path = choose_path();
  return path;
}

std::string describe_paths() {
  return std::string(path_name(active_path())) + " (supported: " + mask_names(supported_paths()) + ")";
}

namespace detail {
namespace {

const PathKernels& kernels_of_compiled_path(Path path) {
  // The baseline build's quantize loop (quantization.cpp) serves every path without a loop of its own.
#if defined(__x86_64__)
  static const PathKernels on_scalar{&scalar::bit_kernels(), &scalar::int8_kernels(),
                                  &baseline::float_conv_kernels(), baseline::quantize,
                                  &baseline::depthwise_kernels()};
  static const PathKernels on_avx2{&avx2::bit_kernels(), &avx2::int8_kernels(), &avx2::float_conv_kernels(),
                                baseline::quantize, &avx2::depthwise_kernels()};
  // A CPU with AVX-512 but without VNNI multiplies int8 on the AVX2 kernel.
  static const PathKernels on_avx512{&avx512::bit_kernels(), &avx2::int8_kernels(), &avx512::float_conv_kernels(),
                                  avx512::quantize, &avx512::depthwise_kernels()};
  static const PathKernels on_avx512_vnni{&avx512::bit_kernels(), &avx512_vnni::int8_kernels(),
                                       &avx512::float_conv_kernels(), avx512::quantize,
                                       &avx512::depthwise_kernels()};
  static const PathKernels on_avx512_amx{&avx512::bit_kernels(), &avx512_amx::int8_kernels(),
                                      &avx512::float_conv_kernels(), avx512::quantize,
                                      &avx512::depthwise_kernels()};
  switch (path) {
    case Path::avx2:
      return on_avx2;
    case Path::avx512:
      return on_avx512;
    case Path::avx512_vnni:
      return on_avx512_vnni;
    case Path::avx512_amx:
      return on_avx512_amx;
    default:
      return on_scalar;
  }
#elif defined(__aarch64__)
  static const PathKernels on_scalar{&scalar::bit_kernels(), &scalar::int8_kernels(),
                                  &baseline::float_conv_kernels(), baseline::quantize,
                                  &baseline::depthwise_kernels()};
  static const PathKernels on_neon{&neon::bit_kernels(), &neon::int8_kernels(), &baseline::float_conv_kernels(),
                                baseline::quantize, &neon::depthwise_kernels()};
  static const PathKernels on_neon_dotprod{&neon::bit_kernels(), &neon_dotprod::int8_kernels(),
                                        &baseline::float_conv_kernels(), baseline::quantize,
                                        &neon::depthwise_kernels()};
  switch (path) {
    case Path::neon:
      return on_neon;
    case Path::neon_dotprod:
      return on_neon_dotprod;
    default:
      return on_scalar;
  }
#else
  static const PathKernels on_scalar{&scalar::bit_kernels(), &scalar::int8_kernels(),
                                  &baseline::float_conv_kernels(), baseline::quantize,
                                  &baseline::depthwise_kernels()};
  return on_scalar;
#endif
}

}  // namespace

const PathKernels& path_kernels(Path path) {
  if ((supported_paths() & bit(path)) == 0) {
    throw std::runtime_error("path " + std::string(path_name(path)) + " is not available here (supported: " +
                             mask_names(supported_paths()) + ")");
  }
  return kernels_of_compiled_path(path);
}

}  // namespace detail
}  // namespace xnor
