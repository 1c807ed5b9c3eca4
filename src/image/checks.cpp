#include "src/image/checks.hpp"

#include <algorithm>
#include <sstream>

namespace xnor::image_detail {
namespace {

std::string size_text(std::uint64_t w, std::uint64_t h) { return std::to_string(w) + "x" + std::to_string(h) + " pixels"; }

// The byte at `offset`, or 0 past the end, as stb_image reads it.
std::uint64_t byte_at(std::span<const std::uint8_t> file, std::uint64_t offset) {
  return offset < file.size() ? file[offset] : 0;
}

std::uint64_t big_endian(std::span<const std::uint8_t> file, std::uint64_t offset, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = value << 8 | byte_at(file, offset + static_cast<std::uint64_t>(i));
  return value;
}

std::uint64_t little_endian(std::span<const std::uint8_t> file, std::uint64_t offset, int bytes) {
  std::uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = value << 8 | byte_at(file, offset + static_cast<std::uint64_t>(i));
  return value;
}

// The DHT segment whose length field starts at `offset`, read as stb_image reads it: tables while the
// length left is positive, each a class and id byte, 16 code counts and the codes.
void check_dht(std::span<const std::uint8_t> file, std::uint64_t offset, const std::string& name) {
  auto left = static_cast<std::int64_t>(big_endian(file, offset, 2)) - 2;
  offset += 2;
  while (left > 0) {
    const std::uint64_t class_and_id = byte_at(file, offset);
    if (class_and_id >> 4 > 1 || (class_and_id & 15) > 3) return;  // stb_image refuses the segment
    std::uint64_t codes = 0;
    for (std::uint64_t i = 1; i <= 16; ++i) codes += byte_at(file, offset + i);
    if (codes > 256) throw ImageError(name + ": corrupt JPEG (a Huffman table of " + std::to_string(codes) + " codes)");
    offset += 17 + codes;
    left -= static_cast<std::int64_t>(17 + codes);
  }
}

}  // namespace

std::optional<ImageFormat> format_of(std::span<const std::uint8_t> file) {
  const auto starts_with = [&](std::initializer_list<std::uint8_t> signature) {
    return file.size() >= signature.size() && std::equal(signature.begin(), signature.end(), file.begin());
  };
  if (starts_with({0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})) return ImageFormat::png;
  if (starts_with({0xff, 0xd8})) return ImageFormat::jpeg;
  if (starts_with({'B', 'M'})) return ImageFormat::bmp;
  if (starts_with({'P', '5'})) return ImageFormat::pgm;
  if (starts_with({'P', '6'})) return ImageFormat::ppm;
  return std::nullopt;
}

const char* name_of(ImageFormat format) {
  constexpr const char* names[] = {"PNG", "JPEG", "BMP", "PGM", "PPM"};
  return names[static_cast<int>(format)];
}

void check_size(std::int64_t w, std::int64_t h, const std::string& name, const ImageLimits& limits) {
  if (w <= 0 || h <= 0) throw ImageError(name + ": empty image (" + std::to_string(w) + "x" + std::to_string(h) + " pixels)");
  const auto width = static_cast<std::uint64_t>(w), height = static_cast<std::uint64_t>(h);
  if (width * height > limits.max_pixels) {
    std::ostringstream megapixels;
    megapixels << static_cast<double>(limits.max_pixels) / 1e6;
    throw ImageError(name + ": " + size_text(width, height) + " is over the limit of " + megapixels.str() + " megapixels");
  }
  if (width > limits.max_side || height > limits.max_side) {
    throw ImageError(name + ": " + size_text(width, height) + " is over the limit of " + std::to_string(limits.max_side) +
                     " pixels per side");
  }
}

void check_pnm(std::span<const std::uint8_t> file, ImageFormat format, const std::string& name, const ImageLimits& limits) {
  const auto corrupt = [&](const std::string& why) {
    return ImageError(name + ": corrupt " + name_of(format) + " header (" + why + ")");
  };
  std::size_t at = 2;  // after "P5" or "P6"
  int c = 0;
  const auto next = [&] {
    if (at == file.size()) throw corrupt("it ends too soon");
    c = file[at++];
  };
  const auto number = [&] {
    for (;;) {  // white space and comments (from '#' to the end of the line)
      while (c == ' ' || (c >= '\t' && c <= '\r')) next();
      if (c != '#') break;
      while (c != '\n' && c != '\r') next();
    }
    if (c < '0' || c > '9') throw corrupt("a number is missing");
    std::uint64_t value = 0;
    while (c >= '0' && c <= '9') {
      value = 10 * value + static_cast<std::uint64_t>(c - '0');
      if (value > 99'999'999) throw corrupt("a number over 99999999");
      next();
    }
    return value;
  };
  next();
  const std::uint64_t w = number(), h = number(), max_value = number();
  // The one character after the maximum value, read with it, ends the header.
  const std::uint64_t header_bytes = at;
  if (max_value > 65535) throw corrupt("a maximum value over 65535");
  check_size(static_cast<std::int64_t>(w), static_cast<std::int64_t>(h), name, limits);
  const std::uint64_t pixel_bytes = w * h * (format == ImageFormat::pgm ? 1 : 3) * (max_value > 255 ? 2 : 1);
  if (file.size() - header_bytes < pixel_bytes) {
    throw ImageError(name + ": truncated " + name_of(format) + " image (" + std::to_string(file.size() - header_bytes) +
                     " of " + std::to_string(pixel_bytes) + " bytes of pixels)");
  }
}

void check_png(std::span<const std::uint8_t> file, const std::string& name) {
  const auto corrupt = [&](const std::string& why) { return ImageError(name + ": corrupt PNG (" + why + ")"); };
  bool image_data = false;
  // Chunks after the signature: length, type, data, CRC.
  for (std::uint64_t at = 8;;) {
    if (file.size() - at < 12) throw corrupt("it ends before its end chunk");
    const std::uint64_t length = big_endian(file, at, 4), type = big_endian(file, at + 4, 4);
    if (length > file.size() - at - 12) throw corrupt("a chunk goes past the end of the file");
    constexpr std::uint64_t ihdr = 0x49484452, plte = 0x504c5445, idat = 0x49444154, iend = 0x49454e44, cgbi = 0x43674249;
    const bool critical = (type & (1u << 29)) == 0;  // its first letter is upper case
    if (critical && type != ihdr && type != plte && type != idat && type != iend && type != cgbi) {
      throw corrupt("a critical chunk of unknown type");
    }
    if (type == idat && !image_data) {
      if (length == 0) throw corrupt("its first image data chunk is empty");
      image_data = true;
    }
    if (type == iend) return;
    at += 12 + length;
  }
}

void check_bmp(std::span<const std::uint8_t> file, std::uint64_t w, std::uint64_t h, const std::string& name) {
  const std::uint64_t pixels_offset = little_endian(file, 10, 4), header_bytes = little_endian(file, 14, 4);
  // An OS/2 header (12 bytes) has 16-bit sizes; the others 32-bit ones.
  const std::uint64_t bits_per_pixel = little_endian(file, header_bytes == 12 ? 24 : 28, 2);
  const std::uint64_t row_bytes = (w * bits_per_pixel + 31) / 32 * 4;  // rows are padded to 4 bytes
  const std::uint64_t needed = pixels_offset + row_bytes * h;
  if (file.size() < needed) {
    throw ImageError(name + ": truncated BMP image (" + std::to_string(file.size()) + " of " + std::to_string(needed) +
                     " bytes)");
  }
  // The palette sizes stb_image reads (any other it refuses after the palette).
  if (bits_per_pixel != 1 && bits_per_pixel != 4 && bits_per_pixel != 8) return;
  // stb_image reads a palette entry past the palette from memory it never wrote (its own stack): every pixel
  // must name an entry of the palette, which fills the space between the headers and the pixels, 3 bytes an
  // entry after an OS/2 header, else 4 (rounded as stb_image rounds).
  const std::int64_t palette_bytes = static_cast<std::int64_t>(pixels_offset) - 14 -
                                     static_cast<std::int64_t>(header_bytes == 12 ? 24 : header_bytes);
  const std::int64_t palette_size = header_bytes == 12 ? palette_bytes / 3 : palette_bytes >> 2;
  if (palette_size < 1) {
    throw ImageError(name + ": corrupt BMP (no palette for its " + std::to_string(bits_per_pixel) + "-bit pixels)");
  }
  const std::uint64_t mask = (1u << bits_per_pixel) - 1;
  for (std::uint64_t y = 0; y < h; ++y) {
    const std::uint8_t* row = file.data() + pixels_offset + y * row_bytes;
    for (std::uint64_t x = 0; x < w; ++x) {
      const std::uint64_t bit = x * bits_per_pixel;  // pixels fill each byte from its high bits down
      const std::uint64_t entry = row[bit / 8] >> (8 - bits_per_pixel - bit % 8) & mask;
      if (static_cast<std::int64_t>(entry) >= palette_size) {
        throw ImageError(name + ": corrupt BMP (a pixel names palette entry " + std::to_string(entry) + " of " +
                         std::to_string(palette_size) + ")");
      }
    }
  }
}

void check_jpeg_huffman_tables(std::span<const std::uint8_t> file, const std::string& name) {
  // Segments as stb_image finds them after the start-of-image marker: bytes up to a 0xFF, any 0xFF fill,
  // then the marker.
  std::uint64_t at = 2;
  for (;;) {
    while (at < file.size() && file[at] != 0xff) ++at;
    while (at < file.size() && file[at] == 0xff) ++at;
    if (at >= file.size()) return;
    const int marker = file[at];
    if (!((marker >= 0xe0 && marker <= 0xef) || marker == 0xfe)) break;
    const std::uint64_t length = big_endian(file, at + 1, 2);
    if (length < 2) return;  // stb_image stops here
    at += 1 + length;
  }
  for (std::uint64_t i = at; i < file.size(); ++i) {
    if (file[i - 1] == 0xff && file[i] == 0xc4) check_dht(file, i + 1, name);
  }
}

}  // namespace xnor::image_detail
