// The neon ceiling: bitops/neon.cpp's inner loop with its operands in registers. `asm volatile("")`
// emits nothing; it only stops the compiler from hoisting the loop-invariant XOR + popcount out of the loop.
#include <arm_neon.h>

#include <algorithm>

#include "bench/roofline.hpp"

namespace xnor::neon {

std::uint64_t bit_roofline(std::size_t iterations) {
  uint64x2_t a[4], b[4];
  uint32x4_t total = vdupq_n_u32(0);
  for (int r = 0; r < 4; ++r) {
    a[r] = vdupq_n_u64(0x0123456789abcdef * (r + 1));
    b[r] = vdupq_n_u64(0x5555555555555555 >> r);
  }
  for (std::size_t done = 0; done < iterations;) {
    const std::size_t chunk = std::min<std::size_t>(2048, iterations - done);
    uint16x8_t acc[4][4];
#pragma GCC unroll 4
    for (auto& row : acc)
#pragma GCC unroll 4
      for (auto& v : row) v = vdupq_n_u16(0);
    for (std::size_t i = 0; i < chunk; ++i) {
      asm volatile("" : "+w"(a[0]), "+w"(a[1]), "+w"(a[2]), "+w"(a[3]));
      for (int r = 0; r < 4; ++r) {
        for (int j = 0; j < 4; ++j) acc[r][j] = vpadalq_u8(acc[r][j], vcntq_u8(vreinterpretq_u8_u64(veorq_u64(a[r], b[j]))));
      }
    }
#pragma GCC unroll 4
    for (auto& row : acc)
#pragma GCC unroll 4
      for (auto v : row) total = vpadalq_u16(total, v);
    done += chunk;
  }
  return vaddvq_u32(total);
}

}  // namespace xnor::neon
