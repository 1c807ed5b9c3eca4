#pragma once
// The float -> int8 quantize loop of each instruction set (quantize_value.hpp's formula, compiled for it): the
// first step of every int8 network, over the whole input image. src/cpu_path.cpp maps each path to one.
#include <cstddef>
#include <cstdint>

namespace xnor::detail {

using QuantizeKernel = void (*)(const float* values, std::size_t count, float scale, std::int32_t zero_point,
                                std::int8_t* out);

}  // namespace xnor::detail

// The baseline build's loop (quantization.cpp), for every path without one of its own.
namespace xnor::baseline {
void quantize(const float* values, std::size_t count, float scale, std::int32_t zero_point, std::int8_t* out);
}
#if defined(__x86_64__)
namespace xnor::avx512 {
void quantize(const float* values, std::size_t count, float scale, std::int32_t zero_point, std::int8_t* out);
}
#endif
