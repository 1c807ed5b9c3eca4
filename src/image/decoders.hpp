#pragma once
// The decoders behind decode_image (decode.cpp), one per format, each in its own file: JPEG with libjpeg-turbo,
// PNG with libpng, BMP and binary PGM/PPM read here (they are uncompressed). Each is given the whole file and
// the limits, checks the declared size before it allocates the pixels, and throws one ImageError whose
// message starts with `name` for anything it cannot decode.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "xnor/image.hpp"

namespace xnor::image_detail {

// An image as its file stores it, before the EXIF orientation it declares (1 to 8, 1 when it declares none)
// is applied.
struct Stored {
  Image image;
  int orientation = 1;
};

// Throws an ImageError (its message starting with `name`) for an empty image or one over the limits.
void check_size(std::int64_t w, std::int64_t h, const std::string& name, const ImageLimits& limits);

// Decodes at the scale options ask for (DecodeOptions::min_h/min_w, on the axes as they will be shown).
// Grayscale stays gray; CMYK/YCCK becomes RGB.
Stored decode_jpeg(std::span<const std::uint8_t> file, const std::string& name, const ImageLimits& limits,
                   const DecodeOptions& options);
Stored decode_png(std::span<const std::uint8_t> file, const std::string& name, const ImageLimits& limits);
Image decode_bmp(std::span<const std::uint8_t> file, const std::string& name, const ImageLimits& limits);
// Binary PGM ("P5") and PPM ("P6").
Image decode_pnm(std::span<const std::uint8_t> file, const std::string& name, const ImageLimits& limits);

}  // namespace xnor::image_detail
