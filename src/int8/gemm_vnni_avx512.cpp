// The AVX-512 VNNI int8 kernel: VPDPBUSD multiplies 4 unsigned activation bytes by 4 signed weight bytes and
// adds the 4 products to a 32-bit lane, so one instruction does 16 output channels x 4 k. Activations are
// stored as q + 128 (uint8_xor) and the bias carries the correction (packed_weights.cpp).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "src/int8/kernels.hpp"
#include "src/int8/packed_weights.hpp"
#include "src/int8/x86_intrinsics.hpp"

#define XNOR_ISA avx512_vnni
#include "src/target.hpp"
XNOR_TARGET_BEGIN(XNOR_TARGET_AVX512_VNNI)
#include "src/int8/requantize_avx512.hpp"
#include "src/row_blocks.hpp"

namespace xnor::avx512_vnni {
namespace {

using namespace detail;

constexpr std::size_t lanes = 16;
constexpr int max_vectors = 4;  // a panel: 4 vectors of 16 output channels
constexpr std::size_t panel_width = lanes * max_vectors;
constexpr int max_rows = 6;  // 6 x 4 accumulators, 4 weight vectors and a broadcast fit in 32 registers

// Rows m0 .. m0 + R - 1 against the first V vectors of panel p: per 4 k, V weight vectors are loaded, each row's
// 4 activation bytes are broadcast, and R x V accumulators stay in registers.
template <int R, int V>
void tile(const Int8RowsArgs& args, std::size_t m0, std::size_t p, const Requantizer16 (&requantize)[max_vectors]) {
  const PackedInt8Weights& w = *args.weights;
  const auto* a = static_cast<const std::uint8_t*>(args.a) + m0 * args.lda;
  const std::int8_t* b = w.panel<std::int8_t>(p);
  __m512i acc[R][V];
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
    for (int j = 0; j < V; ++j) acc[r][j] = _mm512_setzero_si512();
  }
  for (std::size_t ky = 0; ky < w.kernel_rows; ++ky) {
    const std::uint8_t* row = a + args.kernel_row_offsets[ky];
    for (std::size_t k = 0; k < w.row_k_padded; k += 4, b += panel_width * 4) {
      __m512i weights[V];
#pragma GCC unroll 4
      for (int j = 0; j < V; ++j) weights[j] = _mm512_loadu_si512(b + 64 * j);
#pragma GCC unroll 6
      for (int r = 0; r < R; ++r) {
        std::int32_t four;
        std::memcpy(&four, row + r * args.lda + k, sizeof four);
        const __m512i x = _mm512_set1_epi32(four);
#pragma GCC unroll 4
        for (int j = 0; j < V; ++j) acc[r][j] = _mm512_dpbusd_epi32(acc[r][j], x, weights[j]);
      }
    }
  }
  const std::size_t n0 = p * panel_width;
#pragma GCC unroll 4
  for (int j = 0; j < V; ++j) {
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) acc[r][j] = requantize[j](acc[r][j]);
  }
  const std::size_t channels = std::min(panel_width, w.out_c - n0);
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r) {
    if (std::int8_t* out = output_row(args, m0 + r)) store_outputs<V>(out + n0, channels, w.range, acc[r]);
  }
}

// Calls f.operator()<V>() with V = vectors (1 .. max_vectors) as a constant.
template <int V = max_vectors, class F>
void with_vectors(int vectors, F f) {
  if constexpr (V > 1) {
    if (vectors < V) return with_vectors<V - 1>(vectors, f);
  }
  f.template operator()<V>();
}

// The outputs of reference::int8_conv2d for args.m rows, panel by panel (its output transform set up once).
void run(const Int8RowsArgs& args) {
  const PackedInt8Weights& w = *args.weights;
  for (std::size_t p = 0; p < w.panels; ++p) {
    const auto vectors =
        static_cast<int>(std::min<std::size_t>(max_vectors, (w.out_c - p * panel_width + lanes - 1) / lanes));
    Requantizer16 requantize[max_vectors];
    for (int j = 0; j < vectors; ++j) requantize[j] = Requantizer16(w, p * panel_width + lanes * j);
    with_vectors(vectors, [&]<int V>() {
      for_row_blocks<max_rows>(args.m, [&]<int R>(std::size_t m0) { tile<R, V>(args, m0, p, requantize); });
    });
  }
}

}  // namespace

const Int8Kernels& int8_kernels() {
  static const Int8Kernels kernels{"avx512-vnni", {Int8Encoding::uint8_xor, 4, 4, panel_width, 1}, true, run};
  return kernels;
}

}  // namespace xnor::avx512_vnni

XNOR_TARGET_END
