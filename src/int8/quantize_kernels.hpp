#pragma once
// The float -> int8 quantize loop of each CPU path (quantize_value.hpp's formula, compiled for the path's
// instruction set): the first step of every int8 network, over the whole input image.
#include <cstddef>
#include <cstdint>

#include "xnor/cpu_path.hpp"

namespace xnor::detail {

using QuantizeKernel = void (*)(const float* values, std::size_t count, float scale, std::int32_t zero_point,
                                std::int8_t* out);

#if defined(__x86_64__)
void quantize_avx512(const float* values, std::size_t count, float scale, std::int32_t zero_point, std::int8_t* out);
#endif

// The loop for `path`: AVX-512 on the avx512 path, the baseline build's loop on the others.
QuantizeKernel quantize_kernel(Path path);

}  // namespace xnor::detail
