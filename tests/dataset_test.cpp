#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "tests/support.hpp"
#include "xnor/dataset.hpp"

using namespace xnor;
namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// An uncompressed idx file: zeros, type, dimension count, big-endian dimensions, then `data`.
std::string idx_file(std::uint8_t type, const std::vector<std::uint32_t>& shape, const std::string& data) {
  std::string file = {'\0', '\0', static_cast<char>(type), static_cast<char>(shape.size())};
  for (std::uint32_t d : shape) {
    for (int shift = 24; shift >= 0; shift -= 8) file += static_cast<char>((d >> shift) & 0xff);
  }
  return file + data;
}

}  // namespace

TEST_CASE("Fashion-MNIST's test set: 10,000 labelled 28x28 gray images") {
  const LabelledImages set = load_fashion_mnist("test");
  REQUIRE(set.size() == 10000);
  REQUIRE(set.labels.size() == 10000);
  CHECK(set.classes == fashion_mnist_classes());
  CHECK(set.classes[9] == "Ankle boot");
  CHECK(set.files.empty());
  CHECK(std::all_of(set.labels.begin(), set.labels.end(), [](int label) { return label >= 0 && label <= 9; }));
  for (const Image& image : set.images) {
    REQUIRE(image.h == 28);
    REQUIRE(image.w == 28);
    REQUIRE(image.c == 1);
    REQUIRE(image.pixels.size() == 784);
  }
  // Read from the file with Python (gzip + numpy): the first test image is an ankle boot whose pixels sum
  // to 33456; the test set has 1000 images of each class.
  CHECK(set.labels[0] == 9);
  CHECK(std::accumulate(set.images[0].pixels.begin(), set.images[0].pixels.end(), 0) == 33456);
  for (int label = 0; label < 10; ++label) CHECK(std::count(set.labels.begin(), set.labels.end(), label) == 1000);

  const LabelledImages first = load_fashion_mnist("test", 200);
  REQUIRE(first.size() == 200);
  CHECK(std::equal(first.labels.begin(), first.labels.end(), set.labels.begin()));
  CHECK(first.images[199].pixels == set.images[199].pixels);
}

TEST_CASE("Fashion-MNIST's training set starts with the labels the file holds") {
  const LabelledImages set = load_fashion_mnist("train", 10);
  CHECK(set.labels == std::vector<int>{9, 0, 0, 3, 0, 2, 7, 2, 5, 5});
  CHECK_THROWS_AS(load_fashion_mnist("validation"), DatasetError);
  CHECK_THROWS_WITH_AS(load_fashion_mnist("test", 0, "/no/such/dir"), doctest::Contains("/no/such/dir/t10k-images-idx3-ubyte.gz: cannot open"),
                       DatasetError);
}

TEST_CASE("idx files: shapes, limits, and every truncation, hostile size or trailing byte refused") {
  const test::TempDir dir("idx-test");
  const fs::path path = dir.path / "small.idx";
  const std::string file = idx_file(8, {3, 2}, "abcdef");
  write_file(path, file);
  const IdxArray whole = load_idx(path.string());
  CHECK(whole.shape == std::vector<std::size_t>{3, 2});
  CHECK(std::string(whole.values.begin(), whole.values.end()) == "abcdef");
  const IdxArray first = load_idx(path.string(), 2);
  CHECK(first.shape == std::vector<std::size_t>{2, 2});
  CHECK(std::string(first.values.begin(), first.values.end()) == "abcd");

  for (std::size_t length = 0; length < file.size(); ++length) {
    CAPTURE(length);
    write_file(path, file.substr(0, length));
    CHECK_THROWS_WITH_AS(load_idx(path.string()), doctest::Contains("small.idx"), DatasetError);
  }
  const std::vector<std::string> hostile = {
      file + "g",                                                      // a byte after the data
      "\x01" + file.substr(1),                                         // bad magic
      idx_file(0x0d, {3, 2}, "abcdefabcdefabcdefabcdef"),              // floats
      idx_file(8, {}, ""),                                             // no dimensions
      idx_file(8, {1, 1, 1, 1, 1}, "a"),                               // five dimensions
      idx_file(8, {0xffffffff, 0xffffffff, 0xffffffff}, "abc"),        // more values than anything holds
      idx_file(8, {0xffff, 0xffff}, "abcdef"),                         // claims 4 GB, holds 6 bytes
  };
  for (const std::string& bytes : hostile) {
    write_file(path, bytes);
    CHECK_THROWS_WITH_AS(load_idx(path.string()), doctest::Contains("small.idx"), DatasetError);
  }

  // A gzip stream cut short: half of the real labels file.
  std::ifstream labels(std::string(fashion_mnist_dir) + "/t10k-labels-idx1-ubyte.gz", std::ios::binary);
  const std::string compressed((std::istreambuf_iterator<char>(labels)), std::istreambuf_iterator<char>());
  REQUIRE(compressed.size() > 100);
  write_file(path, compressed.substr(0, compressed.size() / 2));
  CHECK_THROWS_WITH_AS(load_idx(path.string()), doctest::Contains("small.idx"), DatasetError);
}

TEST_CASE("image folders: sorted classes, images taken from the classes in turn, bad files reported") {
  const test::TempDir dir("folder-test");
  // Binary PGM images: 2x1 gray, the first pixel tells them apart.
  const auto pgm = [](char first) { return std::string("P5\n2 1\n255\n") + first + '\x10'; };
  fs::create_directories(dir.path / "sandal");
  fs::create_directories(dir.path / "bag");
  fs::create_directories(dir.path / ".hidden");
  write_file(dir.path / "bag" / "b1.pgm", pgm('\x01'));
  write_file(dir.path / "bag" / "b2.pgm", pgm('\x02'));
  write_file(dir.path / "bag" / "b3.pgm", pgm('\x03'));
  write_file(dir.path / "bag" / ".DS_Store", "not an image");
  write_file(dir.path / "sandal" / "s1.pgm", pgm('\x11'));
  write_file(dir.path / "sandal" / "s2.txt", "not an image");
  write_file(dir.path / ".hidden" / "h.pgm", pgm('\x21'));

  std::vector<std::string> bad;
  const LabelledImages set =
      load_image_folder(dir.path.string(), 0, [&](const std::string& path, const std::string&) { bad.push_back(path); });
  CHECK(set.classes == std::vector<std::string>{"bag", "sandal"});
  CHECK(set.labels == std::vector<int>{0, 1, 0, 0});
  std::vector<int> first_pixels;
  for (const Image& image : set.images) first_pixels.push_back(image.pixels.at(0));
  CHECK(first_pixels == std::vector<int>{0x01, 0x11, 0x02, 0x03});
  CHECK(set.files.at(1) == (dir.path / "sandal" / "s1.pgm").string());
  CHECK(bad == std::vector<std::string>{(dir.path / "sandal" / "s2.txt").string()});

  const LabelledImages limited = load_image_folder(dir.path.string(), 2, [](const std::string&, const std::string&) {});
  CHECK(limited.labels == std::vector<int>{0, 1});
  // Without a handler a bad file is an error.
  CHECK_THROWS_AS(load_image_folder(dir.path.string()), ImageError);
  CHECK_THROWS_WITH_AS(load_image_folder((dir.path / "bag").string()), doctest::Contains("no class sub-folders"), DatasetError);
  CHECK_THROWS_AS(load_image_folder((dir.path / "missing").string()), DatasetError);
}
