#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "tests/support.hpp"
#include "xnor/npy.hpp"

using namespace xnor;
using namespace std::string_literals;

namespace {

std::vector<std::byte> bytes_of(const std::string& text) {
  std::vector<std::byte> bytes(text.size());
  std::memcpy(bytes.data(), text.data(), text.size());
  return bytes;
}

// A .npy file by hand: magic, version, header length (2 bytes for 1.0, 4 for 2.0), header, data.
std::vector<std::byte> npy_file(int major, const std::string& header, const std::string& data) {
  std::string file = "\x93NUMPY";
  file += static_cast<char>(major);
  file += '\0';
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  for (std::size_t i = 0; i < length_bytes; ++i) file += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return bytes_of(file + header + data);
}

std::string float32_data(std::initializer_list<float> values) {
  std::string data;
  for (float v : values) {
    const auto bits = std::bit_cast<std::uint32_t>(v);
    for (int i = 0; i < 4; ++i) data += static_cast<char>((bits >> (8 * i)) & 0xff);
  }
  return data;
}

std::string header_with_shape(const std::string& shape) {
  return "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }\n";
}

}  // namespace

TEST_CASE("npy files round-trip float32 arrays of any shape, bit for bit") {
  std::mt19937_64 rng(test::seed());
  std::normal_distribution<float> normal;
  const std::vector<std::vector<std::size_t>> shapes = {{}, {1}, {7}, {2, 3}, {1, 28, 28, 1}, {0, 3}, {3, 1, 2, 1, 2}};
  for (const auto& shape : shapes) {
    std::size_t count = 1;
    for (std::size_t d : shape) count *= d;
    std::vector<float> values(count);
    for (float& v : values) v = normal(rng);
    if (count >= 3) {
      values[0] = -0.0f;
      values[1] = std::numeric_limits<float>::infinity();
      values[2] = std::numeric_limits<float>::quiet_NaN();
    }
    const std::vector<std::byte> file = serialize_npy(shape, values);
    CAPTURE(file.size());
    // The data starts 64-byte aligned, as numpy writes it.
    CHECK((file.size() - 4 * count) % 64 == 0);
    const NpyArray array = parse_npy(file, "memory");
    CHECK(array.shape == shape);
    REQUIRE(array.values.size() == values.size());
    for (std::size_t i = 0; i < count; ++i) CHECK(std::bit_cast<std::uint32_t>(array.values[i]) == std::bit_cast<std::uint32_t>(values[i]));
  }
}

TEST_CASE("npy files are written exactly as numpy writes them") {
  // np.save(f, (np.arange(6, dtype=np.float32).reshape(2, 3) * 0.5 - 1)) wrote these bytes.
  const std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" + std::string(58, ' ') + "\n";
  const std::vector<std::byte> expected = npy_file(1, header, float32_data({-1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 1.5f}));
  const std::vector<std::size_t> shape = {2, 3};
  const std::vector<float> values = {-1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 1.5f};
  CHECK(serialize_npy(shape, values) == expected);
  CHECK_THROWS_AS(serialize_npy(shape, std::vector<float>(5)), NpyError);
}

