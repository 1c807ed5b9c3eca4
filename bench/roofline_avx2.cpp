// The avx2 ceiling: bitops/avx2.cpp's inner loop with its operands in registers. `asm volatile("")`
// emits nothing; it only stops the compiler from hoisting the loop-invariant XOR + popcount out of the loop.
#include <immintrin.h>

#include <algorithm>

#include "bench/roofline.hpp"

#define XNOR_ISA avx2
#include "src/target.hpp"
XNOR_TARGET_BEGIN(XNOR_TARGET_AVX2)

namespace xnor::avx2 {

std::uint64_t bit_roofline(std::size_t iterations) {
  const __m256i nibble_counts = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,  //
                                                 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low_nibble = _mm256_set1_epi8(0x0f);
  __m256i a[4], b[2], bytes[4][2], total = _mm256_setzero_si256();
#pragma GCC unroll 4
  for (int r = 0; r < 4; ++r) a[r] = _mm256_set1_epi64x(0x0123456789abcdef * (r + 1));
  b[0] = _mm256_set1_epi64x(0x5555555555555555);
  b[1] = _mm256_set1_epi64x(0x3333333333333333);
  for (std::size_t done = 0; done < iterations;) {
    const std::size_t chunk = std::min<std::size_t>(31, iterations - done);
#pragma GCC unroll 4
    for (auto& row : bytes) row[0] = row[1] = _mm256_setzero_si256();
    for (std::size_t i = 0; i < chunk; ++i) {
      asm volatile("" : "+x"(a[0]), "+x"(a[1]), "+x"(a[2]), "+x"(a[3]));
#pragma GCC unroll 4
      for (int r = 0; r < 4; ++r) {
#pragma GCC unroll 2
        for (int j = 0; j < 2; ++j) {
          const __m256i x = _mm256_xor_si256(a[r], b[j]);
          const __m256i low = _mm256_shuffle_epi8(nibble_counts, _mm256_and_si256(x, low_nibble));
          const __m256i high = _mm256_shuffle_epi8(nibble_counts, _mm256_and_si256(_mm256_srli_epi16(x, 4), low_nibble));
          bytes[r][j] = _mm256_add_epi8(bytes[r][j], _mm256_add_epi8(low, high));
        }
      }
    }
#pragma GCC unroll 4
    for (auto& row : bytes) {
      total = _mm256_add_epi64(total, _mm256_sad_epu8(row[0], _mm256_setzero_si256()));
      total = _mm256_add_epi64(total, _mm256_sad_epu8(row[1], _mm256_setzero_si256()));
    }
    done += chunk;
  }
  return static_cast<std::uint64_t>(_mm256_extract_epi64(total, 0) + _mm256_extract_epi64(total, 3));
}

}  // namespace xnor::avx2

XNOR_TARGET_END
