// JPEG with libjpeg-turbo (its libjpeg API, which names the errors and lets the decoder scale in the DCT).
//
// libjpeg reports a fatal error by calling error_exit, which must not return: here it longjmps back to
// decode_jpeg, whose C++ objects all exist before the setjmp (none is skipped), and which then throws.
// Warnings (a corrupt or cut entropy-coded segment) are not fatal: the missing data decodes as libjpeg fills it
// in, as browsers show such a file. Memory: every large buffer (the whole-image coefficients of a progressive
// file) is counted against max_memory_to_use, and there is no backing store, so a file needing more is refused.
#include <csetjmp>
#include <cstdio>
#include <cstring>

#include <jpeglib.h>

#include "src/image/decoders.hpp"
#include "src/image/orientation.hpp"

namespace xnor::image_detail {
namespace {

// A progressive file may hold any number of scans, each a pass over the whole image: bounded, so that a small
// file cannot keep the decoder busy for minutes (real files have about 10).
constexpr int max_scans = 1000;

struct ErrorManager {
  jpeg_error_mgr manager;  // first, so that libjpeg's pointer to it is one to the whole struct
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX] = "";
};

[[noreturn]] void fail(j_common_ptr info) {
  auto* error = reinterpret_cast<ErrorManager*>(info->err);
  (*info->err->format_message)(info, error->message);
  std::longjmp(error->jump, 1);
}

void ignore_message(j_common_ptr) {}

void limit_scans(j_common_ptr info) {
  const auto* decompress = reinterpret_cast<j_decompress_ptr>(info);
  if (decompress->input_scan_number > max_scans) {
    auto* error = reinterpret_cast<ErrorManager*>(info->err);
    std::snprintf(error->message, sizeof error->message, "more than %d scans", max_scans);
    std::longjmp(error->jump, 1);
  }
}

// The libjpeg decompressor, destroyed with everything it allocated when this goes.
struct Decompressor {
  jpeg_decompress_struct info{};
  ErrorManager error{};
  jpeg_progress_mgr progress{};

  Decompressor() {
    info.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = fail;
    error.manager.output_message = ignore_message;
    progress.progress_monitor = limit_scans;
  }

  // After the setjmp: creating may fail (out of memory). Destroying one never created does nothing.
  void create() {
    jpeg_create_decompress(&info);
    info.progress = &progress;
  }
  ~Decompressor() { jpeg_destroy_decompress(&info); }
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;
};

// The orientation in the first APP1 segment that starts with the EXIF header.
int orientation_of(const jpeg_decompress_struct& info) {
  constexpr std::uint8_t exif_header[] = {'E', 'x', 'i', 'f', 0, 0};
  for (jpeg_saved_marker_ptr marker = info.marker_list; marker != nullptr; marker = marker->next) {
    if (marker->marker == JPEG_APP0 + 1 && marker->data_length >= sizeof exif_header &&
        std::memcmp(marker->data, exif_header, sizeof exif_header) == 0) {
      return exif_orientation({marker->data + sizeof exif_header, marker->data_length - sizeof exif_header});
    }
  }
  return 1;
}

// Sets the smallest scale (1/8, 1/4, 1/2 or 1) whose output is at least what options ask for, on the stored
// axes (which orientations 5 to 8 swap); 0 x 0 asks for full size.
void choose_scale(jpeg_decompress_struct& info, const DecodeOptions& options, int orientation) {
  if (options.min_h == 0 && options.min_w == 0) return;
  const bool swapped = options.apply_orientation && orientation >= 5;
  const std::size_t min_w = swapped ? options.min_h : options.min_w, min_h = swapped ? options.min_w : options.min_h;
  for (unsigned denominator : {8u, 4u, 2u, 1u}) {
    info.scale_num = 1;
    info.scale_denom = denominator;
    jpeg_calc_output_dimensions(&info);
    if (denominator == 1 || (info.output_width >= min_w && info.output_height >= min_h)) return;
  }
}

// CMYK to RGB in place (4 bytes a pixel in, 3 out). Adobe's files store the inks inverted (255 is no ink):
// red is then C * K / 255, else (255 - C) * (255 - K) / 255.
void cmyk_to_rgb(std::vector<std::uint8_t>& pixels, std::size_t count, bool inverted) {
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint8_t* cmyk = pixels.data() + 4 * i;
    const unsigned k = inverted ? cmyk[3] : 255u - cmyk[3];
    std::uint8_t rgb[3];
    for (int ch = 0; ch < 3; ++ch) {
      const unsigned ink = inverted ? cmyk[ch] : 255u - cmyk[ch];
      rgb[ch] = static_cast<std::uint8_t>((ink * k + 127) / 255);
    }
    std::memcpy(pixels.data() + 3 * i, rgb, 3);
  }
  pixels.resize(3 * count);
}

}  // namespace

Stored decode_jpeg(std::span<const std::uint8_t> file, const std::string& name, const ImageLimits& limits,
                   const DecodeOptions& options) {
  Stored stored;
  Decompressor decompressor;
  std::vector<JSAMPROW> rows;
  jpeg_decompress_struct& info = decompressor.info;
  if (setjmp(decompressor.error.jump)) {
    throw ImageError(name + ": corrupt JPEG (" + decompressor.error.message + ")");
  }
  decompressor.create();
  jpeg_mem_src(&info, file.data(), static_cast<unsigned long>(file.size()));
  jpeg_save_markers(&info, JPEG_APP0 + 1, 0xffff);
  jpeg_read_header(&info, TRUE);
  check_size(info.image_width, info.image_height, name, limits);
  stored.orientation = orientation_of(info);
  // Progressive files keep every coefficient (2 bytes each, up to 10 components of whole 8x8 blocks).
  info.mem->max_memory_to_use =
      static_cast<long>(20 * (std::size_t{info.image_width} + 16) * (std::size_t{info.image_height} + 16) + (std::size_t{1} << 20));
  const bool cmyk = info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK;
  info.out_color_space = cmyk ? JCS_CMYK : info.jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB;
  choose_scale(info, options, stored.orientation);
  jpeg_start_decompress(&info);
  Image& image = stored.image;
  image.w = info.output_width;
  image.h = info.output_height;
  image.c = static_cast<std::size_t>(info.output_components);
  image.pixels.resize(image.h * image.w * image.c);
  rows.resize(image.h);
  for (std::size_t y = 0; y < image.h; ++y) rows[y] = image.pixels.data() + y * image.w * image.c;
  while (info.output_scanline < info.output_height) {
    jpeg_read_scanlines(&info, rows.data() + info.output_scanline, info.output_height - info.output_scanline);
  }
  // The rest of the file (what follows the last scan) is not needed.
  jpeg_abort_decompress(&info);
  if (cmyk) {
    cmyk_to_rgb(image.pixels, image.h * image.w, info.saw_Adobe_marker);
    image.c = 3;
  }
  return stored;
}

}  // namespace xnor::image_detail
