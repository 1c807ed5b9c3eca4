#pragma once
// Images as a model's input: decoding (JPEG with libjpeg-turbo, PNG with libpng, BMP and binary PGM/PPM)
// and preprocessing into the float tensor an InputSpec describes.
//
// Decoding is hostile-input safe: the header's size is checked against the limits before any pixel memory
// is allocated, and no decoder's memory grows with anything but that size (a compressed stream that expands
// past its image is not expanded). A PNG, BMP, PGM or PPM must hold all its pixels; a JPEG's missing data
// decodes as the decoder fills it in (as browsers show it). Every failure is one ImageError naming the file.
//
// Orientation: a JPEG's EXIF Orientation tag (APP1) or a PNG's eXIf chunk (before its image data) is applied,
// so the image comes out the way it is meant to be seen (a phone stores a portrait photo sideways and says so).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "xnor/error.hpp"
#include "xnor/graph.hpp"

namespace xnor {

// 8-bit pixels, rows top to bottom, channels interleaved (HWC): c is 1 (gray), 2 (gray, alpha), 3 (RGB) or
// 4 (RGB, alpha), as the file stores them (a PNG's transparent colour key becomes an alpha channel).
struct Image {
  std::size_t h = 0, w = 0, c = 0;
  std::vector<std::uint8_t> pixels;
};

struct ImageLimits {
  std::size_t max_side = 16384;            // pixels per side
  std::size_t max_pixels = 64'000'000;     // width x height
  std::size_t max_file_bytes = 64u << 20;  // load_image only
};

struct DecodeOptions {
  // The size the image is needed at, once oriented (a model's input, say): a JPEG is then decoded at the
  // smallest of its DCT scales (1/8, 1/4, 1/2) that is still at least this large on both axes, so a 12-megapixel
  // photo for a 224x224 input is decoded at 500x375 and never whole. 0 x 0: full size. Other formats decode
  // at full size.
  std::size_t min_h = 0, min_w = 0;
  // Whether the EXIF orientation is applied (else the pixels come out as stored).
  bool apply_orientation = true;

  // What preprocess() needs for this input: its size.
  static DecodeOptions for_input(const InputSpec& spec) { return {spec.h, spec.w, true}; }
};

// Decodes a PNG, JPEG, BMP or binary PGM/PPM image; `name` (usually the file name) starts every error
// message. The limits apply to the size the file declares.
Image decode_image(std::span<const std::byte> bytes, const std::string& name, const ImageLimits& limits = {},
                   const DecodeOptions& options = {});

// Decodes the image file at `path`: a file over limits.max_file_bytes is refused before it is read.
Image load_image(const std::string& path, const ImageLimits& limits = {}, const DecodeOptions& options = {});

// Whether preprocess() can fill this input: 1 (gray) or 3 (RGB) channels, a mean and a std per channel.
bool is_image_input(const InputSpec& spec);

// The model input for an image: spec.h x spec.w x spec.c floats, HWC. In order: alpha is flattened onto
// white; the colour becomes gray (ITU-R BT.601 luma: 0.299 R + 0.587 G + 0.114 B) or RGB (gray repeated), as
// spec.c asks; each axis is resized on its own, by area averaging when it shrinks and bilinearly (pixel
// centres aligned, edges clamped) when it grows; values are scaled from [0, 255] to [0, spec.value_max],
// inverted (v -> value_max - v) when spec.invert, then normalized to (v - mean[ch]) / std[ch].
// 8-bit pixels cannot hold NaN or infinity, so the result is finite whenever the spec's numbers are.
// Throws std::invalid_argument when !is_image_input(spec).
std::vector<float> preprocess(const Image& image, const InputSpec& spec);

}  // namespace xnor
