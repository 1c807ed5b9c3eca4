// EXIF orientation (a JPEG's APP1 segment, a PNG's eXIf chunk) applied as decoding ends, and a JPEG decoded
// at the DCT scale that a needed size allows.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <random>
#include <vector>

#include "src/image/orientation.hpp"
#include "tests/image_files.hpp"
#include "tests/support.hpp"
#include "xnor/image.hpp"
#include "xnor/model.hpp"
#include "xnor/model_file.hpp"

using namespace xnor;
using test::Bytes;

namespace {

// Stored as 2 rows of 3: 1 2 3 / 4 5 6.
const std::vector<std::uint8_t> stored_pixels = {1, 2, 3, 4, 5, 6};

struct Shown {
  std::size_t h, w;
  std::vector<std::uint8_t> pixels;
};

// How each orientation shows the stored image, written out by hand from the EXIF standard's definitions.
const Shown shown_as[9] = {
    {},
    {2, 3, {1, 2, 3, 4, 5, 6}},  // 1: as stored
    {2, 3, {3, 2, 1, 6, 5, 4}},  // 2: mirrored left-right
    {2, 3, {6, 5, 4, 3, 2, 1}},  // 3: turned 180 degrees
    {2, 3, {4, 5, 6, 1, 2, 3}},  // 4: mirrored top-bottom
    {3, 2, {1, 4, 2, 5, 3, 6}},  // 5: transposed
    {3, 2, {4, 1, 5, 2, 6, 3}},  // 6: turned 90 degrees clockwise
    {3, 2, {6, 3, 5, 2, 4, 1}},  // 7: transverse
    {3, 2, {3, 6, 2, 5, 1, 4}},  // 8: turned 90 degrees counter-clockwise
};

// Smooth (JPEG keeps it well), and no two orientations of it look alike.
std::vector<std::uint8_t> gradient(int w, int h, int c) { return test::gradient_pixels(w, h, c, {3, 7, 60}); }

}  // namespace

TEST_CASE("each of the eight EXIF orientations of a PNG shows its pixels as the standard says, in both byte orders") {
  const Bytes png = test::encode_png(3, 2, 1, stored_pixels);
  for (int orientation = 1; orientation <= 8; ++orientation) {
    for (bool little_endian : {true, false}) {
      CAPTURE(orientation);
      CAPTURE(little_endian);
      const Bytes file = test::with_png_exif(png, test::exif_orientation_tiff(orientation, little_endian));
      const Image image = decode_image(file, "oriented.png");
      CHECK(image.h == shown_as[orientation].h);
      CHECK(image.w == shown_as[orientation].w);
      CHECK(image.pixels == shown_as[orientation].pixels);
      const Image stored = decode_image(file, "oriented.png", {}, {.apply_orientation = false});
      CHECK(stored.h == 2);
      CHECK(stored.pixels == stored_pixels);
    }
  }
}

TEST_CASE("a JPEG's EXIF orientation turns its decoded pixels as a PNG's does") {
  const int w = 24, h = 16;
  const Bytes jpeg = test::encode_jpeg(w, h, 3, gradient(w, h, 3), 90);
  const Image plain = decode_image(jpeg, "plain.jpg");
  for (int orientation = 1; orientation <= 8; ++orientation) {
    CAPTURE(orientation);
    const Bytes tiff = test::exif_orientation_tiff(orientation, orientation % 2 == 0);
    const Image from_jpeg = decode_image(test::with_jpeg_exif(jpeg, tiff), "oriented.jpg");
    const Image from_png = decode_image(test::with_png_exif(test::encode_png(w, h, 3, plain.pixels), tiff), "oriented.png");
    CHECK(from_jpeg.h == from_png.h);
    CHECK(from_jpeg.w == from_png.w);
    CHECK(from_jpeg.pixels == from_png.pixels);
  }
}

TEST_CASE("an orientation that is missing, out of range or unreadable leaves the image as stored") {
  const Bytes png = test::encode_png(3, 2, 1, stored_pixels);
  for (int orientation : {0, 9, 0xffff}) {
    CAPTURE(orientation);
    CHECK(decode_image(test::with_png_exif(png, test::exif_orientation_tiff(orientation)), "odd.png").pixels == stored_pixels);
  }
  Bytes wrong_type = test::exif_orientation_tiff(6);
  wrong_type[12] = std::byte{4};  // a LONG, not a SHORT
  CHECK(decode_image(test::with_png_exif(png, wrong_type), "long.png").pixels == stored_pixels);
  // Every cut of the TIFF structure, and random bytes, read safely (AddressSanitizer watches the reads); a cut
  // after the tag's value (its first 22 bytes) still turns the image.
  const Bytes tiff = test::exif_orientation_tiff(6);
  for (std::size_t size = 0; size < tiff.size(); ++size) {
    CAPTURE(size);
    const Image image = decode_image(test::with_png_exif(png, Bytes(tiff.begin(), tiff.begin() + size)), "cut.png");
    CHECK(image.pixels == (size >= 22 ? shown_as[6].pixels : stored_pixels));
  }
  std::mt19937_64 rng(test::seed());
  for (int trial = 0; trial < 500; ++trial) {
    Bytes noisy = tiff;
    noisy[rng() % noisy.size()] = static_cast<std::byte>(rng());
    const Image image = decode_image(test::with_png_exif(png, noisy), "noisy.png");
    CHECK(image.pixels.size() == 6);
  }
}

