// NumPy .npy files (see npy.hpp; the format: numpy.lib.format).
#include "xnor/npy.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <string_view>

namespace xnor {
namespace {

constexpr std::string_view magic = "\x93NUMPY";
// numpy itself refuses headers over 10000 bytes by default; anything longer is not a header it wrote.
constexpr std::size_t max_header_bytes = 65536;
// numpy 2 allows 64 dimensions.
constexpr std::size_t max_dimensions = 64;
// Above any array a machine holds; keeps every product of dimensions and item sizes far from overflow.
constexpr std::size_t max_elements = std::size_t{1} << 48;

enum class DataType { float32, float64, uint8 };

std::size_t item_bytes(DataType type) {
  switch (type) {
    case DataType::float32: return 4;
    case DataType::float64: return 8;
    case DataType::uint8: return 1;
  }
  return 0;
}

std::uint64_t little_endian(const std::byte* bytes, std::size_t count) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < count; ++i) value |= std::uint64_t{std::to_integer<std::uint8_t>(bytes[i])} << (8 * i);
  return value;
}

// The header is a Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and ended by a newline. Only the literals numpy writes are accepted.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& name) : text_(text), name_(name) {}

  struct Header {
    DataType type = DataType::float32;
    std::vector<std::size_t> shape;
  };

  Header parse() {
    if (text_.empty() || text_.back() != '\n') fail("the header does not end with a newline");
    bool have_descr = false, have_order = false, have_shape = false;
    Header header;
    expect('{');
    while (!next_is('}')) {
      const std::string_view key = string_literal();
      expect(':');
      if (key == "descr") {
        take_once(have_descr, key);
        header.type = data_type(string_literal());
      } else if (key == "fortran_order") {
        take_once(have_order, key);
        if (boolean_literal()) fail("Fortran-ordered arrays are not supported (write a C-ordered array)");
      } else if (key == "shape") {
        take_once(have_shape, key);
        header.shape = shape_literal();
      } else {
        fail("unknown header key '" + std::string(key) + "'");
      }
      if (!next_is(',')) break;
      ++pos_;
    }
    expect('}');
    skip_spaces();
    if (pos_ != text_.size()) fail("unexpected text after the header dict");
    if (!have_descr || !have_order || !have_shape) fail("the header lacks 'descr', 'fortran_order' or 'shape'");
    return header;
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const { throw NpyError(name_ + ": .npy header: " + problem); }

  void skip_spaces() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n')) ++pos_;
  }
  bool next_is(char c) {
    skip_spaces();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  void expect(char c) {
    if (!next_is(c)) fail(std::string("expected '") + c + "' at byte " + std::to_string(pos_));
    ++pos_;
  }
  void take_once(bool& seen, std::string_view key) {
    if (seen) fail("key '" + std::string(key) + "' appears twice");
    seen = true;
  }

  std::string_view string_literal() {
    skip_spaces();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) fail("expected a string at byte " + std::to_string(pos_));
    const char quote = text_[pos_++];
    const std::size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) fail("unterminated string");
    const std::string_view value = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return value;
  }

  bool boolean_literal() {
    skip_spaces();
    for (const auto& [word, value] : {std::pair{std::string_view("True"), true}, std::pair{std::string_view("False"), false}}) {
      if (text_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        return value;
      }
    }
    fail("expected True or False at byte " + std::to_string(pos_));
  }

  DataType data_type(std::string_view descr) {
    if (descr == "<f4") return DataType::float32;
    if (descr == "<f8") return DataType::float64;
    if (descr == "|u1") return DataType::uint8;
    fail("data type '" + std::string(descr) + "' is not supported (little-endian float32 '<f4', float64 '<f8' or uint8 '|u1')");
  }

  std::size_t dimension() {
    skip_spaces();
    const std::size_t start = pos_;
    std::size_t value = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      value = value * 10 + static_cast<std::size_t>(text_[pos_++] - '0');
      if (value > max_elements) fail("a dimension is larger than " + std::to_string(max_elements));
    }
    if (pos_ == start) fail("expected a dimension at byte " + std::to_string(pos_));
    return value;
  }

  // "()" (a scalar), "(5,)", "(2, 3)" or "(2, 3,)"; a one-element tuple needs its comma, as in Python.
  std::vector<std::size_t> shape_literal() {
    expect('(');
    std::vector<std::size_t> shape;
    bool trailing_comma = false;
    while (!next_is(')')) {
      if (shape.size() == max_dimensions) fail("more than " + std::to_string(max_dimensions) + " dimensions");
      shape.push_back(dimension());
      trailing_comma = next_is(',');
      if (!trailing_comma) break;
      ++pos_;
    }
    expect(')');
    if (shape.size() == 1 && !trailing_comma) fail("a one-dimensional shape is written (N,)");
    return shape;
  }

  std::string_view text_;
  const std::string& name_;
  std::size_t pos_ = 0;
};

