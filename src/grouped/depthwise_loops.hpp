#pragma once
// The depthwise convolution loops, written once in plain C++ for the compiler to vectorize over the channels: a
// per-path header (src/target.hpp), compiled in the including unit's namespace xnor::XNOR_ISA for its
// instruction set, which defines that unit's xnor::XNOR_ISA::depthwise_kernels(). It includes nothing itself: the
// unit includes <algorithm>, <cstddef>, <cstdint>, <type_traits> and src/grouped/depthwise_kernels.hpp before its
// target begins.
//
// Per output pixel, a pass of K taps (depthwise_kernels.hpp) is a loop over the channels whose body sums the K
// products in a register, the taps in row-major order: the same order for every pixel, so the output depends
// neither on the thread count nor on where a pixel lies. (Where the target has FMA, the compiler fuses each
// multiply and add.)
#ifndef XNOR_ISA
#error "src/grouped/depthwise_loops.hpp is a per-path header: define XNOR_ISA first (src/target.hpp)"
#endif

// The loop's iterations are independent: its stores (the output, the scratch sums) overlap none of its loads, so
// the compiler may vectorize it without checking the many pointers for overlap at run time.
#if defined(__clang__)
#define XNOR_DEPTHWISE_INDEPENDENT _Pragma("clang loop vectorize(assume_safety)")
#else
#define XNOR_DEPTHWISE_INDEPENDENT _Pragma("GCC ivdep")
#endif

namespace xnor::XNOR_ISA {

struct DepthwiseLoops {
  static constexpr std::size_t K = detail::depthwise_pass_taps;

  // For every output pixel of the band and every pass over it: gathers the input pixels of the pass's K taps
  // (`padding` for taps outside the input, and for those past the kernel, whose weights are zero), then calls
  // pass(pixels, first pass, last pass, the pass's first tap, the output pixel's index).
  template <class T, class Pass>
  static void for_each_pass(const detail::DepthwiseShape& s, const T* input, const T* padding, Pass pass) {
    const std::size_t passes = detail::depthwise_padded_taps(s.kernel_h * s.kernel_w) / K;
    const T* pixels[K];
    // A kernel of one pass (3x3 and smaller): a window inside the input finds its taps at fixed offsets from
    // its first pixel, without bounds checks. Taps past the kernel read the padding pixel (zero weights).
    std::size_t offsets[K] = {};
    for (std::size_t t = 0; passes == 1 && t < s.kernel_h * s.kernel_w; ++t) {
      offsets[t] = (t / s.kernel_w * s.in_w + t % s.kernel_w) * s.in_c;
    }
    for (std::size_t oy = s.row_begin; oy < s.row_end; ++oy) {
      const std::size_t top = oy * s.stride;  // in padded rows
      const bool rows_inside = top >= s.pad_top && top - s.pad_top + s.kernel_h <= s.in_h;
      for (std::size_t ox = 0; ox < s.out_w; ++ox) {
        const std::size_t left = ox * s.stride;
        if (passes == 1 && rows_inside && left >= s.pad_left && left - s.pad_left + s.kernel_w <= s.in_w) {
          const T* first = input + ((top - s.pad_top) * s.in_w + left - s.pad_left) * s.in_c;
          for (std::size_t t = 0; t < K; ++t) pixels[t] = t < s.kernel_h * s.kernel_w ? first + offsets[t] : padding;
          pass(static_cast<const T* const*>(pixels), true, true, 0, oy * s.out_w + ox);
          continue;
        }
        std::size_t ky = 0, kx = 0;  // the next tap
        for (std::size_t p = 0; p < passes; ++p) {
          for (std::size_t t = 0; t < K; ++t) {
            pixels[t] = padding;
            if (ky == s.kernel_h) continue;
            // Padded coordinates: the input spans [pad, pad + in).
            const std::size_t y = oy * s.stride + ky, x = ox * s.stride + kx;
            if (y >= s.pad_top && y - s.pad_top < s.in_h && x >= s.pad_left && x - s.pad_left < s.in_w) {
              pixels[t] = input + ((y - s.pad_top) * s.in_w + x - s.pad_left) * s.in_c;
            }
            if (++kx == s.kernel_w) {
              kx = 0;
              ++ky;
            }
          }
          pass(static_cast<const T* const*>(pixels), p == 0, p + 1 == passes, p * K, oy * s.out_w + ox);
        }
      }
    }
  }

