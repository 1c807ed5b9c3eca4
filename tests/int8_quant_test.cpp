#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "tests/support.hpp"
#include "xnor/int8.hpp"

using namespace xnor;

namespace {

constexpr std::int32_t int32_min = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t int32_max = std::numeric_limits<std::int32_t>::max();

// The real value of a fixed-point multiplier.
double real_value(FixedPointMultiplier m) { return std::ldexp(static_cast<double>(m.multiplier), m.shift - 31); }

}  // namespace

TEST_CASE("quantize_multiplier: TFLite's normalized form, within half a unit of the last of 31 bits") {
  CHECK(quantize_multiplier(0.5).multiplier == 1 << 30);
  CHECK(quantize_multiplier(0.5).shift == 0);
  CHECK(quantize_multiplier(1.0).multiplier == 1 << 30);
  CHECK(quantize_multiplier(1.0).shift == 1);
  CHECK(quantize_multiplier(0.0).multiplier == 0);
  CHECK(quantize_multiplier(1e-12).multiplier == 0);                                      // below 2^-32
  const FixedPointMultiplier rounded_up = quantize_multiplier(std::nextafter(1.0, 0.0));  // rounds to 2^31
  CHECK(rounded_up.multiplier == 1 << 30);
  CHECK(rounded_up.shift == 1);
  CHECK_THROWS_AS(quantize_multiplier(-0.5), std::invalid_argument);
  CHECK_THROWS_AS(quantize_multiplier(std::nan("")), std::invalid_argument);

  std::mt19937_64 rng(test::seed());
  std::uniform_real_distribution<double> exponent(-30.0, 20.0);
  for (int i = 0; i < 1000; ++i) {
    const double real = std::exp2(exponent(rng));
    const FixedPointMultiplier m = quantize_multiplier(real);
    CAPTURE(real);
    CHECK(m.multiplier >= 1 << 30);
    CHECK(std::abs(real_value(m) - real) <= real * std::ldexp(1.0, -31));
  }
}

TEST_CASE("gemmlowp's rounding functions on known values") {
  CHECK(saturating_rounding_doubling_high_mul(int32_min, int32_min) == int32_max);
  CHECK(saturating_rounding_doubling_high_mul(1 << 30, 1 << 30) == 1 << 29);
  CHECK(saturating_rounding_doubling_high_mul(3, 1 << 30) == 2);    // 1.5 rounds up
  CHECK(saturating_rounding_doubling_high_mul(-3, 1 << 30) == -1);  // -1.5: ties toward +infinity
  CHECK(saturating_rounding_doubling_high_mul(-5, 1 << 30) == -2);  // -2.5
  CHECK(rounding_divide_by_pot(5, 1) == 3);                         // 2.5: ties away from zero
  CHECK(rounding_divide_by_pot(-5, 1) == -3);                       // -2.5
  CHECK(rounding_divide_by_pot(-4, 3) == -1);                       // -0.5
  CHECK(rounding_divide_by_pot(3, 3) == 0);                         // 0.375
  CHECK(rounding_divide_by_pot(17, 0) == 17);
  CHECK(rounding_divide_by_pot(int32_max, 31) == 1);
  CHECK(rounding_divide_by_pot(int32_min, 31) == -1);
  // Multipliers above 1 shift left first, saturating: 8 is 2^30 * 2^(4 - 31), so x * 16 saturates, then halves.
  CHECK(multiply_by_quantized_multiplier(3, quantize_multiplier(4.0)) == 12);
  CHECK(multiply_by_quantized_multiplier(1 << 29, quantize_multiplier(8.0)) == 1 << 30);
  CHECK(multiply_by_quantized_multiplier(-(1 << 29), quantize_multiplier(8.0)) == -(1 << 30));
}

TEST_CASE("multiply_by_quantized_multiplier agrees with double precision") {
  std::mt19937_64 rng(test::seed() + 1);
  std::uniform_real_distribution<double> exponent(-24.0, 6.0);
  for (int i = 0; i < 20000; ++i) {
    const double real = std::exp2(exponent(rng));
    const int magnitude_bits = static_cast<int>(rng() % 31);
    const auto x = static_cast<std::int32_t>(static_cast<std::int64_t>(rng() % (std::uint64_t{1} << magnitude_bits)) *
                                             (rng() % 2 == 0 ? 1 : -1));
    const double exact = static_cast<double>(x) * real;
    if (std::abs(exact) >= 0x1p30) continue;  // saturation is checked above
    CAPTURE(x);
    CAPTURE(real);
    const std::int32_t result = multiply_by_quantized_multiplier(x, quantize_multiplier(real));
    // Within rounding (half a step, plus a second rounding's half) and the multiplier's 2^-31 relative error.
    CHECK(std::abs(result - exact) <= 1.0 + std::abs(exact) * 0x1p-30);
    // With an exact multiplier and no tie, it is the nearest integer.
    if (real == real_value(quantize_multiplier(real)) && std::abs(exact - std::floor(exact) - 0.5) > 1e-6) {
      CHECK(result == std::llround(exact));
    }
  }
}

