#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "tests/support.hpp"
#include "xnor/binary_conv.hpp"
#include "xnor/float_conv.hpp"
#include "xnor/float_ops.hpp"
#include "xnor/model.hpp"
#include "xnor/model_file.hpp"
#include "xnor/network_builder.hpp"
#include "xnor/xtensor.hpp"

using namespace xnor;

namespace {

// A small Inception network: stem, two blocks (one with a double 3x3), pool, classifier.
GraphDef small_inception(Precision precision, std::uint64_t seed = 7) {
  NetworkBuilder b({16, 16, 3, {0.5f, 0.5f, 0.5f}, {0.25f, 0.25f, 0.25f}, 1.0f, false}, seed);
  const Precision outer = precision == Precision::binary ? Precision::float32 : precision;
  auto x = b.conv("stem", b.input(), 24, 3, 2, outer);
  x = b.inception("block1", x, {16, 8, 24, 4, 8, 8}, precision);
  x = b.max_pool("pool", x, 3, 2);
  x = b.inception("block2", x, {20, 12, 36, 6, 12, 12, true}, precision, DType::float32);
  x = b.global_average_pool("gap", x);
  x = b.dense("classifier", x, 10, outer);
  x = b.softmax("prob", x);
  std::vector<std::string> labels;
  for (int i = 0; i < 10; ++i) labels.push_back("label" + std::to_string(i));
  return b.finish(labels);
}

std::vector<float> random_image(std::uint64_t seed, std::size_t size) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> uniform(-2.0f, 2.0f);
  std::vector<float> image(size);
  for (float& v : image) v = uniform(rng);
  return image;
}

std::vector<float> normal_values(std::mt19937_64& rng, std::size_t n) {
  std::normal_distribution<float> normal;
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  return v;
}

std::vector<float> run_once(const std::shared_ptr<const Model>& model, const std::vector<float>& image,
                            std::size_t threads = 1) {
  Session session(model, threads);
  const auto out = session.run(image);
  return {out.begin(), out.end()};
}

constexpr Precision all_precisions[] = {Precision::float32, Precision::int8, Precision::binary};

// Two binary convs emitting floats, concatenated, max-pooled, normalized by `scale` (and shifts) and
// binarized, then a binary conv to float outputs: the chain Fusion::all rewrites. Every parameter is a small
// dyadic number, so both the fused and the unfused arithmetic are exact and must give identical outputs.
// extra_reader: the pooled floats are also an output of their own (a second reader: nothing may fuse).
GraphDef pooled_signs(const std::vector<float>& scale, std::mt19937_64& rng, bool extra_reader = false) {
  const auto dyadic = [&](int range, float step) { return static_cast<float>(static_cast<int>(rng() % (2 * range + 1)) - range) * step; };
  const auto binary_conv = [&](std::size_t kernel, std::size_t in_c, std::size_t out_c, DType output) {
    std::vector<float> weights(out_c * kernel * kernel * in_c);
    for (float& w : weights) w = dyadic(4, 0.25f);
    BinaryConvOp op{{kernel, kernel, 1, Padding::same, out_c}, binarize_weights(weights, out_c, kernel * kernel, in_c).bits};
    for (std::size_t n = 0; n < out_c; ++n) {
      op.multiplier.push_back(std::ldexp(1.0f, static_cast<int>(rng() % 5) - 2));
      op.bias.push_back(dyadic(16, 0.125f));
    }
    op.output = output;
    return op;
  };
  ScaleShiftOp norm{scale, {}};
  for (std::size_t c = 0; c < scale.size(); ++c) norm.shift.push_back(dyadic(16, 0.25f));
  GraphDef g;
  g.input = {6, 6, 5, std::vector<float>(5, 0.0f), std::vector<float>(5, 1.0f), 1.0f, false};
  g.nodes = {{"sign_in", {0}, BitpackOp{}},
             {"a", {1}, binary_conv(3, 5, 24, DType::float32)},
             {"b", {1}, binary_conv(1, 5, scale.size() - 24, DType::float32)},
             {"concat", {2, 3}, ConcatOp{}},
             {"pool", {4}, PoolOp{PoolKind::max, 2, 2}},
             {"norm", {5}, norm},
             {"sign", {6}, BitpackOp{}},
             {"c", {7}, binary_conv(1, scale.size(), 10, DType::float32)}};
  if (extra_reader) g.nodes.push_back({"out", {5, 8}, ConcatOp{}});  // 3x3 pool and 3x3 c: one output
  return g;
}

}  // namespace

