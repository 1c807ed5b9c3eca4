// Files the end-to-end tests of `xnor classify` need (tests/tools_tests.cmake), made without trained models.
// Usage: xnor-classify-fixture DIR, which writes
//   DIR/logits-28x28.xnm        a random-weight network for 28x28 gray images and Fashion-MNIST's 10 labels,
//                               ending without a softmax (classify applies one)
//   DIR/two-channel-input.xnm   a network whose input (4x4x2) is no image
//   DIR/images/                 a PNG, a JPEG and a BMP of other sizes and colours, a truncated PNG
//                               (broken.png) and a text file (not an image file by its name)
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "tests/image_files.hpp"
#include "xnor/model_file.hpp"
#include "xnor/network_builder.hpp"

using namespace xnor;

namespace {

GraphDef logits_28x28() {
  NetworkBuilder b({28, 28, 1, {0.286f}, {0.353f}, 1.0f, false}, 3);
  // Binary from the input on, so that the signs (and the outputs) follow the image.
  auto x = b.conv("stem", b.input(), 16, 3, 2, Precision::binary);
  x = b.conv("bits", x, 16, 3, 1, Precision::binary, DType::float32);
  x = b.global_average_pool("gap", x);
  x = b.dense("classifier", x, 10, Precision::float32);
  // Fashion-MNIST's classes: "Ankle boot" has a space, "T-shirt/top" a slash.
  return b.finish({"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"});
}

GraphDef two_channel_input() {
  NetworkBuilder b({4, 4, 2, {0.0f, 0.0f}, {1.0f, 1.0f}, 1.0f, false}, 4);
  auto x = b.global_average_pool("gap", b.input());
  x = b.dense("classifier", x, 2, Precision::float32);
  return b.finish({"a", "b"});
}

// w x h pixels of c channels: a bright disc on a dark ground, like a Fashion-MNIST object.
std::vector<std::uint8_t> disc(int w, int h, int c) {
  std::vector<std::uint8_t> pixels;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const int dx = 2 * x - w, dy = 2 * y - h;
      const bool inside = dx * dx + dy * dy < w * h / 2;
      for (int ch = 0; ch < c; ++ch) pixels.push_back(static_cast<std::uint8_t>(inside ? 200 + 20 * ch : 10));
    }
  }
  return pixels;
}

void write(const std::filesystem::path& path, const test::Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: xnor-classify-fixture DIR\n";
    return 2;
  }
  try {
    const std::filesystem::path dir = argv[1], images = dir / "images";
    std::filesystem::remove_all(images);
    std::filesystem::create_directories(images);
    save_model(logits_28x28(), (dir / "logits-28x28.xnm").string());
    save_model(two_channel_input(), (dir / "two-channel-input.xnm").string());
    write(images / "disc.png", test::encode_png(28, 28, 1, disc(28, 28, 1)));
    write(images / "disc.jpg", test::encode_jpeg(40, 30, 3, disc(40, 30, 3), 90));
    write(images / "disc.bmp", test::encode_bmp(20, 24, 4, disc(20, 24, 4)));
    const test::Bytes png = test::encode_png(28, 28, 1, disc(28, 28, 1));
    write(images / "broken.png", test::Bytes(png.begin(), png.begin() + static_cast<std::ptrdiff_t>(png.size() / 2)));
    std::ofstream(images / "notes.txt") << "not an image file\n";
  } catch (const std::exception& error) {
    std::cerr << "xnor-classify-fixture: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