TEST_CASE("requantize adds the output zero point and clamps to the range without overflow") {
  const FixedPointMultiplier half = quantize_multiplier(0.5);
  CHECK(requantize(100, half, 3, {}) == 53);
  CHECK(requantize(-1000, half, 3, {}) == -128);
  CHECK(requantize(int32_max, quantize_multiplier(1.0), 127, {}) == 127);
  CHECK(requantize(int32_min, quantize_multiplier(1.0), -128, {}) == -128);
  CHECK(requantize(10, half, 0, {-2, 4}) == 4);
  CHECK(requantize(-10, half, 0, {-2, 4}) == -2);
}

TEST_CASE("quantize rounds half away from zero and saturates, dequantize inverts it") {
  const QuantParams unit{1.0f, 0};
  CHECK(quantize(2.5f, unit) == 3);
  CHECK(quantize(-2.5f, unit) == -3);
  CHECK(quantize(2.49f, unit) == 2);
  CHECK(quantize(1000.0f, unit) == 127);
  CHECK(quantize(-1000.0f, unit) == -128);
  CHECK(quantize(std::numeric_limits<float>::infinity(), unit) == 127);
  CHECK(quantize(std::nanf(""), QuantParams{0.5f, -7}) == -7);
  CHECK(quantize(0.0f, QuantParams{0.1f, 12}) == 12);
  for (QuantParams params : {QuantParams{0.02f, -128}, QuantParams{0.5f, 127}, QuantParams{3.0f, 0}}) {
    for (int q = -128; q <= 127; ++q) {
      CAPTURE(q);
      CHECK(quantize(dequantize(static_cast<std::int8_t>(q), params), params) == q);
    }
  }
  const std::vector<float> values{-1.0f, 0.0f, 0.26f, 5.0f};
  std::vector<std::int8_t> q(values.size());
  std::vector<float> back(values.size());
  quantize(values, QuantParams{0.5f, 1}, q);
  CHECK(q == std::vector<std::int8_t>{-1, 1, 2, 11});
  dequantize(q, QuantParams{0.5f, 1}, back);
  CHECK(back == std::vector<float>{-1.0f, 0.0f, 0.5f, 5.0f});
  std::vector<std::int8_t> short_out(3);
  CHECK_THROWS_AS(quantize(values, QuantParams{0.5f, 1}, short_out), std::invalid_argument);
  CHECK_THROWS_AS(quantize(values, QuantParams{0.0f, 1}, q), std::invalid_argument);
}

TEST_CASE("quantize over a span: every path's loop gives quantize(value) for each value") {
  std::mt19937 rng(test::seed());
  INFO("seed " << test::seed());
  std::uniform_real_distribution<float> uniform(-300.0f, 300.0f);
  const float specials[] = {0.0f, -0.0f, 0.5f, -0.5f, 1.5f, -2.5f, 127.5f, -128.5f, 1e30f, -1e30f,
                            std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                            std::nanf(""), std::numeric_limits<float>::denorm_min()};
  for (Path path : supported_path_list()) {
    CAPTURE(path_name(path));
    for (QuantParams params : {QuantParams{1.0f, 0}, QuantParams{0.5f, -7}, QuantParams{0.0173f, 127}, QuantParams{3.0f, -128}}) {
      // Lengths around the 16- and 64-value vector steps, and a long one.
      for (std::size_t count : {1, 15, 16, 17, 63, 64, 65, 1000}) {
        CAPTURE(count);
        std::vector<float> values(count);
        for (std::size_t i = 0; i < count; ++i) {
          // Every third value a special one, the rest random, some on exact halves of the scale.
          values[i] = i % 3 == 0 ? specials[(i / 3) % std::size(specials)]
                      : i % 3 == 1 ? uniform(rng)
                                   : params.scale * (std::round(uniform(rng)) + 0.5f);
        }
        std::vector<std::int8_t> out(count + 1, 0x55);  // + a canary
        quantize(values, params, std::span(out).first(count), path);
        for (std::size_t i = 0; i < count; ++i) {
          CAPTURE(values[i]);
          CHECK(out[i] == quantize(values[i], params));
        }
        CHECK(out[count] == 0x55);
      }
    }
  }
}

TEST_CASE("activation_range maps fused activations to int8 bounds") {
  const QuantParams out{0.1f, -20};
  CHECK(activation_range(Activation::none(), out).min == -128);
  CHECK(activation_range(Activation::none(), out).max == 127);
  CHECK(activation_range(Activation::relu(), out).min == -20);
  CHECK(activation_range(Activation::relu(), out).max == 127);
  const Int8Range relu6 = activation_range(Activation::clamp(0.0f, 6.0f), out);
  CHECK(relu6.min == -20);
  CHECK(relu6.max == 40);
  CHECK(activation_range(Activation::clamp(-100.0f, 100.0f), out).min == -128);
  CHECK_THROWS_AS(activation_range(Activation::prelu({0.1f}), out), std::invalid_argument);
  CHECK_THROWS_AS(activation_range(Activation::clamp(1.0f, -1.0f), out), std::invalid_argument);
}