TEST_CASE("npy files of float64 and uint8, and format 2.0, are read as floats") {
  std::string float64_data;
  for (double v : {1.5, -2.25}) {
    const auto bits = std::bit_cast<std::uint64_t>(v);
    for (int i = 0; i < 8; ++i) float64_data += static_cast<char>((bits >> (8 * i)) & 0xff);
  }
  const NpyArray doubles = parse_npy(npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n", float64_data), "f8");
  CHECK(doubles.shape == std::vector<std::size_t>{2});
  CHECK(doubles.values == std::vector<float>{1.5f, -2.25f});

  const NpyArray bytes = parse_npy(npy_file(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 2), }\n", "\x00\xff"s), "u1");
  CHECK(bytes.shape == std::vector<std::size_t>{1, 2});
  CHECK(bytes.values == std::vector<float>{0.0f, 255.0f});

  // Keys in another order, double quotes, no trailing comma, format 2.0.
  const NpyArray v2 = parse_npy(npy_file(2, "{\"shape\": (1,), \"fortran_order\": False, \"descr\": \"<f4\"}  \n", float32_data({3.0f})), "v2");
  CHECK(v2.shape == std::vector<std::size_t>{1});
  CHECK(v2.values == std::vector<float>{3.0f});
}

TEST_CASE("every truncation of an npy file is refused") {
  const std::vector<std::size_t> shape = {2, 3};
  const std::vector<std::byte> file = serialize_npy(shape, std::vector<float>(6, 1.0f));
  for (std::size_t length = 0; length < file.size(); ++length) {
    CAPTURE(length);
    CHECK_THROWS_AS(parse_npy(std::span(file).first(length), "cut.npy"), NpyError);
  }
  std::vector<std::byte> longer = file;
  longer.push_back(std::byte{0});
  CHECK_THROWS_WITH_AS(parse_npy(longer, "long.npy"), doctest::Contains("long.npy"), NpyError);
}

TEST_CASE("hostile or unsupported npy headers are refused with the file's name") {
  const std::string one_float = float32_data({1.0f});
  const std::vector<std::pair<std::string, std::vector<std::byte>>> files = {
      {"bad magic", bytes_of("\x93NUMPZ\x01\x00\x00\x00"s)},
      {"format 3.0", npy_file(3, header_with_shape("(1,)"), one_float)},
      {"format 1.1", [&] {
         auto f = npy_file(1, header_with_shape("(1,)"), one_float);
         f[7] = std::byte{1};
         return f;
       }()},
      {"header length beyond the file", bytes_of("\x93NUMPY\x02\x00\xff\xff\xff\xff{"s)},
      {"header length above the limit", npy_file(2, header_with_shape("(1,)") + std::string(70000, ' '), one_float)},
      {"dimension of 20 digits", npy_file(1, header_with_shape("(99999999999999999999,)"), one_float)},
      {"product of dimensions overflows", npy_file(1, header_with_shape("(4294967296, 4294967296, 4294967296)"), one_float)},
      {"shape larger than the data", npy_file(1, header_with_shape("(1000000, 1000000)"), one_float)},
      {"65 dimensions", npy_file(1, header_with_shape("(" + [] {
         std::string dims;
         for (int i = 0; i < 65; ++i) dims += "1, ";
         return dims;
       }() + ")"), one_float)},
      {"negative dimension", npy_file(1, header_with_shape("(-1,)"), one_float)},
      {"one dimension without its comma", npy_file(1, header_with_shape("(1)"), one_float)},
      {"big-endian", npy_file(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }\n", one_float)},
      {"int32", npy_file(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }\n", one_float)},
      {"Fortran order", npy_file(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }\n", one_float)},
      {"missing key", npy_file(1, "{'descr': '<f4', 'shape': (1,), }\n", one_float)},
      {"repeated key", npy_file(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", one_float)},
      {"unknown key", npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1, }\n", one_float)},
      {"no newline", npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", one_float)},
      {"text after the dict", npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } x\n", one_float)},
      {"unterminated string", npy_file(1, "{'descr: '<f4', 'fortran_order': False, 'shape': (1,), }\n", one_float)},
      {"not a dict", npy_file(1, "[1]\n", one_float)},
      {"empty header", npy_file(1, "", one_float)},
  };
  for (const auto& hostile : files) {
    INFO(hostile.first);
    CHECK_THROWS_WITH_AS(parse_npy(hostile.second, "hostile.npy"), doctest::Contains("hostile.npy: "), NpyError);
  }
}

TEST_CASE("npy files are saved whole under their name and errors name the file") {
  const test::TempDir temp("npy-test");
  const std::filesystem::path& dir = temp.path;
  const std::string path = (dir / "x.npy").string();
  const std::vector<std::size_t> shape = {2, 2};
  const std::vector<float> values = {1.0f, 2.0f, 3.0f, 4.0f};
  save_npy(path, shape, values);
  CHECK_FALSE(std::filesystem::exists(path + ".partial"));
  const NpyArray array = load_npy(path);
  CHECK(array.shape == shape);
  CHECK(array.values == values);

  CHECK_THROWS_WITH_AS(load_npy((dir / "missing.npy").string()), doctest::Contains("missing.npy: cannot open"), NpyError);
  CHECK_THROWS_WITH_AS(save_npy((dir / "no-such-dir" / "y.npy").string(), shape, values), doctest::Contains("y.npy"), NpyError);
}
