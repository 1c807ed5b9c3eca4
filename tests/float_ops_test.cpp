#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

#include "tests/support.hpp"
#include "xnor/batch_norm.hpp"
#include "xnor/float_conv.hpp"
#include "xnor/float_ops.hpp"
#include "xnor/int8.hpp"

using namespace xnor;

namespace {

// A 3x3 image of two channels: 1..9, and their negatives (so a padded zero would win a max-pool).
std::vector<float> two_channel_image() {
  std::vector<float> image;
  for (int v = 1; v <= 9; ++v) image.insert(image.end(), {static_cast<float>(v), -static_cast<float>(v)});
  return image;
}

}  // namespace

TEST_CASE("max-pool and average-pool leave out the cells of a window outside the input (TensorFlow same)") {
  const auto image = two_channel_image();
  SUBCASE("2x2 stride 2: the last row and column are padded below and right") {
    const ConvGeometry g{3, 3, 2, 2, 2, 2, Padding::same, 2};
    std::vector<float> out(g.out_pixels() * 2);
    max_pool(image, g, out);
    CHECK(out == std::vector<float>{5, -1, 6, -3, 8, -7, 9, -9});
    average_pool(image, g, out);
    CHECK(out == std::vector<float>{3, -3, 4.5f, -4.5f, 7.5f, -7.5f, 9, -9});
  }
  SUBCASE("3x3 stride 1: every window is cut by the border but the center") {
    const ConvGeometry g{3, 3, 2, 3, 3, 1, Padding::same, 2};
    std::vector<float> out(g.out_pixels() * 2);
    max_pool(image, g, out);
    CHECK(out == std::vector<float>{5, -1, 6, -1, 6, -2, 8, -1, 9, -1, 9, -2, 8, -4, 9, -4, 9, -5});
    average_pool(image, g, out);
    CHECK(out[0] == 3.0f);   // (1 + 2 + 4 + 5) / 4
    CHECK(out[2] == 3.5f);   // (1 + 2 + 3 + 4 + 5 + 6) / 6
    CHECK(out[8] == 5.0f);   // the full window
    CHECK(out[17] == -7.0f);  // -(5 + 6 + 8 + 9) / 4
  }
  SUBCASE("valid windows see no padding") {
    const ConvGeometry g{3, 3, 2, 2, 2, 1, Padding::valid, 2};
    std::vector<float> out(g.out_pixels() * 2);
    average_pool(image, g, out);
    CHECK(out == std::vector<float>{3, -3, 4, -4, 6, -6, 7, -7});
  }
}

TEST_CASE("max-pool equals a plain window loop: shapes, strides, padding and row bands") {
  std::mt19937_64 rng(test::seed());
  INFO("seed " << test::seed());
  std::normal_distribution<float> normal;
  test::for_each_pool_window({1, 3, 16, 17, 33}, [&](const ConvGeometry& g) {
    INFO(test::describe(g));
    std::vector<float> input(g.in_pixels() * g.in_c);
    for (float& v : input) v = normal(rng);
    const std::vector<float> expected = test::reference_max_pool(g, input, -std::numeric_limits<float>::infinity());
    std::vector<float> whole(expected.size()), banded(expected.size());
    max_pool(input, g, whole);
    CHECK(whole == expected);
    for (std::size_t begin = 0; begin < g.out_h(); begin += 2) max_pool(input, g, banded, {begin, begin + 2});
    CHECK(banded == expected);
  });
}

TEST_CASE("average pool equals a plain window loop: shapes, strides, padding counted or not, row bands") {
  std::mt19937_64 rng(test::seed());
  INFO("seed " << test::seed());
  std::normal_distribution<float> normal;
  test::for_each_pool_window({1, 3, 17}, [&](const ConvGeometry& g) {
    INFO(test::describe(g));
    std::vector<float> input(g.in_pixels() * g.in_c);
    for (float& v : input) v = normal(rng);
    for (bool count_padding : {false, true}) {
      CAPTURE(count_padding);
      std::vector<float> expected(g.out_pixels() * g.in_c);
      for (std::size_t oy = 0; oy < g.out_h(); ++oy) {
        for (std::size_t ox = 0; ox < g.out_w(); ++ox) {
          for (std::size_t c = 0; c < g.in_c; ++c) {
            const auto [sum, divisor] = test::reference_average_window(g, input, oy, ox, c, count_padding);
            expected[(oy * g.out_w() + ox) * g.in_c + c] = static_cast<float>(sum / static_cast<double>(divisor));
          }
        }
      }
      std::vector<float> whole(expected.size()), banded(expected.size());
      average_pool(input, g, whole, {}, count_padding);
      for (std::size_t begin = 0; begin < g.out_h(); begin += 2) average_pool(input, g, banded, {begin, begin + 2}, count_padding);
      for (std::size_t i = 0; i < expected.size(); ++i) {
        CHECK(whole[i] == doctest::Approx(expected[i]).epsilon(1e-5));
        CHECK(banded[i] == whole[i]);
      }
    }
  });
}

