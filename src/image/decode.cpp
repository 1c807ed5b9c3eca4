// Decoding image files: the format is recognized by its signature, decoded by its decoder (decoders.hpp) and
// turned upright as its EXIF orientation says.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>

#include "src/image/decoders.hpp"
#include "src/image/orientation.hpp"
#include "xnor/image.hpp"

namespace xnor {
namespace image_detail {

void check_size(std::int64_t w, std::int64_t h, const std::string& name, const ImageLimits& limits) {
  if (w <= 0 || h <= 0) throw ImageError(name + ": empty image (" + std::to_string(w) + "x" + std::to_string(h) + " pixels)");
  const auto width = static_cast<std::uint64_t>(w), height = static_cast<std::uint64_t>(h);
  const std::string size = std::to_string(width) + "x" + std::to_string(height) + " pixels";
  if (width > (std::uint64_t{1} << 31) || height > (std::uint64_t{1} << 31) || width * height > limits.max_pixels) {
    std::ostringstream megapixels;
    megapixels << static_cast<double>(limits.max_pixels) / 1e6;
    throw ImageError(name + ": " + size + " is over the limit of " + megapixels.str() + " megapixels");
  }
  if (width > limits.max_side || height > limits.max_side) {
    throw ImageError(name + ": " + size + " is over the limit of " + std::to_string(limits.max_side) + " pixels per side");
  }
}

}  // namespace image_detail

namespace {

bool starts_with(std::span<const std::uint8_t> file, std::initializer_list<std::uint8_t> signature) {
  return file.size() >= signature.size() && std::equal(signature.begin(), signature.end(), file.begin());
}

Image decode(std::span<const std::uint8_t> file, const std::string& name, const ImageLimits& limits,
             const DecodeOptions& options) {
  using namespace image_detail;
  Stored stored;
  if (starts_with(file, {0xff, 0xd8})) {
    stored = decode_jpeg(file, name, limits, options);
  } else if (starts_with(file, {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})) {
    stored = decode_png(file, name, limits);
  } else if (starts_with(file, {'B', 'M'})) {
    stored.image = decode_bmp(file, name, limits);
  } else if (starts_with(file, {'P', '5'}) || starts_with(file, {'P', '6'})) {
    stored.image = decode_pnm(file, name, limits);
  } else {
    throw ImageError(name + ": not a PNG, JPEG, BMP or PGM/PPM image");
  }
  return options.apply_orientation ? oriented(std::move(stored.image), stored.orientation) : std::move(stored.image);
}

}  // namespace

Image decode_image(std::span<const std::byte> bytes, const std::string& name, const ImageLimits& limits,
                   const DecodeOptions& options) {
  return decode({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, name, limits, options);
}

Image load_image(const std::string& path, const ImageLimits& limits, const DecodeOptions& options) {
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
  return decode(bytes, path, limits, options);
}

}  // namespace xnor
