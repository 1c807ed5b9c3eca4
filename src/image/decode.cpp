// Decoding image files with stb_image (compiled in stb_image.cpp): the format is recognized by its
// signature and the header checked (checks.hpp), then the pixels are decoded under an allocation cap.
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

#include <stb/stb_image.h>

#include "src/image/checks.hpp"
#include "src/image/stb_support.hpp"
#include "xnor/image.hpp"

namespace xnor {
namespace {

using image_detail::ImageFormat;

// Enough for any header stb_image reads (its JPEG decoder state is the largest, some tens of KB).
constexpr std::size_t header_allocation_cap = std::size_t{1} << 20;

// No allocation of a decode needs more than 16 bytes per pixel (16-bit RGBA PNG data, doubled while its
// buffer grows), on a size padded to whole JPEG blocks (up to 32 pixels); its small tables fit the slack.
std::size_t decode_allocation_cap(std::size_t w, std::size_t h) { return 16 * (w + 32) * (h + 32) + (std::size_t{1} << 20); }

struct StbFree {
  void operator()(stbi_uc* pixels) const { stbi_image_free(pixels); }
};

// stb_image's result, before it becomes an Image.
struct Decoded {
  std::unique_ptr<stbi_uc, StbFree> pixels;
  std::size_t h = 0, w = 0, c = 0;
  bool drop_opaque_alpha = false;  // an alpha channel asked for a PNG's colour key, which it may not have
};

Decoded decode(std::span<const std::uint8_t> file, const std::string& name, const ImageLimits& limits) {
  if (file.size() > static_cast<std::size_t>(INT_MAX)) {
    throw ImageError(name + ": " + std::to_string(file.size()) + " bytes is over the decoder's limit of 2 GiB");
  }
  const std::optional<ImageFormat> recognized = image_detail::format_of(file);
  if (!recognized) throw ImageError(name + ": not a PNG, JPEG, BMP or PGM/PPM image");
  const ImageFormat format = *recognized;
  const char* format_name = image_detail::name_of(format);
  if (format == ImageFormat::pgm || format == ImageFormat::ppm) image_detail::check_pnm(file, format, name, limits);
  if (format == ImageFormat::png) image_detail::check_png(file, name);
  if (format == ImageFormat::jpeg) image_detail::check_jpeg_huffman_tables(file, name);
  const int size = static_cast<int>(file.size());
  int w = 0, h = 0, channels = 0;
  {
    const image_detail::StbAllocationCap cap(header_allocation_cap);
    // stb_image refuses some formats' empty images and sides over its compiled-in limit here, and then
    // reports every failure alike.
    if (!stbi_info_from_memory(file.data(), size, &w, &h, &channels)) {
      throw ImageError(name + ": corrupt " + format_name + " header (or one declaring an empty image or a side over " +
                       std::to_string(ImageLimits{}.max_side) + " pixels)");
    }
  }
  // A BMP stored top row first declares a negative height.
  const std::int64_t signed_height = format == ImageFormat::bmp ? std::abs(std::int64_t{h}) : h;
  image_detail::check_size(w, signed_height, name, limits);
  const auto width = static_cast<std::size_t>(w), height = static_cast<std::size_t>(signed_height);
  if (format == ImageFormat::bmp) image_detail::check_bmp(file, width, height, name);
  // stb_image turns a PNG's transparent colour key into alpha only when asked for the extra channel.
  const bool may_have_colour_key = format == ImageFormat::png && (channels == 1 || channels == 3);
  const int wanted_channels = may_have_colour_key ? channels + 1 : channels;
  const image_detail::StbAllocationCap cap(decode_allocation_cap(width, height));
  int decoded_w = 0, decoded_h = 0, file_channels = 0;
  image_detail::clear_stb_failure_reason();
  Decoded decoded{std::unique_ptr<stbi_uc, StbFree>(
                      stbi_load_from_memory(file.data(), size, &decoded_w, &decoded_h, &file_channels, wanted_channels)),
                  height, width, static_cast<std::size_t>(wanted_channels), may_have_colour_key};
  if (decoded.pixels == nullptr) {
    if (cap.refused()) {
      throw ImageError(name + ": corrupt " + format_name + " image (its data needs more memory than " +
                       std::to_string(width) + "x" + std::to_string(height) + " pixels)");
    }
    const char* reason = stbi_failure_reason();
    throw ImageError(name + ": corrupt or truncated " + format_name + " image" +
                     (reason != nullptr && *reason != '\0' ? std::string(" (") + reason + ")" : ""));
  }
  if (static_cast<std::size_t>(decoded_w) != width || static_cast<std::size_t>(decoded_h) != height) {
    throw ImageError(name + ": corrupt " + std::string(format_name) + " (its header reads differently a second time)");
  }
  return decoded;
}

Image to_image(const Decoded& decoded) {
  Image image{decoded.h, decoded.w, decoded.c, {}};
  const std::size_t pixels = image.h * image.w;
  const stbi_uc* data = decoded.pixels.get();
  const bool opaque = decoded.drop_opaque_alpha && [&] {
    for (std::size_t i = 0; i < pixels; ++i) {
      if (data[i * image.c + image.c - 1] != 255) return false;
    }
    return true;
  }();
  if (opaque) {
    image.c -= 1;
    image.pixels.resize(pixels * image.c);
    for (std::size_t i = 0; i < pixels; ++i) std::copy_n(data + i * (image.c + 1), image.c, image.pixels.data() + i * image.c);
  } else {
    image.pixels.assign(data, data + pixels * image.c);
  }
  return image;
}

}  // namespace

Image decode_image(std::span<const std::byte> bytes, const std::string& name, const ImageLimits& limits) {
  return to_image(decode({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, name, limits));
}

Image load_image(const std::string& path, const ImageLimits& limits) {
  Decoded decoded;
  {
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (file == nullptr) throw ImageError(path + ": cannot open (" + std::strerror(errno) + ")");
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (std::filesystem::is_directory(status)) throw ImageError(path + ": is a directory");
    if (!std::filesystem::is_regular_file(status)) throw ImageError(path + ": not a regular file");
    const std::uintmax_t size = std::filesystem::file_size(path, error);
    if (error) throw ImageError(path + ": cannot read its size (" + error.message() + ")");
    if (size > limits.max_file_bytes) {
      throw ImageError(path + ": " + std::to_string(size) + " bytes is over the limit of " +
                       std::to_string(limits.max_file_bytes) + " bytes for an image file");
    }
    std::vector<std::uint8_t> bytes(size);
    bytes.resize(std::fread(bytes.data(), 1, bytes.size(), file.get()));
    if (std::ferror(file.get())) throw ImageError(path + ": read error");
    decoded = decode(bytes, path, limits);
  }
  // The file's bytes are gone before the pixels are copied into the Image.
  return to_image(decoded);
}

}  // namespace xnor
