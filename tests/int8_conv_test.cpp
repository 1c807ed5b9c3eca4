#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string_view>
#include <vector>

#if defined(__aarch64__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

#include "src/int8/driver.hpp"
#include "src/int8/reference.hpp"
#include "src/path_kernels.hpp"
#include "tests/support.hpp"
#include "xnor/int8_conv.hpp"

using namespace xnor;

namespace {

constexpr std::size_t channel_counts[] = {1, 3, 4, 5, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129};
constexpr std::int32_t zero_points[] = {-128, 127, 0, -3, 5};
constexpr std::int8_t canary = 0x55;

// The paths this CPU supports, one for each int8 kernel (avx512 runs avx2's: it is tested once).
std::vector<Path> int8_paths() {
  std::vector<Path> paths;
  std::vector<const detail::Int8Kernels*> seen;
  for (Path path : supported_path_list()) {
    const detail::Int8Kernels* kernels = detail::path_kernels(path).int8;
    if (std::find(seen.begin(), seen.end(), kernels) != seen.end()) continue;
    seen.push_back(kernels);
    paths.push_back(path);
  }
  return paths;
}

// A layer with its input; params() refers to the vectors, so the Layer must outlive its use.
struct Layer {
  ConvGeometry geometry;
  std::vector<std::int8_t> weights, input;
  std::vector<float> weight_scales;
  std::vector<std::int32_t> bias;
  QuantParams input_params{0.05f, 0}, output_params{1.0f, 0};
  Int8Range range;

  Int8LayerParams params() const { return {weights, weight_scales, bias, input_params, output_params, range}; }
  std::size_t output_size() const { return geometry.out_pixels() * geometry.out_c; }
};

template <class T>
std::vector<T> random_values(std::mt19937_64& rng, std::size_t n, int low, int high) {
  std::uniform_int_distribution<int> value(low, high);
  std::vector<T> values(n);
  for (auto& v : values) v = static_cast<T>(value(rng));
  return values;
}

// Random full-range weights and inputs; per-channel multipliers sized so outputs spread over the int8 range
// (some saturate), a random bias (sometimes none) and sometimes a narrower activation range.
Layer random_layer(std::mt19937_64& rng, const ConvGeometry& g, std::int32_t input_zero_point,
                   std::int32_t output_zero_point) {
  Layer layer;
  layer.geometry = g;
  const std::size_t k = g.taps() * g.in_c;
  layer.weights = random_values<std::int8_t>(rng, g.out_c * k, -128, 127);
  layer.input = random_values<std::int8_t>(rng, g.in_pixels() * g.in_c, -128, 127);
  layer.input_params.zero_point = input_zero_point;
  layer.output_params.zero_point = output_zero_point;
  std::uniform_real_distribution<float> spread(0.25f, 4.0f);
  const float typical = 60.0f / (74.0f * 74.0f * std::sqrt(static_cast<float>(k)));  // 60 / typical |acc|
  for (std::size_t c = 0; c < g.out_c; ++c)
    layer.weight_scales.push_back(typical * spread(rng) / layer.input_params.scale);
  if (rng() % 4 != 0) layer.bias = random_values<std::int32_t>(rng, g.out_c, -(1 << 16), 1 << 16);
  if (rng() % 3 == 0) layer.range = {static_cast<std::int8_t>(-40 + static_cast<int>(rng() % 20)), 90};
  return layer;
}

// The index of the first difference, or -1.
std::ptrdiff_t first_difference(const std::vector<std::int8_t>& a, const std::vector<std::int8_t>& b) {
  const auto [ia, ib] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  return ia == a.end() && ib == b.end() ? -1 : ia - a.begin();
}

void check_against_reference(const Layer& layer, Path path) {
  const ConvGeometry& g = layer.geometry;
  const std::string_view kernel_name = path_name(path);
  CAPTURE(kernel_name);
  CAPTURE(g.in_h);
  CAPTURE(g.in_w);
  CAPTURE(g.in_c);
  CAPTURE(g.out_c);
  CAPTURE(g.kernel_h);
  CAPTURE(g.stride);
  CAPTURE(test::describe(g.padding));
  CAPTURE(layer.input_params.zero_point);
  CAPTURE(layer.output_params.zero_point);
  std::vector<std::int8_t> expected(layer.output_size()), actual(layer.output_size(), canary);
  reference::int8_conv2d(g, layer.params(), layer.input.data(), expected.data());
  Int8Conv2d(g, layer.params(), path).run(layer.input, actual);
  const std::ptrdiff_t at = first_difference(actual, expected);
  const int got = at >= 0 ? actual[static_cast<std::size_t>(at)] : 0;
  const int want = at >= 0 ? expected[static_cast<std::size_t>(at)] : 0;
  CAPTURE(at);
  CAPTURE(got);
  CAPTURE(want);
  CHECK(at == -1);
}

ConvGeometry geometry(std::size_t h, std::size_t w, std::size_t in_c, std::size_t kernel, std::size_t stride,
                      Padding padding, std::size_t out_c) {
  return {h, w, in_c, kernel, kernel, stride, padding, out_c};
}

}  // namespace