TEST_CASE("global average pool, concat, activations and batch norm") {
  const auto image = two_channel_image();
  std::vector<float> mean(2);
  global_average_pool(image, 9, 2, mean);
  CHECK(mean == std::vector<float>{5, -5});

  const std::vector<float> a{1, 2, 3, 4}, b{5, 6, 7, 8, 9, 10};
  const FloatChannels parts[] = {{a, 2}, {b, 3}};
  std::vector<float> joined(10);
  concat_channels(parts, 2, joined);
  CHECK(joined == std::vector<float>{1, 2, 5, 6, 7, 3, 4, 8, 9, 10});

  std::vector<float> values{-2, 1, -4, 3};
  activate(values, 2, Activation::prelu({0.5f, 0.25f}));
  CHECK(values == std::vector<float>{-1, 1, -2, 3});
  activate(values, 2, Activation::relu());
  CHECK(values == std::vector<float>{0, 1, 0, 3});
  activate(values, 2, Activation::clamp(0.5f, 2.0f));
  CHECK(values == std::vector<float>{0.5f, 1, 0.5f, 2});

  const BatchNorm norm = BatchNorm::from_statistics(std::vector<float>{2, 1}, std::vector<float>{1, 0},
                                                    std::vector<float>{1, -1}, std::vector<float>{4, 1}, 0.0f);
  CHECK(norm.scale == std::vector<float>{1, 1});
  CHECK(norm.shift == std::vector<float>{0, 1});
  std::vector<float> normalized(4);
  norm.run(std::vector<float>{1, 2, 3, 4}, normalized);
  CHECK(normalized == std::vector<float>{1, 3, 3, 5});
}

TEST_CASE("hard sigmoid and hard swish follow ONNX; layers refuse them (they run as an activation node)") {
  const std::vector<float> x{-4, -3, -1.5f, 0, 1, 3, 4}, sigmoid_of_x{0.0f, 0.0f, 0.2f, 0.5f, 0.7f, 1.0f, 1.0f};
  std::vector<float> sigmoid = x, swish = x;
  activate(sigmoid, 1, Activation::hard_sigmoid(0.2f, 0.5f));
  activate(swish, 1, Activation::hard_swish());
  for (std::size_t i = 0; i < x.size(); ++i) {
    CHECK(sigmoid[i] == doctest::Approx(sigmoid_of_x[i]));
    CHECK(swish[i] == doctest::Approx(x[i] * std::min(std::max(x[i] + 3.0f, 0.0f), 6.0f) / 6.0f));
  }
  CHECK_THROWS_AS(FloatConv2d({3, 3, 1, 1, 1, 1, Padding::valid, 1}, std::vector<float>{1.0f}, {}, Activation::hard_swish()),
                  std::invalid_argument);
  CHECK_THROWS_AS(activation_range(Activation::hard_sigmoid(0.2f, 0.5f), {0.1f, 0}), std::invalid_argument);
}

TEST_CASE("softmax sums to 1, keeps the order, and is stable for large logits") {
  std::mt19937_64 rng(test::seed());
  std::normal_distribution<float> normal(0.0f, 5.0f);
  std::vector<float> logits(1000), probabilities(1000);
  for (float& l : logits) l = normal(rng);
  softmax(logits, probabilities);
  CHECK(std::accumulate(probabilities.begin(), probabilities.end(), 0.0) == doctest::Approx(1.0).epsilon(1e-5));
  const auto top = std::max_element(probabilities.begin(), probabilities.end()) - probabilities.begin();
  CHECK(top == std::max_element(logits.begin(), logits.end()) - logits.begin());

  std::vector<float> small(3), large(3);
  softmax(std::vector<float>{0, 1, 2}, small);
  softmax(std::vector<float>{1000, 1001, 1002}, large);
  CHECK(small[0] == doctest::Approx(0.0900306));
  CHECK(small[2] == doctest::Approx(0.6652410));
  CHECK(large == small);
  std::vector<float> extreme(2);
  softmax(std::vector<float>{-1e30f, 3e38f}, extreme);
  CHECK(extreme == std::vector<float>{0, 1});
}

TEST_CASE("float operations refuse inconsistent sizes") {
  const std::vector<float> image(3 * 3 * 2);
  std::vector<float> out(4 * 2), wrong(5);
  CHECK_THROWS_WITH_AS(max_pool(image, {3, 3, 2, 2, 2, 2, Padding::same, 3}, out),
                       doctest::Contains("keeps its 2 channels"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(average_pool(image, {3, 3, 2, 2, 2, 2, Padding::same, 2}, wrong),
                       doctest::Contains("output has 5 elements, expected 8"), std::invalid_argument);
  CHECK_THROWS_AS(max_pool(wrong, {3, 3, 2, 2, 2, 2, Padding::same, 2}, out), std::invalid_argument);
  CHECK_THROWS_AS(global_average_pool(image, 9, 2, wrong), std::invalid_argument);
  const FloatChannels parts[] = {{image, 3}};
  CHECK_THROWS_AS(concat_channels(parts, 9, out), std::invalid_argument);
  CHECK_THROWS_AS(concat_channels(parts, 6, wrong), std::invalid_argument);
  CHECK_THROWS_AS(softmax(image, wrong), std::invalid_argument);
  CHECK_THROWS_AS(softmax({}, {}), std::invalid_argument);
  CHECK_THROWS_AS(activate(wrong, 2, Activation::relu()), std::invalid_argument);
  CHECK_THROWS_AS(activate(out, 2, Activation::prelu({1.0f})), std::invalid_argument);
}
