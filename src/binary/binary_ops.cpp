#include "xnor/binary_ops.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "bitops/append_bits.hpp"
#include "src/check_size.hpp"
#include "src/separable_pool.hpp"
#include "xnor/bitpack.hpp"

namespace xnor {
void binary_max_pool(std::span<const std::uint64_t> input, const ConvGeometry& g, std::span<std::uint64_t> output,
                     OutputRows rows) {
  g.validate();
  if (g.out_c != g.in_c) throw std::invalid_argument("binary max-pool: output channels must equal input channels");
  const std::size_t words = words_for_bits(g.in_c);
  detail::check_size("binary max-pool", "input", input.size(), g.in_pixels() * words, "words");
  detail::check_size("binary max-pool", "output", output.size(), g.out_pixels() * words, "words");
  // A max of ±1 values is -1 (bit 1) only where every value is: an AND of the bits.
  detail::separable_pool(g, words, input.data(), output.data(), rows, ~std::uint64_t{0},
                         [](std::uint64_t a, std::uint64_t b) { return a & b; });
}

void concat_bits(std::span<const PackedChannels> inputs, std::size_t pixels, std::span<std::uint64_t> output) {
  std::size_t channels = 0;
  for (const PackedChannels& in : inputs) {
    detail::check_size("concat", "input", in.bits.size(), pixels * words_for_bits(in.channels), "words");
    channels += in.channels;
  }
  const std::size_t words = words_for_bits(channels);
  detail::check_size("concat", "output", output.size(), pixels * words, "words");
  std::fill(output.begin(), output.end(), std::uint64_t{0});
  std::size_t offset = 0;
  // Input by input, so that an input of one word (the common Inception branch) is two shifts per pixel with
  // its word and shift fixed.
  for (const PackedChannels& in : inputs) {
    const std::size_t in_words = words_for_bits(in.channels);
    const std::uint64_t* source = in.bits.data();
    std::uint64_t* target = output.data() + offset / 64;
    const std::size_t shift = offset % 64;
    if (in_words == 1 && shift + in.channels <= 64) {
      for (std::size_t p = 0; p < pixels; ++p) target[p * words] |= source[p] << shift;
    } else if (in_words == 1) {  // spills into the next word (shift > 0)
      for (std::size_t p = 0; p < pixels; ++p) {
        target[p * words] |= source[p] << shift;
        target[p * words + 1] |= source[p] >> (64 - shift);
      }
    } else {
      for (std::size_t p = 0; p < pixels; ++p) {
        detail::append_bits(source + p * in_words, in.channels, output.data() + p * words, offset);
      }
    }
    offset += in.channels;
  }
}

}  // namespace xnor
