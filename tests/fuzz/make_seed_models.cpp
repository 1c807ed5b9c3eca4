// Writes the fuzz seed corpus (tests/fuzz/corpus/model_file/): a few tiny valid .xnm files covering every
// op and precision, and truncations of one. Run once; its outputs are committed, not generated per run.
// Usage: xnor-fuzz-seeds DIRECTORY
#include <cstddef>
#include <fstream>
#include <iostream>
#include <span>
#include <string>
#include <vector>

#include "xnor/model_file.hpp"
#include "xnor/network_builder.hpp"

using namespace xnor;

namespace {

InputSpec tiny_input() { return {8, 8, 3, {0.5f, 0.5f, 0.5f}, {0.25f, 0.25f, 0.25f}, 1.0f, false}; }

// float stem, int8 and binary convolutions, pooling, a float classifier.
GraphDef mixed() {
  NetworkBuilder b(tiny_input(), 1);
  auto x = b.conv("stem", b.input(), 8, 3, 1, Precision::float32);
  x = b.conv("int8", x, 8, 3, 1, Precision::int8);
  x = b.conv("bits", x, 16, 3, 1, Precision::binary);
  x = b.max_pool("pool", x, 2, 2);
  x = b.conv("bits_to_float", x, 8, 1, 1, Precision::binary, DType::float32);
  x = b.global_average_pool("gap", x);
  x = b.dense("classifier", x, 4, Precision::float32);
  x = b.softmax("prob", x);
  return b.finish({"a", "b", "c", "d"});
}

// An Inception block (branches, concat) of the given precision, with an int8 output from the binary one.
GraphDef inception(Precision precision) {
  NetworkBuilder b(tiny_input(), 2);
  auto x = b.conv("stem", b.input(), 8, 3, 2, precision == Precision::binary ? Precision::float32 : precision);
  x = b.inception("block", x, {4, 4, 8, 2, 4, 4, true}, precision, DType::int8);
  x = b.global_average_pool("gap", x);
  x = b.dense("classifier", x, 3, Precision::int8);
  return b.finish({"x", "y", "z"});
}

void write(const std::string& path, std::span<const std::byte> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: xnor-fuzz-seeds DIRECTORY\n";
    return 2;
  }
  const std::string dir = argv[1];
  const std::vector<std::byte> mixed_file = serialize_model(mixed());
  write(dir + "/mixed.xnm", mixed_file);
  write(dir + "/inception_float.xnm", serialize_model(inception(Precision::float32)));
  write(dir + "/inception_int8.xnm", serialize_model(inception(Precision::int8)));
  write(dir + "/inception_binary.xnm", serialize_model(inception(Precision::binary)));
  write(dir + "/truncated_header.xnm", std::span(mixed_file).first(32));
  write(dir + "/truncated_half.xnm", std::span(mixed_file).first(mixed_file.size() / 2));
  return 0;
}