std::string shape_literal(std::span<const std::size_t> shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace

std::vector<std::byte> serialize_npy(std::span<const std::size_t> shape, std::span<const float> values) {
  std::size_t elements = 1;
  for (std::size_t d : shape) elements *= d;
  if (elements != values.size()) {
    throw NpyError("npy: shape " + shape_literal(shape) + " holds " + std::to_string(elements) + " values, not " +
                   std::to_string(values.size()));
  }
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape_literal(shape) + ", }";
  // numpy pads the header with spaces so that the data starts at a multiple of 64 bytes.
  const std::size_t prefix_bytes = magic.size() + 2 + 2;
  header.append(63 - (prefix_bytes + header.size()) % 64, ' ');
  header += '\n';
  if (header.size() > std::numeric_limits<std::uint16_t>::max()) throw NpyError("npy: shape " + shape_literal(shape) + " is too long");

  std::vector<std::byte> file;
  file.reserve(prefix_bytes + header.size() + 4 * values.size());
  const auto put = [&](std::uint64_t value, std::size_t bytes) {
    for (std::size_t i = 0; i < bytes; ++i) file.push_back(static_cast<std::byte>(value >> (8 * i)));
  };
  for (char c : magic) put(static_cast<unsigned char>(c), 1);
  put(1, 1);  // format 1.0
  put(0, 1);
  put(header.size(), 2);
  for (char c : header) put(static_cast<unsigned char>(c), 1);
  for (float v : values) put(std::bit_cast<std::uint32_t>(v), 4);
  return file;
}

NpyArray parse_npy(std::span<const std::byte> file, const std::string& name) {
  const auto fail = [&](const std::string& problem) -> NpyError { return NpyError(name + ": " + problem); };
  const std::string_view start(reinterpret_cast<const char*>(file.data()), std::min(file.size(), magic.size()));
  if (!magic.starts_with(start)) throw fail("not a .npy file (no \\x93NUMPY magic)");
  if (file.size() < magic.size() + 2) throw fail("truncated .npy header");
  const auto major = std::to_integer<unsigned>(file[magic.size()]);
  const auto minor = std::to_integer<unsigned>(file[magic.size() + 1]);
  if ((major != 1 && major != 2) || minor != 0) {
    throw fail(".npy format " + std::to_string(major) + "." + std::to_string(minor) + " is not supported (1.0 or 2.0)");
  }
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  const std::size_t header_start = magic.size() + 2 + length_bytes;
  if (file.size() < header_start) throw fail("truncated .npy header");
  const std::uint64_t header_bytes = little_endian(file.data() + magic.size() + 2, length_bytes);
  if (header_bytes > max_header_bytes) throw fail(".npy header of " + std::to_string(header_bytes) + " bytes is too long");
  if (header_bytes > file.size() - header_start) throw fail("truncated .npy header");

  const std::string_view header_text(reinterpret_cast<const char*>(file.data() + header_start), header_bytes);
  const auto [type, shape] = HeaderParser(header_text, name).parse();
  std::size_t elements = 1;
  for (std::size_t d : shape) {
    if (d != 0 && elements > max_elements / d) throw fail("shape " + shape_literal(shape) + " is too large");
    elements *= d;
  }
  const std::size_t data_start = header_start + header_bytes;
  const std::size_t data_bytes = file.size() - data_start;
  const std::size_t item = item_bytes(type);
  if (data_bytes != elements * item) {
    throw fail("shape " + shape_literal(shape) + " needs " + std::to_string(elements * item) + " bytes of data, the file has " +
               std::to_string(data_bytes) + (data_bytes < elements * item ? " (truncated)" : ""));
  }

  NpyArray array{shape, std::vector<float>(elements)};
  const std::byte* data = file.data() + data_start;
  for (std::size_t i = 0; i < elements; ++i) {
    const std::uint64_t bits = little_endian(data + i * item, item);
    switch (type) {
      case DataType::float32: array.values[i] = std::bit_cast<float>(static_cast<std::uint32_t>(bits)); break;
      case DataType::float64: array.values[i] = static_cast<float>(std::bit_cast<double>(bits)); break;
      case DataType::uint8: array.values[i] = static_cast<float>(bits); break;
    }
  }
  return array;
}

void save_npy(const std::string& path, std::span<const std::size_t> shape, std::span<const float> values) {
  const std::vector<std::byte> file = serialize_npy(shape, values);
  const std::string partial = path + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(file.data()), static_cast<std::streamsize>(file.size()));
    if (!out) {
      out.close();
      std::remove(partial.c_str());
      throw NpyError("cannot write " + partial);
    }
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) {
    std::remove(partial.c_str());
    throw NpyError("cannot rename " + partial + " to " + path);
  }
}

NpyArray load_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw NpyError(path + ": cannot open");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) throw NpyError(path + ": cannot read its size");
  in.seekg(0);
  std::vector<std::byte> bytes(static_cast<std::size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), size);
  if (!in) throw NpyError(path + ": read error");
  return parse_npy(bytes, path);
}

}  // namespace xnor
