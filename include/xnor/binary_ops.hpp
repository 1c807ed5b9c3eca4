#pragma once
// Operations directly on bitpacked tensors (bitpack.hpp's convention), so binary layers never unpack.
#include <cstddef>
#include <cstdint>
#include <span>

#include "xnor/conv_geometry.hpp"

namespace xnor {

// Max-pool of ±1 values: the maximum is -1 only where every value in the window is -1, so with bit 1
// meaning -1 the pooled word is the AND of the window's words. Padded positions are left out of the window.
// geometry.out_c must equal geometry.in_c; `rows` limits the work to a band of output rows.
void binary_max_pool(std::span<const std::uint64_t> input, const ConvGeometry& geometry,
                     std::span<std::uint64_t> output, OutputRows rows = {});

// One input of a channel concatenation: `channels` channels per pixel, packed.
struct PackedChannels {
  std::span<const std::uint64_t> bits;
  std::size_t channels;
};

// Concatenates the inputs' channels pixel by pixel (Inception branches): channel counts need not be
// multiples of 64. The output has words_for_bits(sum of channels) words per pixel, padding bits 0.
void concat_bits(std::span<const PackedChannels> inputs, std::size_t pixels, std::span<std::uint64_t> output);

}  // namespace xnor
