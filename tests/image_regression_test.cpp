// Inputs the image fuzzer (tools/fuzz.sh) once crashed or hung a decoder with (tests/fuzz/regressions/image_*;
// the first ones found holes in stb_image, which xnor used before libjpeg-turbo and libpng): each must decode
// to a consistent image or be refused with an ImageError, the same from memory as from its file.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <vector>

#include "xnor/image.hpp"

namespace {

// The decoded image, or an empty one when it is refused.
xnor::Image decoded_or_refused(const auto& decode) {
  try {
    const xnor::Image image = decode();
    CHECK(image.pixels.size() == image.h * image.w * image.c);
    CHECK(image.pixels.size() > 0);
    return image;
  } catch (const xnor::ImageError&) {
    return {};
  }
}

}  // namespace

TEST_CASE("every image fuzzer regression input in tests/fuzz/regressions decodes consistently or is refused") {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(XNOR_SOURCE_DIR "/tests/fuzz/regressions")) {
    if (!entry.path().filename().string().starts_with("image_")) continue;
    const std::string path = entry.path().string();
    CAPTURE(path);
    std::ifstream in(path, std::ios::binary);
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const xnor::Image from_file = decoded_or_refused([&] { return xnor::load_image(path); });
    const xnor::Image from_memory = decoded_or_refused([&] { return xnor::decode_image(std::as_bytes(std::span(bytes)), path); });
    CHECK(from_file.pixels == from_memory.pixels);
    ++files;
  }
  CHECK(files > 0);
}
