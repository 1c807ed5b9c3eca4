// Inputs the image fuzzer (tools/fuzz.sh) once crashed or hung the decoder with (tests/fuzz/regressions/image_*):
// each must now be refused with an ImageError, both decoded from memory and streamed from its file.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <vector>

#include "xnor/image.hpp"

TEST_CASE("every image fuzzer regression input in tests/fuzz/regressions is refused with an ImageError") {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(XNOR_SOURCE_DIR "/tests/fuzz/regressions")) {
    if (!entry.path().filename().string().starts_with("image_")) continue;
    const std::string path = entry.path().string();
    CAPTURE(path);
    CHECK_THROWS_AS(xnor::load_image(path), xnor::ImageError);
    std::ifstream in(path, std::ios::binary);
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    CHECK_THROWS_AS(xnor::decode_image(std::as_bytes(std::span(bytes)), path), xnor::ImageError);
    ++files;
  }
  CHECK(files > 0);
}