TEST_CASE("int8 conv: every kernel equals the reference for every channel count (tiles and vector tails)") {
  std::mt19937_64 rng(test::seed());
  std::size_t case_index = 0;
  for (std::size_t in_c : channel_counts) {
    for (std::size_t step = 0; step < 4; ++step, ++case_index) {
      const std::size_t out_c = channel_counts[(case_index * 5 + 3) % std::size(channel_counts)];
      const Layer layer = random_layer(rng, geometry(3, 4, in_c, 3, 1, Padding::same, out_c),
                                       zero_points[case_index % std::size(zero_points)],
                                       zero_points[(case_index + 2) % std::size(zero_points)]);
      for (Path path : int8_paths()) check_against_reference(layer, path);
    }
  }
}

TEST_CASE("int8 conv: every kernel equals the reference for kernels 1-7, strides 1 and 2, the test paddings") {
  std::mt19937_64 rng(test::seed() + 1);
  std::size_t case_index = 0;
  for (std::size_t kernel : {1, 3, 5, 7}) {
    for (std::size_t stride : {1, 2}) {
      for (Padding padding : test::test_paddings(kernel)) {
        for (int repeat = 0; repeat < 2; ++repeat, ++case_index) {
          const std::size_t h = kernel + rng() % 5;
          const std::size_t w = kernel + rng() % 5;
          const std::size_t in_c = channel_counts[rng() % 9];  // up to 32: 7x7 windows make K large
          const std::size_t out_c = channel_counts[rng() % std::size(channel_counts)];
          const Layer layer = random_layer(rng, geometry(h, w, in_c, kernel, stride, padding, out_c),
                                           zero_points[case_index % std::size(zero_points)],
                                           zero_points[(case_index + 1) % std::size(zero_points)]);
          for (Path path : int8_paths()) check_against_reference(layer, path);
        }
      }
    }
  }
}

TEST_CASE("int8 conv: rows across im2col blocks, the direct 1x1 path and its last partial block") {
  std::mt19937_64 rng(test::seed() + 2);
  const ConvGeometry shapes[] = {
      geometry(13, 11, 128, 3, 1, Padding::same, 40),  // K = 1152: several im2col blocks
      geometry(11, 13, 64, 1, 1, Padding::same, 33),   // 1x1: input rows used directly, then a partial block
      geometry(9, 7, 192, 1, 1, Padding::valid, 70),
      geometry(12, 12, 24, 3, 2, Padding::same, 20),
  };
  for (const ConvGeometry& g : shapes) {
    const Layer layer = random_layer(rng, g, -7, 3);
    for (Path path : int8_paths()) check_against_reference(layer, path);
  }
}

TEST_CASE("int8 conv: extreme values accumulate exactly (no saturating multiply)") {
  // (127 - (-128)) * -128 at every tap: the largest products, where VPMADDUBSW would saturate.
  for (std::int8_t weight : {std::int8_t{-128}, std::int8_t{127}}) {
    Layer layer;
    layer.geometry = geometry(5, 5, 64, 3, 1, Padding::same, 20);
    layer.weights.assign(20 * 9 * 64, weight);
    layer.input.assign(5 * 5 * 64, 127);
    layer.input_params.zero_point = -128;
    layer.weight_scales.assign(1, 1.0f / (255.0f * 128.0f * 576.0f) / layer.input_params.scale * 100.0f);
    for (Path path : int8_paths()) check_against_reference(layer, path);
  }
}

