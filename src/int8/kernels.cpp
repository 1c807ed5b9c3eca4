// Run-time choice of the int8 kernel variants of a path (kernels.hpp).
#include "src/int8/kernels.hpp"

#include <stdexcept>
#include <string>

#if defined(__x86_64__)
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#if defined(__aarch64__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace xnor::detail {
namespace {

#if defined(__x86_64__)
// AMX needs the CPU's AMX-TILE and AMX-INT8 and, on Linux, the kernel's permission to use the tile state
// (asked once per process with arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA)).
bool amx_int8_usable() {
  static const bool usable = [] {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
    const bool amx_tile = (edx >> 24) & 1u;
    const bool amx_int8 = (edx >> 25) & 1u;
    constexpr long arch_req_xcomp_perm = 0x1023;
    constexpr long xfeature_xtiledata = 18;
    return amx_tile && amx_int8 && syscall(SYS_arch_prctl, arch_req_xcomp_perm, xfeature_xtiledata) == 0;
  }();
  return usable;
}
#endif

#if defined(__aarch64__)
bool neon_has_dotprod() { return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0; }
#endif

}  // namespace

std::vector<const Int8Kernels*> int8_kernel_variants(Path path) {
  if ((supported_paths() & static_cast<PathMask>(path)) == 0) {
    throw std::runtime_error("int8 kernels: path " + std::string(path_name(path)) +
                             " is not available here (supported: " + describe_paths() + ")");
  }
  switch (path) {
#if defined(__x86_64__)
    case Path::avx512:
      if (amx_int8_usable()) return {&avx512_amx_int8_kernels(), &avx512_vnni_int8_kernels()};
      return {&avx512_vnni_int8_kernels()};
    case Path::avx2:
      return {&avx2_int8_kernels()};
#endif
#if defined(__aarch64__)
    case Path::neon:
      if (neon_has_dotprod()) return {&neon_dotprod_int8_kernels(), &neon_int8_kernels()};
      return {&neon_int8_kernels()};
#endif
    default:
      return {&scalar_int8_kernels()};
  }
}

}  // namespace xnor::detail
