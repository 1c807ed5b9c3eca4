// idx files (the MNIST format: a big-endian header, then raw values), read through zlib's gz* functions,
// which also read uncompressed files.
#include <zlib.h>

#include <algorithm>
#include <climits>
#include <memory>

#include "xnor/dataset.hpp"

namespace xnor {
namespace {

constexpr std::uint8_t unsigned_byte_type = 0x08;
constexpr std::size_t max_dimensions = 4;
// Far above any image set here (Fashion-MNIST's training images: 47 MB).
constexpr std::size_t max_values = std::size_t{1} << 32;
// Values are read in chunks, so memory only grows with data that is really there.
constexpr std::size_t chunk_bytes = std::size_t{1} << 20;

struct GzClose {
  void operator()(gzFile file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzClose>;

class IdxReader {
 public:
  explicit IdxReader(const std::string& path) : path_(path), file_(gzopen(path.c_str(), "rb")) {
    if (!file_) throw DatasetError(path + ": cannot open");
  }

  [[noreturn]] void fail(const std::string& problem) const { throw DatasetError(path_ + ": idx file: " + problem); }

  // Reads up to `count` bytes; returns how many were there.
  std::size_t read_some(std::uint8_t* data, std::size_t count) {
    const int read = gzread(file_.get(), data, static_cast<unsigned>(std::min<std::size_t>(count, INT_MAX)));
    if (read < 0) {
      int code = 0;
      fail(std::string("read error (") + gzerror(file_.get(), &code) + ")");
    }
    return static_cast<std::size_t>(read);
  }

  void read_exactly(std::uint8_t* data, std::size_t count, const char* what) {
    std::size_t done = 0;
    while (done < count) {
      const std::size_t read = read_some(data + done, count - done);
      if (read == 0) fail(std::string("truncated ") + what);
      done += read;
    }
  }

  std::size_t big_endian_u32() {
    std::uint8_t bytes[4];
    read_exactly(bytes, 4, "header");
    return std::size_t{bytes[0]} << 24 | std::size_t{bytes[1]} << 16 | std::size_t{bytes[2]} << 8 | bytes[3];
  }

  bool at_end() {
    std::uint8_t extra = 0;
    return read_some(&extra, 1) == 0;
  }

 private:
  std::string path_;
  GzFile file_;
};

}  // namespace

IdxArray load_idx(const std::string& path, std::size_t max_items) {
  IdxReader reader(path);
  std::uint8_t magic[4];
  reader.read_exactly(magic, 4, "header");
  if (magic[0] != 0 || magic[1] != 0) reader.fail("bad magic (not an idx file)");
  if (magic[2] != unsigned_byte_type) reader.fail("value type " + std::to_string(magic[2]) + " is not unsigned byte (8)");
  if (magic[3] == 0 || magic[3] > max_dimensions) {
    reader.fail(std::to_string(magic[3]) + " dimensions (1 to " + std::to_string(max_dimensions) + " supported)");
  }
  IdxArray array;
  std::size_t values_per_item = 1;
  for (std::size_t d = 0; d < magic[3]; ++d) {
    array.shape.push_back(reader.big_endian_u32());
    if (d > 0) {
      if (array.shape[d] != 0 && values_per_item > max_values / array.shape[d]) reader.fail("the shape is too large");
      values_per_item *= array.shape[d];
    }
  }
  const bool whole_file = max_items == 0 || max_items >= array.shape[0];
  if (!whole_file) array.shape[0] = max_items;
  if (values_per_item != 0 && array.shape[0] > max_values / values_per_item) reader.fail("the shape is too large");
  const std::size_t total = array.shape[0] * values_per_item;

  while (array.values.size() < total) {
    const std::size_t done = array.values.size();
    array.values.resize(std::min(total, done + chunk_bytes));
    reader.read_exactly(array.values.data() + done, array.values.size() - done, "data");
  }
  if (whole_file && !reader.at_end()) reader.fail("data after the last value");
  return array;
}

}  // namespace xnor
