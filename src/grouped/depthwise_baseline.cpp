// The baseline depthwise loops: the compiler's default target, SSE2 on x86-64 (the scalar path) and Advanced
// SIMD on aarch64 (the scalar path there; the neon paths have depthwise_neon.cpp).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "src/grouped/depthwise_kernels.hpp"

#define XNOR_ISA baseline
#include "src/grouped/depthwise_loops.hpp"
