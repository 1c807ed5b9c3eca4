// Writes the image fuzz target's seed corpus (tests/fuzz/corpus/image/): tiny images of every format and
// channel count the decoder reads, a PNG with a transparent colour key, and truncations. Run once; its
// outputs are committed, not generated per run. Usage: xnor-fuzz-image-seeds DIRECTORY
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/image_files.hpp"

using xnor::test::Bytes;

namespace {

// A diagonal gradient with a different phase per channel: every byte value occurs, nothing compresses away.
std::vector<std::uint8_t> gradient(int w, int h, int c) {
  std::vector<std::uint8_t> pixels;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int ch = 0; ch < c; ++ch) pixels.push_back(static_cast<std::uint8_t>(9 * x + 17 * y + 85 * ch));
    }
  }
  return pixels;
}

void write(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

Bytes first_half(const Bytes& bytes) {
  return Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: xnor-fuzz-image-seeds DIRECTORY\n";
    return 2;
  }
  using namespace xnor::test;
  const std::string dir = argv[1];
  const Bytes gray_png = encode_png(28, 28, 1, gradient(28, 28, 1));
  write(dir + "/gray_28x28.png", gray_png);
  write(dir + "/gray_alpha_9x7.png", encode_png(9, 7, 2, gradient(9, 7, 2)));
  write(dir + "/rgb_key_6x4.png", with_colour_key(encode_png(6, 4, 3, gradient(6, 4, 3)), 3, {9, 94, 179}));
  write(dir + "/rgba_16x12.png", encode_png(16, 12, 4, gradient(16, 12, 4)));
  write(dir + "/rgb_20x10.bmp", encode_bmp(20, 10, 3, gradient(20, 10, 3)));
  write(dir + "/rgba_6x5.bmp", encode_bmp(6, 5, 4, gradient(6, 5, 4)));
  write(dir + "/gray_12x9.pgm", encode_pnm(12, 9, 1, gradient(12, 9, 1)));
  write(dir + "/rgb_7x5.ppm", encode_pnm(7, 5, 3, gradient(7, 5, 3)));
  const Bytes rgb_jpeg = encode_jpeg(24, 16, 3, gradient(24, 16, 3), 80);
  write(dir + "/rgb_24x16.jpg", rgb_jpeg);
  write(dir + "/gray_16x16.jpg", encode_jpeg(16, 16, 1, gradient(16, 16, 1), 80));
  write(dir + "/truncated_half.png", first_half(gray_png));
  write(dir + "/truncated_half.jpg", first_half(rgb_jpeg));
  return 0;
}
