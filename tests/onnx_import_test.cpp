// The ONNX importer on small graphs built here: folding, binary recognition, bit outputs between binary layers,
// Pad subgraphs, and refusals. Each imported graph is run and compared with the ONNX semantics computed directly.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "src/onnx/import.hpp"
#include "tests/support.hpp"
#include "xnor/model.hpp"
#include "xnor/npy.hpp"

using namespace xnor;

namespace {

// Builds an onnx.ModelProto for one 1 x C x H x W float input named "x".
class Graph {
 public:
  Graph(std::int64_t c, std::int64_t h, std::int64_t w, int opset = 13) {
    model_.set_ir_version(8);
    model_.add_opset_import()->set_version(opset);
    auto* input = graph()->add_input();
    input->set_name("x");
    auto* type = input->mutable_type()->mutable_tensor_type();
    type->set_elem_type(onnx::TensorProto::FLOAT);
    for (std::int64_t d : {std::int64_t{1}, c, h, w}) type->mutable_shape()->add_dim()->set_dim_value(d);
  }
  onnx::GraphProto* graph() { return model_.mutable_graph(); }

  std::string constant(const std::string& name, std::vector<std::int64_t> dims, const std::vector<float>& values) {
    auto* t = graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (auto d : dims) t->add_dims(d);
    for (float v : values) t->add_float_data(v);
    return name;
  }
  std::string int_constant(const std::string& name, std::vector<std::int64_t> dims, const std::vector<std::int64_t>& values) {
    auto* t = graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    for (auto d : dims) t->add_dims(d);
    for (auto v : values) t->add_int64_data(v);
    return name;
  }
  onnx::NodeProto* node(const std::string& op, std::vector<std::string> inputs, const std::string& output) {
    auto* n = graph()->add_node();
    n->set_op_type(op);
    n->set_name(output);
    for (auto& i : inputs) n->add_input(i);
    n->add_output(output);
    return n;
  }
  static void ints(onnx::NodeProto* n, const std::string& name, std::vector<std::int64_t> values) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (auto v : values) a->add_ints(v);
  }
  void metadata(const std::string& key, const std::string& value) {
    auto* entry = model_.add_metadata_props();
    entry->set_key(key);
    entry->set_value(value);
  }
  std::vector<std::byte> bytes(const std::string& output) {
    graph()->add_output()->set_name(output);
    std::string s = model_.SerializeAsString();
    std::vector<std::byte> out(s.size());
    std::memcpy(out.data(), s.data(), s.size());
    return out;
  }

 private:
  onnx::ModelProto model_;
};

std::vector<float> normal_floats(std::mt19937& rng, std::size_t n) {
  std::normal_distribution<float> normal;
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  return v;
}

// x (c x h x w) -> Conv "conv" (3x3, out_c outputs, weights OIHW "W", pads 1).
Graph padded_conv(std::int64_t c, std::int64_t h, std::int64_t w, std::int64_t out_c, const std::vector<float>& weights) {
  Graph g(c, h, w);
  g.constant("W", {out_c, c, 3, 3}, weights);
  auto* conv = g.node("Conv", {"x", "W"}, "conv");
  Graph::ints(conv, "pads", {1, 1, 1, 1});
  return g;
}

std::vector<float> run(const GraphDef& graph, const std::vector<float>& hwc) {
  auto model = std::make_shared<const Model>(graph);
  Session session(model);
  const auto out = session.run(hwc);
  return {out.begin(), out.end()};
}

