// The bundled models (models/*.xnm) against PyTorch: on the first 2000 Fashion-MNIST test images, the runtime's
// top-1 class must agree with PyTorch's (models/*.torch-argmax, written when the model was trained) on >= 99.9%
// of them for the float model and >= 99.5% for the binary ones (whose BatchNorm thresholds are folded, so
// values within float rounding of a threshold may flip a bit). The int8 model must agree with the float
// model's runtime top-1 on >= 98%.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "xnor/dataset.hpp"
#include "xnor/image.hpp"
#include "xnor/model.hpp"
#include "xnor/model_file.hpp"

using namespace xnor;

namespace {

constexpr std::size_t images = 2000;
const std::string models_dir = XNOR_SOURCE_DIR "/models/";

const LabelledImages& test_set() {
  static const LabelledImages set = load_fashion_mnist("test", images);
  return set;
}

std::vector<std::size_t> runtime_top1(const std::string& name) {
  auto model = std::make_shared<const Model>(load_model_file(models_dir + name + ".xnm"));
  Session session(model);
  std::vector<std::size_t> top1;
  for (const Image& image : test_set().images) {
    const auto scores = session.run(preprocess(image, model->graph().input));
    top1.push_back(static_cast<std::size_t>(std::max_element(scores.begin(), scores.end()) - scores.begin()));
  }
  return top1;
}

std::vector<std::size_t> torch_top1(const std::string& name) {
  std::ifstream in(models_dir + name + ".torch-argmax");
  std::string digits;
  in >> digits;
  REQUIRE(digits.size() >= images);
  std::vector<std::size_t> top1;
  for (std::size_t i = 0; i < images; ++i) top1.push_back(static_cast<std::size_t>(digits[i] - '0'));
  return top1;
}

double agreement(const std::vector<std::size_t>& a, const std::vector<std::size_t>& b) {
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
  return static_cast<double>(same) / static_cast<double>(a.size());
}

}  // namespace

TEST_CASE("the bundled float and binary models agree with PyTorch") {
  for (const auto& [name, at_least] : {std::pair<std::string, double>{"fashion-inception-float", 0.999},
                                       {"fashion-inception-binary", 0.995}}) {
    const double agree = agreement(runtime_top1(name), torch_top1(name));
    MESSAGE(name << ": top-1 agrees with PyTorch on " << agree * 100 << "% of " << images << " test images");
    CHECK(agree >= at_least);
  }
}

TEST_CASE("the bundled int8 model agrees with the float one") {
  const double agree = agreement(runtime_top1("fashion-inception-int8"), runtime_top1("fashion-inception-float"));
  MESSAGE("int8 and float top-1 agree on " << agree * 100 << "% of " << images << " test images");
  CHECK(agree >= 0.98);
}
