#include <cstdio>
#include <xnor/xnor.hpp>

int main(int argc, char** argv) {
  if (argc != 3) return std::fprintf(stderr, "usage: classify MODEL.xnm IMAGE\n"), 2;
  try {
    xnor::Session session(xnor::load_model(argv[1]));
    for (const xnor::Prediction& p : session.classify(xnor::load_image(argv[2]), 3))
      std::printf("%-12s %.4f\n", p.label.c_str(), p.probability);
  } catch (const xnor::Error& error) {
    return std::fprintf(stderr, "%s\n", error.what()), 1;
  }
}