// ONNX Conv (NCHW, OIHW, stride 1) on an input padded by `pad` cells of `pad_value`; returns NCHW.
std::vector<float> reference_conv(const std::vector<float>& x, std::size_t c, std::size_t h, std::size_t w,
                                  const std::vector<float>& weights, std::size_t out_c, std::size_t k, std::size_t pad,
                                  float pad_value) {
  const std::size_t oh = h + 2 * pad - k + 1, ow = w + 2 * pad - k + 1;
  std::vector<float> y(out_c * oh * ow);
  for (std::size_t o = 0; o < out_c; ++o)
    for (std::size_t i = 0; i < oh; ++i)
      for (std::size_t j = 0; j < ow; ++j) {
        double sum = 0;
        for (std::size_t ch = 0; ch < c; ++ch)
          for (std::size_t ky = 0; ky < k; ++ky)
            for (std::size_t kx = 0; kx < k; ++kx) {
              const auto yy = static_cast<std::ptrdiff_t>(i + ky) - static_cast<std::ptrdiff_t>(pad);
              const auto xx = static_cast<std::ptrdiff_t>(j + kx) - static_cast<std::ptrdiff_t>(pad);
              const bool inside = yy >= 0 && xx >= 0 && yy < std::ptrdiff_t(h) && xx < std::ptrdiff_t(w);
              const float v = inside ? x[(ch * h + std::size_t(yy)) * w + std::size_t(xx)] : pad_value;
              sum += v * weights[((o * c + ch) * k + ky) * k + kx];
            }
        y[(o * oh + i) * ow + j] = static_cast<float>(sum);
      }
  return y;
}

std::vector<float> to_hwc(const std::vector<float>& nchw, std::size_t c, std::size_t h, std::size_t w) {
  std::vector<float> out(nchw.size());
  for (std::size_t ch = 0; ch < c; ++ch)
    for (std::size_t p = 0; p < h * w; ++p) out[p * c + ch] = nchw[ch * h * w + p];
  return out;
}

}  // namespace

TEST_CASE("Conv -> BatchNorm -> Relu folds into one float convolution and matches ONNX") {
  std::mt19937 rng(test::seed());
  const std::size_t c = 3, h = 6, w = 5, out_c = 4;
  const std::vector<float> weights = normal_floats(rng, out_c * c * 9), x = normal_floats(rng, c * h * w);
  Graph g = padded_conv(c, h, w, out_c, weights);
  g.constant("gamma", {4}, {1.0f, -2.0f, 0.5f, 1.5f});
  g.constant("beta", {4}, {0.1f, 0.2f, -0.3f, 0.0f});
  g.constant("mean", {4}, {0.5f, -0.5f, 0.0f, 1.0f});
  g.constant("var", {4}, {1.0f, 4.0f, 0.25f, 2.0f});
  g.node("BatchNormalization", {"conv", "gamma", "beta", "mean", "var"}, "bn");
  g.node("Relu", {"bn"}, "y");
  const GraphDef graph = onnx_import::import_model(g.bytes("y"));
  REQUIRE(graph.nodes.size() == 1);
  CHECK(std::holds_alternative<FloatConvOp>(graph.nodes[0].op));
  const std::vector<float> conv_out = reference_conv(x, c, h, w, weights, out_c, 3, 1, 0.0f);
  const float gamma[] = {1.0f, -2.0f, 0.5f, 1.5f}, beta[] = {0.1f, 0.2f, -0.3f, 0.0f}, mean[] = {0.5f, -0.5f, 0.0f, 1.0f},
              var[] = {1.0f, 4.0f, 0.25f, 2.0f};
  std::vector<float> expected(conv_out.size());
  for (std::size_t o = 0; o < out_c; ++o)
    for (std::size_t p = 0; p < h * w; ++p) {
      const float v = (conv_out[o * h * w + p] - mean[o]) / std::sqrt(var[o] + 1e-5f) * gamma[o] + beta[o];
      expected[o * h * w + p] = std::max(v, 0.0f);
    }
  const std::vector<float> got = run(graph, to_hwc(x, c, h, w));
  const std::vector<float> want = to_hwc(expected, out_c, h, w);
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-4));
}

