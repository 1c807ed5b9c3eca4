// BMP: Windows bitmaps (40, 52, 56, 108 or 124-byte info headers) and OS/2 1.x ones (12 bytes: 16-bit sides,
// 3-byte palette entries); 1, 4 and 8-bit palette pixels, 24-bit BGR, and 16 and 32-bit pixels, uncompressed
// (BI_RGB: 5-5-5 and B,G,R,A) or with colour masks (BI_BITFIELDS). Rows are padded to 4 bytes and stored bottom
// row first, top first when the height is negative.
//
// A mask's field v, of maximum m (the mask shifted down), becomes round(v * 255 / m): an 8-bit field is kept, a
// zero mask gives 0. The image has 4 channels when it has an alpha mask, else 3; a 32-bit image whose alpha is
// 0 in every pixel is opaque (255), as writers of B,G,R,unused pixels intend.
#include <algorithm>
#include <array>
#include <bit>

#include "src/image/decoders.hpp"
#include "xnor/error.hpp"

namespace xnor::image_detail {
namespace {

constexpr std::uint64_t file_header_bytes = 14;

// Read from bytes the caller has checked are in the file.
std::uint32_t little_endian(std::span<const std::uint8_t> file, std::uint64_t at, int bytes) {
  std::uint32_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = value << 8 | file[at + static_cast<std::uint64_t>(i)];
  return value;
}

std::uint8_t masked(std::uint32_t pixel, std::uint32_t mask) {
  if (mask == 0) return 0;
  const int shift = std::countr_zero(mask);
  const std::uint64_t max = mask >> shift, v = (pixel & mask) >> shift;
  return static_cast<std::uint8_t>((510 * v + max) / (2 * max));  // round(v * 255 / max)
}

}  // namespace

Image decode_bmp(std::span<const std::uint8_t> file, const std::string& name, const ImageLimits& limits) {
  const auto corrupt = [&](const std::string& why) { return ImageError(name + ": corrupt BMP header (" + why + ")"); };
  const auto unsupported = [&](const std::string& what) {
    return ImageError(name + ": unsupported BMP (" + what + ")");
  };
  const auto need = [&](std::uint64_t bytes) {
    if (file.size() < bytes) throw corrupt("it ends too soon");
  };
  need(file_header_bytes + 4);  // decode_image has matched its "BM"
  const std::uint64_t pixels_offset = little_endian(file, 10, 4), info_bytes = little_endian(file, 14, 4);
  if (info_bytes != 12 && info_bytes != 40 && info_bytes != 52 && info_bytes != 56 && info_bytes != 108 &&
      info_bytes != 124) {
    throw unsupported("an info header of " + std::to_string(info_bytes) + " bytes");
  }
  need(file_header_bytes + info_bytes);
  const bool os2 = info_bytes == 12;
  // Sides are signed 32-bit numbers (16-bit unsigned for OS/2), held in 64 bits so that |INT32_MIN| fits.
  const auto side = [&](std::uint64_t at) -> std::int64_t {
    if (os2) return little_endian(file, at, 2);
    return static_cast<std::int32_t>(little_endian(file, at, 4));
  };
  const std::int64_t w = side(18), signed_h = side(os2 ? 20 : 22);
  const std::uint32_t planes = little_endian(file, os2 ? 22 : 26, 2), bits = little_endian(file, os2 ? 24 : 28, 2);
  const std::uint32_t compression = os2 ? 0 : little_endian(file, 30, 4);
  if (planes != 1) throw corrupt(std::to_string(planes) + " planes");
  if (bits != 1 && bits != 4 && bits != 8 && bits != 16 && bits != 24 && bits != 32) {
    throw unsupported(std::to_string(bits) + " bits per pixel");
  }
  constexpr std::uint32_t bitfields = 3;
  if (compression != 0 && !(compression == bitfields && (bits == 16 || bits == 32))) {
    throw unsupported("compression " + std::to_string(compression));
  }

  // Red, green, blue and alpha masks: BI_BITFIELDS's follow a 40-byte header, or are in a longer one.
  std::array<std::uint32_t, 4> masks{};
  std::uint64_t headers_end = file_header_bytes + info_bytes;
  if (compression == bitfields) {
    if (info_bytes == 40) headers_end += 12;
    need(headers_end);
    for (std::uint64_t i = 0; i < (info_bytes >= 56 ? 4 : 3); ++i) masks[i] = little_endian(file, 54 + 4 * i, 4);
  } else if (bits == 16) {
    masks = {0x7c00, 0x03e0, 0x001f, 0};
  } else if (bits == 32) {
    masks = {0xff0000, 0xff00, 0xff, 0xff000000};
  }
  if (pixels_offset < headers_end) {
    throw corrupt("its pixels start at byte " + std::to_string(pixels_offset) + ", inside its headers");
  }

  const std::int64_t h = signed_h < 0 ? -signed_h : signed_h;
  check_size(w, h, name, limits);
  const auto width = static_cast<std::uint64_t>(w), height = static_cast<std::uint64_t>(h);
  // No overflow: row_bytes <= 2^33 - 4 (width < 2^31, 32 bits), height <= 2^31 and the offset < 2^32.
  const std::uint64_t row_bytes = (width * bits + 31) / 32 * 4;
  const std::uint64_t needed = pixels_offset + row_bytes * height;
  if (file.size() < needed) {
    throw ImageError(name + ": truncated BMP image (" + std::to_string(file.size()) + " of " + std::to_string(needed) +
                     " bytes)");
  }

  // The palette fills the space up to the pixels: no more entries than the pixels can name, or than it says it
  // uses.
  const std::uint64_t entry_bytes = os2 ? 3 : 4;
  std::uint64_t palette_size = 0;
  if (bits <= 8) {
    palette_size = std::min<std::uint64_t>((pixels_offset - headers_end) / entry_bytes, std::uint64_t{1} << bits);
    const std::uint32_t used = os2 ? 0 : little_endian(file, 46, 4);
    if (used != 0) palette_size = std::min<std::uint64_t>(palette_size, used);
    if (palette_size == 0) {
      throw ImageError(name + ": corrupt BMP (no palette for its " + std::to_string(bits) + "-bit pixels)");
    }
  }

  const bool alpha = masks[3] != 0;
  Image image{height, width, alpha ? 4u : 3u, std::vector<std::uint8_t>(height * width * (alpha ? 4 : 3))};
  std::uint8_t* out = image.pixels.data();
  bool any_alpha = false;
  for (std::uint64_t y = 0; y < height; ++y) {
    const std::uint64_t row = pixels_offset + (signed_h < 0 ? y : height - 1 - y) * row_bytes;
    for (std::uint64_t x = 0; x < width; ++x, out += image.c) {
      if (bits <= 8) {
        const std::uint64_t bit = x * bits;  // pixels fill each byte from its high bits down
        const std::uint64_t entry = file[row + bit / 8] >> (8 - bits - bit % 8) & ((1u << bits) - 1);
        if (entry >= palette_size) {
          throw ImageError(name + ": corrupt BMP (a pixel names palette entry " + std::to_string(entry) + " of " +
                           std::to_string(palette_size) + ")");
        }
        const std::uint64_t bgr = headers_end + entry * entry_bytes;
        out[0] = file[bgr + 2], out[1] = file[bgr + 1], out[2] = file[bgr];
      } else if (bits == 24) {
        const std::uint64_t bgr = row + 3 * x;
        out[0] = file[bgr + 2], out[1] = file[bgr + 1], out[2] = file[bgr];
      } else {
        const std::uint32_t pixel = little_endian(file, row + x * bits / 8, static_cast<int>(bits / 8));
        for (std::size_t ch = 0; ch < image.c; ++ch) out[ch] = masked(pixel, masks[ch]);
        any_alpha = any_alpha || (alpha && out[3] != 0);
      }
    }
  }
  if (bits == 32 && alpha && !any_alpha) {
    for (std::size_t i = 3; i < image.pixels.size(); i += 4) image.pixels[i] = 255;
  }
  return image;
}

}  // namespace xnor::image_detail
