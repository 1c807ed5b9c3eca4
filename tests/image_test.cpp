#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/image_files.hpp"
#include "tests/jpeg_files.hpp"
#include "tests/support.hpp"
#include "xnor/image.hpp"
#include "xnor/xtensor.hpp"

using namespace xnor;
using test::Bytes;

namespace {

std::vector<std::uint8_t> random_pixels(std::mt19937_64& rng, std::size_t count) {
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<std::uint8_t> pixels(count);
  for (std::uint8_t& v : pixels) v = static_cast<std::uint8_t>(byte(rng));
  return pixels;
}

// The message of the ImageError that decoding `bytes` throws, or "" if it decodes.
std::string decode_error(const Bytes& bytes, const std::string& name = "test.img", const ImageLimits& limits = {}) {
  try {
    decode_image(bytes, name, limits);
  } catch (const ImageError& error) {
    return error.what();
  }
  return "";
}

// Raw values: no scaling (value_max 255), no normalization.
InputSpec raw_spec(std::size_t h, std::size_t w, std::size_t c) {
  return {h, w, c, std::vector<float>(c, 0.0f), std::vector<float>(c, 1.0f), 255.0f, false};
}

Image gray(std::size_t h, std::size_t w, std::vector<std::uint8_t> pixels) { return {h, w, 1, std::move(pixels)}; }

void check_close(const std::vector<float>& got, const std::vector<float>& expected) {
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i] == doctest::Approx(expected[i]).epsilon(1e-5));
  }
}

void write_file(const std::filesystem::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

TEST_CASE("PNG, BMP, PGM and PPM images decode to their exact pixels and channels") {
  std::mt19937_64 rng(test::seed());
  const int w = 7, h = 5;
  for (int c : {1, 2, 3, 4}) {
    CAPTURE(c);
    const std::vector<std::uint8_t> pixels = random_pixels(rng, static_cast<std::size_t>(w * h * c));
    std::vector<std::pair<std::string, Bytes>> files = {{"png", test::encode_png(w, h, c, pixels)}};
    if (c >= 3) files.emplace_back("bmp", test::encode_bmp(w, h, c, pixels));
    if (c == 1 || c == 3) files.emplace_back("pnm", test::encode_pnm(w, h, c, pixels));
    for (const auto& file : files) {
      const std::string& format = file.first;
      const Bytes& bytes = file.second;
      CAPTURE(format);
      const Image image = decode_image(bytes, "test." + format);
      CHECK(image.h == h);
      CHECK(image.w == w);
      CHECK(image.c == c);
      CHECK(image.pixels == pixels);
    }
  }
}

TEST_CASE("a BMP stored top row first (a negative height) decodes upright") {
  Bytes bmp = test::bmp_header(1, static_cast<std::uint32_t>(-2));
  for (int v : {3, 2, 1, 0, 6, 5, 4, 0}) bmp.push_back(static_cast<std::byte>(v));  // BGR rows padded to 4 bytes
  const Image image = decode_image(bmp, "top-down.bmp");
  CHECK(image.h == 2);
  CHECK(image.w == 1);
  CHECK(image.pixels == std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6});
}

TEST_CASE("a palette BMP decodes through its palette, and a pixel past the palette is refused") {
  const auto bmp = [](std::uint32_t w, std::uint32_t bits, std::initializer_list<int> palette_and_row) {
    Bytes bytes = test::bmp_header(w, 1, bits, 2);
    for (int v : palette_and_row) bytes.push_back(static_cast<std::byte>(v));
    return bytes;
  };
  // Palette entries are blue, green, red, unused: red and green.
  CHECK(decode_image(bmp(2, 8, {0, 0, 255, 0, 0, 255, 0, 0, 0, 1, 0, 0}), "8-bit.bmp").pixels ==
        std::vector<std::uint8_t>{255, 0, 0, 0, 255, 0});
  CHECK(decode_image(bmp(3, 1, {0, 0, 255, 0, 0, 255, 0, 0, 0b10100000, 0, 0, 0}), "1-bit.bmp").pixels ==
        std::vector<std::uint8_t>{0, 255, 0, 255, 0, 0, 0, 255, 0});
  CHECK(decode_error(bmp(2, 8, {0, 0, 255, 0, 0, 255, 0, 0, 0, 2, 0, 0}), "past.bmp") ==
        "past.bmp: corrupt BMP (a pixel names palette entry 2 of 2)");
  CHECK(decode_error(bmp(3, 4, {0, 0, 255, 0, 0, 255, 0, 0, 0x10, 0x20, 0, 0}), "past.bmp") ==
        "past.bmp: corrupt BMP (a pixel names palette entry 2 of 2)");
}

