// The .xnm model file (see model_file.hpp).
#include "xnor/model_file.hpp"

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/variant.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <sstream>

#include "xnor/model.hpp"

namespace xnor {
namespace {

constexpr std::array<char, 8> magic = {'X', 'N', 'O', 'R', 'N', 'E', 'T', '\0'};
constexpr std::size_t header_bytes = 32;
// Far above any model here; a header claiming more is refused before anything is read.
constexpr std::uint64_t max_payload_bytes = std::uint64_t{1} << 32;
// Padding far beyond any kernel; larger amounts are refused as corrupt (and cannot overflow a size).
constexpr std::uint64_t max_padding = 1 << 16;

std::uint64_t fnv1a(std::span<const std::byte> bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (std::byte b : bytes) hash = (hash ^ static_cast<std::uint8_t>(b)) * 0x100000001b3ull;
  return hash;
}

// The bytes of payload not yet read: every array's length is checked against it before allocation.
thread_local std::uint64_t unread_budget = 0;
// The format version of the file being read or written: fields added later are read only from files that have them.
thread_local std::uint32_t archive_version = model_format_version;

void spend(std::uint64_t count, std::size_t element_bytes, const char* what) {
  if (count > unread_budget / element_bytes) {
    throw ModelError(std::string("model file: ") + what + " of " + std::to_string(count) +
                     " elements is longer than the rest of the file");
  }
  unread_budget -= count * element_bytes;
}

// A vector of numbers, saved as its length and raw elements (portable: byte-swapped on big-endian).
template <class T>
struct Numbers {
  std::vector<T>& values;
};
template <class Archive, class T>
void save(Archive& archive, const Numbers<T>& n) {
  archive(cereal::make_size_tag(static_cast<cereal::size_type>(n.values.size())));
  archive(cereal::binary_data(n.values.data(), n.values.size() * sizeof(T)));
}
template <class Archive, class T>
void load(Archive& archive, Numbers<T>& n) {
  cereal::size_type count = 0;
  archive(cereal::make_size_tag(count));
  spend(count, sizeof(T), "an array");
  n.values.resize(count);
  archive(cereal::binary_data(n.values.data(), count * sizeof(T)));
}
template <class T>
Numbers<T> numbers(std::vector<T>& values) {
  return {values};
}

// A vector of records, each saved whole; every record takes at least one byte of the file.
template <class T>
struct Records {
  std::vector<T>& values;
};
struct Text {
  std::string& value;
};

// Strings are saved as Text, other records through their own serialize function.
inline Text record(std::string& s) { return {s}; }
template <class T>
T& record(T& value) {
  return value;
}

template <class Archive, class T>
void save(Archive& archive, const Records<T>& r) {
  archive(cereal::make_size_tag(static_cast<cereal::size_type>(r.values.size())));
  for (T& value : r.values) archive(record(value));
}
template <class Archive, class T>
void load(Archive& archive, Records<T>& r) {
  cereal::size_type count = 0;
  archive(cereal::make_size_tag(count));
  if (count > unread_budget) throw ModelError("model file: a list of " + std::to_string(count) + " records is longer than the file");
  r.values.resize(count);
  for (T& value : r.values) archive(record(value));
}
template <class T>
Records<T> records(std::vector<T>& values) {
  return {values};
}

template <class Archive>
void save(Archive& archive, const Text& t) {
  std::vector<char> chars(t.value.begin(), t.value.end());
  archive(numbers(chars));
}
template <class Archive>
void load(Archive& archive, Text& t) {
  std::vector<char> chars;
  archive(numbers(chars));
  t.value.assign(chars.begin(), chars.end());
}

// An enum stored as its underlying integer and checked against its largest value when loaded.
template <class E>
struct Enum {
  E& value;
  E last;
};
template <class Archive, class E>
void save(Archive& archive, const Enum<E>& e) {
  archive(static_cast<std::uint8_t>(e.value));
}
template <class Archive, class E>
void load(Archive& archive, Enum<E>& e) {
  std::uint8_t raw = 0;
  archive(raw);
  if (raw > static_cast<std::uint8_t>(e.last)) throw ModelError("model file: enum value " + std::to_string(raw) + " out of range");
  e.value = static_cast<E>(raw);
}
template <class E>
Enum<E> enumeration(E& value, E last) {
  return {value, last};
}

// A bool stored as one byte, checked to be 0 or 1 when loaded: any other byte would be an invalid bool.
struct Flag {
  bool& value;
};
template <class Archive>
void save(Archive& archive, const Flag& f) {
  archive(static_cast<std::uint8_t>(f.value));
}
template <class Archive>
void load(Archive& archive, Flag& f) {
  std::uint8_t raw = 0;
  archive(raw);
  if (raw > 1) throw ModelError("model file: boolean value " + std::to_string(raw) + " out of range");
  f.value = raw == 1;
}

}  // namespace

// The field layout of every record; the class version lets later formats read older files.
template <class Archive>
void serialize(Archive& a, QuantParams& q) {
  a(q.scale, q.zero_point);
}
template <class Archive>
void serialize(Archive& a, Activation& act) {
  a(enumeration(act.kind, Activation::Kind::hard_swish), act.low, act.high, numbers(act.slopes));
  if (archive_version >= 2) a(act.alpha, act.beta);
}
// Version 1 knew only "valid" and "same"; version 2 adds explicit amounts (stored for every mode).
template <class Archive>
void serialize(Archive& a, Padding& p) {
  a(enumeration(p.mode, Padding::Mode::explicit_amounts));
  if (archive_version < 2) {
    if (p.mode == Padding::Mode::explicit_amounts) throw ModelError("model file: explicit padding in a version 1 file");
    return;
  }
  std::uint64_t top = p.top, left = p.left, bottom = p.bottom, right = p.right;
  a(top, left, bottom, right);
  if (std::max({top, left, bottom, right}) > max_padding) {
    throw ModelError("model file: padding of " + std::to_string(std::max({top, left, bottom, right})) + " is out of range");
  }
  p.top = top, p.left = left, p.bottom = bottom, p.right = right;
}
template <class Archive>
void serialize(Archive& a, ConvWindow& w) {
  std::uint64_t kh = w.kernel_h, kw = w.kernel_w, stride = w.stride, out_c = w.out_c, groups = w.groups;
  a(kh, kw, stride, w.padding, out_c);
  if (archive_version >= 2) a(groups);
  w.kernel_h = kh, w.kernel_w = kw, w.stride = stride, w.out_c = out_c, w.groups = groups;
}
template <class Archive>
void serialize(Archive& a, FloatConvOp& op) {
  a(op.window, numbers(op.weights), numbers(op.bias), op.activation);
}
template <class Archive>
void serialize(Archive& a, Int8ConvOp& op) {
  a(op.window, numbers(op.weights), numbers(op.weight_scales), numbers(op.bias), op.output, op.activation);
}
template <class Archive>
void serialize(Archive& a, BinaryConvOp& op) {
  a(op.window, numbers(op.weight_bits), numbers(op.multiplier), numbers(op.bias), op.activation,
    enumeration(op.padding, BinaryPadding::zero), enumeration(op.output, DType::bits), op.output_quant);
}
template <class Archive>
void serialize(Archive& a, PoolOp& op) {
  std::uint64_t kernel = op.kernel, stride = op.stride;
  a(enumeration(op.kind, PoolKind::average), kernel, stride, op.padding, Flag{op.global});
  if (archive_version >= 2) a(Flag{op.ceil_mode}, Flag{op.count_padding});
  op.kernel = kernel, op.stride = stride;
}
template <class Archive>
void serialize(Archive& a, ConcatOp& op) {
  a(op.output_quant);
}
template <class Archive>
void serialize(Archive& a, QuantizeOp& op) {
  a(op.output);
}
template <class Archive>
void serialize(Archive& a, ActivationOp& op) {
  a(op.activation);
}
template <class Archive>
void serialize(Archive&, DequantizeOp&) {}
template <class Archive>
void serialize(Archive&, BitpackOp&) {}
template <class Archive>
void serialize(Archive&, SoftmaxOp&) {}
template <class Archive>
void serialize(Archive& a, ScaleShiftOp& op) {
  a(numbers(op.scale), numbers(op.shift));
}
template <class Archive>
void serialize(Archive& a, ElementwiseOp& op) {
  a(enumeration(op.kind, ElementwiseKind::mul), op.activation, op.output_quant);
}
template <class Archive>
void serialize(Archive& a, Node& node) {
  a(Text{node.name}, numbers(node.inputs), node.op);
}
template <class Archive>
void serialize(Archive& a, InputSpec& in) {
  std::uint64_t h = in.h, w = in.w, c = in.c;
  a(h, w, c, numbers(in.mean), numbers(in.std), in.value_max, Flag{in.invert});
  in.h = h, in.w = w, in.c = c;
}
template <class Archive>
void serialize(Archive& a, GraphDef& graph, std::uint32_t /*version*/) {
  a(graph.input, records(graph.labels), records(graph.nodes));
}

}  // namespace xnor

