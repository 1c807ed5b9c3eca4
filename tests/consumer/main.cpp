// Embeds xnor: builds a small binary network (or loads the .xnm file given as argument), classifies a
// synthetic image, then runs the same Model from two threads, each with its own Session.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <span>
#include <thread>
#include <vector>

#include <xnor/model.hpp>
#include <xnor/model_file.hpp>
#include <xnor/network_builder.hpp>

// Float stem and classifier around one binary Inception block (random weights), as in XNOR-Net.
xnor::GraphDef small_network() {
  using xnor::Precision;
  xnor::NetworkBuilder b({32, 32, 3, {0.5f, 0.5f, 0.5f}, {0.25f, 0.25f, 0.25f}}, /*seed=*/1);
  auto x = b.conv("stem", b.input(), 32, 3, 2, Precision::float32);
  x = b.inception("block", x, {16, 8, 24, 4, 8, 8}, Precision::binary, xnor::DType::float32);
  x = b.dense("classifier", b.global_average_pool("pool", x), 10, Precision::float32);
  return b.finish({});
}

std::size_t top_class(std::span<const float> probabilities) {
  return std::max_element(probabilities.begin(), probabilities.end()) - probabilities.begin();
}

int main(int argc, char** argv) {
  auto model = std::make_shared<const xnor::Model>(argc > 1 ? xnor::load_model_file(argv[1]) : small_network());
  const xnor::TensorSpec& in = model->input();
  std::vector<float> image(in.h * in.w * in.c);
  for (std::size_t i = 0; i < image.size(); ++i) image[i] = float(i % 251) / 250.0f;  // a gradient

  xnor::Session session(model);
  const std::size_t top = top_class(session.run(image));
  std::printf("top class: %zu\n", top);

  // A Model is immutable and shared; each thread runs it through its own Session.
  std::size_t thread_tops[2];
  {
    std::jthread a([&] { xnor::Session s(model); thread_tops[0] = top_class(s.run(image)); });
    std::jthread b([&] { xnor::Session s(model); thread_tops[1] = top_class(s.run(image)); });
  }
  std::printf("two threads: top classes %zu and %zu\n", thread_tops[0], thread_tops[1]);
  return thread_tops[0] == top && thread_tops[1] == top ? 0 : 1;
}