TEST_CASE("fusion: binary layers emit the bits of a max-pool, BatchNorm and sign after them, exactly") {
  std::mt19937_64 rng(test::seed() + 11);
  const auto image = random_image(test::seed() + 12, 6 * 6 * 5);
  std::vector<float> scale(64);
  for (float& s : scale) s = std::ldexp(1.0f, static_cast<int>(rng() % 5) - 2);
  scale[3] = 0.0f;  // a constant channel: either way
  SUBCASE("fused: two nodes fewer, the same outputs") {
    const GraphDef graph = pooled_signs(scale, rng);
    const auto fused = std::make_shared<const Model>(graph);
    const auto unfused = std::make_shared<const Model>(graph, active_path(), Fusion::none);
    CHECK(fused->graph().nodes.size() == graph.nodes.size() - 2);
    CHECK(fused->tensors()[5].dtype == DType::bits);  // the pool's output
    CHECK(run_once(fused, image) == run_once(unfused, image));
  }
  SUBCASE("a negative or infinite scale (a min of the bits, NaN) or a second reader: left as it is") {
    for (const int variant : {0, 1, 2}) {
      const bool extra_reader = variant == 2;
      scale[40] = variant == 0 ? -0.5f : variant == 1 ? std::numeric_limits<float>::infinity() : 0.5f;
      CAPTURE(variant);
      const GraphDef graph = pooled_signs(scale, rng, extra_reader);
      const auto model = std::make_shared<const Model>(graph);
      CHECK(model->graph().nodes.size() == graph.nodes.size());
      CHECK(run_once(model, image) == run_once(std::make_shared<const Model>(graph, active_path(), Fusion::none), image));
    }
  }
}

TEST_CASE("fusion: a Bitpack reads what the ScaleShift before it alone reads, through thresholds, exactly") {
  std::mt19937_64 rng(test::seed() + 13);
  const std::size_t channels = 70;
  ScaleShiftOp norm;
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (std::size_t c = 0; c < channels; ++c) {
    norm.scale.push_back(normal(rng));
    norm.shift.push_back(normal(rng));
  }
  const BinaryWeights bw = binarize_weights(normal_values(rng, 9 * 9 * channels), 9, 9, channels);
  const BinaryConvOp binary{{3, 3, 1, Padding::same, 9}, bw.bits, bw.alpha, normal_values(rng, 9), Activation::none(),
                            BinaryPadding::zero, DType::float32, {}};
  GraphDef graph;
  graph.input = {5, 5, channels, std::vector<float>(channels, 0.0f), std::vector<float>(channels, 1.0f), 1.0f, false};
  graph.nodes = {{"norm", {0}, norm}, {"sign", {1}, BitpackOp{}}, {"binary", {2}, binary}};
  // Inputs on the sign's boundary: x with scale * x + shift within a few units in the last place of 0.
  std::vector<float> image(5 * 5 * channels);
  for (std::size_t i = 0; i < image.size(); ++i) {
    const std::size_t c = i % channels;
    image[i] = rng() % 3 == 0 ? normal(rng) : std::nextafter(-norm.shift[c] / norm.scale[c], rng() % 2 ? 1e30f : -1e30f);
  }
  const auto unfused = std::make_shared<const Model>(graph, active_path(), Fusion::none);
  SUBCASE("fused: the same outputs, the ScaleShift listed as fused into the Bitpack") {
    const auto fused = std::make_shared<const Model>(graph);
    CHECK(fused->layers()[0].fused_into == "sign");
    CHECK(run_once(fused, image) == run_once(unfused, image));
  }
  SUBCASE("a zero scale, or a second reader of the ScaleShift: not fused") {
    for (const bool second_reader : {false, true}) {
      CAPTURE(second_reader);
      GraphDef other = graph;
      if (second_reader) {
        other.nodes.push_back({"out", {1, 3}, ConcatOp{}});
      } else {
        std::get<ScaleShiftOp>(other.nodes[0].op).scale[5] = 0.0f;
      }
      const auto model = std::make_shared<const Model>(other);
      CHECK(model->layers()[0].fused_into.empty());
      CHECK(run_once(model, image) == run_once(std::make_shared<const Model>(other, active_path(), Fusion::none), image));
    }
  }
}

