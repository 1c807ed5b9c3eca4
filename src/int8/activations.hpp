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
// apart: the taps * in_c values under the window, back to back, then zeros up to k_padded. (One padding per
// row, not per kernel row: a 7x7 window of 3 channels is 147 values, 192 on AMX rather than 7 x 64.)
void im2col(const ConvGeometry& geometry, const std::int8_t* input, std::int8_t zero_point, Int8Encoding encoding,
            std::size_t first, std::size_t rows, std::size_t k_padded, void* out);

}  // namespace xnor::detail
