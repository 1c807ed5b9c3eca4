#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "src/graph/sign_thresholds.hpp"
#include "tests/support.hpp"

using namespace xnor;

namespace {

constexpr float infinity = std::numeric_limits<float>::infinity();

// Whether flip * x < threshold agrees with the sign of norm.run for x in every channel.
void check_agreement(const BatchNorm& norm, const detail::SignThresholds& t, const std::vector<float>& x) {
  std::vector<float> y(x.size());
  norm.run(x, y);
  for (std::size_t c = 0; c < x.size(); ++c) {
    CAPTURE(c);
    CAPTURE(norm.scale[c]);
    CAPTURE(norm.shift[c]);
    CAPTURE(x[c]);
    CHECK((t.flip[c] * x[c] < t.thresholds[c]) == (y[c] < 0.0f));
  }
}

}  // namespace

TEST_CASE("sign thresholds: flip * x < threshold exactly where the scale and shift give a negative value") {
  std::mt19937_64 rng(test::seed());
  const float scales[] = {1.0f, -1.0f, 0.37f, -2.5e-3f, 1e-30f, -1e30f, std::numeric_limits<float>::denorm_min(), 3e38f};
  const float shifts[] = {0.0f, -0.0f, 1.0f, -0.3f, 1e30f, -3e38f, std::numeric_limits<float>::denorm_min()};
  std::normal_distribution<float> normal(0.0f, 1.0f);
  BatchNorm norm;
  for (float scale : scales) {
    for (float shift : shifts) {
      norm.scale.push_back(scale);
      norm.shift.push_back(shift);
    }
  }
  for (int k = 0; k < 200; ++k) {  // random ones, some of either sign
    norm.scale.push_back(normal(rng) * std::ldexp(1.0f, static_cast<int>(rng() % 40) - 20));
    norm.shift.push_back(normal(rng) * std::ldexp(1.0f, static_cast<int>(rng() % 40) - 20));
  }
  const std::size_t channels = norm.channels();
  const auto t = detail::sign_thresholds(norm);
  REQUIRE(t.has_value());
  // Values next to each channel's threshold, both ways, where the sign flips; special values; random ones.
  for (int step = -300; step <= 300; ++step) {
    std::vector<float> x(channels);
    for (std::size_t c = 0; c < channels; ++c) {
      float v = t->thresholds[c];
      for (int i = 0; i < std::abs(step); ++i) v = std::nextafter(v, step < 0 ? -infinity : infinity);
      x[c] = t->flip[c] * v;
    }
    check_agreement(norm, *t, x);
  }
  const float specials[] = {0.0f, -0.0f, infinity, -infinity, std::numeric_limits<float>::quiet_NaN(),
                            std::numeric_limits<float>::denorm_min(), -std::numeric_limits<float>::max()};
  for (float special : specials) check_agreement(norm, *t, std::vector<float>(channels, special));
  for (int k = 0; k < 100; ++k) {
    std::vector<float> x(channels);
    for (float& v : x) v = normal(rng) * std::ldexp(1.0f, static_cast<int>(rng() % 80) - 40);
    check_agreement(norm, *t, x);
  }
}

TEST_CASE("sign thresholds: none where a scale is 0 or not finite or a shift is not finite") {
  for (const auto& [scale, shift] : {std::pair{0.0f, 1.0f}, {infinity, 0.0f}, {std::nanf(""), 0.0f}, {1.0f, -infinity},
                                     {1.0f, std::nanf("")}}) {
    CAPTURE(scale);
    CAPTURE(shift);
    CHECK_FALSE(detail::sign_thresholds(BatchNorm{{1.0f, scale}, {0.5f, shift}}).has_value());
  }
}
