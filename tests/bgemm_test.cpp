#include <doctest/doctest.h>

#include <random>
#include <stdexcept>
#include <vector>

#include <climits>
#include <cmath>
#include <limits>

#include "bitops/reference.hpp"
#include "src/path_kernels.hpp"
#include "tests/support.hpp"
#include "xnor/bgemm.hpp"

using namespace xnor;

namespace {

constexpr std::int32_t canary = -7;

// Runs bgemm on `path` for one shape with padded strides and checks it against the reference exactly,
// including that nothing outside C's M x N block is written.
void check_shape(Path path, std::mt19937_64& rng, std::size_t m, std::size_t n, std::size_t k_bits) {
  CAPTURE(path_name(path));
  CAPTURE(m);
  CAPTURE(n);
  CAPTURE(k_bits);
  const std::size_t words = words_for_bits(k_bits);
  const std::size_t lda = words + rng() % 3;
  const std::size_t ldc = n + rng() % 3;
  const auto a = test::random_bit_rows(rng, m, k_bits, lda);
  const auto b = test::random_bit_rows(rng, n, k_bits, words);
  std::vector<std::int32_t> expected(m * ldc, canary);
  std::vector<std::int32_t> actual(m * ldc, canary);
  reference::bgemm(a.data(), m, lda, b.data(), n, words, expected.data(), ldc);
  bgemm(a, m, lda, BgemmWeights(b, n, words), actual, ldc, path);
  CHECK(actual == expected);
}

}  // namespace

TEST_CASE("bgemm: every path equals the reference on shapes straddling words and tiles") {
  std::mt19937_64 rng(test::seed());
  const std::size_t k_bits[] = {1, 2, 63, 64, 65, 127, 128, 129, 575, 576, 577, 1152, 1200};
  const std::size_t ms[] = {1, 3, 4, 5, 9};
  const std::size_t ns[] = {1, 8, 31, 32, 33, 65};
  for (Path path : supported_path_list()) {
    for (std::size_t k : k_bits) {
      for (std::size_t m : ms) {
        for (std::size_t n : ns) check_shape(path, rng, m, n, k);
      }
    }
  }
}

TEST_CASE("bgemm: every path equals the reference on random shapes") {
  std::mt19937_64 rng(test::seed() + 1);
  for (int i = 0; i < 60; ++i) {
    const std::size_t m = 1 + rng() % 40;
    const std::size_t n = 1 + rng() % 100;
    const std::size_t k = 1 + rng() % 1200;
    for (Path path : supported_path_list()) check_shape(path, rng, m, n, k);
  }
}

TEST_CASE("bgemm: long K (more words than the kernels' narrow counters hold between flushes)") {
  std::mt19937_64 rng(test::seed() + 2);
  for (Path path : supported_path_list()) {
    check_shape(path, rng, 5, 40, 64 * 70 + 5);     // AVX2's byte counters
    check_shape(path, rng, 5, 40, 64 * 2100 + 5);   // NEON's 16-bit column sums: chunks of 1023 words
  }
}

TEST_CASE("bgemm: rows that differ in every bit count K on every path (the narrow counters at their limit)") {
  for (const std::size_t k_bits : {64u * 31, 64u * 1023, 64u * 1024 + 1, 64u * 2100 + 5}) {
    const std::size_t m = 5, n = 9, words = words_for_bits(k_bits);
    // A: every bit 1 (padding bits stay 0, as the packing contract says); the weights: every bit 0.
    std::vector<std::uint64_t> a(m * words, ~std::uint64_t{0});
    if (k_bits % 64 != 0) {
      for (std::size_t r = 0; r < m; ++r) a[r * words + words - 1] = (std::uint64_t{1} << (k_bits % 64)) - 1;
    }
    const BgemmWeights weights(std::vector<std::uint64_t>(n * words, 0), n, words);
    for (Path path : supported_path_list()) {
      CAPTURE(path_name(path));
      CAPTURE(k_bits);
      std::vector<std::int32_t> c(m * n, canary);
      bgemm(a, m, words, weights, c, n, path);
      CHECK(c == std::vector<std::int32_t>(m * n, static_cast<std::int32_t>(k_bits)));
    }
  }
}

