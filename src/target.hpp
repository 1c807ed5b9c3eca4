#pragma once
// The instruction sets of the per-path translation units, in one place: which target each path's code is
// compiled for. cpu_path.cpp's CPU checks promise exactly these features for each path.
//
// A per-path unit (bitops/kernels_avx2.cpp, src/int8/gemm_vnni_avx512.cpp, ...) is laid out as
//     #include ...everything from outside its path: the standard library, intrinsics, xnor's declarations
//     #define XNOR_ISA avx2
//     #include "src/target.hpp"
//     XNOR_TARGET_BEGIN(XNOR_TARGET_AVX2)
//     #include ...per-path headers (bitops/loops.hpp, ...), which open namespace xnor::XNOR_ISA
//     namespace xnor::avx2 { ...the unit's code... }
//     XNOR_TARGET_END
// Why: an inline function or a template instantiation compiled for AVX2 under a name that another unit also
// emits lets the linker keep the AVX2 copy for every caller, and a CPU without AVX2 dies on an illegal
// instruction. So everything compiled for a target lives in its path's namespace (or an anonymous one), and
// everything else is defined before the target begins: GCC and clang compile a function for the target in
// force where it is defined, not where a template is instantiated. A per-path header's own #includes come
// before the target in every unit that includes it. tools/check-isa.sh checks the binaries for leaks.
//
// Units of the paths without target options (scalar on aarch64, neon, the baseline float kernel) set
// XNOR_ISA too, for the per-path headers they include.

#define XNOR_PRAGMA(...) _Pragma(#__VA_ARGS__)
#if defined(__clang__)
#define XNOR_TARGET_BEGIN(features) \
  XNOR_PRAGMA(clang attribute push(__attribute__((target(features))), apply_to = function))
#define XNOR_TARGET_END XNOR_PRAGMA(clang attribute pop)
#else
#define XNOR_TARGET_BEGIN(features) XNOR_PRAGMA(GCC push_options) XNOR_PRAGMA(GCC target(features))
#define XNOR_TARGET_END XNOR_PRAGMA(GCC pop_options)
#endif

#if defined(__x86_64__)
// POPCNT: without it every popcount is a libgcc call, ~25x slower; every x86-64 CPU since 2008 has it.
#define XNOR_TARGET_SCALAR "popcnt"
#define XNOR_TARGET_AVX2 "popcnt,avx2,fma"
#define XNOR_TARGET_AVX512 "popcnt,avx2,fma,avx512f,avx512bw,avx512vl,avx512dq,avx512vpopcntdq"
#define XNOR_TARGET_AVX512_VNNI "popcnt,avx2,fma,avx512f,avx512bw,avx512vl,avx512dq,avx512vpopcntdq,avx512vnni"
#define XNOR_TARGET_AVX512_AMX \
  "popcnt,avx2,fma,avx512f,avx512bw,avx512vl,avx512dq,avx512vpopcntdq,avx512vnni,amx-tile,amx-int8"
#endif
#if defined(__aarch64__)
#define XNOR_TARGET_NEON_DOTPROD "arch=armv8.2-a+dotprod"
#endif
