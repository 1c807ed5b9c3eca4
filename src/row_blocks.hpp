#pragma once
// Row blocking for the per-path kernels of every precision (bits, int8, float): a per-path header
// (src/target.hpp), compiled for the including unit's instruction set in its namespace xnor::XNOR_ISA, so the
// tile functions it calls inline. It needs only <cstddef>, which the unit includes before its target begins.
#ifndef XNOR_ISA
#error "src/row_blocks.hpp is a per-path header: define XNOR_ISA first (src/target.hpp)"
#endif

namespace xnor::XNOR_ISA {

template <int R, class Tile>
inline void run_tail_block(std::size_t rows, std::size_t m0, Tile& tile) {
  if constexpr (R > 0) {
    if (rows == R) {
      tile.template operator()<R>(m0);
    } else {
      run_tail_block<R - 1>(rows, m0, tile);
    }
  }
}

// Calls tile.operator()<R>(m0) over M rows in blocks of R = MR rows, then once with the remainder.
template <int MR, class Tile>
inline void for_row_blocks(std::size_t m, Tile tile) {
  std::size_t m0 = 0;
  for (; m0 + MR <= m; m0 += MR) tile.template operator()<MR>(m0);
  run_tail_block<MR - 1>(m - m0, m0, tile);
}

}  // namespace xnor::XNOR_ISA
