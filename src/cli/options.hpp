#pragma once
// Parsing of the CLI's numeric options, shared by every command.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>

namespace xnor::cli {

// `text` as a whole number in [1, max]; otherwise std::invalid_argument "COMMAND: OPTION needs a whole number
// from 1 to MAX, not 'TEXT'". Digits only: stoull alone would take "-1" or " 7".
inline std::size_t parse_count(std::string_view command, const std::string& option, const std::string& text,
                               std::size_t max) {
  const bool digits = !text.empty() && text.size() <= 12 &&
                      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  const std::size_t value = digits ? std::stoull(text) : 0;
  if (value == 0 || value > max) {
    throw std::invalid_argument(std::string(command) + ": " + option + " needs a whole number from 1 to " +
                                std::to_string(max) + ", not '" + text + "'");
  }
  return value;
}

}  // namespace xnor::cli
