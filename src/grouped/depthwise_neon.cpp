// The depthwise loops of the neon and neon-dotprod paths: Advanced SIMD, 4 float or int32 lanes, fused
// multiply-add (FMLA). Every aarch64 CPU has it, so no target is needed (the dot-product extension does not
// help: nothing is summed across channels).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "src/grouped/depthwise_kernels.hpp"

#define XNOR_ISA neon
#include "src/grouped/depthwise_loops.hpp"
