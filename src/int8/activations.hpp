#pragma once
// The activations a kernel reads, in its encoding (kernels.hpp): the padded image of a stride-1 convolution,
// whose rows the kernels read in place, or im2col rows for other strides. A position in the padding holds the
// input zero point (real 0).
#include <cstddef>
#include <cstdint>

#include "src/int8/kernels.hpp"
#include "xnor/conv_geometry.hpp"

namespace xnor::detail {

// The input inside its padding: out_h + kernel_h - 1 rows of out_w + kernel_w - 1 pixels of in_c values,
// then `slack` more values (for what a kernel reads past the end). The result lives in a buffer of the calling
// thread, valid until its next call.
const void* padded_image(const ConvGeometry& geometry, const std::int8_t* input, std::int8_t zero_point,
                         Int8Encoding encoding, std::size_t slack);

// im2col rows of output pixels first .. first + rows - 1 (row-major over the output image), k_padded values
// apart: each kernel row's kernel_w * in_c values under its taps, then zeros up to row_k_padded.
void im2col(const ConvGeometry& geometry, const std::int8_t* input, std::int8_t zero_point, Int8Encoding encoding,
            std::size_t first, std::size_t rows, std::size_t row_k_padded, void* out);

}  // namespace xnor::detail
