// Writes the image fuzz target's seed corpus (tests/fuzz/corpus/image/): tiny images of every format and
// channel count the decoder reads, a PNG with a transparent colour key, progressive and CMYK/YCCK JPEGs,
// EXIF orientations, and truncations. Run once; its outputs are committed, not generated per run.
// Usage: xnor-fuzz-image-seeds DIRECTORY
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/image_files.hpp"
#include "tests/jpeg_files.hpp"

using xnor::test::Bytes;

namespace {

// Steep enough that every byte value occurs and nothing compresses away.
std::vector<std::uint8_t> gradient(int w, int h, int c) { return xnor::test::gradient_pixels(w, h, c, {9, 17, 85}); }

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
  write(dir + "/rgb_progressive_24x16.jpg", encode_jpeg_with_libjpeg(24, 16, 3, gradient(24, 16, 3), true));
  write(dir + "/cmyk_12x8.jpg", encode_jpeg_with_libjpeg(12, 8, 4, gradient(12, 8, 4), false));
  write(dir + "/ycck_progressive_12x8.jpg", encode_jpeg_with_libjpeg(12, 8, 4, gradient(12, 8, 4), true, JCS_YCCK));
  write(dir + "/rgb_exif6_24x16.jpg", with_jpeg_exif(rgb_jpeg, exif_orientation_tiff(6)));
  write(dir + "/gray_exif8_28x28.png", with_png_exif(gray_png, exif_orientation_tiff(8, false)));
  write(dir + "/truncated_half.png", first_half(gray_png));
  write(dir + "/truncated_half.jpg", first_half(rgb_jpeg));
  return 0;
}
