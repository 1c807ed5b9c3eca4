#pragma once
// The size checks the layers and operations make on their spans, so that every one words its error alike.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace xnor::detail {

// Throws std::invalid_argument "<operation>: <what> has <actual> <unit>, expected <expected>".
inline void check_size(std::string_view operation, std::string_view what, std::size_t actual, std::size_t expected,
                       std::string_view unit = "elements") {
  if (actual != expected) {
    throw std::invalid_argument(std::string(operation) + ": " + std::string(what) + " has " + std::to_string(actual) +
                                " " + std::string(unit) + ", expected " + std::to_string(expected));
  }
}

// values / group: how many groups of `group` values there are (e.g. pixels of `channels` values); throws
// std::invalid_argument unless group > 0 divides values exactly.
inline std::size_t groups_of(std::string_view operation, std::size_t values, std::size_t group) {
  if (group == 0 || values % group != 0) {
    throw std::invalid_argument(std::string(operation) + ": " + std::to_string(values) +
                                " values are not whole groups of " + std::to_string(group));
  }
  return values / group;
}

}  // namespace xnor::detail