TEST_CASE("BatchNorm -> Sign -> Pad(1) -> Conv(±alpha) -> Mul is a binary convolution, exact against ONNX") {
  std::mt19937 rng(test::seed());
  std::normal_distribution<float> normal;
  std::bernoulli_distribution coin;
  INFO("seed " << test::seed());
  for (std::size_t c : {1u, 31u, 64u, 65u}) {
    const std::size_t h = 5, w = 7, out_c = 3;
    std::vector<float> x(c * h * w), weights(out_c * c * 9);
    for (float& v : x) v = normal(rng);
    const float alpha[] = {0.5f, 2.0f, 0.25f};
    for (float& v : weights) v = coin(rng) ? 1.0f : -1.0f;
    Graph g(static_cast<std::int64_t>(c), h, w);
    g.constant("W", {3, static_cast<std::int64_t>(c), 3, 3}, weights);
    g.constant("alpha", {1, 3, 1, 1}, {alpha[0], alpha[1], alpha[2]});
    g.node("Sign", {"x"}, "s");
    // The Pad amounts computed by a small constant subgraph, as opset-13 exporters write them.
    g.int_constant("zeros", {2}, {0, 0});
    g.int_constant("ones", {2}, {1, 1});
    auto* cat = g.node("Concat", {"zeros", "ones", "zeros", "ones"}, "pads_cat");
    auto* axis = cat->add_attribute();
    axis->set_name("axis");
    axis->set_type(onnx::AttributeProto::INT);
    axis->set_i(0);
    g.int_constant("shape_2x4", {2}, {2, 4});
    g.node("Reshape", {"pads_cat", "shape_2x4"}, "pads_2x4");
    g.node("Transpose", {"pads_2x4"}, "pads_4x2");
    g.node("Transpose", {"pads_4x2"}, "pads_back");
    g.int_constant("flat", {1}, {-1});
    g.node("Reshape", {"pads_back", "flat"}, "pads_flat");
    auto* cast = g.node("Cast", {"pads_flat"}, "pads");
    auto* to = cast->add_attribute();
    to->set_name("to");
    to->set_type(onnx::AttributeProto::INT);
    to->set_i(onnx::TensorProto::INT64);
    g.constant("one", {}, {1.0f});
    g.node("Pad", {"s", "pads", "one"}, "padded");
    g.node("Conv", {"padded", "W"}, "conv");
    g.node("Mul", {"conv", "alpha"}, "y");
    const GraphDef graph = onnx_import::import_model(g.bytes("y"));
    REQUIRE(graph.nodes.size() == 2);
    CHECK(std::holds_alternative<BitpackOp>(graph.nodes[0].op));
    const auto* binary = std::get_if<BinaryConvOp>(&graph.nodes[1].op);
    REQUIRE(binary != nullptr);
    CHECK(binary->padding == BinaryPadding::one);
    std::vector<float> signs(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) signs[i] = x[i] < 0 ? -1.0f : 1.0f;
    const std::vector<float> conv_out = reference_conv(signs, c, h, w, weights, out_c, 3, 1, 1.0f);
    std::vector<float> expected(conv_out.size());
    for (std::size_t o = 0; o < out_c; ++o)
      for (std::size_t p = 0; p < h * w; ++p) expected[o * h * w + p] = conv_out[o * h * w + p] * alpha[o];
    CHECK(run(graph, to_hwc(x, c, h, w)) == to_hwc(expected, out_c, h, w));
  }
}

