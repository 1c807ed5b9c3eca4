// Binary PGM ("P5", gray) and PPM ("P6", RGB). The header is the magic number, then the width, height and
// maximum value in decimal, each after any white space and comments ('#' to the end of the line); the one
// character read after the maximum value ends it. Samples are a byte each, or two (big-endian) when the
// maximum value is over 255; a sample v becomes round(v * 255 / maxval) (so maxval 255 keeps it), and a
// sample over maxval becomes 255.
#include "src/image/decoders.hpp"
#include "xnor/error.hpp"

namespace xnor::image_detail {

Image decode_pnm(std::span<const std::uint8_t> file, const std::string& name, const ImageLimits& limits) {
  const bool gray = file[1] == '5';  // decode_image has matched "P5" or "P6"
  const std::string format = gray ? "PGM" : "PPM";
  const auto corrupt = [&](const std::string& why) {
    return ImageError(name + ": corrupt " + format + " header (" + why + ")");
  };
  std::size_t at = 2;  // after the magic number
  int c = 0;
  const auto next = [&] {
    if (at == file.size()) throw corrupt("it ends too soon");
    c = file[at++];
  };
  const auto number = [&] {
    for (;;) {  // white space and comments
      while (c == ' ' || (c >= '\t' && c <= '\r')) next();
      if (c != '#') break;
      while (c != '\n' && c != '\r') next();
    }
    if (c < '0' || c > '9') throw corrupt("a number is missing");
    std::uint64_t value = 0;
    while (c >= '0' && c <= '9') {
      value = 10 * value + static_cast<std::uint64_t>(c - '0');
      if (value > 99'999'999) throw corrupt("a number over 99999999");
      next();
    }
    return value;
  };
  next();
  const std::uint64_t w = number(), h = number(), max_value = number();
  const std::size_t header_bytes = at;  // `number` has read the character that ends the header
  if (max_value > 65535) throw corrupt("a maximum value over 65535");
  if (max_value == 0) throw corrupt("a maximum value of 0");
  check_size(static_cast<std::int64_t>(w), static_cast<std::int64_t>(h), name, limits);

  const std::uint64_t channels = gray ? 1 : 3, sample_bytes = max_value > 255 ? 2 : 1;
  const std::uint64_t samples = w * h * channels;  // under 2^56: each side is at most 99999999
  const std::uint64_t have = file.size() - header_bytes;
  if (have < samples * sample_bytes) {
    throw ImageError(name + ": truncated " + format + " image (" + std::to_string(have) + " of " +
                     std::to_string(samples * sample_bytes) + " bytes of pixels)");
  }
  Image image{h, w, channels, std::vector<std::uint8_t>(samples)};
  for (std::size_t i = 0; i < samples; ++i) {
    const std::size_t first = header_bytes + sample_bytes * i;
    const std::uint64_t v = sample_bytes == 1 ? file[first] : std::uint64_t{file[first]} << 8 | file[first + 1];
    // round(v * 255 / max_value) in integers: floor((2 * 255 * v + max_value) / (2 * max_value)).
    image.pixels[i] = static_cast<std::uint8_t>(v >= max_value ? 255 : (510 * v + max_value) / (2 * max_value));
  }
  return image;
}

}  // namespace xnor::image_detail