namespace xnor {

std::vector<std::byte> serialize_model(const GraphDef& graph) {
  std::ostringstream payload_stream;
  archive_version = model_format_version;
  {
    cereal::PortableBinaryOutputArchive archive(payload_stream);
    archive(const_cast<GraphDef&>(graph));
  }
  const std::string payload = payload_stream.str();
  std::vector<std::byte> file(header_bytes + payload.size());
  std::memcpy(file.data() + header_bytes, payload.data(), payload.size());
  const auto put = [&](std::size_t offset, auto value) {
    for (std::size_t i = 0; i < sizeof(value); ++i) file[offset + i] = static_cast<std::byte>((value >> (8 * i)) & 0xff);
  };
  std::memcpy(file.data(), magic.data(), magic.size());
  put(8, model_format_version);
  put(12, std::uint32_t{0});
  put(16, static_cast<std::uint64_t>(payload.size()));
  put(24, fnv1a(std::span(file).subspan(header_bytes)));
  return file;
}

GraphDef parse_model(std::span<const std::byte> file) {
  if (file.size() < header_bytes) {
    throw ModelError("model file: " + std::to_string(file.size()) + " bytes is shorter than the 32-byte header");
  }
  if (std::memcmp(file.data(), magic.data(), magic.size()) != 0) throw ModelError("model file: not an .xnm file (wrong magic)");
  const auto get = [&](std::size_t offset, auto zero) {
    decltype(zero) value = 0;
    for (std::size_t i = 0; i < sizeof(value); ++i) value |= static_cast<decltype(zero)>(static_cast<std::uint8_t>(file[offset + i])) << (8 * i);
    return value;
  };
  const std::uint32_t version = get(8, std::uint32_t{0});
  if (version < oldest_model_format_version || version > model_format_version) {
    throw ModelError("model file: format version " + std::to_string(version) + ", this xnor reads versions " +
                     std::to_string(oldest_model_format_version) + " to " + std::to_string(model_format_version));
  }
  archive_version = version;
  const std::uint64_t payload_size = get(16, std::uint64_t{0});
  if (payload_size > max_payload_bytes || payload_size != file.size() - header_bytes) {
    throw ModelError("model file: header announces " + std::to_string(payload_size) + " payload bytes, the file has " +
                     std::to_string(file.size() - header_bytes) + " (truncated or corrupt)");
  }
  const auto payload = file.subspan(header_bytes);
  if (fnv1a(payload) != get(24, std::uint64_t{0})) throw ModelError("model file: checksum mismatch (corrupt file)");

  GraphDef graph;
  std::istringstream stream(std::string(reinterpret_cast<const char*>(payload.data()), payload.size()));
  unread_budget = payload_size;
  try {
    cereal::PortableBinaryInputArchive archive(stream);
    archive(graph);
  } catch (const ModelError&) {
    throw;
  } catch (const std::exception& error) {
    throw ModelError(std::string("model file: unreadable payload (") + error.what() + ")");
  }
  if (stream.tellg() != static_cast<std::streamoff>(payload_size)) throw ModelError("model file: trailing bytes after the model");
  infer_tensors(graph);
  return graph;
}

void save_model(const GraphDef& graph, const std::string& path) {
  const std::vector<std::byte> file = serialize_model(graph);
  const std::string partial = path + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(file.data()), static_cast<std::streamsize>(file.size()));
    if (!out) throw ModelError("cannot write " + partial);
  }
  // Nothing half-written under the final name.
  if (std::rename(partial.c_str(), path.c_str()) != 0) throw ModelError("cannot rename " + partial + " to " + path);
}

GraphDef load_model_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ModelError(path + ": cannot open");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0 || static_cast<std::uint64_t>(size) > max_payload_bytes + header_bytes) throw ModelError(path + ": file too large");
  in.seekg(0);
  std::vector<std::byte> bytes(static_cast<std::size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), size);
  if (!in) throw ModelError(path + ": read error");
  try {
    return parse_model(bytes);
  } catch (const ModelError& error) {
    throw ModelError(path + ": " + error.what());
  }
}

namespace {

std::shared_ptr<const Model> build(GraphDef graph, const std::string& name, Path path) {
  try {
    return std::make_shared<const Model>(std::move(graph), path);
  } catch (const ModelError& error) {
    throw ModelError(name + ": " + error.what());
  }
}

}  // namespace

std::shared_ptr<const Model> load_model(const std::string& file, Path path) {
  return build(load_model_file(file), file, path);
}

std::shared_ptr<const Model> load_model(std::span<const std::byte> bytes, Path path) {
  return build(parse_model(bytes), "model", path);
}

}  // namespace xnor
