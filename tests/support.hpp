#pragma once
// Helpers shared by the tests: the fixed random seed and random bit rows.
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "xnor/bitpack.hpp"
#include "xnor/conv_geometry.hpp"

namespace xnor::test {

// A fresh folder under the system's temporary folder, removed with everything in it at the end of its scope.
// The name is random: runs of the tests at the same time (tools/cpu-matrix.sh runs one per emulated CPU)
// must not share, or one run's clean-up deletes another's files.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() / ("xnor-" + name + "-" + std::to_string(std::random_device{}()))) {
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// The seed of every randomized test: XNOR_TEST_SEED if set, else a fixed value. Tests print it on failure.
inline std::uint32_t seed() {
  const char* text = std::getenv("XNOR_TEST_SEED");
  return text != nullptr ? static_cast<std::uint32_t>(std::stoul(text)) : 20261127u;
}

// `rows` rows of `bits` random bits, each row padded with zero bits to whole words (the packing convention).
// Whether two float vectors hold the same bit patterns (== calls -0 and +0 equal, and NaN unequal to itself).
inline bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  const auto same = [](float x, float y) { return std::bit_cast<std::uint32_t>(x) == std::bit_cast<std::uint32_t>(y); };
  return std::ranges::equal(a, b, same);
}

inline std::vector<std::uint64_t> random_bit_rows(std::mt19937_64& rng, std::size_t rows, std::size_t bits,
                                                  std::size_t stride_words) {
  std::vector<std::uint64_t> data(rows * stride_words, 0);
  const std::size_t words = words_for_bits(bits);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t w = 0; w < words; ++w) {
      const std::size_t used = std::min<std::size_t>(64, bits - 64 * w);
      data[r * stride_words + w] = used == 64 ? rng() : rng() & ((std::uint64_t{1} << used) - 1);
    }
  }
  return data;
}

// The paddings every window operation is tested with: none, TensorFlow's "same", PyTorch's symmetric
// kernel / 2, and asymmetric ONNX pads. A convolution's asymmetric pads reach a whole kernel past the input
// (windows of padding only); a pool's stay below the kernel, as pools require.
inline std::vector<Padding> test_paddings(std::size_t kernel, bool pool = false) {
  const Padding asymmetric = pool ? Padding::amounts(kernel - 1, kernel / 2, 0, kernel - 1)
                                  : Padding::amounts(kernel - 1, kernel / 2, kernel, 1);
  return {Padding::valid, Padding::same, Padding::symmetric(kernel / 2), asymmetric};
}

// Calls visit(geometry) for pool windows that straddle the edge cases, on a 9x7 image of each channel count:
// kernels 1, 2, 3 and 5, strides 1 to 3, the test paddings, with and without ceil_mode.
template <class Visit>
void for_each_pool_window(std::initializer_list<std::size_t> channel_counts, Visit visit) {
  for (std::size_t channels : channel_counts) {
    for (std::size_t kernel : {1, 2, 3, 5}) {
      for (std::size_t stride : {1, 2, 3}) {
        for (Padding padding : test_paddings(kernel, true)) {
          for (bool ceil_mode : {false, true}) {
            visit(ConvGeometry{9, 7, channels, kernel, kernel, stride, padding, channels, ceil_mode});
          }
        }
      }
    }
  }
}

// What a test prints for a padding.
inline std::string describe(const Padding& p) {
  switch (p.mode) {
    case Padding::Mode::valid:
      return "valid";
    case Padding::Mode::same:
      return "same";
    case Padding::Mode::explicit_amounts:
      break;
  }
  return "pads " + std::to_string(p.top) + "," + std::to_string(p.left) + "," + std::to_string(p.bottom) + "," +
         std::to_string(p.right);
}

// What a test prints for a pool or convolution window.
inline std::string describe(const ConvGeometry& g) {
  return std::to_string(g.in_h) + "x" + std::to_string(g.in_w) + "x" + std::to_string(g.in_c) + ", kernel " +
         std::to_string(g.kernel_h) + "x" + std::to_string(g.kernel_w) + ", stride " + std::to_string(g.stride) + ", " +
         describe(g.padding) + (g.ceil_mode ? ", ceil_mode" : "") + ", " + std::to_string(g.out_c) + " outputs";
}

// The specification of an average pool's window, written plainly: the sum of output pixel (oy, ox)'s cells
// inside the image for channel c, and its divisor: those cells, or with count_padding the cells inside the
// padded input (the padding declared before and after it; TensorFlow's "same" counts as declared).
template <class T>
std::pair<double, std::size_t> reference_average_window(const ConvGeometry& g, const std::vector<T>& input,
                                                        std::size_t oy, std::size_t ox, std::size_t c,
                                                        bool count_padding) {
  double sum = 0;
  std::size_t inside = 0, padded = 0;
  const auto top = static_cast<std::ptrdiff_t>(g.pad_top()), left = static_cast<std::ptrdiff_t>(g.pad_left());
  const auto bottom = static_cast<std::ptrdiff_t>(g.in_h + g.pad_bottom());
  const auto right = static_cast<std::ptrdiff_t>(g.in_w + g.pad_right());
  for (std::size_t ky = 0; ky < g.kernel_h; ++ky) {
    for (std::size_t kx = 0; kx < g.kernel_w; ++kx) {
      const auto y = static_cast<std::ptrdiff_t>(oy * g.stride + ky) - top;
      const auto x = static_cast<std::ptrdiff_t>(ox * g.stride + kx) - left;
      if (y >= -top && y < bottom && x >= -left && x < right) ++padded;
      if (y < 0 || x < 0 || y >= static_cast<std::ptrdiff_t>(g.in_h) || x >= static_cast<std::ptrdiff_t>(g.in_w)) continue;
      sum += static_cast<double>(input[(static_cast<std::size_t>(y) * g.in_w + static_cast<std::size_t>(x)) * g.in_c + c]);
      ++inside;
    }
  }
  return {sum, count_padding ? padded : inside};
}

// The specification of a max pool, written plainly: per output pixel and channel, the max over the window's
// positions inside the image (padding takes no part), starting from `lowest`.
template <class T>
std::vector<T> reference_max_pool(const ConvGeometry& g, const std::vector<T>& input, T lowest) {
  std::vector<T> out(g.out_pixels() * g.in_c, lowest);
  for (std::size_t oy = 0; oy < g.out_h(); ++oy) {
    for (std::size_t ox = 0; ox < g.out_w(); ++ox) {
      for (std::size_t ky = 0; ky < g.kernel_h; ++ky) {
        for (std::size_t kx = 0; kx < g.kernel_w; ++kx) {
          const auto y = static_cast<std::ptrdiff_t>(oy * g.stride + ky) - static_cast<std::ptrdiff_t>(g.pad_top());
          const auto x = static_cast<std::ptrdiff_t>(ox * g.stride + kx) - static_cast<std::ptrdiff_t>(g.pad_left());
          if (y < 0 || x < 0 || y >= static_cast<std::ptrdiff_t>(g.in_h) || x >= static_cast<std::ptrdiff_t>(g.in_w)) continue;
          const std::size_t pixel = static_cast<std::size_t>(y) * g.in_w + static_cast<std::size_t>(x);
          for (std::size_t c = 0; c < g.in_c; ++c) {
            T& o = out[(oy * g.out_w() + ox) * g.in_c + c];
            o = std::max(o, input[pixel * g.in_c + c]);
          }
        }
      }
    }
  }
  return out;
}

}  // namespace xnor::test
