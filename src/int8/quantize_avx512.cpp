// The quantize loop compiled for AVX-512 (CMakeLists.txt gives this file its flags): 16 values per step.
#include "src/int8/quantize_kernels.hpp"
#include "src/int8/quantize_value.hpp"

namespace xnor::detail {

void quantize_avx512(const float* values, std::size_t count, float scale, std::int32_t zero_point, std::int8_t* out) {
  quantize_values(values, count, scale, zero_point, out);
}

}  // namespace xnor::detail
