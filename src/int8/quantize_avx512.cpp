// The quantize loop compiled for AVX-512: 16 values per step (CMakeLists.txt asks for 512-bit vectors).
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "src/int8/quantize_kernels.hpp"

#define XNOR_ISA avx512
#include "src/target.hpp"
XNOR_TARGET_BEGIN(XNOR_TARGET_AVX512)
#include "src/int8/quantize_value.hpp"

namespace xnor::avx512 {

void quantize(const float* values, std::size_t count, float scale, std::int32_t zero_point, std::int8_t* out) {
  quantize_values(values, count, scale, zero_point, out);
}

}  // namespace xnor::avx512

XNOR_TARGET_END
