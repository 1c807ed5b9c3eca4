// The depthwise loops compiled for AVX2 + FMA: 8 float or int32 lanes, fused multiply-adds.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "src/grouped/depthwise_kernels.hpp"

#define XNOR_ISA avx2
#include "src/target.hpp"
XNOR_TARGET_BEGIN(XNOR_TARGET_AVX2)
#include "src/grouped/depthwise_loops.hpp"
XNOR_TARGET_END
