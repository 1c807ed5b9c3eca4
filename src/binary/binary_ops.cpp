#include "xnor/binary_ops.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "bitops/append_bits.hpp"
#include "xnor/bitpack.hpp"

namespace xnor {
namespace {

void check_size(const char* what, std::size_t actual, std::size_t expected) {
  if (actual != expected) {
    throw std::invalid_argument(std::string(what) + " has " + std::to_string(actual) + " words, expected " +
                                std::to_string(expected));
  }
}

}  // namespace

void binary_max_pool(std::span<const std::uint64_t> input, const ConvGeometry& g, std::span<std::uint64_t> output,
                     OutputRows rows) {
  g.validate();
  if (g.out_c != g.in_c) throw std::invalid_argument("binary max-pool: output channels must equal input channels");
  const std::size_t words = words_for_bits(g.in_c);
  check_size("binary max-pool input", input.size(), g.in_pixels() * words);
  check_size("binary max-pool output", output.size(), g.out_pixels() * words);
  // The geometry's derived sizes divide, and the output words may alias it: computed once here.
  const std::size_t out_h = g.out_h(), out_w = g.out_w(), pad_top = g.pad_top(), pad_left = g.pad_left();
  const std::size_t row_words = g.in_w * words;
  // Separable: per output row, the AND over its window's input rows (whole rows at a time), then per output
  // pixel the AND of that over its window's columns. The window is clipped to the image: padded positions
  // never win a max.
  std::vector<std::uint64_t> column_and(row_words);
  for (std::size_t oy = rows.begin; oy < std::min(rows.end, out_h); ++oy) {
    const std::size_t y0 = std::max(oy * g.stride, pad_top) - pad_top;
    const std::size_t y1 = std::min(oy * g.stride + g.kernel_h - pad_top, g.in_h);
    std::uint64_t* __restrict columns = column_and.data();
    std::fill(columns, columns + row_words, ~std::uint64_t{0});
    for (std::size_t y = y0; y < y1; ++y) {
      const std::uint64_t* __restrict in = input.data() + y * row_words;
      for (std::size_t w = 0; w < row_words; ++w) columns[w] &= in[w];
    }
    for (std::size_t ox = 0; ox < out_w; ++ox) {
      const std::size_t x0 = std::max(ox * g.stride, pad_left) - pad_left;
      const std::size_t x1 = std::min(ox * g.stride + g.kernel_w - pad_left, g.in_w);
      std::uint64_t* __restrict out = output.data() + (oy * out_w + ox) * words;
      std::fill(out, out + words, ~std::uint64_t{0});
      for (std::size_t x = x0; x < x1; ++x) {
        const std::uint64_t* __restrict column = columns + x * words;
        for (std::size_t w = 0; w < words; ++w) out[w] &= column[w];
      }
    }
  }
}

void concat_bits(std::span<const PackedChannels> inputs, std::size_t pixels, std::span<std::uint64_t> output) {
  std::size_t channels = 0;
  for (const PackedChannels& in : inputs) {
    check_size("concat input", in.bits.size(), pixels * words_for_bits(in.channels));
    channels += in.channels;
  }
  const std::size_t words = words_for_bits(channels);
  check_size("concat output", output.size(), pixels * words);
  std::fill(output.begin(), output.end(), std::uint64_t{0});
  for (std::size_t p = 0; p < pixels; ++p) {
    std::size_t offset = 0;
    for (const PackedChannels& in : inputs) {
      const std::size_t in_words = words_for_bits(in.channels);
      detail::append_bits(in.bits.data() + p * in_words, in.channels, output.data() + p * words, offset);
      offset += in.channels;
    }
  }
}

}  // namespace xnor
