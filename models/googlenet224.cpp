#include "models/googlenet224.hpp"

#include <string>

namespace xnor::models {

GraphDef googlenet224(Precision precision, std::uint64_t seed) {
  const InputSpec input{224, 224, 3, {0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}, 1.0f, false};
  NetworkBuilder b(input, seed);
  // Following XNOR-Net, the first and last layers are not binary: in the binary network the first
  // convolution and the classifier are int8 (the faster of float and int8 for both: the classifier's
  // 4 MB of float weights took 5% of the run, reading memory, its int8 weights take a quarter of that).
  const Precision stem = precision == Precision::binary ? Precision::int8 : precision;
  auto x = b.conv("conv1/7x7_s2", b.input(), 64, 7, 2, stem);
  x = b.max_pool("pool1/3x3_s2", x, 3, 2);
  x = b.conv("conv2/3x3_reduce", x, 64, 1, 1, precision);
  x = b.conv("conv2/3x3", x, 192, 3, 1, precision);
  x = b.max_pool("pool2/3x3_s2", x, 3, 2);
  x = b.inception("inception_3a", x, {64, 96, 128, 16, 32, 32}, precision);
  x = b.inception("inception_3b", x, {128, 128, 192, 32, 96, 64}, precision);
  x = b.max_pool("pool3/3x3_s2", x, 3, 2);
  x = b.inception("inception_4a", x, {192, 96, 208, 16, 48, 64}, precision);
  x = b.inception("inception_4b", x, {160, 112, 224, 24, 64, 64}, precision);
  x = b.inception("inception_4c", x, {128, 128, 256, 24, 64, 64}, precision);
  x = b.inception("inception_4d", x, {112, 144, 288, 32, 64, 64}, precision);
  x = b.inception("inception_4e", x, {256, 160, 320, 32, 128, 128}, precision);
  x = b.max_pool("pool4/3x3_s2", x, 3, 2);
  x = b.inception("inception_5a", x, {256, 160, 320, 32, 128, 128}, precision);
  // The last binary block emits float for the classifier.
  x = b.inception("inception_5b", x, {384, 192, 384, 48, 128, 128}, precision, DType::float32);
  x = b.global_average_pool("pool5/7x7_s1", x);
  x = b.dense("loss3/classifier", x, 1000, stem);
  x = b.softmax("prob", x);
  std::vector<std::string> labels;
  for (int i = 0; i < 1000; ++i) labels.push_back("class_" + std::to_string(i));
  return b.finish(std::move(labels));
}

}  // namespace xnor::models
