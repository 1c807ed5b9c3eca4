// The kernels' activation layouts (activations.hpp): plain loops the compiler vectorizes.
#include "src/int8/activations.hpp"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "src/aligned_buffer.hpp"

namespace xnor::detail {
namespace {

// Calls f(encode) with the function that stores an activation q in `encoding`, and the type it stores.
template <class F>
void with_encoding(Int8Encoding encoding, F f) {
  switch (encoding) {
    case Int8Encoding::int8:
      return f([](std::int8_t q) { return q; });
    case Int8Encoding::uint8_xor:
      return f([](std::int8_t q) { return static_cast<std::uint8_t>(static_cast<std::uint8_t>(q) ^ 0x80u); });
    case Int8Encoding::int16:
      return f([](std::int8_t q) { return static_cast<std::int16_t>(q); });
  }
}

// Copies count bytes. im2col copies many short runs (a 7x7 stem's kernel row of 3 channels is 21 bytes): at 16
// bytes or more, 16-byte moves with the last one overlapping replace a call to memcpy.
void copy_bytes(const std::int8_t* from, std::size_t count, std::int8_t* to) {
  if (count < 16) {
    std::memcpy(to, from, count);
    return;
  }
  for (std::size_t i = 0; i + 16 < count; i += 16) std::memcpy(to + i, from + i, 16);
  std::memcpy(to + count - 16, from + count - 16, 16);
}

template <class T, class Encode>
void encode_values(const std::int8_t* from, std::size_t count, T* to, Encode encode) {
  if constexpr (std::is_same_v<T, std::int8_t>) {
    copy_bytes(from, count, to);
  } else {
    for (std::size_t i = 0; i < count; ++i) to[i] = encode(from[i]);
  }
}

}  // namespace

const void* padded_image(const ConvGeometry& g, const std::int8_t* input, std::int8_t zero_point, Int8Encoding encoding,
                         std::size_t slack) {
  thread_local AlignedBuffer image;
  const std::size_t c = g.in_c;
  const std::size_t pitch = (g.out_w() + g.kernel_w - 1) * c;  // values per row
  const std::size_t rows = g.out_h() + g.kernel_h - 1;
  with_encoding(encoding, [&](auto encode) {
    using T = decltype(encode(std::int8_t{}));
    image.grow_to((rows * pitch + slack) * sizeof(T));
    T* out = image.as<T>();
    const T pad = encode(zero_point);
    for (std::size_t y = 0; y < rows; ++y, out += pitch) {
      const std::size_t iy = y - g.pad_top();  // wraps above the image
      if (y < g.pad_top() || iy >= g.in_h) {
        std::fill(out, out + pitch, pad);
        continue;
      }
      T* inside = out + g.pad_left() * c;
      std::fill(out, inside, pad);
      encode_values(input + iy * g.in_w * c, g.in_w * c, inside, encode);
      std::fill(inside + g.in_w * c, out + pitch, pad);
    }
    std::fill(out, out + slack, T{0});
  });
  return image.as<void>();
}

void im2col(const ConvGeometry& g, const std::int8_t* input, std::int8_t zero_point, Int8Encoding encoding,
            std::size_t first, std::size_t rows, std::size_t k_padded, void* to) {
  const auto in_h = static_cast<std::ptrdiff_t>(g.in_h);
  const auto in_w = static_cast<std::ptrdiff_t>(g.in_w);
  const auto kernel_w = static_cast<std::ptrdiff_t>(g.kernel_w);
  const auto c = static_cast<std::ptrdiff_t>(g.in_c);
  const std::size_t row_values = g.kernel_w * g.in_c;
  // The geometry's derived sizes divide: once here, and the output pixel (oy, ox) steps along.
  const std::size_t out_w = g.out_w();
  const auto pad_top = static_cast<std::ptrdiff_t>(g.pad_top()), pad_left = static_cast<std::ptrdiff_t>(g.pad_left());
  with_encoding(encoding, [&](auto encode) {
    using T = decltype(encode(std::int8_t{}));
    const T pad = encode(zero_point);
    std::size_t oy = first / out_w, ox = first % out_w;
    for (std::size_t m = first; m < first + rows; ++m, ox = ox + 1 == out_w ? 0 : ox + 1, oy += ox == 0) {
      T* const pixel_row = static_cast<T*>(to) + (m - first) * k_padded;
      const auto y0 = static_cast<std::ptrdiff_t>(oy * g.stride) - pad_top;
      const auto x0 = static_cast<std::ptrdiff_t>(ox * g.stride) - pad_left;
      T* row = pixel_row;
      for (std::ptrdiff_t ky = 0; ky < static_cast<std::ptrdiff_t>(g.kernel_h); ++ky, row += row_values) {
        const std::ptrdiff_t y = y0 + ky;
        if (y < 0 || y >= in_h) {
          std::fill(row, row + row_values, pad);
        } else if (x0 >= 0 && x0 + kernel_w <= in_w) {  // the whole kernel row inside: one run
          encode_values(input + (y * in_w + x0) * c, row_values, row, encode);
        } else {
          for (std::ptrdiff_t kx = 0; kx < kernel_w; ++kx) {
            const std::ptrdiff_t x = x0 + kx;
            if (x < 0 || x >= in_w) {
              std::fill(row + kx * c, row + (kx + 1) * c, pad);
            } else {
              encode_values(input + (y * in_w + x) * c, g.in_c, row + kx * c, encode);
            }
          }
        }
      }
      std::fill(row, pixel_row + k_padded, T{0});
    }
  });
}

}  // namespace xnor::detail