TEST_CASE("fusion: Bi-Real blocks (a threshold, sign, binary conv, shortcut Add) fused and unfused, bit for bit") {
  // Both fusions at once: each ScaleShift (the block's learned threshold) is read by its Bitpack alone, each
  // binary conv by its Add alone; the second block's ScaleShift reads an arena tensor, with a node between it
  // and its Bitpack. PReLU slopes of 0, -0 and infinity: the sign of a zero and an infinite slope agree too.
  std::mt19937_64 rng(test::seed() + 14);
  const std::size_t channels = 40;
  const BinaryWeights bw = binarize_weights(normal_values(rng, channels * 9 * channels), channels, 9, channels);
  const BinaryConvOp binary{{3, 3, 1, Padding::same, channels}, bw.bits, bw.alpha, normal_values(rng, channels),
                            Activation::none(), BinaryPadding::zero, DType::float32, {}};
  std::vector<float> slopes = normal_values(rng, channels);
  slopes[0] = 0.0f, slopes[1] = -0.0f, slopes[2] = std::numeric_limits<float>::infinity();
  const auto threshold = [&] { return ScaleShiftOp{normal_values(rng, channels), normal_values(rng, channels)}; };
  GraphDef graph;
  graph.input = {6, 7, channels, std::vector<float>(channels, 0.0f), std::vector<float>(channels, 1.0f), 1.0f, false};
  graph.nodes = {{"threshold", {0}, threshold()},
                 {"sign", {1}, BitpackOp{}},
                 {"conv", {2}, binary},
                 {"add", {0, 3}, ElementwiseOp{ElementwiseKind::add, Activation::prelu(slopes)}},
                 {"threshold2", {4}, threshold()},
                 {"pool", {4}, PoolOp{PoolKind::max, 3, 1, Padding::same}},
                 {"sign2", {5}, BitpackOp{}},
                 {"conv2", {7}, binary},
                 {"add2", {6, 8}, ElementwiseOp{ElementwiseKind::add, Activation::clamp(-1.0f, 2.0f)}}};
  const auto fused = std::make_shared<const Model>(graph);
  const auto unfused = std::make_shared<const Model>(graph, active_path(), Fusion::none);
  const auto layers = fused->layers();
  CHECK(layers[0].fused_into == "sign");
  CHECK(layers[3].fused_into == "conv");
  CHECK(layers[4].fused_into == "sign2");
  CHECK(layers[8].fused_into == "conv2");
  for (int k = 0; k < 3; ++k) {
    const auto image = normal_values(rng, 6 * 7 * channels);
    CHECK(test::same_bits(run_once(fused, image), run_once(unfused, image)));
  }
}

TEST_CASE("a graph computes what its layers composed by hand compute") {
  std::mt19937_64 rng(test::seed());
  const auto random = [&](std::size_t n) { return normal_values(rng, n); };
  GraphDef graph;
  graph.input = {9, 9, 5, std::vector<float>(5, 0.0f), std::vector<float>(5, 1.0f), 1.0f, false};
  const ConvWindow stem{3, 3, 1, Padding::same, 70};
  const FloatConvOp stem_op{stem, random(70 * 9 * 5), random(70), Activation::relu()};
  const BinaryWeights bw = binarize_weights(random(33 * 9 * 70), 33, 9, 70);
  const BinaryConvOp binary_op{{3, 3, 2, Padding::same, 33}, bw.bits, bw.alpha, random(33), Activation::none(),
                               BinaryPadding::zero, DType::float32, {}};
  graph.nodes = {{"stem", {0}, stem_op}, {"sign", {1}, BitpackOp{}}, {"binary", {2}, binary_op},
                 {"gap", {3}, PoolOp{PoolKind::average, 1, 1, Padding::valid, true}}, {"prob", {4}, SoftmaxOp{}}};
  const auto model = std::make_shared<const Model>(graph);
  const auto image = random(9 * 9 * 5);
  const std::vector<float> result = run_once(model, image);

  const ConvGeometry g1 = stem.geometry(model->tensors()[0]);
  std::vector<float> a(g1.out_pixels() * 70);
  FloatConv2d(g1, stem_op.weights, stem_op.bias, stem_op.activation).run(image, a);
  std::vector<std::uint64_t> bits(g1.out_pixels() * 2);
  pack_signs(a, g1.out_pixels(), 70, bits);
  const ConvGeometry g2 = binary_op.window.geometry({9, 9, 70, DType::bits, {}});
  std::vector<float> b(g2.out_pixels() * 33);
  BinaryConv2d(g2, bw.bits, OutputTransform::to_float(bw.alpha, binary_op.bias), BinaryPadding::zero).run(bits, std::span(b));
  std::vector<float> pooled(33), expected(33);
  global_average_pool(b, g2.out_pixels(), 33, pooled);
  softmax(pooled, expected);
  CHECK(result == expected);
}

