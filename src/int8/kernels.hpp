#pragma once
// The int8 GEMM kernels of each CPU path and the data layouts they read. A layer's output is a GEMM:
// A = one row per output pixel (the activations under its window, kernel row by kernel row, in the kernel's
// encoding), B = the weights prepacked into panels of output channels, C = the requantized int8 outputs. The
// kernel_w * in_c values of one kernel row are contiguous in the input, so K is padded per kernel row:
// k_padded = kernel_h * round_up(kernel_w * in_c, k_align). (Layers fed im2col rows, which are contiguous
// whole, count as one kernel row of taps * in_c values: driver.hpp's uses_im2col.)
// Each kernel lives in its own translation unit compiled for its instruction set, in its namespace
// (src/target.hpp); each gives, for its rows, exactly the outputs of reference::int8_conv2d
// (src/int8/reference.hpp). src/cpu_path.cpp maps each path to one kernel.
#include <cstddef>
#include <cstdint>

namespace xnor::detail {

struct PackedInt8Weights;

// How a kernel's activations (activations.hpp) store a value q.
enum class Int8Encoding {
  int8,       // q as is
  uint8_xor,  // q XOR 0x80 = q + 128 as an unsigned byte (VPDPBUSD multiplies unsigned by signed bytes)
  int16,      // q sign-extended to 16 bits (VPMADDWD multiplies 16-bit pairs exactly)
};

struct Int8Layout {
  Int8Encoding encoding;
  std::size_t k_group;      // consecutive k of one output channel stored side by side in a panel
  std::size_t k_align;      // each kernel row's kernel_w * in_c k are padded with zero weights to a multiple of this
  std::size_t panel_width;  // output channels per panel; a panel is [k_padded / k_group][panel_width][k_group]
  std::size_t row_align;    // the kernel reads A rows up to a multiple of this (it ignores the extra rows)
};

// The rows a kernel multiplies: row r's kernel row ky is row_k_padded activations (in the layout's encoding)
// at a + r * lda + kernel_row_offsets[ky]. For im2col rows the kernel rows follow each other; for the padded
// image of a stride-1 convolution (activations.hpp), row r is the window whose top-left pixel is r: a kernel
// row's taps are side by side there, and the rows are "virtual", r = y * row_pitch + x over the padded width,
// of which only x < row_width are outputs.
struct Int8RowsArgs {
  const void* a;
  std::size_t lda;  // in values of the encoding
  const std::size_t* kernel_row_offsets;
  std::size_t m;          // rows; a kernel reads up to a multiple of row_align more
  std::size_t row_pitch;  // row r is output pixel (r / row_pitch, r % row_pitch) ...
  std::size_t row_width;  // ... if r % row_pitch < row_width, else no output
  const PackedInt8Weights* weights;
  std::int8_t* out;  // output pixel (y, x) at out + (y * row_width + x) * ldo
  std::size_t ldo;
};

// Where row r's outputs go, or nullptr for a row of the padding.
inline std::int8_t* output_row(const Int8RowsArgs& args, std::size_t r) {
  const std::size_t x = r % args.row_pitch;
  return x < args.row_width ? args.out + (r / args.row_pitch * args.row_width + x) * args.ldo : nullptr;
}

struct Int8Kernels {
  const char* name;  // the path's name, or the name of the path whose kernel it borrows
  Int8Layout layout;
  // Whether stride-1 layers on small images take im2col rows rather than the padded image (uses_im2col):
  // worth it where the kernel's time goes to multiply-adds; on AMX the copy costs more than the padded
  // image's extra rows (14x14x256-256k3: 124 us with im2col rows, 70 us without).
  bool im2col_for_small_images;
  // The outputs of reference::int8_conv2d for args.m rows.
  void (*run)(const Int8RowsArgs& args);
};

}  // namespace xnor::detail

namespace xnor::scalar {
const detail::Int8Kernels& int8_kernels();
}
#if defined(__x86_64__)
namespace xnor::avx2 {
const detail::Int8Kernels& int8_kernels();
}
namespace xnor::avx512_vnni {
const detail::Int8Kernels& int8_kernels();
}
namespace xnor::avx512_amx {
const detail::Int8Kernels& int8_kernels();
}
#endif
#if defined(__aarch64__)
namespace xnor::neon {
const detail::Int8Kernels& int8_kernels();
}
namespace xnor::neon_dotprod {
const detail::Int8Kernels& int8_kernels();
}
#endif