TEST_CASE("a JPEG decodes to its size and, lossily, its pixels") {
  std::vector<std::uint8_t> pixels;
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 24; ++x) {
      for (int ch = 0; ch < 3; ++ch) pixels.push_back(static_cast<std::uint8_t>(8 * x + 4 * y + 40 * ch));
    }
  }
  const Image image = decode_image(test::encode_jpeg(24, 16, 3, pixels, 95), "smooth.jpg");
  CHECK(image.h == 16);
  CHECK(image.w == 24);
  REQUIRE(image.c == 3);
  double error = 0;
  for (std::size_t i = 0; i < pixels.size(); ++i) error += std::abs(image.pixels[i] - pixels[i]);
  CHECK(error / static_cast<double>(pixels.size()) < 4.0);
}

TEST_CASE("progressive, gray and CMYK/YCCK JPEGs decode to their pixels, at full size and scaled") {
  const int w = 24, h = 16;
  // Mean absolute difference from `expected`, which has `c` channels a pixel.
  const auto mean_error = [](const Image& image, const std::vector<std::uint8_t>& expected, std::size_t c) {
    REQUIRE(image.c == c);
    REQUIRE(image.pixels.size() == expected.size());
    double error = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) error += std::abs(image.pixels[i] - expected[i]);
    return error / static_cast<double>(expected.size());
  };
  std::vector<std::uint8_t> rgb, gray, cmyk, rgb_of_cmyk;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const std::uint8_t r = static_cast<std::uint8_t>(8 * x + 4 * y), g = static_cast<std::uint8_t>(200 - 6 * x),
                         b = static_cast<std::uint8_t>(40 + 9 * y);
      rgb.insert(rgb.end(), {r, g, b});
      gray.push_back(r);
      // Inverted inks with black at 200 of 255 (little black): red is then C * K / 255 = r * 200 / 255.
      cmyk.insert(cmyk.end(), {r, g, b, 200});
      for (std::uint8_t v : {r, g, b}) rgb_of_cmyk.push_back(static_cast<std::uint8_t>((v * 200 + 127) / 255));
    }
  }
  for (bool progressive : {false, true}) {
    CAPTURE(progressive);
    CHECK(mean_error(decode_image(test::encode_jpeg_with_libjpeg(w, h, 3, rgb, progressive), "rgb.jpg"), rgb, 3) < 3.0);
    CHECK(mean_error(decode_image(test::encode_jpeg_with_libjpeg(w, h, 1, gray, progressive), "gray.jpg"), gray, 1) < 3.0);
    for (J_COLOR_SPACE stored : {JCS_CMYK, JCS_YCCK}) {
      CAPTURE(stored == JCS_YCCK);
      const Bytes file = test::encode_jpeg_with_libjpeg(w, h, 4, cmyk, progressive, stored);
      CHECK(mean_error(decode_image(file, "cmyk.jpg"), rgb_of_cmyk, 3) < 3.0);
      const Image eighth = decode_image(file, "cmyk.jpg", {}, {2, 3});
      CHECK(eighth.h == 2);
      CHECK(eighth.w == 3);
      CHECK(eighth.c == 3);
    }
  }
}

TEST_CASE("a JPEG Huffman table of over 256 codes is refused, and APPn segments are skipped") {
  std::mt19937_64 rng(test::seed());
  const Bytes jpeg = test::encode_jpeg(16, 8, 3, random_pixels(rng, 16 * 8 * 3), 90);
  // The first DHT segment: 0xFF 0xC4, its length, a class and id byte, then 16 code counts.
  std::size_t dht = 0;
  while (!(jpeg[dht] == std::byte{0xff} && jpeg[dht + 1] == std::byte{0xc4})) ++dht;
  Bytes overfull = jpeg;
  for (std::size_t i = 0; i < 16; ++i) overfull[dht + 5 + i] = std::byte{17};
  CHECK(decode_error(overfull, "overfull.jpg") == "overfull.jpg: corrupt JPEG (Bogus Huffman table definition)");

  // Inside an APPn segment before the tables, the same bytes are data that the decoder skips: no error.
  Bytes app{std::byte{0xff}, std::byte{0xe1}, std::byte{0}, std::byte{0}};
  test::append(app, std::span(overfull).subspan(dht, 21));
  app[3] = static_cast<std::byte>(app.size() - 2);
  Bytes with_app(jpeg.begin(), jpeg.begin() + 2);
  test::append(with_app, app);
  test::append(with_app, std::span(jpeg).subspan(2));
  CHECK(decode_image(with_app, "app.jpg").pixels == decode_image(jpeg, "plain.jpg").pixels);
}