TEST_CASE("save then load gives bit-identical outputs, for every precision") {
  for (Precision precision : all_precisions) {
    CAPTURE(static_cast<int>(precision));
    const GraphDef graph = small_inception(precision);
    const auto model = std::make_shared<const Model>(graph);
    const auto image = random_image(test::seed(), model->input().elements());
    const auto reloaded = std::make_shared<const Model>(parse_model(serialize_model(graph)));
    CHECK(run_once(model, image) == run_once(reloaded, image));
    CHECK(reloaded->graph().labels == graph.labels);
    CHECK(serialize_model(reloaded->graph()) == serialize_model(graph));
  }
}

TEST_CASE("model file version 2 keeps explicit padding and pool modes; version 1 files load; newer ones are refused") {
  std::mt19937_64 rng(test::seed());
  const auto random = [&](std::size_t n) { return normal_values(rng, n); };
  GraphDef graph;
  graph.input = {10, 9, 3, std::vector<float>(3, 0.0f), std::vector<float>(3, 1.0f), 1.0f, false};
  const ConvWindow stem{7, 7, 2, Padding::symmetric(3), 8};  // PyTorch's ResNet stem on an even input
  graph.nodes = {
      {"stem", {0}, FloatConvOp{stem, random(8 * 49 * 3), random(8), Activation::relu()}},
      {"pool", {1}, PoolOp{PoolKind::max, 3, 2, Padding::amounts(0, 1, 1, 0), false, true, false}},
      {"mean", {2}, PoolOp{PoolKind::average, 2, 1, Padding::symmetric(1), false, false, true}},
      {"gate", {3}, ActivationOp{Activation::hard_sigmoid(0.25f, 0.5f)}},
      {"gap", {4}, PoolOp{PoolKind::average, 1, 1, Padding::valid, true}}};
  graph.labels.assign(8, "x");
  const std::vector<std::byte> file = serialize_model(graph);
  const GraphDef reloaded = parse_model(file);
  CHECK(std::get<FloatConvOp>(reloaded.nodes[0].op).window.padding == Padding::symmetric(3));
  const auto& pool = std::get<PoolOp>(reloaded.nodes[1].op);
  CHECK(pool.padding == Padding::amounts(0, 1, 1, 0));
  CHECK(pool.ceil_mode);
  CHECK(std::get<PoolOp>(reloaded.nodes[2].op).count_padding);
  CHECK(std::get<ActivationOp>(reloaded.nodes[3].op).activation.alpha == 0.25f);
  CHECK(serialize_model(reloaded) == file);
  const auto image = random(10 * 9 * 3);
  CHECK(run_once(std::make_shared<const Model>(graph), image) == run_once(std::make_shared<const Model>(reloaded), image));

  // The bundled models were written as version 1 (before explicit padding) and still load.
  const GraphDef bundled = load_model_file(XNOR_SOURCE_DIR "/models/fashion-inception-binary.xnm");
  CHECK(!bundled.nodes.empty());
  std::vector<std::byte> newer = file;
  newer[8] = std::byte{3};
  CHECK_THROWS_WITH_AS(parse_model(newer), "model file: format version 3, this xnor reads versions 1 to 2", ModelError);
}

TEST_CASE("every truncation of a model file and random byte flips are refused with a ModelError") {
  const std::vector<std::byte> file = serialize_model(small_inception(Precision::binary));
  for (std::size_t length = 0; length < file.size(); ++length) {
    CAPTURE(length);
    CHECK_THROWS_AS(parse_model(std::span(file).first(length)), ModelError);
  }
  std::mt19937_64 rng(test::seed());
  for (int i = 0; i < 200; ++i) {
    std::vector<std::byte> corrupt = file;
    corrupt[rng() % corrupt.size()] ^= static_cast<std::byte>(1 + rng() % 255);
    CHECK_THROWS_AS(parse_model(corrupt), ModelError);
  }
}

