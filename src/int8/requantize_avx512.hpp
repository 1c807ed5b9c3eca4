#pragma once
// requantize() (xnor/int8.hpp) for 16 output channels at once, for the AVX-512 kernels: a per-path header
// (src/target.hpp), compiled in the including unit's namespace xnor::XNOR_ISA. It includes nothing itself: the
// unit includes <cstddef>, <cstdint>, src/int8/packed_weights.hpp and src/int8/x86_intrinsics.hpp before its
// target begins.
//
// gemmlowp's two roundings fold into one: with p = (x << left_shift) * M and e the right shift,
//   SaturatingRoundingDoublingHighMul: s = floor((p + 2^30) / 2^31)  (its nudge and truncating division give this
//                                       floor for either sign; M > 0 rules out the saturating case)
//   RoundingDivideByPOT (e > 0):       floor((s + 2^(e-1) - [s < 0]) / 2^e)
// and floor(floor(a / 2^31) / 2^e) = floor(a / 2^(31+e)), so the result is
//   floor((p + 2^30 + 2^(30+e) - [p < -2^30] * 2^31) / 2^(31+e))   (e = 0: floor((p + 2^30) / 2^31)):
// one 64-bit multiply, add and arithmetic shift per lane. When the bias folds (packed_weights.hpp), p + bias * M
// takes the bias with no int32 wrap to fear, so the bias joins the rounding constant and the threshold, and the
// result, below 2^30 in magnitude, needs no clamp before the saturating packs of store_outputs. Otherwise the
// accumulator plus bias is clamped to [clamp_low, clamp_high], which changes no output and keeps the shifts and
// the result small.
#ifndef XNOR_ISA
#error "src/int8/requantize_avx512.hpp is a per-path header: define XNOR_ISA first (src/target.hpp)"
#endif

namespace xnor::XNOR_ISA {

using detail::PackedInt8Weights;

// The per-channel values of 16 output channels, loaded once per tile column and applied to each of its rows.
// Even channels are in the low halves of 64-bit lanes, odd channels in the *_odd vectors.
struct Requantizer16 {
  __m512i bias, clamp_low, clamp_high, left_shift, zero_point;
  __m512i multiplier_even, multiplier_odd, rounding_even, rounding_odd, negative_even, negative_odd, threshold_even,
      threshold_odd, shift_even, shift_odd;
  bool bias_folds = false, left_shifts = false;

  Requantizer16() = default;
  Requantizer16(const PackedInt8Weights& w, std::size_t n)
      : bias(_mm512_loadu_si512(w.bias.data() + n)),
        clamp_low(_mm512_loadu_si512(w.clamp_low.data() + n)),
        clamp_high(_mm512_loadu_si512(w.clamp_high.data() + n)),
        left_shift(_mm512_loadu_si512(w.left_shift.data() + n)),
        zero_point(_mm512_set1_epi32(w.output_zero_point)),
        bias_folds(w.bias_folds),
        left_shifts(w.any_left_shift) {
    const __m512i multiplier = _mm512_loadu_si512(w.multiplier.data() + n);
    const __m512i right_shift = _mm512_loadu_si512(w.right_shift.data() + n);
    const __m512i low_halves = _mm512_set1_epi64(0xFFFFFFFF);
    multiplier_even = multiplier;  // _mm512_mul_epi32 reads the low half of each 64-bit lane
    multiplier_odd = _mm512_srli_epi64(multiplier, 32);
    // bias * M, or 0 where the bias is added before the multiply.
    const __m512i folded = bias_folds ? bias : _mm512_setzero_si512();
    set_rounding(_mm512_and_si512(right_shift, low_halves), _mm512_mul_epi32(folded, multiplier_even), rounding_even,
                 negative_even, threshold_even, shift_even);
    set_rounding(_mm512_srli_epi64(right_shift, 32), _mm512_mul_epi32(_mm512_srli_epi64(folded, 32), multiplier_odd),
                 rounding_odd, negative_odd, threshold_odd, shift_odd);
  }

