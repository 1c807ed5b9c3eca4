// The depthwise loops compiled for AVX-512 (the avx512, avx512-vnni and avx512-amx paths), vectorized for 256-bit
// vectors (with AVX-512's 32 registers, masks and 64-bit multiplies). With 512-bit ones (GCC's choice for this
// target otherwise) the int8 loops take 64 channels a step, which fits MobileNet-v2's 144 channels badly: they
// measured 1.5x slower, the float loops the same.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "src/grouped/depthwise_kernels.hpp"

#define XNOR_ISA avx512
#include "src/target.hpp"
#if defined(__clang__)
XNOR_TARGET_BEGIN(XNOR_TARGET_AVX512)
#else
XNOR_TARGET_BEGIN(XNOR_TARGET_AVX512 ",prefer-vector-width=256")  // a tuning option, no instruction set
#endif
#include "src/grouped/depthwise_loops.hpp"
XNOR_TARGET_END