TEST_CASE("a JPEG is decoded at the smallest DCT scale still at least the size asked for, on the axes as shown") {
  const int w = 64, h = 48;
  const Bytes jpeg = test::encode_jpeg(w, h, 3, gradient(w, h, 3), 90);
  const auto size_for = [](const Bytes& file, std::size_t min_h, std::size_t min_w, bool apply_orientation = true) {
    const Image image = decode_image(file, "scaled.jpg", {}, {min_h, min_w, apply_orientation});
    return std::pair{image.h, image.w};
  };
  CHECK(size_for(jpeg, 0, 0) == std::pair<std::size_t, std::size_t>{48, 64});
  CHECK(size_for(jpeg, 6, 8) == std::pair<std::size_t, std::size_t>{6, 8});      // 1/8
  CHECK(size_for(jpeg, 6, 9) == std::pair<std::size_t, std::size_t>{12, 16});    // 1/4
  CHECK(size_for(jpeg, 13, 1) == std::pair<std::size_t, std::size_t>{24, 32});   // 1/2
  CHECK(size_for(jpeg, 48, 64) == std::pair<std::size_t, std::size_t>{48, 64});  // full size
  CHECK(size_for(jpeg, 99, 99) == std::pair<std::size_t, std::size_t>{48, 64});  // never more than full size
  // Shown turned (orientation 6), the 64 stored columns are the 64 rows asked for.
  const Bytes turned = test::with_jpeg_exif(jpeg, test::exif_orientation_tiff(6));
  CHECK(size_for(turned, 8, 6) == std::pair<std::size_t, std::size_t>{8, 6});
  CHECK(size_for(turned, 9, 6) == std::pair<std::size_t, std::size_t>{16, 12});
  CHECK(size_for(turned, 9, 6, false) == std::pair<std::size_t, std::size_t>{12, 16});
  // Scaling averages in the DCT: the 1/8 image is close to the full one's 8x8 block means.
  const Image full = decode_image(jpeg, "full.jpg");
  const Image eighth = decode_image(jpeg, "eighth.jpg", {}, {6, 8});
  double error = 0;
  for (std::size_t y = 0; y < 6; ++y) {
    for (std::size_t x = 0; x < 8; ++x) {
      for (std::size_t ch = 0; ch < 3; ++ch) {
        double sum = 0;
        for (std::size_t dy = 0; dy < 8; ++dy) {
          for (std::size_t dx = 0; dx < 8; ++dx) sum += full.pixels[((8 * y + dy) * 64 + 8 * x + dx) * 3 + ch];
        }
        error += std::abs(sum / 64 - eighth.pixels[(y * 8 + x) * 3 + ch]);
      }
    }
  }
  CHECK(error / (6 * 8 * 3) < 3.0);
}

TEST_CASE("the eight orientations of one photo classify as the upright photo does (the bundled binary model)") {
  auto model = std::make_shared<const Model>(load_model_file(XNOR_SOURCE_DIR "/models/fashion-inception-binary.xnm"));
  Session session(model);
  // The trouser sample enlarged to a 96x128 RGB photo, shown upright.
  const InputSpec raw{128, 96, 3, {0.0f, 0.0f, 0.0f}, {1.0f, 1.0f, 1.0f}, 255.0f, false};
  const std::vector<float> values = preprocess(load_image(XNOR_SOURCE_DIR "/models/samples/1-trouser.png"), raw);
  Image upright{128, 96, 3, std::vector<std::uint8_t>(values.size())};
  for (std::size_t i = 0; i < values.size(); ++i) upright.pixels[i] = static_cast<std::uint8_t>(std::lround(values[i]));
  const DecodeOptions for_model = DecodeOptions::for_input(model->graph().input);
  const std::string expected = session.classify(upright, 1).front().label;
  CHECK(expected == "Trouser");
  for (int orientation = 1; orientation <= 8; ++orientation) {
    CAPTURE(orientation);
    // Stored turned the other way (orientations 6 and 8 undo each other, the others undo themselves), as a
    // camera would store it; the decoder must turn it back.
    const Image stored = image_detail::oriented(upright, orientation == 6 ? 8 : orientation == 8 ? 6 : orientation);
    const Bytes tiff = test::exif_orientation_tiff(orientation);
    const int w = static_cast<int>(stored.w), h = static_cast<int>(stored.h);
    const Image from_png = decode_image(test::with_png_exif(test::encode_png(w, h, 3, stored.pixels), tiff), "photo.png");
    CHECK(from_png.pixels == upright.pixels);
    const Image from_jpeg =
        decode_image(test::with_jpeg_exif(test::encode_jpeg(w, h, 3, stored.pixels, 90), tiff), "photo.jpg", {}, for_model);
    CHECK(from_jpeg.h == 64);  // 1/2 of 128 x 96 (at 1/4 the width, 24, would not cover 28)
    CHECK(from_jpeg.w == 48);
    CHECK(session.classify(from_jpeg, 1).front().label == expected);
    // Ignoring the orientation, a turned photo is seen as stored.
    const Image as_stored = decode_image(test::with_png_exif(test::encode_png(w, h, 3, stored.pixels), tiff), "photo.png", {},
                                         {.apply_orientation = false});
    CHECK(as_stored.pixels == stored.pixels);
  }
}
