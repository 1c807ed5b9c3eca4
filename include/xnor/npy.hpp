#pragma once
// NumPy .npy files: the way tensors travel between xnor and Python (np.save / np.load).
//
// Writing: float32, little-endian, C order, format 1.0. Reading: format 1.0 or 2.0, C order, little-endian
// float32, float64 or uint8 (converted to float). The header is parsed strictly and bounded (its length, the
// number of dimensions, each dimension and their product), and the data must fill the rest of the file
// exactly: a truncated or hostile file is one NpyError naming the file and the problem, before any
// allocation the file's size does not justify.
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "xnor/error.hpp"

namespace xnor {

class NpyError : public Error {
 public:
  using Error::Error;
};

struct NpyArray {
  std::vector<std::size_t> shape;  // empty for a scalar
  std::vector<float> values;       // C order, as many as the product of shape
};

std::vector<std::byte> serialize_npy(std::span<const std::size_t> shape, std::span<const float> values);
// `name` (usually the file's path) starts every error message.
NpyArray parse_npy(std::span<const std::byte> file, const std::string& name);

// Writes to PATH.partial, then renames it: nothing half-written is ever left under PATH.
void save_npy(const std::string& path, std::span<const std::size_t> shape, std::span<const float> values);
NpyArray load_npy(const std::string& path);

}  // namespace xnor