TEST_CASE("int8 conv: multipliers above 1 (a saturating left shift)") {
  std::mt19937_64 rng(test::seed() + 3);
  Layer layer = random_layer(rng, geometry(4, 4, 3, 3, 1, Padding::same, 17), 10, -20);
  for (std::size_t c = 0; c < layer.weight_scales.size(); ++c) {
    layer.weight_scales[c] = static_cast<float>(1 << (c % 20)) * 0.7f / layer.input_params.scale;
  }
  for (Path path : int8_paths()) check_against_reference(layer, path);
}

TEST_CASE("int8 conv: stride-1 layers read from the padded input, square and other kernels, 1 and 2 threads") {
  std::mt19937_64 rng(test::seed() + 7);
  struct Shape {
    std::size_t h, w, in_c, kernel_h, kernel_w, out_c;
    Padding padding;
  };
  // Wide enough that the padded image's extra rows stay under an eighth of the work (driver.hpp's uses_im2col),
  // but the last: a narrow image, which takes im2col rows on the paths whose kernels ask for them.
  const Shape shapes[] = {
      {9, 20, 64, 3, 3, 40, Padding::same},  {7, 21, 96, 3, 3, 33, Padding::valid}, {6, 33, 3, 5, 5, 17, Padding::same},
      {5, 50, 33, 7, 7, 8, Padding::same},   {8, 8, 128, 2, 2, 64, Padding::same},  {5, 17, 20, 1, 3, 31, Padding::same},
      {10, 4, 64, 3, 1, 16, Padding::valid}, {40, 3, 16, 3, 3, 5, Padding::same},
  };
  ThreadPool two(2);
  for (const Shape& s : shapes) {
    const ConvGeometry g{s.h, s.w, s.in_c, s.kernel_h, s.kernel_w, 1, s.padding, s.out_c};
    const Layer layer = random_layer(rng, g, -100, 17);
    std::vector<std::int8_t> expected(layer.output_size());
    reference::int8_conv2d(g, layer.params(), layer.input.data(), expected.data());
    for (Path path : int8_paths()) {
      const std::string_view kernel_name = path_name(path);
      CAPTURE(kernel_name);
      CAPTURE(s.h);
      CAPTURE(s.w);
      CAPTURE(s.in_c);
      CAPTURE(s.kernel_h);
      CAPTURE(s.kernel_w);
      const detail::Int8Kernels& kernels = *detail::path_kernels(path).int8;
      CHECK(detail::uses_im2col(g, kernels) == (&s == &shapes[std::size(shapes) - 1] && kernels.im2col_for_small_images));
      const Int8Conv2d conv(g, layer.params(), path);
      std::vector<std::int8_t> one_thread(layer.output_size(), canary), two_threads(layer.output_size(), canary);
      conv.run(layer.input, one_thread);
      conv.run(layer.input, two_threads, &two);
      CHECK(first_difference(one_thread, expected) == -1);
      CHECK(first_difference(two_threads, expected) == -1);
    }
  }
}

TEST_CASE("int8 conv: output transform edge cases (multipliers 0 and near 1, huge biases, narrow ranges)") {
  std::mt19937_64 rng(test::seed() + 8);
  const ConvGeometry g = geometry(5, 6, 40, 3, 1, Padding::same, 37);
  Layer near_one = random_layer(rng, g, 3, -9);  // multipliers in [0.5, 1): no folded bias, large results
  for (std::size_t c = 0; c < g.out_c; ++c) {
    near_one.weight_scales[c] = (0.5f + 0.49f * static_cast<float>(c) / g.out_c) / near_one.input_params.scale;
  }
  Layer zero_scales = random_layer(rng, g, -128, 127);
  for (std::size_t c = 0; c < g.out_c; c += 3) zero_scales.weight_scales[c] = 0.0f;
  Layer huge_bias = random_layer(rng, g, 0, 0);  // the sum of products plus bias may not fit a folded bias
  huge_bias.bias = random_values<std::int32_t>(rng, g.out_c, -(1 << 30), 1 << 30);
  for (std::size_t c = 0; c < g.out_c; c += 2) huge_bias.bias[c] = c % 4 == 0 ? 2147483000 : -2147483000;
  Layer relu = random_layer(rng, g, 7, -20);
  relu.range = {-20, 127};
  Layer single_value = random_layer(rng, g, 7, 5);
  single_value.range = {7, 7};
  for (const Layer* layer : {&near_one, &zero_scales, &huge_bias, &relu, &single_value}) {
    for (Path path : int8_paths()) check_against_reference(*layer, path);
  }
}

