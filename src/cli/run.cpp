#include "src/cli/run.hpp"

#include <memory>
#include <stdexcept>

#include "src/cli/input_shape.hpp"
#include "src/cli/model_source.hpp"
#include "xnor/model.hpp"
#include "xnor/npy.hpp"

namespace xnor::cli {
namespace {

constexpr const char* usage = R"(usage: xnor run MODEL --input X.npy --output Y.npy

Runs MODEL (a .xnm file or a built-in network) on one input tensor and writes its output tensor.
X.npy holds the input already preprocessed: float32 (float64 and uint8 are converted), shape H x W x C or
1 x H x W x C, the model's input size (`xnor info MODEL` shows it). Y.npy gets the output as float32 with
the model's output shape H x W x C (a classifier: 1 x 1 x classes). Y.npy is written whole or not at all.
)";

}  // namespace

int run(std::span<const std::string> args, std::ostream& out) {
  std::string model_name, input_path, output_path;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      out << usage;
      return 0;
    }
    if (arg == "--input" || arg == "--output") {
      if (i + 1 == args.size()) throw std::invalid_argument("run: " + arg + " needs a file");
      (arg == "--input" ? input_path : output_path) = args[++i];
    } else if (arg.starts_with("-")) {
      throw std::invalid_argument("run: unknown option " + arg + " (xnor run --help)");
    } else if (model_name.empty()) {
      model_name = arg;
    } else {
      throw std::invalid_argument("run: more than one model given");
    }
  }
  if (model_name.empty() || input_path.empty() || output_path.empty()) {
    throw std::invalid_argument("run: needs MODEL, --input and --output (xnor run --help)");
  }

  const NpyArray input = load_npy(input_path);
  const auto model = std::make_shared<const Model>(load_graph(model_name));
  check_input_shape(input.shape, model->input(), input_path, model_name);
  Session session(model);
  const std::span<const float> output = session.run(input.values);
  const TensorSpec& result = model->output();
  const std::vector<std::size_t> output_shape = {result.h, result.w, result.c};
  save_npy(output_path, output_shape, output);
  return 0;
}

}  // namespace xnor::cli
