// Bit-packing entry points: check sizes, then run the chosen path's kernel.
#include "xnor/bitpack.hpp"

#include <stdexcept>
#include <string>

#include "src/path_kernels.hpp"

namespace xnor {
namespace {

void check_sizes(std::size_t values, std::size_t bits, std::size_t pixels, std::size_t channels) {
  if (values != pixels * channels || bits != pixels * words_for_bits(channels)) {
    throw std::invalid_argument("bit-packing " + std::to_string(pixels) + " pixels x " + std::to_string(channels) +
                                " channels needs " + std::to_string(pixels * channels) + " values and " +
                                std::to_string(pixels * words_for_bits(channels)) + " words, got " +
                                std::to_string(values) + " and " + std::to_string(bits));
  }
}

}  // namespace

void pack_signs(std::span<const float> values, std::size_t pixels, std::size_t channels, std::span<std::uint64_t> bits,
                Path path) {
  check_sizes(values.size(), bits.size(), pixels, channels);
  detail::path_kernels(path).bits->pack_float(values.data(), pixels, channels, bits.data());
}

void pack_signs(std::span<const float> values, std::size_t pixels, std::size_t channels, std::span<const float> flip,
                std::span<const float> thresholds, std::span<std::uint64_t> bits, Path path) {
  check_sizes(values.size(), bits.size(), pixels, channels);
  if (flip.size() != channels || thresholds.size() != channels) {
    throw std::invalid_argument("bit-packing " + std::to_string(channels) + " channels with thresholds needs " +
                                std::to_string(channels) + " flips and thresholds, got " + std::to_string(flip.size()) +
                                " and " + std::to_string(thresholds.size()));
  }
  detail::path_kernels(path).bits->pack_thresholded(values.data(), pixels, channels, flip.data(), thresholds.data(),
                                                    bits.data());
}

void pack_signs(std::span<const std::int8_t> values, std::int8_t zero_point, std::size_t pixels, std::size_t channels,
                std::span<std::uint64_t> bits, Path path) {
  check_sizes(values.size(), bits.size(), pixels, channels);
  detail::path_kernels(path).bits->pack_int8(values.data(), zero_point, pixels, channels, bits.data());
}

void unpack_signs(std::span<const std::uint64_t> bits, std::size_t pixels, std::size_t channels,
                  std::span<float> values) {
  check_sizes(values.size(), bits.size(), pixels, channels);
  const std::size_t words = words_for_bits(channels);
  for (std::size_t p = 0; p < pixels; ++p) {
    for (std::size_t c = 0; c < channels; ++c) {
      const bool negative = (bits[p * words + c / bits_per_word] >> (c % bits_per_word)) & 1u;
      values[p * channels + c] = negative ? -1.0f : 1.0f;
    }
  }
}

}  // namespace xnor