TEST_CASE("a PNG's transparent colour key becomes an alpha channel, dropped where no pixel has the colour") {
  const std::vector<std::uint8_t> pixels = {10, 20, 30, 20};
  const Bytes plain = test::encode_png(2, 2, 1, pixels);
  const Image keyed = decode_image(test::with_colour_key(plain, 1, {20, 0, 0}), "keyed.png");
  CHECK(keyed.c == 2);
  CHECK(keyed.pixels == std::vector<std::uint8_t>{10, 255, 20, 0, 30, 255, 20, 0});
  const Image unkeyed = decode_image(test::with_colour_key(plain, 1, {99, 0, 0}), "unkeyed.png");
  CHECK(unkeyed.c == 1);
  CHECK(unkeyed.pixels == pixels);
  const Image rgb = decode_image(test::with_colour_key(test::encode_png(1, 2, 3, {1, 2, 3, 4, 5, 6}), 3, {4, 5, 6}), "rgb.png");
  CHECK(rgb.c == 4);
  CHECK(rgb.pixels == std::vector<std::uint8_t>{1, 2, 3, 255, 4, 5, 6, 0});
}

TEST_CASE("bytes that are no image are refused with an ImageError naming the file") {
  CHECK(decode_error({}, "empty.png") == "empty.png: not a PNG, JPEG, BMP or PGM/PPM image");
  // An ASCII PPM is not read.
  CHECK(decode_error(test::text_bytes("P3\n1 1\n255\n0 0 0\n"), "shirt.ppm") == "shirt.ppm: not a PNG, JPEG, BMP or PGM/PPM image");
}

TEST_CASE("truncated images are refused with an ImageError, and corrupt ones never give a wrong-sized image") {
  std::mt19937_64 rng(test::seed());
  const std::vector<std::uint8_t> pixels = random_pixels(rng, 9 * 6 * 3);
  const std::vector<std::pair<std::string, Bytes>> files = {{"png", test::encode_png(9, 6, 3, pixels)},
                                                            {"bmp", test::encode_bmp(9, 6, 3, pixels)},
                                                            {"ppm", test::encode_pnm(9, 6, 3, pixels)},
                                                            {"jpg", test::encode_jpeg(9, 6, 3, pixels, 90)}};
  for (const auto& file : files) {
    const std::string& format = file.first;
    const Bytes& bytes = file.second;
    CAPTURE(format);
    for (std::size_t size = 0; size < bytes.size(); ++size) {
      CAPTURE(size);
      const Bytes cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
      const std::string error = decode_error(cut, "cut." + format);
      if (error.empty()) {
        // The JPEG decoder fills in missing entropy-coded data (as browsers show a cut file); a PNG decodes
        // when every pixel is there, so only its last data chunk's CRC and the end chunk may be missing.
        CHECK((format == "jpg" || (format == "png" && size >= bytes.size() - 16)));
      } else {
        CHECK(error.starts_with("cut." + format + ": "));
      }
    }
    for (int trial = 0; trial < 300; ++trial) {
      Bytes corrupt = bytes;
      for (int flip = 0; flip < 3; ++flip) corrupt[rng() % corrupt.size()] ^= static_cast<std::byte>(1 + rng() % 255);
      try {
        const Image image = decode_image(corrupt, "corrupt." + format);
        CHECK(image.pixels.size() == image.h * image.w * image.c);
      } catch (const ImageError& error) {
        CHECK(std::string(error.what()).starts_with("corrupt." + format + ": "));
      }
    }
  }
}

