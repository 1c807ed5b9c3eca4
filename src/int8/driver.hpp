#pragma once
// Runs a packed int8 layer over an input image: the one place that feeds the kernels (kernels.hpp).
#include <cstdint>

#include "src/int8/packed_weights.hpp"
#include "xnor/conv_geometry.hpp"
#include "xnor/thread_pool.hpp"

namespace xnor::detail {

// Whether run_int8_layer feeds the kernels im2col rows rather than the padded image: such a layer's weights are
// packed as one kernel row of taps * in_c values (pack_int8_weights with kernel_h 1). A stride-1 kernel on the
// padded image computes kernel_w - 1 rows of padding per output row as well; where that is more than an
// eighth of the work (a 3x3 kernel on images under 16 wide), copying the windows costs less, for kernels that
// say so (Int8Kernels::im2col_for_small_images). Other strides always take im2col rows.
inline bool uses_im2col(const ConvGeometry& geometry, const Int8Kernels& kernels) {
  return geometry.stride != 1 ||
         (kernels.im2col_for_small_images && 8 * (geometry.kernel_w - 1) > geometry.out_w());
}

// The outputs of `geometry` (which matches the packed weights) for `input`, the threads of `pool` splitting the
// output rows.
void run_int8_layer(const PackedInt8Weights& weights, const ConvGeometry& geometry, const std::int8_t* input,
                    std::int8_t* output, ThreadPool* pool);

}  // namespace xnor::detail
