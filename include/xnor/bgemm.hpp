#pragma once
// Binary GEMM: C[m][n] = sum over the K bits of popcount(A[m] XOR B[n]).
//
// A and B hold rows of K bits packed as in bitpack.hpp (bit 1 means -1, padding bits 0). The ±1 dot product
// of row m and row n is then K - 2 * C[m][n]; layers turn the count into their output (see the layers).
// B is the weight side: it is packed once into panels (BgemmWeights) and reused for every call.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "xnor/cpu_path.hpp"

namespace xnor {

// Weights rearranged for the kernels: panels of `panel_width` rows (output channels), each panel stored
// word-interleaved ([k][row] within the panel) so a kernel loads one word of many rows at once. Rows past
// N in the last panel are zero.
class BgemmWeights {
 public:
  static constexpr std::size_t panel_width = 32;

  BgemmWeights() = default;
  // rows: N rows of `words` 64-bit words each, row-major.
  BgemmWeights(std::span<const std::uint64_t> rows, std::size_t n, std::size_t words);

  std::size_t rows() const { return n_; }
  std::size_t words() const { return words_; }
  std::size_t panels() const { return (n_ + panel_width - 1) / panel_width; }
  const std::uint64_t* panel(std::size_t p) const { return data_.data() + p * words_ * panel_width; }
  std::span<const std::uint64_t> data() const { return data_; }

 private:
  std::size_t n_ = 0;
  std::size_t words_ = 0;
  std::vector<std::uint64_t> data_;
};

// C (M x N int32, row stride ldc) = popcount counts of A (M rows of weights.words() words, row stride lda)
// against every weight row. Throws std::invalid_argument on inconsistent sizes.
void bgemm(std::span<const std::uint64_t> a, std::size_t m, std::size_t lda, const BgemmWeights& weights,
           std::span<std::int32_t> c, std::size_t ldc, Path path = active_path());

}  // namespace xnor