TEST_CASE("a PGM/PPM header is parsed strictly, and the pixels it declares must all be there") {
  // Comments and any white space between the numbers; one character ends the header.
  const Image image = decode_image(test::text_bytes("P5 # gray\n2\t# two\r1\n\n255\nAB"), "commented.pgm");
  CHECK(image.pixels == std::vector<std::uint8_t>{'A', 'B'});
  CHECK(decode_error(test::text_bytes("P5\n2 1\n255\nA"), "cut.pgm") == "cut.pgm: truncated PGM image (1 of 2 bytes of pixels)");
  CHECK(decode_error(test::text_bytes("P6\n1 1\n65535\nABCDE"), "cut.ppm") == "cut.ppm: truncated PPM image (5 of 6 bytes of pixels)");
  CHECK(decode_error(test::text_bytes("P5\n99999999999999999999 1\n255\n"), "long.pgm") ==
        "long.pgm: corrupt PGM header (a number over 99999999)");
  CHECK(decode_error(test::text_bytes("P5\n2 x\n255\nAB"), "x.pgm") == "x.pgm: corrupt PGM header (a number is missing)");
  CHECK(decode_error(test::text_bytes("P5\n1 1\n65536\nAB"), "deep.pgm") == "deep.pgm: corrupt PGM header (a maximum value over 65535)");
  CHECK(decode_error(test::text_bytes("P5\n2 1\n255"), "short.pgm").starts_with("short.pgm: corrupt PGM header (it ends too soon"));
  CHECK(decode_error(test::text_bytes("P5\n100000 100000\n255\n"), "huge.pgm") ==
        "huge.pgm: 100000x100000 pixels is over the limit of 64 megapixels");
}

TEST_CASE("an image too large or empty is refused from its header, before its pixels are allocated") {
  CHECK(decode_error(test::png_file(100000, 100000), "huge.png") ==
        "huge.png: 100000x100000 pixels is over the limit of 64 megapixels");
  CHECK(decode_error(test::png_file(20000, 10), "wide.png") == "wide.png: 20000x10 pixels is over the limit of 16384 pixels per side");
  CHECK(decode_error(test::png_file(10000, 10000), "big.png") == "big.png: 10000x10000 pixels is over the limit of 64 megapixels");
  CHECK(decode_error(test::bmp_header(100000, 100000), "huge.bmp") ==
        "huge.bmp: 100000x100000 pixels is over the limit of 64 megapixels");
  CHECK(decode_error(test::bmp_header(20000, 10), "wide.bmp") ==
        "wide.bmp: 20000x10 pixels is over the limit of 16384 pixels per side");
  CHECK(decode_error(test::png_file(0, 5), "empty.png") == "empty.png: empty image (0x5 pixels)");
  CHECK(decode_error(test::bmp_header(0, 5), "empty.bmp") == "empty.bmp: empty image (0x5 pixels)");

  const Bytes small = test::encode_png(28, 28, 1, std::vector<std::uint8_t>(28 * 28, 7));
  CHECK(decode_error(small, "small.png", {.max_pixels = 700}) == "small.png: 28x28 pixels is over the limit of 0.0007 megapixels");
  CHECK(decode_error(small, "small.png", {.max_side = 20}) == "small.png: 28x28 pixels is over the limit of 20 pixels per side");
}

TEST_CASE("compressed image data beyond what its image holds is not expanded") {
  // A 1x1 PNG whose image data inflates to 64 MiB of zeros (about 64 KB compressed): the decoder inflates a
  // row at a time and stops after the last row, so the one pixel decodes and the rest is never expanded.
  std::vector<unsigned char> zeros(std::size_t{64} << 20, 0);
  int size = 0;
  unsigned char* deflated = stbi_zlib_compress(zeros.data(), static_cast<int>(zeros.size()), &size, 1);
  REQUIRE(deflated != nullptr);
  const Bytes data(reinterpret_cast<std::byte*>(deflated), reinterpret_cast<std::byte*>(deflated) + size);
  STBIW_FREE(deflated);
  const Image image = decode_image(test::png_file(1, 1, {test::png_chunk("IDAT", data)}), "bomb.png");
  CHECK(image.pixels == std::vector<std::uint8_t>{0, 0, 0});
}

