// libFuzzer target for image decoding and preprocessing: any bytes must either decode to a consistent image
// or be refused with an ImageError, the same whether they are decoded from memory (decode_image) or read
// from a file (load_image), and a decoded image must preprocess to finite values. Anything else — a crash,
// a sanitizer report, another exception, a difference — is a finding.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <unistd.h>

#include "xnor/image.hpp"

namespace {

// The decoder's paths are the same at any size; small images keep executions fast.
constexpr xnor::ImageLimits limits{.max_side = 16384, .max_pixels = 1 << 16, .max_file_bytes = 1 << 20};

// A gray input as the bundled Fashion-MNIST model takes it, and a small RGB one (both resize directions).
const xnor::InputSpec gray_input{28, 28, 1, {0.286f}, {0.353f}, 1.0f, true};
const xnor::InputSpec rgb_input{5, 300, 3, {0.5f, 0.4f, 0.3f}, {0.2f, 0.3f, 0.4f}, 1.0f, false};

std::optional<xnor::Image> decoded(std::span<const std::byte> bytes) {
  try {
    return xnor::decode_image(bytes, "input", limits);
  } catch (const xnor::ImageError&) {
    return std::nullopt;
  }
}

// The file is in memory (/dev/shm) where there is such a folder: on a disk, writing it would slow every
// execution down tenfold.
std::optional<xnor::Image> loaded(std::span<const std::byte> bytes) {
  static const std::filesystem::path folder =
      std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
  // Removed when the fuzzer exits.
  static const struct TemporaryFile {
    std::string path;
    ~TemporaryFile() { std::remove(path.c_str()); }
  } temporary{(folder / ("xnor-image-fuzz-" + std::to_string(getpid()))).string()};
  const std::string& path = temporary.path;
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), file) != bytes.size() || std::fclose(file) != 0) {
    std::abort();
  }
  try {
    return xnor::load_image(path, limits);
  } catch (const xnor::ImageError&) {
    return std::nullopt;
  }
}

bool same(const xnor::Image& a, const xnor::Image& b) { return a.h == b.h && a.w == b.w && a.c == b.c && a.pixels == b.pixels; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  const std::optional<xnor::Image> image = decoded(bytes), from_file = loaded(bytes);
  if (image.has_value() != from_file.has_value() || (image && !same(*image, *from_file))) std::abort();
  // Decoded for a small input (a JPEG at a DCT scale) and with the orientation left as stored: a consistent
  // image no larger than the full one, or refused.
  try {
    const xnor::Image small = xnor::decode_image(bytes, "input", limits, {.min_h = 5, .min_w = 7});
    if (small.pixels.size() != small.h * small.w * small.c || small.pixels.empty()) std::abort();
    if (image && small.h * small.w > image->h * image->w) std::abort();
    const xnor::Image stored = xnor::decode_image(bytes, "input", limits, {.apply_orientation = false});
    if (image && (stored.h * stored.w != image->h * image->w || stored.c != image->c)) std::abort();
  } catch (const xnor::ImageError&) {
  }
  if (!image) return 0;
  if (image->c < 1 || image->c > 4 || image->pixels.size() != image->h * image->w * image->c) std::abort();
  for (const xnor::InputSpec& spec : {gray_input, rgb_input}) {
    for (float v : xnor::preprocess(*image, spec)) {
      if (!std::isfinite(v)) std::abort();
    }
  }
  return 0;
}