TEST_CASE("bgemm panel bits: every path thresholds like reference::dots_to_bits, at and around every count") {
  // Thresholds on d = k_bits - 2 * count - correction: ranges one step either side of a row's actual d, empty
  // ones, unbounded ones (INT_MIN / INT_MAX); rows with and without corrections; K of 1 word to past the 16-bit
  // counts of one NEON chunk (1023 words).
  std::mt19937_64 rng(test::seed() + 3);
  for (const std::size_t words : {1u, 3u, 9u, 70u, 1023u, 1024u}) {
    for (const std::size_t n_valid : {1u, 8u, 13u, 20u, 24u, 32u}) {
      const std::size_t m = 1 + rng() % detail::max_panel_bits_rows, k_bits = 64 * words, out_stride = 3;
      const auto a = test::random_bit_rows(rng, m, k_bits, words);
      const auto b = test::random_bit_rows(rng, n_valid, k_bits, words);
      std::vector<std::int32_t> counts(m * n_valid);
      reference::bgemm(a.data(), m, words, b.data(), n_valid, words, counts.data(), n_valid);
      std::vector<std::int32_t> corrections(m * n_valid), low(n_valid), high(n_valid);
      std::vector<char> corrected(m);
      for (std::size_t r = 0; r < m; ++r) corrected[r] = rng() % 3 == 0;
      for (auto& c : corrections) c = static_cast<std::int32_t>(rng() % 41) - 20;
      for (std::size_t j = 0; j < n_valid; ++j) {
        const std::size_t r = rng() % m;
        const std::int32_t d = static_cast<std::int32_t>(k_bits) - 2 * counts[r * n_valid + j] -
                               (corrected[r] ? corrections[r * n_valid + j] : 0);
        const std::int32_t step = static_cast<std::int32_t>(rng() % 3) - 1;
        switch (rng() % 5) {
          case 0: low[j] = d + step, high[j] = INT_MAX; break;
          case 1: low[j] = INT_MIN, high[j] = d + step; break;
          case 2: low[j] = d - 1 + step, high[j] = d + 1 + step; break;
          case 3: low[j] = d + 1, high[j] = d - 1 + step; break;  // empty
          default: low[j] = INT_MIN, high[j] = INT_MAX;
        }
      }
      std::vector<std::uint32_t> expected(m * out_stride, 0xdeadbeef);
      for (std::size_t r = 0; r < m; ++r) {
        std::uint64_t word = 0;
        reference::dots_to_bits(counts.data() + r * n_valid, n_valid, static_cast<std::int32_t>(k_bits),
                                corrected[r] ? corrections.data() + r * n_valid : nullptr, low.data(), high.data(), &word);
        expected[r * out_stride] = static_cast<std::uint32_t>(word);
      }
      const BgemmWeights weights(b, n_valid, words);
      for (Path path : supported_path_list()) {
        CAPTURE(path_name(path));
        CAPTURE(words);
        CAPTURE(n_valid);
        std::vector<std::uint32_t> out(m * out_stride, 0xdeadbeef);
        std::vector<std::int32_t> unused(m * BgemmWeights::panel_width);
        const detail::PanelBits bits{static_cast<std::int32_t>(k_bits), low.data(), high.data(), corrections.data(),
                                     n_valid, corrected.data(), out.data(), out_stride};
        detail::path_kernels(path).bits->bgemm_panel(
            {a.data(), words, m, weights.panel(0), words, n_valid, unused.data(), BgemmWeights::panel_width, &bits});
        CHECK(out == expected);
      }
    }
  }
}