TEST_CASE("a PNG is read chunk by chunk: empty data chunks are fine; unknown critical chunks, bad CRCs and cuts are refused") {
  unsigned char row[] = {0, 10, 20, 30};  // filter byte, one RGB pixel
  int size = 0;
  unsigned char* deflated = stbi_zlib_compress(row, sizeof row, &size, 8);
  REQUIRE(deflated != nullptr);
  const Bytes data(reinterpret_cast<std::byte*>(deflated), reinterpret_cast<std::byte*>(deflated) + size);
  STBIW_FREE(deflated);
  const Bytes idat = test::png_chunk("IDAT", data);
  CHECK(decode_image(test::png_file(1, 1, {idat}), "one.png").pixels == std::vector<std::uint8_t>{10, 20, 30});
  CHECK(decode_image(test::png_file(1, 1, {test::png_chunk("IDAT", {}), idat}), "empty.png").pixels ==
        std::vector<std::uint8_t>{10, 20, 30});
  const Bytes unknown = test::png_file(1, 1, {test::png_chunk("QUUX", {}), idat});
  CHECK(decode_error(unknown, "unknown.png") == "unknown.png: corrupt PNG (QUUX: unhandled critical chunk)");
  const Bytes whole = test::png_file(1, 1, {idat});
  Bytes bad_crc = whole;
  bad_crc[32] ^= std::byte{1};  // the last byte of IHDR's CRC
  CHECK(decode_error(bad_crc, "crc.png") == "crc.png: corrupt PNG (IHDR: CRC error)");
  CHECK(decode_error(Bytes(whole.begin(), whole.begin() + 40), "cut.png") == "cut.png: truncated PNG image");
  Bytes long_chunk = whole;
  long_chunk[36] = std::byte{0x7f};  // the first byte of the IDAT's length
  CHECK(decode_error(long_chunk, "long.png") == "long.png: truncated PNG image");
}

TEST_CASE("load_image reads a file as decode_image reads its bytes, and names the file in its errors") {
  const test::TempDir dir("image-test");
  const std::vector<std::uint8_t> pixels = {1, 2, 3, 4, 5, 6};
  const Bytes png = test::encode_png(3, 2, 1, pixels);
  write_file(dir.path / "small.png", png);
  const Image image = load_image((dir.path / "small.png").string());
  CHECK(image.w == 3);
  CHECK(image.h == 2);
  CHECK(image.pixels == pixels);

  const auto load_error = [](const std::filesystem::path& path, const ImageLimits& limits = {}) -> std::string {
    try {
      load_image(path.string(), limits);
    } catch (const ImageError& error) {
      return error.what();
    }
    return "";
  };
  const std::string small = (dir.path / "small.png").string();
  CHECK(load_error(dir.path / "missing.png") == (dir.path / "missing.png").string() + ": cannot open (No such file or directory)");
  CHECK(load_error(dir.path) == dir.path.string() + ": is a directory");
  CHECK(load_error(small, {.max_file_bytes = 10}) ==
        small + ": " + std::to_string(png.size()) + " bytes is over the limit of 10 bytes for an image file");
  write_file(dir.path / "cut.png", Bytes(png.begin(), png.begin() + 40));
  CHECK(load_error(dir.path / "cut.png") == (dir.path / "cut.png").string() + ": truncated PNG image");
}

TEST_CASE("shrinking averages the area each output pixel covers") {
  // 4x4 to 2x2: each output is the mean of a 2x2 block.
  const Image blocks = gray(4, 4, {0, 10, 100, 110, 20, 30, 120, 130, 200, 210, 40, 50, 220, 230, 60, 70});
  check_close(preprocess(blocks, raw_spec(2, 2, 1)), {15, 115, 215, 55});
  // 3 to 2: the middle pixel is split between both outputs, each covering 1.5 pixels.
  check_close(preprocess(gray(1, 3, {30, 60, 90}), raw_spec(1, 2, 1)), {(30 + 0.5f * 60) / 1.5f, (0.5f * 60 + 90) / 1.5f});
  check_close(preprocess(gray(5, 1, {1, 2, 3, 4, 5}), raw_spec(1, 1, 1)), {3});
}

