#pragma once
// Image files made in memory, for the image tests and the fuzz seed corpus (tests/fuzz/make_seed_images.cpp):
// stb_image_write's PNG, BMP and JPEG encoders, binary PGM/PPM, hand-made PNG files and BMP headers, and EXIF
// orientation in a JPEG or a PNG.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Static: every translation unit that includes this header gets its own private copy of the encoders.
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

namespace xnor::test {

using Bytes = std::vector<std::byte>;

inline void append(Bytes& bytes, std::span<const std::byte> more) {
  const std::size_t size = bytes.size();
  bytes.resize(size + more.size());
  std::copy(more.begin(), more.end(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
}

namespace image_files_detail {

// stb_image_write's output callback.
inline void append_written(void* bytes, void* data, int size) {
  append(*static_cast<Bytes*>(bytes), std::span(static_cast<const std::byte*>(data), static_cast<std::size_t>(size)));
}

inline void put_be32(Bytes& bytes, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<std::byte>(value >> shift));
}

inline void put_le(Bytes& bytes, std::uint32_t value, int size) {
  for (int i = 0; i < size; ++i) bytes.push_back(static_cast<std::byte>(value >> (8 * i)));
}

// The CRC-32 that PNG chunks end with (bitwise: the test files are tiny).
inline std::uint32_t crc32(std::span<const std::byte> bytes) {
  std::uint32_t crc = 0xffffffffu;
  for (std::byte b : bytes) {
    crc ^= static_cast<std::uint8_t>(b);
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return crc ^ 0xffffffffu;
}

}  // namespace image_files_detail

// A diagonal gradient, w x h x c: the pixel (y, x)'s channel ch is steps[0] x + steps[1] y + steps[2] ch,
// modulo 256.
inline std::vector<std::uint8_t> gradient_pixels(int w, int h, int c, std::array<int, 3> steps) {
  std::vector<std::uint8_t> pixels;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int ch = 0; ch < c; ++ch) pixels.push_back(static_cast<std::uint8_t>(steps[0] * x + steps[1] * y + steps[2] * ch));
    }
  }
  return pixels;
}

// Pixels are HWC, 8-bit, `c` channels (1 to 4).
inline Bytes encode_png(int w, int h, int c, const std::vector<std::uint8_t>& pixels) {
  Bytes bytes;
  stbi_write_png_to_func(&image_files_detail::append_written, &bytes, w, h, c, pixels.data(), w * c);
  return bytes;
}

inline Bytes encode_bmp(int w, int h, int c, const std::vector<std::uint8_t>& pixels) {
  Bytes bytes;
  stbi_write_bmp_to_func(&image_files_detail::append_written, &bytes, w, h, c, pixels.data());
  return bytes;
}

inline Bytes encode_jpeg(int w, int h, int c, const std::vector<std::uint8_t>& pixels, int quality) {
  Bytes bytes;
  stbi_write_jpg_to_func(&image_files_detail::append_written, &bytes, w, h, c, pixels.data(), quality);
  return bytes;
}

inline Bytes text_bytes(std::string_view text) {
  const auto* first = reinterpret_cast<const std::byte*>(text.data());
  return Bytes(first, first + text.size());
}

// Binary PGM (c = 1) or PPM (c = 3).
inline Bytes encode_pnm(int w, int h, int c, const std::vector<std::uint8_t>& pixels) {
  Bytes bytes = text_bytes((c == 1 ? "P5\n" : "P6\n") + std::to_string(w) + " " + std::to_string(h) + "\n255\n");
  for (std::uint8_t v : pixels) bytes.push_back(static_cast<std::byte>(v));
  return bytes;
}

// One PNG chunk: length, type, data, CRC of type and data.
inline Bytes png_chunk(std::string_view type, const Bytes& data) {
  Bytes chunk;
  image_files_detail::put_be32(chunk, static_cast<std::uint32_t>(data.size()));
  for (char ch : type) chunk.push_back(static_cast<std::byte>(ch));
  append(chunk, data);
  image_files_detail::put_be32(chunk, image_files_detail::crc32(std::span(chunk).subspan(4)));
  return chunk;
}

// A PNG declaring w x h, 8-bit RGB: the signature, IHDR, `chunks` and IEND.
inline Bytes png_file(std::uint32_t w, std::uint32_t h, const std::vector<Bytes>& chunks = {}) {
  Bytes bytes;
  for (int v : {0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a}) bytes.push_back(static_cast<std::byte>(v));
  Bytes ihdr;
  image_files_detail::put_be32(ihdr, w);
  image_files_detail::put_be32(ihdr, h);
  for (int v : {8, 2, 0, 0, 0}) ihdr.push_back(static_cast<std::byte>(v));  // depth, RGB, deflate, filter, no interlace
  append(bytes, png_chunk("IHDR", ihdr));
  for (const Bytes& chunk : chunks) append(bytes, chunk);
  append(bytes, png_chunk("IEND", {}));
  return bytes;
}

