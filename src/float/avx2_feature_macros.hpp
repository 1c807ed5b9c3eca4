// The compiler's feature macros of XNOR_TARGET_AVX2 (src/target.hpp), for xsimd, which chooses its
// architectures by them: a target pragma does not set them in C++ (xsimd_for_target.hpp). Included by the
// float kernel units of AVX2 and AVX-512 after their target begins, before xsimd; no include guard needed.
#define __SSE3__ 1
#define __SSSE3__ 1
#define __SSE4_1__ 1
#define __SSE4_2__ 1
#define __AVX__ 1
#define __AVX2__ 1
#define __FMA__ 1