  // The requantized outputs of 16 accumulators (without bias) plus the zero point, as int32; store_outputs
  // saturates them to the range.
  __m512i operator()(__m512i x) const {
    if (!bias_folds) {
      x = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(x, bias), clamp_low), clamp_high);
      if (left_shifts) x = _mm512_sllv_epi32(x, left_shift);
    }
    const __m512i even =
        round(_mm512_mul_epi32(x, multiplier_even), rounding_even, negative_even, threshold_even, shift_even);
    const __m512i odd = round(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), multiplier_odd), rounding_odd, negative_odd,
                              threshold_odd, shift_odd);
    // Odd lanes take the low half of the odd results' 64-bit lanes.
    return _mm512_add_epi32(_mm512_mask_shuffle_epi32(even, 0xAAAA, odd, _MM_PERM_CDAB), zero_point);
  }

 private:
  // From e and bias * M in 64-bit lanes: the rounding constant 2^30 + 2^(30+e) (2^30 for e = 0) + bias * M, the
  // correction 2^31 (0 for e = 0) below the threshold -2^30 - bias * M, and the shift 31 + e.
  static void set_rounding(__m512i e, __m512i bias_product, __m512i& rounding, __m512i& negative, __m512i& threshold,
                           __m512i& shift) {
    const __m512i half = _mm512_set1_epi64(std::int64_t{1} << 30);
    const __mmask8 positive = _mm512_cmpgt_epi64_mask(e, _mm512_setzero_si512());
    rounding = _mm512_add_epi64(_mm512_mask_add_epi64(half, positive, half, _mm512_sllv_epi64(half, e)), bias_product);
    negative = _mm512_maskz_mov_epi64(positive, _mm512_set1_epi64(std::int64_t{1} << 31));
    threshold = _mm512_sub_epi64(_mm512_sub_epi64(_mm512_setzero_si512(), half), bias_product);
    shift = _mm512_add_epi64(e, _mm512_set1_epi64(31));
  }
  static __m512i round(__m512i product, __m512i rounding, __m512i negative, __m512i threshold, __m512i shift) {
    const __mmask8 below = _mm512_cmplt_epi64_mask(product, threshold);
    const __m512i sum = _mm512_add_epi64(product, rounding);
    return _mm512_srav_epi64(_mm512_mask_sub_epi64(sum, below, sum, negative), shift);
  }
};

// Stores the int8 outputs of 1 to 4 vectors of 16 channels (int32 requantized outputs), of which `count` exist:
// saturating packs interleave the vectors' 128-bit lanes and saturate to [-128, 127], one permutation restores
// the channel order, the range is applied to the bytes, and one store writes them all.
template <int V>
inline void store_outputs(std::int8_t* out, std::size_t count, Int8Range range, const __m512i (&values)[V]) {
  const __m512i words01 = _mm512_packs_epi32(values[0], values[V > 1 ? 1 : 0]);
  const __m512i words23 = V > 2 ? _mm512_packs_epi32(values[V > 2 ? 2 : 0], values[V > 3 ? 3 : V - 1]) : words01;
  // Dword l * 4 + q of the packed bytes holds channels 4l .. 4l + 3 of vector q.
  const __m512i bytes = _mm512_packs_epi16(words01, words23);
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  __m512i ordered = _mm512_permutexvar_epi32(order, bytes);
  if (range.min != -128 || range.max != 127) {
    ordered = _mm512_min_epi8(_mm512_max_epi8(ordered, _mm512_set1_epi8(range.min)), _mm512_set1_epi8(range.max));
  }
  const __mmask64 valid = count >= 64 ? ~__mmask64{0} : (__mmask64{1} << count) - 1;
  _mm512_mask_storeu_epi8(out, valid, ordered);
}

}  // namespace xnor::XNOR_ISA
