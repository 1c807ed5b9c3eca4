// Files the end-to-end tests of `xnor run` and `xnor eval` need (tests/tools_tests.cmake), made without
// Python or trained models:
//   model OUT.xnm                a small random-weight network for Fashion-MNIST (28x28x1, its 10 classes)
//   input OUT.npy D0 D1 ...      random float32 values of that shape
//   check MODEL X.npy Y.npy      runs MODEL on X here and checks that Y holds exactly its output
//   folder DIR                   DIR/<class>/<image>.pgm from Fashion-MNIST's test images, plus a broken file
//   slash-folder DIR             DIR/T-shirt_top/ and DIR/Trouser/, five images each: a folder for the label
//                                "T-shirt/top", whose '/' no folder name can hold
//   models DIR                   DIR/fashion-inception-{float,int8,binary}.xnm: the bundled models' names for
//                                a float network, its int8 quantization and the binary model's network
#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "xnor/calibrate.hpp"
#include "xnor/dataset.hpp"
#include "xnor/image.hpp"
#include "xnor/model.hpp"
#include "xnor/model_file.hpp"
#include "xnor/network_builder.hpp"
#include "xnor/npy.hpp"

namespace {

xnor::GraphDef random_fashion_model() {
  // Fashion-MNIST's mean and standard deviation, on values scaled to [0, 1].
  // Binary from the input on: after a float stem's ReLU every sign would be +1 and every image one class;
  // this seed's network tells several classes apart, so the predictions vary.
  xnor::NetworkBuilder b({28, 28, 1, {0.286f}, {0.353f}, 1.0f, false}, /*seed=*/13);
  auto x = b.conv("stem", b.input(), 16, 3, 2, xnor::Precision::binary);
  x = b.inception("block", x, {8, 8, 16, 4, 8, 8}, xnor::Precision::binary, xnor::DType::float32);
  x = b.global_average_pool("pool", x);
  x = b.dense("classifier", x, 10, xnor::Precision::float32);
  x = b.softmax("prob", x);
  return b.finish(xnor::fashion_mnist_classes());
}

// The same shape in float (ReLU convolutions), for xnor compare.
xnor::GraphDef random_float_fashion_model() {
  xnor::NetworkBuilder b({28, 28, 1, {0.286f}, {0.353f}, 1.0f, false}, /*seed=*/13);
  auto x = b.conv("stem", b.input(), 16, 3, 2, xnor::Precision::float32);
  x = b.inception("block", x, {8, 8, 16, 4, 8, 8}, xnor::Precision::float32);
  x = b.global_average_pool("pool", x);
  x = b.dense("classifier", x, 10, xnor::Precision::float32);
  x = b.softmax("prob", x);
  return b.finish(xnor::fashion_mnist_classes());
}

// Three models under the bundled models' names: float, its int8 quantization (calibrated on 100 training
// images) and the binary network of random_fashion_model.
void write_models(const std::string& dir) {
  std::filesystem::create_directories(dir);
  const xnor::GraphDef float_model = random_float_fashion_model();
  std::vector<std::vector<float>> calibration;
  for (const xnor::Image& image : xnor::load_fashion_mnist("train", 100).images) {
    calibration.push_back(xnor::preprocess(image, float_model.input));
  }
  xnor::save_model(float_model, dir + "/fashion-inception-float.xnm");
  xnor::save_model(xnor::quantize_int8(float_model, calibration), dir + "/fashion-inception-int8.xnm");
  xnor::save_model(random_fashion_model(), dir + "/fashion-inception-binary.xnm");
}

// Five test images each of T-shirt/top (in DIR/T-shirt_top) and Trouser, as binary PGM.
void write_slash_folder(const std::string& dir) {
  const xnor::LabelledImages test_set = xnor::load_fashion_mnist("test", 200);
  std::filesystem::remove_all(dir);
  std::vector<int> written(2, 0);
  for (std::size_t i = 0; i < test_set.size(); ++i) {
    const auto label = static_cast<std::size_t>(test_set.labels[i]);
    if (label > 1 || written[label] == 5) continue;
    const std::string class_dir = dir + "/" + (label == 0 ? "T-shirt_top" : "Trouser");
    std::filesystem::create_directories(class_dir);
    std::ofstream out(class_dir + "/" + std::to_string(i) + ".pgm", std::ios::binary);
    out << "P5\n28 28\n255\n";
    out.write(reinterpret_cast<const char*>(test_set.images[i].pixels.data()), 784);
    ++written[label];
  }
}

void write_random_input(const std::string& path, const std::vector<std::size_t>& shape) {
  std::size_t count = 1;
  for (std::size_t d : shape) count *= d;
  std::mt19937_64 rng(5);
  std::normal_distribution<float> normal;
  std::vector<float> values(count);
  for (float& v : values) v = normal(rng);
  xnor::save_npy(path, shape, values);
}

int check_output(const std::string& model_path, const std::string& input_path, const std::string& output_path) {
  const auto model = std::make_shared<const xnor::Model>(xnor::load_model_file(model_path));
  const xnor::NpyArray input = xnor::load_npy(input_path), output = xnor::load_npy(output_path);
  xnor::Session session(model);
  const auto expected = session.run(input.values);
  const xnor::TensorSpec& spec = model->output();
  if (output.shape != std::vector<std::size_t>{spec.h, spec.w, spec.c} ||
      !std::equal(expected.begin(), expected.end(), output.values.begin(), output.values.end())) {
    std::cerr << output_path << " does not hold the model's output\n";
    return 1;
  }
  std::cout << "output matches\n";
  return 0;
}

// Thirty test images of three classes whose names make folder names (a '/' would not), as binary PGM.
void write_image_folder(const std::string& dir) {
  const xnor::LabelledImages test_set = xnor::load_fashion_mnist("test", 200);
  const std::vector<std::size_t> wanted = {1, 7, 8};  // Trouser, Sneaker, Bag
  std::vector<int> written(10, 0);
  std::filesystem::remove_all(dir);
  for (std::size_t i = 0; i < test_set.size(); ++i) {
    const auto label = static_cast<std::size_t>(test_set.labels[i]);
    if (std::find(wanted.begin(), wanted.end(), label) == wanted.end() || written[label] == 10) continue;
    const std::string class_dir = dir + "/" + test_set.classes[label];
    std::filesystem::create_directories(class_dir);
    std::ofstream out(class_dir + "/" + std::to_string(i) + ".pgm", std::ios::binary);
    out << "P5\n28 28\n255\n";
    out.write(reinterpret_cast<const char*>(test_set.images[i].pixels.data()), 784);
    ++written[label];
  }
  std::ofstream(dir + "/Bag/broken.png") << "not a PNG";
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() == 2 && args[0] == "model") {
      xnor::save_model(random_fashion_model(), args[1]);
      return 0;
    }
    if (args.size() >= 2 && args[0] == "input") {
      std::vector<std::size_t> shape;
      for (std::size_t i = 2; i < args.size(); ++i) shape.push_back(std::stoul(args[i]));
      write_random_input(args[1], shape);
      return 0;
    }
    if (args.size() == 4 && args[0] == "check") return check_output(args[1], args[2], args[3]);
    if (args.size() == 2 && args[0] == "folder") {
      write_image_folder(args[1]);
      return 0;
    }
    if (args.size() == 2 && args[0] == "slash-folder") {
      write_slash_folder(args[1]);
      return 0;
    }
    if (args.size() == 2 && args[0] == "models") {
      write_models(args[1]);
      return 0;
    }
  } catch (const std::exception& error) {
    std::cerr << "xnor-cli-fixture: " << error.what() << "\n";
    return 1;
  }
  std::cerr << "usage: xnor-cli-fixture model OUT.xnm | input OUT.npy D0 D1 ... | check MODEL X.npy Y.npy | folder DIR | slash-folder DIR | models DIR\n";
  return 2;
}