TEST_CASE("a BatchNorm -> Sign after binary convolutions becomes their bit output; Concat joins bits") {
  Graph g(8, 4, 4);
  std::vector<float> w1(4 * 8, 1.0f), w2(6 * 8, -1.0f);
  w1[3] = -1.0f;
  w2[5] = 1.0f;
  g.constant("W1", {4, 8, 1, 1}, w1);
  g.constant("W2", {6, 8, 1, 1}, w2);
  g.constant("W3", {2, 10, 1, 1}, std::vector<float>(20, 1.0f));
  g.node("Sign", {"x"}, "s");
  g.node("Conv", {"s", "W1"}, "a");
  g.node("Conv", {"s", "W2"}, "b");
  g.node("Concat", {"a", "b"}, "cat")->add_attribute()->CopyFrom([] {
    onnx::AttributeProto a;
    a.set_name("axis");
    a.set_type(onnx::AttributeProto::INT);
    a.set_i(1);
    return a;
  }());
  std::vector<float> ones(10, 1.0f), zeros(10, 0.0f), shift(10, 0.5f);
  g.constant("g", {10}, ones);
  g.constant("b0", {10}, shift);
  g.constant("m", {10}, zeros);
  g.constant("v", {10}, ones);
  g.node("BatchNormalization", {"cat", "g", "b0", "m", "v"}, "bn");
  g.node("Sign", {"bn"}, "s2");
  g.node("Conv", {"s2", "W3"}, "y");
  const GraphDef graph = onnx_import::import_model(g.bytes("y"));
  // bitpack, two binary convs emitting bits, concat of bits, the last binary conv (float out)
  REQUIRE(graph.nodes.size() == 5);
  CHECK(std::get<BinaryConvOp>(graph.nodes[1].op).output == DType::bits);
  CHECK(std::get<BinaryConvOp>(graph.nodes[2].op).output == DType::bits);
  CHECK(std::get<BinaryConvOp>(graph.nodes[4].op).output == DType::float32);
  // All-positive input: a = 8 - 2 = 6 (four channels), b = -(8) + 2 = -6 (six channels); BN adds ~0.5.
  const std::vector<float> out = run(graph, std::vector<float>(8 * 16, 1.0f));
  for (std::size_t p = 0; p < 16; ++p) {
    CHECK(out[p * 2] == 4.0f - 6.0f);
    CHECK(out[p * 2 + 1] == 4.0f - 6.0f);
  }
}

TEST_CASE("a residual block (Conv -> BatchNorm, + shortcut, Relu) and a per-channel gate (Mul) match ONNX") {
  std::mt19937 rng(test::seed());
  const std::size_t c = 5, h = 6, w = 7;
  const std::vector<float> weights = normal_floats(rng, c * c * 9), x = normal_floats(rng, c * h * w);
  Graph g = padded_conv(c, h, w, c, weights);
  g.constant("scale", {5, 1, 1}, {1.0f, -2.0f, 0.5f, 1.5f, 0.25f});
  g.node("Mul", {"conv", "scale"}, "bn");
  g.node("Add", {"x", "bn"}, "sum");
  g.node("Relu", {"sum"}, "block");
  g.node("GlobalAveragePool", {"block"}, "mean");
  g.node("Mul", {"mean", "block"}, "y");  // the 1x1 operand first: it becomes the broadcast one
  const GraphDef graph = onnx_import::import_model(g.bytes("y"));
  // conv (scale folded), add + relu, global pool, mul.
  REQUIRE(graph.nodes.size() == 4);
  const auto& add = std::get<ElementwiseOp>(graph.nodes[1].op);
  CHECK(add.kind == ElementwiseKind::add);
  CHECK(add.activation.kind == Activation::Kind::relu);
  CHECK(std::get<ElementwiseOp>(graph.nodes[3].op).kind == ElementwiseKind::mul);
  const std::vector<float> conv_out = reference_conv(x, c, h, w, weights, c, 3, 1, 0.0f);
  const float scale[] = {1.0f, -2.0f, 0.5f, 1.5f, 0.25f};
  std::vector<float> block(conv_out.size()), expected(conv_out.size());
  for (std::size_t o = 0; o < c; ++o) {
    double sum = 0;
    for (std::size_t p = 0; p < h * w; ++p) {
      block[o * h * w + p] = std::max(x[o * h * w + p] + conv_out[o * h * w + p] * scale[o], 0.0f);
      sum += block[o * h * w + p];
    }
    for (std::size_t p = 0; p < h * w; ++p) expected[o * h * w + p] = block[o * h * w + p] * static_cast<float>(sum / (h * w));
  }
  const std::vector<float> got = run(graph, to_hwc(x, c, h, w));
  const std::vector<float> want = to_hwc(expected, c, h, w);
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-4));
  // The Model adds the shortcut as the convolution stores its output: the same floats as unfused.
  auto fused = std::make_shared<const Model>(graph);
  auto unfused = std::make_shared<const Model>(graph, active_path(), Fusion::none);
  CHECK(fused->layers()[1].fused_into == "conv");
  CHECK(unfused->layers()[1].fused_into.empty());
  Session a(fused), b(unfused);
  const auto image = to_hwc(x, c, h, w);
  const auto fused_out = a.run(image);
  const std::vector<float> fused_values(fused_out.begin(), fused_out.end());
  const auto unfused_out = b.run(image);
  CHECK(fused_values == std::vector<float>(unfused_out.begin(), unfused_out.end()));
  CHECK(fused->arena_bytes() < unfused->arena_bytes());
}

