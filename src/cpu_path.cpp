// Run-time choice of the CPU path (see cpu_path.hpp).
#include "xnor/cpu_path.hpp"

#include <array>
#include <cstdlib>
#include <stdexcept>

#include "bitops/kernels.hpp"

namespace xnor {
namespace {

// Best first.
constexpr std::array all_paths{Path::avx512, Path::avx2, Path::neon, Path::scalar};

constexpr PathMask bit(Path path) { return static_cast<PathMask>(path); }

bool cpu_supports(Path path) {
#if defined(__x86_64__)
  switch (path) {
    case Path::scalar:
      return __builtin_cpu_supports("popcnt");
    case Path::avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
    case Path::avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512vpopcntdq") && __builtin_cpu_supports("avx512vnni");
    case Path::neon:
      return false;
  }
  return false;
#elif defined(__aarch64__)
  return path == Path::scalar || path == Path::neon;
#else
  return path == Path::scalar;
#endif
}

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
  return bit(Path::scalar) | bit(Path::avx2) | bit(Path::avx512);
#elif defined(__aarch64__)
  return bit(Path::scalar) | bit(Path::neon);
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
    case Path::neon:
      return "neon";
  }
  return "unknown";
}

Path parse_path(std::string_view name) {
  for (Path path : all_paths) {
    if (name == path_name(path)) return path;
  }
  throw std::invalid_argument("unknown path '" + std::string(name) + "' (choose scalar, avx2, avx512 or neon)");
}

Path active_path() {
  static const Path path = choose_path();
  return path;
}

std::string describe_paths() {
  return std::string(path_name(active_path())) + " (supported: " + mask_names(supported_paths()) + ")";
}

namespace detail {

const BitKernels& kernels_for(Path path) {
  if ((supported_paths() & bit(path)) == 0) {
    throw std::runtime_error("path " + std::string(path_name(path)) + " is not available here (supported: " +
                             mask_names(supported_paths()) + ")");
  }
  switch (path) {
#if defined(__x86_64__)
    case Path::avx512:
      return avx512_kernels();
    case Path::avx2:
      return avx2_kernels();
#endif
#if defined(__aarch64__)
    case Path::neon:
      return neon_kernels();
#endif
    default:
      return scalar_kernels();
  }
}

}  // namespace detail
}  // namespace xnor
