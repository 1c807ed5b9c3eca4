#pragma once
// What is checked before stb_image reads an image: its format, its size against the limits, and the parts
// of a header that stb_image 2.27 (Debian 12's) reads without bounds.
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "xnor/image.hpp"

namespace xnor::image_detail {

enum class ImageFormat { png, jpeg, bmp, pgm, ppm };

// The format stb_image will find in the file, if it is one that it reads (by its signature).
std::optional<ImageFormat> format_of(std::span<const std::uint8_t> file);
const char* name_of(ImageFormat format);

// Throws an ImageError (its message starting with `name`) for an empty image or one over the limits.
void check_size(std::int64_t w, std::int64_t h, const std::string& name, const ImageLimits& limits);

// stb_image reads a PGM/PPM header's numbers into an int without bounds (a long one overflows) and does not
// notice pixel data cut short: the header is parsed here first, as stb_image parses it but stricter, its
// size checked, and the file must hold every pixel it declares.
void check_pnm(std::span<const std::uint8_t> file, ImageFormat format, const std::string& name, const ImageLimits& limits);

// stb_image copies a PNG's first image data chunk to a null pointer when that chunk is empty (undefined
// behaviour, though of no bytes), and names an unknown critical chunk (or the zeros it reads past the end)
// in a static buffer that threads share: a PNG must be whole up to its end chunk, with only the critical
// chunks stb_image knows, and a first image data chunk that is not empty.
void check_png(std::span<const std::uint8_t> file, const std::string& name);

// stb_image reads the missing pixels of a BMP cut short as zeros, and the colour of a palette entry past
// the palette from memory it never wrote: the file must hold the header and every row of pixels it declares
// (w x h as stbi_info reads them), and each pixel of a palette image must name an entry of the palette.
void check_bmp(std::span<const std::uint8_t> file, std::uint64_t w, std::uint64_t h, const std::string& name);

// stb_image writes past its Huffman tables when a JPEG's DHT segment declares more than 256 codes. Every
// DHT segment stb_image could read is checked: those among the leading APPn/COM segments, which it reaches
// by their lengths, and, from the first other segment on (where the entropy-coded data decides where it
// goes on), every 0xFF 0xC4 (DHT marker) in the file.
void check_jpeg_huffman_tables(std::span<const std::uint8_t> file, const std::string& name);

}  // namespace xnor::image_detail
