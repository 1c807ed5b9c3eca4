#pragma once
// Bit-packing of NHWC tensors along channels.
//
// The convention, shared by every kernel in xnor:
//   * a value v is binarized to -1 if v < 0 and to +1 otherwise; bit 1 means -1, bit 0 means +1.
//     0.0 and -0.0 pack as +1 (bit 0), and so does NaN (NaN < 0 is false).
//     For int8 data with a zero point zp, the real value is negative when q < zp.
//   * the channels of one pixel fill ceil(C / 64) 64-bit words, channel c in bit (c % 64) of word c / 64;
//   * the unused high bits of the last word of each pixel are 0. With 0 in both operands, padding bits
//     never add to popcount(a XOR b), so every kernel is correct for any channel count.
#include <cstddef>
#include <cstdint>
#include <span>

#include "xnor/cpu_path.hpp"

namespace xnor {

constexpr std::size_t bits_per_word = 64;

constexpr std::size_t words_for_bits(std::size_t bits) { return (bits + bits_per_word - 1) / bits_per_word; }

// Packs `pixels` pixels of `channels` floats each (NHWC, pixel-major) into pixels * words_for_bits(channels)
// words. Throws std::invalid_argument if the spans' sizes disagree with pixels and channels.
void pack_signs(std::span<const float> values, std::size_t pixels, std::size_t channels, std::span<std::uint64_t> bits,
                Path path = active_path());

// The same with per-channel thresholds: bit 1 where flip[c] * v < thresholds[c], flip[c] being +1 or -1 (NaN
// packs as 0): a per-channel scale and shift followed by pack_signs, as a graph fuses them
// (src/graph/sign_thresholds.hpp). Throws std::invalid_argument if flip or thresholds do not hold `channels`.
void pack_signs(std::span<const float> values, std::size_t pixels, std::size_t channels, std::span<const float> flip,
                std::span<const float> thresholds, std::span<std::uint64_t> bits, Path path = active_path());

// The same for int8 values whose real value is scale * (q - zero_point): bit 1 where q < zero_point.
void pack_signs(std::span<const std::int8_t> values, std::int8_t zero_point, std::size_t pixels,
                std::size_t channels, std::span<std::uint64_t> bits, Path path = active_path());

// The inverse: writes -1.0f for bit 1 and +1.0f for bit 0. Padding bits are not read.
void unpack_signs(std::span<const std::uint64_t> bits, std::size_t pixels, std::size_t channels,
                  std::span<float> values);

}  // namespace xnor