  // Over the channels i < n: sum = (First ? 0 : acc[i]) + product(pixels[t][i], w[t * tap_stride + i]) for t < K in
  // order, then finish(i, sum) if Finish is not std::nullptr_t, else acc[i] = sum.
  template <bool First, class Sum, class T, class W, class Product, class Finish>
  static void sum_channels(const T* const* pixels, const W* w, std::size_t tap_stride, std::size_t n, Sum* acc,
                           Product product, Finish finish) {
    XNOR_DEPTHWISE_INDEPENDENT
    for (std::size_t i = 0; i < n; ++i) {
      Sum sum = First ? Sum{0} : acc[i];
#pragma GCC unroll 16
      for (std::size_t t = 0; t < K; ++t) sum += product(pixels[t][i], w[t * tap_stride + i]);
      if constexpr (std::is_same_v<Finish, std::nullptr_t>) {
        acc[i] = sum;
      } else {
        finish(i, sum);
      }
    }
  }

  // sum_channels of a pass, the first one or not.
  template <class... Args>
  static void sum_pass(bool first, Args... args) {
    if (first) {
      sum_channels<true>(args...);
    } else {
      sum_channels<false>(args...);
    }
  }

  // The output channel of lane i of j: i * multiplier + j, which the compiler sees as contiguous for multiplier 1.
  // (Named types rather than generic lambdas: binutils cannot demangle clang's names of lambdas inside those, which
  // tools/check-isa.sh needs.)
  struct Contiguous {
    std::size_t operator()(std::size_t i) const { return i; }
  };
  struct Strided {
    std::size_t multiplier, j;
    std::size_t operator()(std::size_t i) const { return i * multiplier + j; }
  };

  // The float epilogue of lane i, fused into the last pass: bias, activation, store. It holds by value what the
  // loop reads, so that the compiler knows the output stores change none of it.
  template <class Index>
  struct FloatEpilogue {
    const float *bias, *slope, *low, *high;  // at the pass's first lane
    float* out;                              // the output pixel
    Index index;
    void operator()(std::size_t i, float sum) const {
      const float y = sum + bias[i], scaled = slope[i] * y;  // both computed: the choice is a select
      out[index(i)] = std::min(std::max(y < 0.0f ? scaled : y, low[i]), high[i]);
    }
  };

  static void run_float(const detail::FloatDepthwiseArgs& a) {
    const detail::DepthwiseShape& s = a.shape;
    const std::size_t in_c = s.in_c, m = s.multiplier, out_c = in_c * m;
    const auto product = [](float x, float w) { return x * w; };
    for_each_pass(s, a.input, a.padding, [&](const float* const* pixels, bool first, bool last, std::size_t tap,
                                             std::size_t pixel) {
      for (std::size_t j = 0; j < m; ++j) {
        const std::size_t k = j * in_c;  // the lanes of j
        const float* w = a.weights + tap * out_c + k;
        const float* bias = a.epilogue + k;
        float* out = a.output + pixel * out_c;
        if (!last) {
          sum_pass(first, pixels, w, out_c, in_c, a.scratch + k, product, nullptr);
        } else if (m == 1) {
          sum_pass(first, pixels, w, out_c, in_c, a.scratch + k, product,
                   FloatEpilogue<Contiguous>{bias, bias + out_c, bias + 2 * out_c, bias + 3 * out_c, out, {}});
        } else {
          sum_pass(first, pixels, w, out_c, in_c, a.scratch + k, product,
                   FloatEpilogue<Strided>{bias, bias + out_c, bias + 2 * out_c, bias + 3 * out_c, out, {m, j}});
        }
      }
    });
  }

  static void run_int8(const detail::Int8DepthwiseArgs& a) {
    if (a.left_shifts) {
      run_int8<true>(a);
    } else {
      run_int8<false>(a);
    }
  }

