#pragma once
// Statistics of the CLI's timings.
#include <algorithm>
#include <cstddef>
#include <vector>

namespace xnor::cli {

// The middle value, or the mean of the two middle values of an even count. values must not be empty.
inline double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace xnor::cli