TEST_CASE("hostile payloads with a valid checksum are refused or load as a checked model, never crash") {
  const std::vector<std::byte> file = serialize_model(small_inception(Precision::int8));
  const auto reseal = [](std::vector<std::byte>& bytes) {
    std::uint64_t hash = 0xcbf29ce484222325ull;  // FNV-1a 64 of the payload, as model_file.hpp specifies
    for (std::size_t i = 32; i < bytes.size(); ++i) hash = (hash ^ static_cast<std::uint8_t>(bytes[i])) * 0x100000001b3ull;
    for (int i = 0; i < 8; ++i) bytes[24 + i] = static_cast<std::byte>(hash >> (8 * i));
  };
  std::mt19937_64 rng(test::seed());
  int refused = 0;
  for (int i = 0; i < 300; ++i) {
    std::vector<std::byte> corrupt = file;
    for (int flips = 0; flips < 1 + i % 3; ++flips) {
      corrupt[32 + rng() % (corrupt.size() - 32)] ^= static_cast<std::byte>(1 + rng() % 255);
    }
    reseal(corrupt);
    try {
      const Model model(parse_model(corrupt));  // a flip inside weights can still be a valid model
      Session session(std::make_shared<const Model>(parse_model(corrupt)));
      session.run(std::vector<float>(model.input().elements(), 0.5f));
    } catch (const ModelError&) {
      ++refused;
    }
  }
  CHECK(refused > 0);
}

TEST_CASE("outputs are identical for 1 and 2 threads, and for concurrent sessions on one model") {
  for (Precision precision : all_precisions) {
    CAPTURE(static_cast<int>(precision));
    const auto model = std::make_shared<const Model>(small_inception(precision));
    const auto image = random_image(test::seed(), model->input().elements());
    const std::vector<float> expected = run_once(model, image);
    CHECK(run_once(model, image, 2) == expected);
    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&] {
        Session session(model);
        for (int run = 0; run < 5; ++run) {
          const auto out = session.run(image);
          if (!std::equal(out.begin(), out.end(), expected.begin(), expected.end())) ++mismatches;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    CHECK(mismatches == 0);
  }
}

TEST_CASE("a session runs an xtensor image and returns an xtensor view of its output") {
  const auto model = std::make_shared<const Model>(small_inception(Precision::binary));
  const auto image = random_image(test::seed(), model->input().elements());
  xt::xtensor<float, 3> tensor = xt::adapt(image, std::array<std::size_t, 3>{16, 16, 3});
  Session session(model);
  const auto out = run(session, tensor);
  CHECK(out.shape(2) == 10);
  const std::vector<float> expected = run_once(model, image);
  CHECK(std::equal(out.begin(), out.end(), expected.begin(), expected.end()));
  CHECK_THROWS_AS(run(session, xt::xtensor<float, 3>::from_shape({16, 15, 3})), std::invalid_argument);
}

TEST_CASE("the arena reuses dead tensors' memory") {
  const auto model = std::make_shared<const Model>(small_inception(Precision::float32));
  std::size_t all = 0, largest = 0;
  for (std::size_t t = 1; t < model->tensors().size(); ++t) {
    all += model->tensors()[t].bytes();
    largest = std::max(largest, model->tensors()[t].bytes());
  }
  CHECK(model->arena_bytes() < all * 3 / 4);
  CHECK(model->arena_bytes() >= largest);
}

TEST_CASE("inconsistent graphs are refused, naming the node") {
  GraphDef graph = small_inception(Precision::float32);
  SUBCASE("weights of the wrong size") {
    std::get<FloatConvOp>(graph.nodes[0].op).weights.pop_back();
    CHECK_THROWS_WITH_AS(Model{graph}, doctest::Contains("node 'stem': weights has"), ModelError);
  }
  SUBCASE("an input produced later") {
    graph.nodes[0].inputs = {5};
    CHECK_THROWS_WITH_AS(Model{graph}, doctest::Contains("not produced before it"), ModelError);
  }
  SUBCASE("a precision mismatch") {
    graph.nodes[1].op = BitpackOp{};
    graph.nodes[2].inputs = {1};
    CHECK_THROWS_AS(Model{graph}, ModelError);
  }
  SUBCASE("a session input of the wrong size") {
    Session session(std::make_shared<const Model>(graph));
    CHECK_THROWS_AS(session.run(std::vector<float>(5)), std::invalid_argument);
  }
}
