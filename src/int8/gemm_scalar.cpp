// The portable int8 kernel: plain C++ over tiles of up to 4 rows x one panel of 8 output channels, whose
// accumulators the compiler keeps in registers.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "src/int8/kernels.hpp"
#include "src/int8/packed_weights.hpp"

#define XNOR_ISA scalar
#include "src/row_blocks.hpp"

namespace xnor::scalar {
namespace {

using namespace detail;

constexpr std::size_t panel_width = 8;

// The outputs of reference::int8_conv2d for args.m rows. The accumulators wrap modulo 2^32 (unsigned
// arithmetic), as the specification's int32 accumulator does.
void run(const Int8RowsArgs& args) {
  const PackedInt8Weights& w = *args.weights;
  for (std::size_t p = 0; p < w.panels; ++p) {
    const std::size_t n0 = p * panel_width;
    const std::size_t valid = std::min(panel_width, w.out_c - n0);
    for_row_blocks<4>(args.m, [&]<int R>(std::size_t m0) {
      const auto* a = static_cast<const std::int8_t*>(args.a) + m0 * args.lda;
      const std::int8_t* b = w.panel<std::int8_t>(p);
      std::uint32_t acc[R][panel_width] = {};
      for (std::size_t ky = 0; ky < w.kernel_rows; ++ky) {
        const std::int8_t* row = a + args.kernel_row_offsets[ky];
        for (std::size_t k = 0; k < w.row_k_padded; ++k, b += panel_width) {
          for (int r = 0; r < R; ++r) {
            const std::int32_t x = row[r * args.lda + k];
            for (std::size_t j = 0; j < panel_width; ++j) acc[r][j] += static_cast<std::uint32_t>(x * b[j]);
          }
        }
      }
      for (int r = 0; r < R; ++r) {
        std::int8_t* out = output_row(args, m0 + r);
        if (out == nullptr) continue;
        for (std::size_t j = 0; j < valid; ++j) {
          const auto sum = static_cast<std::int32_t>(acc[r][j] + static_cast<std::uint32_t>(w.bias[n0 + j]));
          out[n0 + j] = requantize(sum, w.multiplier_of(n0 + j), w.output_zero_point, w.range);
        }
      }
    });
  }
}

}  // namespace

const Int8Kernels& int8_kernels() {
  static const Int8Kernels kernels{"scalar", {Int8Encoding::int8, 1, 1, panel_width, 1}, true, run};
  return kernels;
}

}  // namespace xnor::scalar
