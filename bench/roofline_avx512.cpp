// The avx512 ceiling: bitops/avx512.cpp's inner loop with its operands in registers. `asm volatile("")`
// emits nothing; it only stops the compiler from hoisting the loop-invariant XOR + popcount out of the loop.
#include <immintrin.h>

#include "bench/roofline.hpp"

#define XNOR_ISA avx512
#include "src/target.hpp"
XNOR_TARGET_BEGIN(XNOR_TARGET_AVX512)

namespace xnor::avx512 {

std::uint64_t bit_roofline(std::size_t iterations) {
  __m512i a[4], b[4], acc[4][4];
#pragma GCC unroll 4
  for (int r = 0; r < 4; ++r) {
    a[r] = _mm512_set1_epi64(0x0123456789abcdef * (r + 1));
    b[r] = _mm512_set1_epi64(0x5555555555555555 >> r);
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) acc[r][j] = _mm512_setzero_si512();
  }
  for (std::size_t i = 0; i < iterations; ++i) {
    asm volatile("" : "+v"(a[0]), "+v"(a[1]), "+v"(a[2]), "+v"(a[3]));
#pragma GCC unroll 4
    for (int r = 0; r < 4; ++r) {
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) acc[r][j] = _mm512_add_epi64(acc[r][j], _mm512_popcnt_epi64(_mm512_xor_si512(a[r], b[j])));
    }
  }
  __m512i sum = _mm512_setzero_si512();
#pragma GCC unroll 4
  for (auto& row : acc)
#pragma GCC unroll 4
    for (auto v : row) sum = _mm512_add_epi64(sum, v);
  return static_cast<std::uint64_t>(_mm512_reduce_add_epi64(sum));
}

}  // namespace xnor::avx512

XNOR_TARGET_END