TEST_CASE("a depthwise Conv (group = channels, multiplier 2) imports as a grouped convolution and matches ONNX") {
  std::mt19937 rng(test::seed());
  const std::size_t c = 3, h = 5, w = 6, out_c = 6;
  const std::vector<float> weights = normal_floats(rng, out_c * 9), x = normal_floats(rng, c * h * w);
  Graph g(c, h, w);
  g.constant("W", {6, 1, 3, 3}, weights);
  auto* conv = g.node("Conv", {"x", "W"}, "y");
  Graph::ints(conv, "pads", {1, 0, 1, 2});
  auto* group = conv->add_attribute();
  group->set_name("group");
  group->set_type(onnx::AttributeProto::INT);
  group->set_i(3);
  const GraphDef graph = onnx_import::import_model(g.bytes("y"));
  REQUIRE(graph.nodes.size() == 1);
  CHECK(std::get<FloatConvOp>(graph.nodes[0].op).window.groups == 3);
  // ONNX: output channel o reads input channel o / 2; pads top 1, left 0, bottom 1, right 2.
  const std::size_t oh = h, ow = w;  // (5 + 2 - 3) + 1, (6 + 2 - 3) + 1
  std::vector<float> expected(out_c * oh * ow);
  for (std::size_t o = 0; o < out_c; ++o)
    for (std::size_t i = 0; i < oh; ++i)
      for (std::size_t j = 0; j < ow; ++j) {
        double sum = 0;
        for (std::size_t ky = 0; ky < 3; ++ky)
          for (std::size_t kx = 0; kx < 3; ++kx) {
            const auto yy = static_cast<std::ptrdiff_t>(i + ky) - 1, xx = static_cast<std::ptrdiff_t>(j + kx);
            if (yy < 0 || yy >= std::ptrdiff_t(h) || xx >= std::ptrdiff_t(w)) continue;
            sum += x[((o / 2) * h + std::size_t(yy)) * w + std::size_t(xx)] * weights[(o * 3 + ky) * 3 + kx];
          }
        expected[(o * oh + i) * ow + j] = static_cast<float>(sum);
      }
  const std::vector<float> got = run(graph, to_hwc(x, c, h, w));
  const std::vector<float> want = to_hwc(expected, out_c, oh, ow);
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-4));
}

