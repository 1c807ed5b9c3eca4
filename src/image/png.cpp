// PNG with libpng: every colour type and bit depth to 8 bits a channel (16-bit samples keep their high byte,
// palettes and 1/2/4-bit gray expand), interlaced files de-interlaced, no gamma or colour management.
//
// libpng reports a fatal error through its error function, which longjmps back to decode_png (png_jmpbuf);
// decode_png's C++ objects all exist before the setjmp, and it then throws. Memory: the pixels are allocated
// after the size check; libpng reads the image data a row at a time, so a compressed stream that expands past
// the image is never expanded whole, and other chunks are capped (chunk_malloc_max) or not read at all.
#include <csetjmp>
#include <cstring>

#include <png.h>

#include "src/image/decoders.hpp"
#include "src/image/orientation.hpp"

namespace xnor::image_detail {
namespace {

// The largest ancillary chunk libpng may hold in memory (what is kept is tRNS, PLTE and eXIf: far smaller).
constexpr png_alloc_size_t max_chunk_bytes = 1 << 20;

struct Reader {
  png_structp png = nullptr;
  png_infop info = nullptr;
  std::span<const std::uint8_t> file;
  std::size_t at = 0;
  std::string message;
  bool truncated = false;

  ~Reader() { png_destroy_read_struct(&png, info != nullptr ? &info : nullptr, nullptr); }
};

void fail(png_structp png, png_const_charp message) {
  static_cast<Reader*>(png_get_error_ptr(png))->message = message;
  png_longjmp(png, 1);
}

void ignore_warning(png_structp, png_const_charp) {}

void read_bytes(png_structp png, png_bytep out, png_size_t bytes) {
  auto* reader = static_cast<Reader*>(png_get_io_ptr(png));
  if (reader->file.size() - reader->at < bytes) {
    reader->truncated = true;
    png_error(png, "it ends too soon");
  }
  std::memcpy(out, reader->file.data() + reader->at, bytes);
  reader->at += bytes;
}

// Whether every pixel's last channel (alpha) is 255.
bool opaque(const Image& image) {
  for (std::size_t i = image.c - 1; i < image.pixels.size(); i += image.c) {
    if (image.pixels[i] != 255) return false;
  }
  return true;
}

// Drops the last channel.
void drop_alpha(Image& image) {
  const std::size_t pixels = image.h * image.w, c = image.c - 1;
  for (std::size_t i = 0; i < pixels; ++i) std::memmove(image.pixels.data() + i * c, image.pixels.data() + i * image.c, c);
  image.pixels.resize(pixels * c);
  image.c = c;
}

}  // namespace

Stored decode_png(std::span<const std::uint8_t> file, const std::string& name, const ImageLimits& limits) {
  Stored stored;
  Reader reader;
  std::vector<png_bytep> rows;
  reader.file = file;
  reader.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader, fail, ignore_warning);
  if (reader.png == nullptr) throw ImageError(name + ": out of memory for a PNG decoder");
  if (setjmp(png_jmpbuf(reader.png))) {
    throw ImageError(name + (reader.truncated ? ": truncated PNG image" : ": corrupt PNG (" + reader.message + ")"));
  }
  // The size comes first (IHDR is the first chunk, its width and height the first 8 bytes of its data): libpng
  // reads every chunk up to the image data before it says what it read.
  constexpr std::uint8_t ihdr[] = {'I', 'H', 'D', 'R'};
  if (file.size() >= 24 && std::memcmp(file.data() + 12, ihdr, 4) == 0) {
    const auto big_endian = [&](std::size_t at) {
      return std::uint32_t{file[at]} << 24 | std::uint32_t{file[at + 1]} << 16 | std::uint32_t{file[at + 2]} << 8 | file[at + 3];
    };
    check_size(big_endian(16), big_endian(20), name, limits);
  }
  png_structp png = reader.png;
  reader.info = png_create_info_struct(png);
  if (reader.info == nullptr) png_error(png, "out of memory");
  png_infop info = reader.info;
  png_set_read_fn(png, &reader, read_bytes);
  // libpng's own limits (a million pixels a side) would refuse large images before check_size words it.
  png_set_user_limits(png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
  png_set_chunk_malloc_max(png, max_chunk_bytes);
  // Only the chunks that change the pixels or their orientation are read; text, colour profiles and the
  // like are skipped unread.
  png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, nullptr, -1);
  png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_AS_DEFAULT, reinterpret_cast<png_const_bytep>("eXIf"), 1);
  png_read_info(png, info);

  png_bytep exif = nullptr;
  png_uint_32 exif_bytes = 0;
  if (png_get_eXIf_1(png, info, &exif_bytes, &exif) != 0) stored.orientation = exif_orientation({exif, exif_bytes});
  const int colour_type = png_get_color_type(png, info);
  // A transparent colour key (tRNS on a gray or RGB image) becomes an alpha channel, dropped again below
  // when no pixel has the key's colour.
  const bool colour_key = png_get_valid(png, info, PNG_INFO_tRNS) != 0 && colour_type != PNG_COLOR_TYPE_PALETTE;
  png_set_expand(png);
  png_set_strip_16(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);

  Image& image = stored.image;
  image.w = png_get_image_width(png, info);
  image.h = png_get_image_height(png, info);
  image.c = png_get_channels(png, info);
  image.pixels.resize(image.h * image.w * image.c);
  rows.resize(image.h);
  for (std::size_t y = 0; y < image.h; ++y) rows[y] = image.pixels.data() + y * image.w * image.c;
  png_read_image(png, rows.data());
  if (colour_key && opaque(image)) drop_alpha(image);
  return stored;
}

}  // namespace xnor::image_detail