TEST_CASE("int8 conv: the dequantized output is within one output step of the float convolution") {
  std::mt19937_64 rng(test::seed() + 4);
  const Layer layer = random_layer(rng, geometry(6, 5, 20, 3, 1, Padding::same, 24), 9, -11);
  const ConvGeometry& g = layer.geometry;
  std::vector<std::int8_t> output(layer.output_size());
  Int8Conv2d(g, layer.params()).run(layer.input, output);
  const QuantParams out = layer.output_params;
  for (std::size_t oy = 0; oy < g.out_h(); ++oy) {
    for (std::size_t ox = 0; ox < g.out_w(); ++ox) {
      for (std::size_t c = 0; c < g.out_c; ++c) {
        const double weight_scale = layer.weight_scales[c];
        double real = layer.bias.empty() ? 0.0 : layer.bias[c] * layer.input_params.scale * weight_scale;
        for (std::size_t ky = 0; ky < 3; ++ky) {
          for (std::size_t kx = 0; kx < 3; ++kx) {
            const auto y = static_cast<std::ptrdiff_t>(oy + ky) - static_cast<std::ptrdiff_t>(g.pad_top());
            const auto x = static_cast<std::ptrdiff_t>(ox + kx) - static_cast<std::ptrdiff_t>(g.pad_left());
            if (y < 0 || x < 0 || y >= 6 || x >= 5) continue;
            for (std::size_t i = 0; i < g.in_c; ++i) {
              const double activation =
                  dequantize(layer.input[(static_cast<std::size_t>(y) * 5 + static_cast<std::size_t>(x)) * g.in_c + i],
                             layer.input_params);
              real += activation * layer.weights[((c * 3 + ky) * 3 + kx) * g.in_c + i] * weight_scale;
            }
          }
        }
        const double low = out.scale * (layer.range.min - out.zero_point);
        const double high = out.scale * (layer.range.max - out.zero_point);
        const double expected = std::clamp(real, low, high);
        const double actual = dequantize(output[(oy * g.out_w() + ox) * g.out_c + c], out);
        CAPTURE(c);
        CHECK(std::abs(actual - expected) <= out.scale);
      }
    }
  }
}

TEST_CASE("int8 conv: any thread count gives the same outputs") {
  std::mt19937_64 rng(test::seed() + 5);
  const Layer layer = random_layer(rng, geometry(17, 9, 32, 3, 1, Padding::same, 48), 4, -4);
  ThreadPool two(2);
  for (Path path : int8_paths()) {
    const std::string_view kernel_name = path_name(path);
    CAPTURE(kernel_name);
    const Int8Conv2d conv(layer.geometry, layer.params(), path);
    std::vector<std::int8_t> one_thread(layer.output_size()), two_threads(layer.output_size());
    conv.run(layer.input, one_thread);
    conv.run(layer.input, two_threads, &two);
    CHECK(one_thread == two_threads);
  }
}

TEST_CASE("int8 dense: every kernel equals the reference for batches of 1 to 37") {
  std::mt19937_64 rng(test::seed() + 6);
  ThreadPool two(2);
  for (std::size_t batch : {1, 2, 37}) {
    const std::size_t inputs = channel_counts[rng() % std::size(channel_counts)];
    const std::size_t outputs = channel_counts[rng() % std::size(channel_counts)];
    const Layer layer = random_layer(rng, {batch, 1, inputs, 1, 1, 1, Padding::valid, outputs}, -128, 127);
    std::vector<std::int8_t> expected(batch * outputs);
    reference::int8_dense(batch, inputs, outputs, layer.params(), layer.input.data(), expected.data());
    for (Path path : int8_paths()) {
      const std::string_view kernel_name = path_name(path);
      CAPTURE(kernel_name);
      CAPTURE(batch);
      CAPTURE(inputs);
      CAPTURE(outputs);
      const Int8Dense dense(inputs, outputs, layer.params(), path);
      std::vector<std::int8_t> actual(batch * outputs, canary), threaded(batch * outputs, canary);
      dense.run(layer.input, actual);
      dense.run(layer.input, threaded, &two);
      CHECK(first_difference(actual, expected) == -1);
      CHECK(threaded == actual);
    }
  }
}