TEST_CASE("x * HardSigmoid(x), as opsets before 14 export HardSwish, becomes one hard swish activation") {
  std::mt19937 rng(test::seed());
  const std::size_t c = 2, h = 3, w = 4;
  const std::vector<float> x = normal_floats(rng, c * h * w);
  Graph g(c, h, w);
  auto* gate = g.node("HardSigmoid", {"x"}, "gate");
  auto* alpha = gate->add_attribute();
  alpha->set_name("alpha");
  alpha->set_type(onnx::AttributeProto::FLOAT);
  alpha->set_f(1.0f / 6.0f);
  g.node("Mul", {"x", "gate"}, "y");
  const GraphDef graph = onnx_import::import_model(g.bytes("y"));
  REQUIRE(graph.nodes.size() == 1);
  CHECK(std::get<ActivationOp>(graph.nodes[0].op).activation.kind == Activation::Kind::hard_swish);
  const std::vector<float> got = run(graph, to_hwc(x, c, h, w));
  const std::vector<float> hwc = to_hwc(x, c, h, w);
  for (std::size_t i = 0; i < got.size(); ++i) {
    CHECK(got[i] == doctest::Approx(hwc[i] * std::min(std::max(hwc[i] / 6.0f + 0.5f, 0.0f), 1.0f)));
  }
}

TEST_CASE("what the importer cannot map is refused with the node's name and op") {
  SUBCASE("an unknown operator") {
    Graph g(1, 4, 4);
    g.node("Erf", {"x"}, "y");
    CHECK_THROWS_WITH_AS(onnx_import::import_model(g.bytes("y")), "node 'y' (Erf): operator not supported", ModelError);
  }
  SUBCASE("subtracting two computed tensors") {
    Graph g(1, 4, 4);
    g.node("Relu", {"x"}, "r");
    g.node("Sub", {"x", "r"}, "y");
    CHECK_THROWS_WITH_AS(onnx_import::import_model(g.bytes("y")),
                         doctest::Contains("node 'y' (Sub): both operands are computed tensors (only Add and Mul"),
                         ModelError);
  }
  SUBCASE("adding tensors of different sizes") {
    Graph g(2, 4, 4);
    auto* pool = g.node("MaxPool", {"x"}, "p");
    Graph::ints(pool, "kernel_shape", {2, 2});
    Graph::ints(pool, "strides", {2, 2});
    g.node("Add", {"x", "p"}, "y");
    CHECK_THROWS_WITH_AS(onnx_import::import_model(g.bytes("y")),
                         "node 'y' (Add): the operands' shapes differ beyond a per-channel broadcast", ModelError);
  }
  SUBCASE("a float convolution of signs") {
    Graph g(2, 4, 4);
    g.constant("W", {1, 2, 1, 1}, {0.5f, 2.0f});
    g.node("Sign", {"x"}, "s");
    g.node("Conv", {"s", "W"}, "y");
    CHECK_THROWS_WITH_AS(onnx_import::import_model(g.bytes("y")), doctest::Contains("weights are not ±alpha"), ModelError);
  }
  SUBCASE("a group that does not divide the channels") {
    Graph g(3, 4, 4);
    g.constant("W", {2, 1, 1, 1}, {0.5f, 2.0f});
    auto* conv = g.node("Conv", {"x", "W"}, "y");
    auto* a = conv->add_attribute();
    a->set_name("group");
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(2);
    CHECK_THROWS_WITH_AS(onnx_import::import_model(g.bytes("y")),
                         "node 'y' (Conv): group 2 must divide the input and output channels", ModelError);
  }
  SUBCASE("a hostile constant shape") {
    Graph g(1, 4, 4);
    g.int_constant("shape", {2}, {1000000, 1000000});
    g.node("ConstantOfShape", {"shape"}, "big");
    g.node("Add", {"x", "big"}, "y");
    CHECK_THROWS_WITH_AS(onnx_import::import_model(g.bytes("y")), doctest::Contains("more than"), ModelError);
  }
}