TEST_CASE("the reference's count gives the ±1 dot product: K - 2 * count") {
  std::mt19937_64 rng(test::seed() + 3);
  for (std::size_t k : {1, 64, 65, 300}) {
    CAPTURE(k);
    const std::size_t words = words_for_bits(k);
    const auto a = test::random_bit_rows(rng, 1, k, words);
    const auto b = test::random_bit_rows(rng, 1, k, words);
    std::vector<float> a_signs(k), b_signs(k);
    unpack_signs(a, 1, k, a_signs);
    unpack_signs(b, 1, k, b_signs);
    float dot = 0.0f;
    for (std::size_t i = 0; i < k; ++i) dot += a_signs[i] * b_signs[i];
    std::int32_t count = 0;
    reference::bgemm(a.data(), 1, words, b.data(), 1, words, &count, 1);
    CHECK(static_cast<float>(static_cast<std::int32_t>(k) - 2 * count) == dot);
  }
}

TEST_CASE("bgemm refuses inconsistent sizes") {
  const std::vector<std::uint64_t> rows(6);
  CHECK_THROWS_WITH_AS(BgemmWeights(rows, 4, 2), doctest::Contains("need 8 words, got 6"), std::invalid_argument);
  const BgemmWeights weights(rows, 3, 2);
  std::vector<std::int32_t> c(3);
  const std::vector<std::uint64_t> a(3);
  CHECK_THROWS_AS(bgemm(a, 2, 2, weights, c, 3), std::invalid_argument);
}

TEST_CASE("dots to floats: every path computes reference::dots_to_floats, with every piecewise-linear activation") {
  // Channel counts that straddle the vector widths (4, 8, 16 floats); counts and corrections around k_bits / 2;
  // no activation, ReLU, PReLU and a clamp. Paths compiled for FMA may fuse the multiply and add: the bound is
  // a few rounding steps of the terms.
  std::mt19937_64 rng(test::seed() + 4);
  std::uniform_real_distribution<float> uniform(-2.0f, 2.0f);
  constexpr float infinity = std::numeric_limits<float>::infinity();
  for (const std::size_t n : {1u, 7u, 8u, 15u, 16u, 17u, 31u, 32u, 33u, 100u}) {
    const std::int32_t k_bits = 1 + static_cast<std::int32_t>(rng() % 600);
    std::vector<std::int32_t> counts(n), correction(n);
    std::vector<float> multiplier(n), bias(n), slopes(n), residual(n);
    for (std::size_t c = 0; c < n; ++c) {
      counts[c] = static_cast<std::int32_t>(rng() % static_cast<std::uint64_t>(k_bits + 1));
      correction[c] = static_cast<std::int32_t>(rng() % 21) - 10;
      multiplier[c] = uniform(rng), bias[c] = 50.0f * uniform(rng), slopes[c] = uniform(rng);
      residual[c] = 50.0f * uniform(rng);
    }
    for (int activation = 0; activation < 4; ++activation) {
      for (const int variant : {0, 1, 2, 3}) {  // plain, corrected, with a residual, both
        const bool corrected = variant % 2 == 1;
        const float scale = corrected ? 0.75f : 1.0f;
        detail::DotsToFloats args{counts.data(), n, k_bits, corrected ? correction.data() : nullptr, scale,
                                  multiplier.data(), bias.data(), activation == 2 ? slopes.data() : nullptr,
                                  activation == 1 ? 0.0f : activation == 3 ? -3.0f : -infinity,
                                  activation == 3 ? 40.0f : infinity, nullptr, variant >= 2 ? residual.data() : nullptr};
        std::vector<float> expected(n);
        args.out = expected.data();
        reference::dots_to_floats(args);
        for (Path path : supported_path_list()) {
          CAPTURE(path_name(path));
          CAPTURE(n);
          CAPTURE(activation);
          CAPTURE(variant);
          std::vector<float> out(n + 1, -1234.5f);
          args.out = out.data();
          detail::path_kernels(path).bits->dots_to_floats(args);
          for (std::size_t c = 0; c < n; ++c) {
            const float bound = 1e-6f *
                                (std::fabs(multiplier[c] * static_cast<float>(k_bits + 10)) + std::fabs(bias[c]) +
                                 std::fabs(residual[c])) *
                                std::max(1.0f, std::fabs(slopes[c]));
            CHECK(std::fabs(out[c] - expected[c]) <= bound);
          }
          CHECK(out[n] == -1234.5f);  // nothing past the pixel's channels
        }
      }
    }
  }
}
