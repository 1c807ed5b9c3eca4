#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "tests/support.hpp"
#include "xnor/output_transform.hpp"

using namespace xnor;

TEST_CASE("bit thresholds agree with the float expression for every dot product, either sign of multiplier") {
  std::mt19937_64 rng(test::seed());
  std::normal_distribution<float> normal(0.0f, 1.0f);
  constexpr std::int32_t k = 300;
  const std::vector<Activation> activations = {Activation::none(), Activation::relu(), Activation::clamp(-0.5f, 2.0f),
                                               Activation::clamp(0.25f, 2.0f)};
  for (int round = 0; round < 20; ++round) {
    const std::size_t n = 12;
    std::vector<float> multiplier(n), bias(n), slopes(n);
    for (std::size_t c = 0; c < n; ++c) {
      multiplier[c] = normal(rng) * 0.05f;
      bias[c] = normal(rng) * 5.0f;
      slopes[c] = normal(rng);
    }
    multiplier[0] = 0.0f;                    // y does not depend on d
    bias[1] = 200.0f * multiplier[1];        // boundary inside the range, y = 0 exactly at d = -200
    multiplier[2] = std::numeric_limits<float>::quiet_NaN();
    std::vector<Activation> all = activations;
    all.push_back(Activation::prelu(slopes));
    for (const Activation& activation : all) {
      const auto transform = OutputTransform::to_bits(multiplier, bias, activation, k);
      for (std::size_t c = 0; c < n; ++c) {
        std::int32_t first_mismatch = k + 1;
        for (std::int32_t d = k; d >= -k; --d) {
          if (transform.negative(d, c) != (transform.value(d, c) < 0.0f)) first_mismatch = d;
        }
        CAPTURE(round);
        CAPTURE(c);
        CHECK(first_mismatch == k + 1);
      }
    }
  }
}

TEST_CASE("int8 output rounds half away from zero and saturates") {
  const auto transform = OutputTransform::to_int8({1.0f}, {0.0f}, Activation::none(), 0.5f, 3);
  CHECK(transform.quantize(0.25f) == 4);    // 0.5 -> 1, + 3
  CHECK(transform.quantize(-0.25f) == 2);   // -0.5 -> -1, + 3
  CHECK(transform.quantize(1000.0f) == 127);
  CHECK(transform.quantize(-1000.0f) == -128);
  CHECK(transform.quantize(std::numeric_limits<float>::quiet_NaN()) == -128);
  CHECK_THROWS_AS(OutputTransform::to_int8({1.0f}, {0.0f}, Activation::none(), 0.0f, 0), std::invalid_argument);
}

TEST_CASE("an output transform refuses per-channel vectors of different lengths") {
  CHECK_THROWS_AS(OutputTransform::to_float({1.0f, 2.0f}, {0.0f}), std::invalid_argument);
  CHECK_THROWS_AS(OutputTransform::to_bits({1.0f}, {0.0f}, Activation::prelu({1.0f, 2.0f}), 10), std::invalid_argument);
}