  // reference::int8_grouped_conv2d in lanes: the sums (modulo 2^32, unsigned; each product (x - zero point) * w,
  // |.| <= 255 * 128, fits 16 bits), then requantize() (xnor/int8.hpp) in a loop of its own, so that the sums
  // vectorize even where the requantization does not (SSE2 has no signed 32 x 32 -> 64-bit multiply).
  template <bool LeftShifts>
  static void run_int8(const detail::Int8DepthwiseArgs& a) {
    const detail::DepthwiseShape& s = a.shape;
    const std::size_t in_c = s.in_c, m = s.multiplier, out_c = in_c * m;
    const auto zero_point = static_cast<std::int16_t>(a.input_zero_point);
    const auto product = [zero_point](std::int8_t x, std::int8_t w) {
      const auto exact = static_cast<std::int16_t>(static_cast<std::int16_t>(x - zero_point) * w);
      return static_cast<std::uint32_t>(static_cast<std::int32_t>(exact));
    };
    for_each_pass(s, a.input, a.padding, [&](const std::int8_t* const* pixels, bool first, bool last,
                                             std::size_t tap, std::size_t pixel) {
      for (std::size_t j = 0; j < m; ++j) {
        const std::size_t k = j * in_c;
        sum_pass(first, pixels, a.weights + tap * out_c + k, out_c, in_c, a.scratch + k, product, nullptr);
        if (!last) continue;
        std::int8_t* out = a.output + pixel * out_c;
        if (m == 1) {
          requantize_lanes<LeftShifts>(a, k, out, Contiguous{});
        } else {
          requantize_lanes<LeftShifts>(a, k, out, Strided{m, j});
        }
      }
    });
  }

  // Requantizes the sums of lanes [k, k + in_c) to the output pixel `out`.
  template <bool LeftShifts, class Index>
  static void requantize_lanes(const detail::Int8DepthwiseArgs& a, std::size_t k, std::int8_t* out, Index index) {
    const std::size_t n = a.shape.in_c, out_c = n * a.shape.multiplier;
    const std::uint32_t* sums = a.scratch + k;
    const std::int32_t* bias = a.channels + k;
    const std::int32_t* multiplier = bias + out_c;
    const std::int32_t* left = multiplier + out_c;
    const std::int32_t* right = left + out_c;
    // Clamped before the output zero point is added, so that the sum cannot overflow.
    const std::int32_t zero_point = a.output_zero_point;
    const std::int32_t low = a.output_min - zero_point, high = a.output_max - zero_point;
    XNOR_DEPTHWISE_INDEPENDENT
    for (std::size_t i = 0; i < n; ++i) {
      const auto acc = static_cast<std::int32_t>(sums[i] + static_cast<std::uint32_t>(bias[i]));
      const std::int32_t y = multiply_by_multiplier<LeftShifts>(acc, multiplier[i], left[i], right[i]);
      out[index(i)] = static_cast<std::int8_t>(std::min(std::max(y, low), high) + zero_point);
    }
  }

  // multiply_by_quantized_multiplier() (xnor/int8.hpp) without branches, for lanes; multiplier >= 0.
  template <bool LeftShifts>
  static std::int32_t multiply_by_multiplier(std::int32_t x, std::int32_t multiplier, std::int32_t left,
                                             std::int32_t right) {
    if constexpr (LeftShifts) {  // x * 2^left, saturated to int32
      constexpr std::int32_t max = 0x7FFFFFFF, min = -max - 1;
      const std::int32_t shifted = static_cast<std::int32_t>(static_cast<std::uint32_t>(x) << left);
      x = x > (max >> left) ? max : x < (min >> left) ? min : shifted;
    }
    // SaturatingRoundingDoublingHighMul: its nudge and truncating division are floor((x * M + 2^30) / 2^31) for
    // either sign, and M >= 0 rules out its saturating case; bits 31..62 of the sum are that floor's low 32 bits.
    const std::int64_t product = std::int64_t{x} * multiplier + (std::int64_t{1} << 30);
    const auto high_mul = static_cast<std::int32_t>(static_cast<std::uint64_t>(product) >> 31);
    // RoundingDivideByPOT.
    const auto mask = static_cast<std::int32_t>((std::uint32_t{1} << right) - 1);
    const std::int32_t threshold = (mask >> 1) - (high_mul >> 31);
    return (high_mul >> right) + ((high_mul & mask) > threshold ? 1 : 0);
  }
};

// The including unit's table (depthwise_kernels.hpp), named after its instruction set.
#define XNOR_DEPTHWISE_STRING(isa) #isa
#define XNOR_DEPTHWISE_NAME(isa) XNOR_DEPTHWISE_STRING(isa)
const detail::DepthwiseKernels& depthwise_kernels() {
  static constexpr detail::DepthwiseKernels kernels{XNOR_DEPTHWISE_NAME(XNOR_ISA), DepthwiseLoops::run_float,
                                                    DepthwiseLoops::run_int8};
  return kernels;
}

}  // namespace xnor::XNOR_ISA
