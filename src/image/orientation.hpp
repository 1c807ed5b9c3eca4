#pragma once
// EXIF orientation: how a camera says its stored pixels must be turned to be seen upright (phones store a
// portrait photo sideways and say 6). The values, as the EXIF standard numbers them: 1 as stored, 2 mirrored
// left-right, 3 turned 180 degrees, 4 mirrored top-bottom, 5 transposed (mirrored across the main diagonal),
// 6 turned 90 degrees clockwise, 7 transverse (mirrored across the other diagonal), 8 turned 90 degrees
// counter-clockwise.
#include <cstdint>
#include <span>

#include "xnor/image.hpp"

namespace xnor::image_detail {

// The orientation in a TIFF structure (what a JPEG's "Exif\0\0" APP1 segment holds after its 6-byte header,
// and a PNG's eXIf chunk): IFD0's Orientation tag (0x0112, one SHORT) when it is there and 1 to 8, else 1.
// Any bytes are safe to read: every offset is checked against their size.
int exif_orientation(std::span<const std::uint8_t> tiff);

// The image turned as `orientation` says (1 to 8; 5 to 8 swap its height and width).
Image oriented(Image stored, int orientation);

}  // namespace xnor::image_detail
