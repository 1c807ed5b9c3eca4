#pragma once
// JPEG files written by libjpeg itself, for what stb_image_write (tests/image_files.hpp) cannot write:
// progressive scans, and CMYK or YCCK with Adobe's marker (inks stored inverted, 255 meaning none, as
// Photoshop writes them).
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <jpeglib.h>

namespace xnor::test {

// Pixels are HWC, 8-bit: c = 1 (gray), 3 (RGB) or 4 (CMYK, stored as `colour_space` says: JCS_CMYK or JCS_YCCK).
inline std::vector<std::byte> encode_jpeg_with_libjpeg(int w, int h, int c, const std::vector<std::uint8_t>& pixels,
                                                       bool progressive, J_COLOR_SPACE colour_space = JCS_CMYK) {
  jpeg_compress_struct info{};
  jpeg_error_mgr error{};
  info.err = jpeg_std_error(&error);  // a test's valid input: libjpeg's default of exiting on error is fine
  jpeg_create_compress(&info);
  unsigned char* out = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&info, &out, &size);
  info.image_width = static_cast<JDIMENSION>(w);
  info.image_height = static_cast<JDIMENSION>(h);
  info.input_components = c;
  info.in_color_space = c == 1 ? JCS_GRAYSCALE : c == 3 ? JCS_RGB : JCS_CMYK;
  jpeg_set_defaults(&info);
  if (c == 4) jpeg_set_colorspace(&info, colour_space);
  jpeg_set_quality(&info, 95, TRUE);
  if (progressive) jpeg_simple_progression(&info);
  jpeg_start_compress(&info, TRUE);
  const std::size_t row_bytes = static_cast<std::size_t>(w) * static_cast<std::size_t>(c);
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(pixels.data() + info.next_scanline * row_bytes);
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  std::vector<std::byte> bytes(reinterpret_cast<std::byte*>(out), reinterpret_cast<std::byte*>(out) + size);
  jpeg_destroy_compress(&info);
  std::free(out);
  return bytes;
}

}  // namespace xnor::test
