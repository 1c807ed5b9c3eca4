#pragma once
// Runs a packed int8 layer over an input image: the one place that feeds the kernels (kernels.hpp).
#include <cstdint>

#include "src/int8/packed_weights.hpp"
#include "xnor/conv_geometry.hpp"
#include "xnor/thread_pool.hpp"

namespace xnor::detail {

// Whether run_int8_layer feeds the kernels im2col rows (any stride but 1) rather than the padded image: such a
// layer's weights are packed as one kernel row of taps * in_c values (pack_int8_weights with kernel_h 1).
inline bool uses_im2col(const ConvGeometry& geometry) { return geometry.stride != 1; }

// The outputs of `geometry` (which matches the packed weights) for `input`, the threads of `pool` splitting the
// output rows.
void run_int8_layer(const PackedInt8Weights& weights, const ConvGeometry& geometry, const std::int8_t* input,
                    std::int8_t* output, ThreadPool* pool);

}  // namespace xnor::detail
