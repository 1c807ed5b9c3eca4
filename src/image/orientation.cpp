#include "src/image/orientation.hpp"

#include <algorithm>

namespace xnor::image_detail {

int exif_orientation(std::span<const std::uint8_t> tiff) {
  if (tiff.size() < 8) return 1;
  const bool little_endian = tiff[0] == 'I' && tiff[1] == 'I';
  if (!little_endian && !(tiff[0] == 'M' && tiff[1] == 'M')) return 1;
  // The bytes [at, at + bytes) as a number in the file's byte order; the caller has checked they are there.
  const auto number = [&](std::size_t at, int bytes) {
    std::uint32_t value = 0;
    for (int i = 0; i < bytes; ++i) {
      const std::uint32_t byte = tiff[at + static_cast<std::size_t>(little_endian ? bytes - 1 - i : i)];
      value = value << 8 | byte;
    }
    return value;
  };
  if (number(2, 2) != 42) return 1;
  const std::size_t ifd = number(4, 4);
  if (ifd > tiff.size() || tiff.size() - ifd < 2) return 1;
  const std::size_t entries = number(ifd, 2);
  // Each entry: tag, type, count (2, 2 and 4 bytes), then a 4-byte field holding a SHORT value in its first bytes.
  constexpr std::uint32_t orientation_tag = 0x0112, short_type = 3;
  for (std::size_t i = 0; i < entries; ++i) {
    const std::size_t entry = ifd + 2 + 12 * i;
    if (tiff.size() - entry < 12) return 1;
    if (number(entry, 2) != orientation_tag) continue;
    if (number(entry + 2, 2) != short_type || number(entry + 4, 4) != 1) return 1;
    const std::uint32_t value = number(entry + 8, 2);
    return value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
  }
  return 1;
}

Image oriented(Image stored, int orientation) {
  if (orientation <= 1 || orientation > 8) return stored;
  // The displayed pixel (y, x) is the stored pixel (x, y) when the axes swap, then mirrored along the stored
  // rows and/or columns.
  const bool transposed = orientation >= 5;
  const bool flip_rows = orientation == 3 || orientation == 4 || orientation == 6 || orientation == 7;
  const bool flip_columns = orientation == 2 || orientation == 3 || orientation == 7 || orientation == 8;
  const std::size_t h = stored.h, w = stored.w, c = stored.c;
  Image shown{transposed ? w : h, transposed ? h : w, c, std::vector<std::uint8_t>(stored.pixels.size())};
  for (std::size_t y = 0; y < shown.h; ++y) {
    for (std::size_t x = 0; x < shown.w; ++x) {
      std::size_t sy = transposed ? x : y, sx = transposed ? y : x;
      if (flip_rows) sy = h - 1 - sy;
      if (flip_columns) sx = w - 1 - sx;
      std::copy_n(stored.pixels.data() + (sy * w + sx) * c, c, shown.pixels.data() + (y * shown.w + x) * c);
    }
  }
  return shown;
}

}  // namespace xnor::image_detail
