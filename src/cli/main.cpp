// build/xnor: the command-line tool.
#include <algorithm>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "src/cli/classify.hpp"
#include "src/cli/compare.hpp"
#include "src/cli/bench.hpp"
#include "src/cli/convert.hpp"
#include "src/cli/eval.hpp"
#include "src/cli/info.hpp"
#include "src/cli/model_source.hpp"
#include "src/cli/run.hpp"
#include "src/cli/selfcheck.hpp"
#include "xnor/cpu_path.hpp"
#include "xnor/model_file.hpp"
#include "xnor/version.hpp"

namespace {

constexpr std::string_view usage = R"(usage: xnor <command> [options]

xnor runs binary (XNOR-Net) and int8 neural networks on the CPU.

commands:
  info MODEL     show a model's layers, sizes and memory (MODEL: a .xnm file or googlenet224:float|int8|binary)
  save MODEL OUT write a model (e.g. a built-in network) to a .xnm file
  convert IN OUT convert an ONNX model (or quantize a float .xnm to int8) into a .xnm file
  run MODEL --input X.npy --output Y.npy
                 run a model on one preprocessed input tensor, write its output tensor
  eval           measure a model's accuracy on Fashion-MNIST or a folder of labelled images
  bench          time every layer of a model, with its share of the whole
  compare        the bundled (or given) models side by side: accuracy, size, latency, images/s, memory
  classify IMAGE|DIR...
                 the most probable labels of images (PNG, JPEG, BMP, PGM/PPM), with the bundled model
  selfcheck      check the bit kernels of every supported CPU path against the reference

`xnor <command> --help` describes a command.

options:
  -h, --help     show this help
  --version      show the version and the CPU paths (XNOR_PATH=PATH forces one)
)";

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string_view command = argc > 1 ? argv[1] : "";
    if (command == "-h" || command == "--help" || command == "help") {
      std::cout << usage;
      return 0;
    }
    if (command == "--version") {
      const std::string paths = xnor::describe_paths();  // first: on a CPU it refuses, nothing is printed
      std::cout << "xnor " << xnor::version << "\ncpu path: " << paths << "\n";
      return 0;
    }
    const std::vector<std::string> args(argv + std::min(argc, 2), argv + argc);
    if (command == "selfcheck") return xnor::cli::selfcheck(std::cout);
    if (command == "info") return xnor::cli::info(args, std::cout);
    if (command == "classify") return xnor::cli::classify(args, std::cout, std::cerr);
    if (command == "convert") return xnor::cli::convert(args, std::cout);
    if (command == "bench") return xnor::cli::bench(args, std::cout);
    if (command == "run") return xnor::cli::run(args, std::cout);
    if (command == "eval") return xnor::cli::eval(args, std::cout);
    if (command == "compare") return xnor::cli::compare(args, std::cout);
    if (command == "save") {
      if (args.size() != 2 || args[0].starts_with("-")) {
        std::cout << "usage: xnor save MODEL OUT.xnm\n\nWrites MODEL (a .xnm file or a built-in network) to OUT.xnm.\n";
        return args.size() == 1 && (args[0] == "-h" || args[0] == "--help") ? 0 : 2;
      }
      xnor::save_model(xnor::cli::load_graph(args[0]), args[1]);
      return 0;
    }
    std::cerr << "xnor: " << (command.empty() ? "no command given" : "unknown command '" + std::string(command) + "'")
              << " (xnor --help lists them)\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "xnor: " << error.what() << "\n";
    return 1;
  }
}