TEST_CASE("int8 conv: each path's kernel and its name") {
  Layer layer;
  layer.geometry = geometry(2, 2, 1, 1, 1, Padding::valid, 1);
  layer.weights = {1};
  layer.weight_scales = {1.0f};
  for (Path path : supported_path_list()) {
    // avx512 without VNNI multiplies on the AVX2 kernel; every other path on its own.
    const std::string_view expected = path == Path::avx512 ? "avx2" : path_name(path);
    CHECK(Int8Conv2d(layer.geometry, layer.params(), path).kernel_name() == expected);
  }
#if defined(__aarch64__)
  // The widening kernel always runs; SDOT's where the CPU has the dot-product extension (so under qemu, whose
  // default CPU has it, both are tested).
  const bool dotprod = (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
  CHECK(((supported_paths() & static_cast<PathMask>(Path::neon_dotprod)) != 0) == dotprod);
#endif
}

TEST_CASE("int8 conv and dense refuse inconsistent sizes and parameters") {
  Layer layer;
  layer.geometry = geometry(4, 4, 3, 3, 1, Padding::same, 2);
  layer.weights.assign(2 * 9 * 3, 1);
  layer.weight_scales = {0.1f, 0.2f};
  layer.input.assign(4 * 4 * 3, 0);
  CHECK_NOTHROW(Int8Conv2d(layer.geometry, layer.params()));

  Layer bad = layer;
  bad.weights.pop_back();
  CHECK_THROWS_WITH_AS(Int8Conv2d(bad.geometry, bad.params()), doctest::Contains("need 54 weights, got 53"),
                       std::invalid_argument);
  bad = layer;
  bad.weight_scales = {0.1f, 0.2f, 0.3f};
  CHECK_THROWS_AS(Int8Conv2d(bad.geometry, bad.params()), std::invalid_argument);
  bad = layer;
  bad.weight_scales = {0.1f, -0.2f};
  CHECK_THROWS_AS(Int8Conv2d(bad.geometry, bad.params()), std::invalid_argument);
  bad = layer;
  bad.bias = {1, 2, 3};
  CHECK_THROWS_WITH_AS(Int8Conv2d(bad.geometry, bad.params()), doctest::Contains("3 biases"), std::invalid_argument);
  bad = layer;
  bad.input_params.zero_point = 128;
  CHECK_THROWS_WITH_AS(Int8Conv2d(bad.geometry, bad.params()), doctest::Contains("zero point"), std::invalid_argument);
  bad = layer;
  bad.output_params.scale = 0.0f;
  CHECK_THROWS_AS(Int8Conv2d(bad.geometry, bad.params()), std::invalid_argument);
  bad = layer;
  bad.range = {10, -10};
  CHECK_THROWS_AS(Int8Conv2d(bad.geometry, bad.params()), std::invalid_argument);
  bad = layer;
  bad.geometry.padding = Padding::valid;
  bad.geometry.in_h = 2;
  CHECK_THROWS_AS(Int8Conv2d(bad.geometry, bad.params()), std::invalid_argument);

  const Int8Conv2d conv(layer.geometry, layer.params());
  std::vector<std::int8_t> output(4 * 4 * 2);
  std::vector<std::int8_t> short_input(4 * 4 * 3 - 1);
  CHECK_THROWS_WITH_AS(conv.run(short_input, output), doctest::Contains("the input has 47 values"),
                       std::invalid_argument);
  std::vector<std::int8_t> long_output(4 * 4 * 2 + 1);
  CHECK_THROWS_AS(conv.run(layer.input, long_output), std::invalid_argument);

  layer.weights.assign(2 * 5, 1);
  const Int8Dense dense(5, 2, layer.params());
  std::vector<std::int8_t> dense_input(7), dense_output(2);
  CHECK_THROWS_WITH_AS(dense.run(dense_input, dense_output), doctest::Contains("not whole rows of 5"),
                       std::invalid_argument);
  CHECK_THROWS_AS(Int8Dense(0, 2, layer.params()), std::invalid_argument);
  CHECK_THROWS_AS(Int8Dense(4, 2, layer.params()), std::invalid_argument);
}