// An 8-bit gray or RGB PNG made by encode_png, with a tRNS chunk making the colour `key` transparent.
inline Bytes with_colour_key(const Bytes& png, int c, std::array<std::uint16_t, 3> key) {
  Bytes trns;
  for (int i = 0; i < c; ++i) {
    trns.push_back(static_cast<std::byte>(key[static_cast<std::size_t>(i)] >> 8));
    trns.push_back(static_cast<std::byte>(key[static_cast<std::size_t>(i)] & 0xff));
  }
  // The signature (8 bytes) and IHDR (25) come first; tRNS goes right after them, before the image data.
  constexpr std::size_t header = 33;
  Bytes bytes(png.begin(), png.begin() + header);
  append(bytes, png_chunk("tRNS", trns));
  append(bytes, std::span(png).subspan(header));
  return bytes;
}

// A BMP file header and BITMAPINFOHEADER declaring w x h of `bits` bits per pixel, its pixels right after
// a palette of `palette_entries` (which, like the pixels, the caller appends).
inline Bytes bmp_header(std::uint32_t w, std::uint32_t h, std::uint32_t bits = 24, std::uint32_t palette_entries = 0) {
  const std::uint32_t pixels_offset = 54 + 4 * palette_entries;
  Bytes bytes{std::byte{'B'}, std::byte{'M'}};
  image_files_detail::put_le(bytes, pixels_offset, 4);  // file size (without the pixels)
  image_files_detail::put_le(bytes, 0, 4);               // reserved
  image_files_detail::put_le(bytes, pixels_offset, 4);
  image_files_detail::put_le(bytes, 40, 4);  // BITMAPINFOHEADER
  image_files_detail::put_le(bytes, w, 4);
  image_files_detail::put_le(bytes, h, 4);
  image_files_detail::put_le(bytes, 1, 2);  // planes
  image_files_detail::put_le(bytes, bits, 2);
  for (int i = 0; i < 6; ++i) image_files_detail::put_le(bytes, 0, 4);  // no compression, sizes, palette
  return bytes;
}

// A TIFF structure holding one tag, EXIF's Orientation (0x0112, a SHORT), in either byte order.
inline Bytes exif_orientation_tiff(int orientation, bool little_endian = true) {
  Bytes tiff;
  const auto put = [&](std::uint32_t value, int size) {
    if (little_endian) {
      image_files_detail::put_le(tiff, value, size);
    } else {
      for (int shift = 8 * (size - 1); shift >= 0; shift -= 8) tiff.push_back(static_cast<std::byte>(value >> shift));
    }
  };
  tiff.push_back(static_cast<std::byte>(little_endian ? 'I' : 'M'));
  tiff.push_back(tiff.back());
  put(42, 2);
  put(8, 4);  // IFD0 right after this header
  put(1, 2);  // one entry: tag, type, count, then the value in the first 2 of 4 bytes
  put(0x0112, 2);
  put(3, 2);
  put(1, 4);
  put(static_cast<std::uint32_t>(orientation), 2);
  put(0, 2);
  put(0, 4);  // no next IFD
  return tiff;
}

// The JPEG with an EXIF APP1 segment (the "Exif\0\0" header, then `tiff`) right after its start marker.
inline Bytes with_jpeg_exif(const Bytes& jpeg, const Bytes& tiff) {
  Bytes app1{std::byte{0xff}, std::byte{0xe1}};
  image_files_detail::put_be32(app1, static_cast<std::uint32_t>(2 + 6 + tiff.size()));
  app1.erase(app1.begin() + 2, app1.begin() + 4);  // the length is 2 bytes
  append(app1, text_bytes(std::string_view("Exif\0\0", 6)));
  append(app1, tiff);
  Bytes bytes(jpeg.begin(), jpeg.begin() + 2);
  append(bytes, app1);
  append(bytes, std::span(jpeg).subspan(2));
  return bytes;
}

// The PNG with an eXIf chunk holding `tiff` right after its header chunk.
inline Bytes with_png_exif(const Bytes& png, const Bytes& tiff) {
  constexpr std::size_t header = 33;  // the signature (8 bytes) and IHDR (25)
  Bytes bytes(png.begin(), png.begin() + header);
  append(bytes, png_chunk("eXIf", tiff));
  append(bytes, std::span(png).subspan(header));
  return bytes;
}

}  // namespace xnor::test
