// The scalar ceiling: bitops/scalar.cpp's inner loop with its operands in registers. `asm volatile("")`
// emits nothing; it only stops the compiler from hoisting the loop-invariant XOR + popcount out of the loop.
#include "bench/roofline.hpp"

#define XNOR_ISA scalar
#include "src/target.hpp"
#if defined(__x86_64__)
XNOR_TARGET_BEGIN(XNOR_TARGET_SCALAR)
#endif

namespace xnor::scalar {

std::uint64_t bit_roofline(std::size_t iterations) {
  std::uint64_t a0 = 0x0123456789abcdef, a1 = 0xfedcba9876543210;
  std::uint64_t b[4] = {0x5555555555555555, 0x3333333333333333, 0x0f0f0f0f0f0f0f0f, 0x00ff00ff00ff00ff};
  std::uint64_t acc[2][4] = {};
  for (std::size_t i = 0; i < iterations; ++i) {
    asm volatile("" : "+r"(a0), "+r"(a1));
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
      acc[0][j] += static_cast<std::uint64_t>(__builtin_popcountll(a0 ^ b[j]));
      acc[1][j] += static_cast<std::uint64_t>(__builtin_popcountll(a1 ^ b[j]));
    }
  }
  std::uint64_t sum = 0;
#pragma GCC unroll 4
  for (auto& row : acc)
#pragma GCC unroll 4
    for (std::uint64_t v : row) sum += v;
  return sum;
}

}  // namespace xnor::scalar

#if defined(__x86_64__)
XNOR_TARGET_END
#endif
