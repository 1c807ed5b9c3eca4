// Binary GEMM entry points: weight panel packing and the loop over panels.
#include "xnor/bgemm.hpp"

#include <stdexcept>
#include <string>

#include "src/path_kernels.hpp"

namespace xnor {

BgemmWeights::BgemmWeights(std::span<const std::uint64_t> rows, std::size_t n, std::size_t words)
    : n_(n), words_(words) {
  if (rows.size() != n * words) {
    throw std::invalid_argument("binary weights: " + std::to_string(n) + " rows of " + std::to_string(words) +
                                " words need " + std::to_string(n * words) + " words, got " +
                                std::to_string(rows.size()));
  }
  data_.assign(panels() * words * panel_width, 0);
  for (std::size_t row = 0; row < n; ++row) {
    std::uint64_t* panel = data_.data() + (row / panel_width) * words * panel_width;
    for (std::size_t k = 0; k < words; ++k) panel[k * panel_width + row % panel_width] = rows[row * words + k];
  }
}

void bgemm(std::span<const std::uint64_t> a, std::size_t m, std::size_t lda, const BgemmWeights& weights,
           std::span<std::int32_t> c, std::size_t ldc, Path path) {
  const std::size_t n = weights.rows();
  const std::size_t words = weights.words();
  if (m == 0 || n == 0) return;
  if (lda < words || ldc < n || a.size() < (m - 1) * lda + words || c.size() < (m - 1) * ldc + n) {
    throw std::invalid_argument("bgemm: A (" + std::to_string(a.size()) + " words, lda " + std::to_string(lda) +
                                ") or C (" + std::to_string(c.size()) + ", ldc " + std::to_string(ldc) +
                                ") too small for M=" + std::to_string(m) + ", N=" + std::to_string(n) +
                                ", " + std::to_string(words) + " words");
  }
  const auto& kernels = *detail::path_kernels(path).bits;
  for (std::size_t p = 0; p < weights.panels(); ++p) {
    const std::size_t first = p * BgemmWeights::panel_width;
    kernels.bgemm_panel({a.data(), lda, m, weights.panel(p), words, std::min(BgemmWeights::panel_width, n - first),
                         c.data() + first, ldc});
  }
}

}  // namespace xnor
