#pragma once
#include <cstddef>
#include <cstdint>

#include "xnor/bitpack.hpp"

namespace xnor::detail {

// ORs the first `count` bits of src (whose bits past count are 0, the packing convention) into dst,
// starting at bit `offset` of dst. dst's bits there must be 0.
inline void append_bits(const std::uint64_t* src, std::size_t count, std::uint64_t* dst, std::size_t offset) {
  const std::size_t shift = offset % 64;
  dst += offset / 64;
  const std::size_t words = words_for_bits(count);
  if (shift == 0) {
    for (std::size_t w = 0; w < words; ++w) dst[w] |= src[w];
    return;
  }
  for (std::size_t w = 0; w < words; ++w) {
    dst[w] |= src[w] << shift;
    // The high part spills into the next word only if that word holds bits of this source.
    if (64 * w + 64 - shift < count) dst[w + 1] |= src[w] >> (64 - shift);
  }
}

}  // namespace xnor::detail
