// One Model shared by two threads, each with its own Session: both must label the image as one thread does.
// Usage: xnor-threads MODEL.xnm IMAGE
#include <cstdio>
#include <string>
#include <thread>
#include <xnor/xnor.hpp>

int main(int argc, char** argv) {
  if (argc != 3) return std::fprintf(stderr, "usage: xnor-threads MODEL.xnm IMAGE\n"), 2;
  try {
    const auto model = xnor::load_model(argv[1]);
    const xnor::Image image = xnor::load_image(argv[2]);
    const std::string label = xnor::Session(model).classify(image, 1).at(0).label;
    std::string labels[2];
    {
      std::jthread a([&] { labels[0] = xnor::Session(model).classify(image, 1).at(0).label; });
      std::jthread b([&] { labels[1] = xnor::Session(model).classify(image, 1).at(0).label; });
    }
    std::printf("one thread: %s; two threads: %s and %s\n", label.c_str(), labels[0].c_str(), labels[1].c_str());
    return labels[0] == label && labels[1] == label ? 0 : 1;
  } catch (const xnor::Error& error) {
    return std::fprintf(stderr, "xnor-threads: %s\n", error.what()), 1;
  }
}
