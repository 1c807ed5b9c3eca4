#pragma once
// The loop of an element-wise operation over two operands, the second of the first's size or one value per
// channel (broadcast over pixels), and its size check.
#include <cstddef>
#include <stdexcept>
#include <string>

namespace xnor::detail {

// Throws std::invalid_argument unless `channels` divides a, b is a's size or `channels`, and out is a's size.
inline void check_elementwise(const char* operation, std::size_t a, std::size_t b, std::size_t channels, std::size_t out) {
  if (channels == 0 || a % channels != 0 || (b != a && b != channels) || out != a) {
    throw std::invalid_argument(std::string(operation) + ": operands of " + std::to_string(a) + " and " +
                                std::to_string(b) + " values, " + std::to_string(channels) + " channels and an output of " +
                                std::to_string(out) + " (the second operand must match the first or hold one value "
                                "per channel)");
  }
}

// Calls visit(i, j) for every element i of the first operand with j its partner in the second.
template <class Visit>
void for_each_pair(std::size_t a, std::size_t b, std::size_t channels, Visit visit) {
  if (b == a) {
    for (std::size_t i = 0; i < a; ++i) visit(i, i);
    return;
  }
  for (std::size_t i = 0; i < a; i += channels) {
    for (std::size_t c = 0; c < channels; ++c) visit(i + c, c);
  }
}

}  // namespace xnor::detail
