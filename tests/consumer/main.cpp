// Embeds xnor: loads a model file, classifies an image file, then runs the same Model from two threads, each
// with its own Session. Usage: xnor-consumer MODEL.xnm IMAGE
#include <algorithm>
#include <cstdio>
#include <exception>
#include <memory>
#include <span>
#include <thread>
#include <vector>

#include <xnor/image.hpp>
#include <xnor/model.hpp>
#include <xnor/model_file.hpp>

std::size_t top_class(std::span<const float> scores) {
  return std::max_element(scores.begin(), scores.end()) - scores.begin();
}

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: xnor-consumer MODEL.xnm IMAGE\n");
    return 2;
  }
  try {
    auto model = std::make_shared<const xnor::Model>(xnor::load_model_file(argv[1]));
    const std::vector<float> image = xnor::preprocess(xnor::load_image(argv[2]), model->graph().input);

    xnor::Session session(model);
    const std::size_t top = top_class(session.run(image));
    std::printf("%s: %s\n", argv[2], model->graph().labels.at(top).c_str());

    // A Model is immutable and shared; each thread runs it through its own Session.
    std::size_t thread_tops[2];
    {
      std::jthread a([&] { xnor::Session s(model); thread_tops[0] = top_class(s.run(image)); });
      std::jthread b([&] { xnor::Session s(model); thread_tops[1] = top_class(s.run(image)); });
    }
    std::printf("two threads: %s and %s\n", model->graph().labels.at(thread_tops[0]).c_str(),
                model->graph().labels.at(thread_tops[1]).c_str());
    return thread_tops[0] == top && thread_tops[1] == top ? 0 : 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "xnor-consumer: %s\n", error.what());
    return 1;
  }
}