TEST_CASE("the metadata's per-channel normalization: numbers separated by commas, anything else refused") {
  const auto import_with = [](const std::string& mean, const std::string& std) {
    Graph g(3, 2, 2);
    g.node("Relu", {"x"}, "y");
    g.metadata("xnor.mean", mean);
    g.metadata("xnor.std", std);
    return onnx_import::import_model(g.bytes("y"));
  };
  const GraphDef graph = import_with("0.485,0.456, 0.406", " 0.229 ,0.224,0.225");
  CHECK(graph.input.mean == std::vector<float>{0.485f, 0.456f, 0.406f});
  CHECK(graph.input.std == std::vector<float>{0.229f, 0.224f, 0.225f});
  // Blanks do not separate numbers: read as one, "0.485 0.456 0.406" would normalize every channel alike.
  CHECK_THROWS_WITH_AS(import_with("0.485 0.456 0.406", "0.2,0.2,0.2"), doctest::Contains("'0.485 0.456 0.406' is not a number"),
                       ModelError);
  CHECK_THROWS_WITH_AS(import_with("0.5,0.5,0.5", "0.2,0.2x,0.2"), doctest::Contains("'0.2x' is not a number"), ModelError);
  CHECK_THROWS_WITH_AS(import_with("0.5,,0.5", "0.2,0.2,0.2"), doctest::Contains("'' is not a number"), ModelError);
}

TEST_CASE("bytes that are not an ONNX model, and every truncation of one, are refused cleanly") {
  Graph g(1, 4, 4);
  g.constant("W", {2, 1, 3, 3}, std::vector<float>(18, 0.5f));
  g.node("Conv", {"x", "W"}, "y");
  const std::vector<std::byte> bytes = g.bytes("y");
  CHECK_NOTHROW(onnx_import::import_model(bytes));
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    INFO("truncated to " << n << " bytes");
    try {
      onnx_import::import_model(std::span(bytes).first(n));
    } catch (const ModelError&) {
    }
  }
  const std::string junk = "definitely not protobuf \xff\xff\xff";
  CHECK_THROWS_AS(onnx_import::import_model(std::as_bytes(std::span(junk))), ModelError);
}

TEST_CASE("a PyTorch export (opset 13, tools/train's binary layers) computes what PyTorch computed") {
  // tests/data/tiny_binary.onnx: float stem, BatchNorm -> Sign, binary 3x3 (Pad 1 from a shape subgraph) and
  // binary 1x1 after a max-pool of the signs, concat, BatchNorm -> Sign, binary 3x3, average pool, dense.
  const GraphDef graph = onnx_import::import_file(XNOR_SOURCE_DIR "/tests/data/tiny_binary.onnx");
  const NpyArray input = load_npy(XNOR_SOURCE_DIR "/tests/data/tiny_binary_input.npy");
  const NpyArray expected = load_npy(XNOR_SOURCE_DIR "/tests/data/tiny_binary_output.npy");
  std::size_t binary_layers = 0;
  for (const Node& node : graph.nodes) binary_layers += std::holds_alternative<BinaryConvOp>(node.op);
  CHECK(binary_layers == 3);
  const std::vector<float> out = run(graph, input.values);
  REQUIRE(out.size() == expected.values.size());
  for (std::size_t i = 0; i < out.size(); ++i) CHECK(out[i] == doctest::Approx(expected.values[i]).epsilon(1e-5));
}

TEST_CASE("ONNX inputs that the fuzzer found import or are refused cleanly (tests/fuzz/regressions/onnx_*)") {
  namespace fs = std::filesystem;
  std::size_t checked = 0;
  for (const auto& entry : fs::directory_iterator(XNOR_SOURCE_DIR "/tests/fuzz/regressions")) {
    if (!entry.path().filename().string().starts_with("onnx_")) continue;
    INFO(entry.path().string());
    // The fuzz target's contract: a GraphDef the runtime accepts, or a ModelError; nothing else.
    try {
      const auto model = std::make_shared<const Model>(onnx_import::import_file(entry.path().string()));
      CHECK(model->graph().nodes.size() > 0);
    } catch (const ModelError&) {
    }
    ++checked;
  }
  CHECK(checked >= 1);
}
