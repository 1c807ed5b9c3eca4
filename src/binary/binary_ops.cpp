#include "xnor/binary_ops.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "bitops/append_bits.hpp"
#include "src/separable_pool.hpp"
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
  // A max of ±1 values is -1 (bit 1) only where every value is: an AND of the bits.
  detail::separable_pool(g, words, input.data(), output.data(), rows, ~std::uint64_t{0},
                         [](std::uint64_t a, std::uint64_t b) { return a & b; });
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
