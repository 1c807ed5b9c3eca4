#include "src/onnx/tensor.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

namespace xnor::onnx_import {
namespace {

// Little-endian values of type T from raw_data, or from the repeated field `typed`.
template <class T, class Repeated>
void read_values(const onnx::TensorProto& proto, const Repeated& typed, std::size_t count, const std::string& what,
                 std::vector<double>& out) {
  if (!proto.raw_data().empty()) {
    const std::string& raw = proto.raw_data();
    if (raw.size() != count * sizeof(T)) {
      throw ModelError(what + ": raw data of " + std::to_string(raw.size()) + " bytes for " + std::to_string(count) +
                       " values of " + std::to_string(sizeof(T)) + " bytes");
    }
    static_assert(std::endian::native == std::endian::little, "raw ONNX data is little-endian");
    out.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
      T value;
      std::memcpy(&value, raw.data() + i * sizeof(T), sizeof(T));
      out[i] = static_cast<double>(value);
    }
    return;
  }
  if (static_cast<std::size_t>(typed.size()) != count) {
    throw ModelError(what + ": " + std::to_string(typed.size()) + " values for a shape of " + std::to_string(count));
  }
  out.assign(typed.begin(), typed.end());
}

}  // namespace

std::size_t element_count(const std::vector<std::int64_t>& dims, const std::string& what) {
  std::size_t count = 1;
  for (std::int64_t d : dims) {
    if (d < 0) throw ModelError(what + ": negative dimension " + std::to_string(d));
    if (d != 0 && count > max_constant_elements / static_cast<std::size_t>(d)) {
      throw ModelError(what + ": more than " + std::to_string(max_constant_elements) + " elements");
    }
    count *= static_cast<std::size_t>(d);
  }
  if (count > max_constant_elements) throw ModelError(what + ": more than " + std::to_string(max_constant_elements) + " elements");
  return count;
}

Tensor to_tensor(const onnx::TensorProto& proto, const std::string& what) {
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) throw ModelError(what + ": external data is not supported");
  Tensor t;
  t.dims.assign(proto.dims().begin(), proto.dims().end());
  const std::size_t count = element_count(t.dims, what);
  switch (proto.data_type()) {
    case onnx::TensorProto::FLOAT:
      read_values<float>(proto, proto.float_data(), count, what, t.values);
      break;
    case onnx::TensorProto::DOUBLE:
      read_values<double>(proto, proto.double_data(), count, what, t.values);
      break;
    case onnx::TensorProto::INT64:
      read_values<std::int64_t>(proto, proto.int64_data(), count, what, t.values);
      t.integer = true;
      break;
    case onnx::TensorProto::INT32:
      read_values<std::int32_t>(proto, proto.int32_data(), count, what, t.values);
      t.integer = true;
      break;
    case onnx::TensorProto::INT8:
      read_values<std::int8_t>(proto, proto.int32_data(), count, what, t.values);
      t.integer = true;
      break;
    case onnx::TensorProto::UINT8:
      read_values<std::uint8_t>(proto, proto.int32_data(), count, what, t.values);
      t.integer = true;
      break;
    case onnx::TensorProto::BOOL:
      read_values<std::uint8_t>(proto, proto.int32_data(), count, what, t.values);
      t.integer = true;
      break;
    default:
      throw ModelError(what + ": tensor type " + std::to_string(proto.data_type()) + " is not supported");
  }
  return t;
}

std::vector<std::int64_t> to_ints(const Tensor& t) {
  constexpr double limit = 4611686018427387904.0;
  std::vector<std::int64_t> ints;
  for (double v : t.values) ints.push_back(v == v ? static_cast<std::int64_t>(std::clamp(v, -limit, limit)) : 0);
  return ints;
}

Tensor parse_tensor(std::span<const std::byte> bytes, const std::string& what) {
  onnx::TensorProto proto;
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      !proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    throw ModelError(what + ": not an ONNX tensor");
  }
  return to_tensor(proto, what);
}

const onnx::AttributeProto* find_attribute(const onnx::NodeProto& node, const std::string& name) {
  for (const auto& attribute : node.attribute()) {
    if (attribute.name() == name) return &attribute;
  }
  return nullptr;
}

std::int64_t int_attribute(const onnx::NodeProto& node, const std::string& name, std::int64_t fallback) {
  const auto* a = find_attribute(node, name);
  return a ? a->i() : fallback;
}

float float_attribute(const onnx::NodeProto& node, const std::string& name, float fallback) {
  const auto* a = find_attribute(node, name);
  return a ? a->f() : fallback;
}

std::string string_attribute(const onnx::NodeProto& node, const std::string& name, const std::string& fallback) {
  const auto* a = find_attribute(node, name);
  return a ? a->s() : fallback;
}

std::vector<std::int64_t> ints_attribute(const onnx::NodeProto& node, const std::string& name,
                                         std::vector<std::int64_t> fallback) {
  const auto* a = find_attribute(node, name);
  if (!a) return fallback;
  return {a->ints().begin(), a->ints().end()};
}

std::string describe(const onnx::NodeProto& node) {
  return "node '" + (node.name().empty() ? node.output_size() ? node.output(0) : std::string("?") : node.name()) +
         "' (" + node.op_type() + ")";
}

}  // namespace xnor::onnx_import