TEST_CASE("enlarging interpolates bilinearly between pixel centres, clamped at the edges") {
  // 2x2 to 4x4: output pixel centres fall at input positions -0.25 (clamped to 0), 0.25, 0.75, 1.25 (to 1).
  const std::vector<float> top = {0, 100}, bottom = {200, 40};
  const float weights[4] = {0.0f, 0.25f, 0.75f, 1.0f};
  std::vector<float> expected;
  for (float wy : weights) {
    for (float wx : weights) {
      const float upper = top[0] + wx * (top[1] - top[0]), lower = bottom[0] + wx * (bottom[1] - bottom[0]);
      expected.push_back(upper + wy * (lower - upper));
    }
  }
  check_close(preprocess(gray(2, 2, {0, 100, 200, 40}), raw_spec(4, 4, 1)), expected);
  // Equal sizes copy; one axis may shrink while the other grows.
  check_close(preprocess(gray(2, 2, {0, 100, 200, 40}), raw_spec(2, 2, 1)), {0, 100, 200, 40});
  check_close(preprocess(gray(1, 4, {0, 100, 200, 40}), raw_spec(3, 2, 1)), {50, 120, 50, 120, 50, 120});
}

TEST_CASE("colours become gray (BT.601 luma) or RGB, and transparency shows white") {
  const Image rgb{1, 2, 3, {255, 0, 0, 10, 200, 30}};
  check_close(preprocess(rgb, raw_spec(1, 2, 1)), {0.299f * 255, 0.299f * 10 + 0.587f * 200 + 0.114f * 30});
  check_close(preprocess(rgb, raw_spec(1, 2, 3)), {255, 0, 0, 10, 200, 30});
  check_close(preprocess(gray(1, 2, {7, 250}), raw_spec(1, 2, 3)), {7, 7, 7, 250, 250, 250});
  // Fully transparent is white; half transparent black is mid gray.
  const Image rgba{1, 2, 4, {0, 0, 0, 0, 0, 100, 0, 51}};
  check_close(preprocess(rgba, raw_spec(1, 2, 3)), {255, 255, 255, 204, 224, 204});
  const Image gray_alpha{1, 2, 2, {0, 0, 0, 255}};
  check_close(preprocess(gray_alpha, raw_spec(1, 2, 1)), {255, 0});
}

TEST_CASE("values are scaled to value_max, inverted if asked, then normalized per channel") {
  InputSpec spec{1, 3, 1, {0.5f}, {0.25f}, 1.0f, false};
  const Image image = gray(1, 3, {0, 51, 255});
  check_close(preprocess(image, spec), {-2.0f, -1.2f, 2.0f});
  spec.invert = true;
  check_close(preprocess(image, spec), {2.0f, 1.2f, -2.0f});
  const InputSpec rgb{1, 1, 3, {0.0f, 10.0f, 100.0f}, {1.0f, 2.0f, 0.5f}, 255.0f, false};
  check_close(preprocess(Image{1, 1, 3, {10, 20, 30}}, rgb), {10.0f, 5.0f, -140.0f});
}

TEST_CASE("preprocess_tensor gives the same values as an H x W x C tensor") {
  std::mt19937_64 rng(test::seed());
  const Image image{9, 13, 4, random_pixels(rng, 9 * 13 * 4)};
  const InputSpec spec{5, 17, 3, {0.1f, 0.2f, 0.3f}, {0.5f, 0.6f, 0.7f}, 1.0f, true};
  const xt::xtensor<float, 3> tensor = preprocess_tensor(image, spec);
  CHECK(tensor.shape() == xt::xtensor<float, 3>::shape_type{5, 17, 3});
  const std::vector<float> values = preprocess(image, spec);
  CHECK(std::equal(values.begin(), values.end(), tensor.begin()));
  for (float v : values) CHECK(std::isfinite(v));
}

TEST_CASE("an input that is no image is refused") {
  const Image image = gray(2, 2, {1, 2, 3, 4});
  CHECK(is_image_input(raw_spec(28, 28, 1)));
  CHECK(is_image_input(raw_spec(224, 224, 3)));
  CHECK_FALSE(is_image_input(raw_spec(4, 4, 2)));
  CHECK_FALSE(is_image_input({4, 4, 1, {}, {}, 1.0f, false}));
  CHECK_FALSE(is_image_input({4, 4, 1, {0.0f}, {0.0f}, 1.0f, false}));
  CHECK_THROWS_AS(preprocess(image, raw_spec(4, 4, 2)), std::invalid_argument);
  CHECK_THROWS_AS(preprocess(Image{2, 2, 1, {1, 2, 3}}, raw_spec(4, 4, 1)), std::invalid_argument);
}
