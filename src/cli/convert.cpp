#include "src/cli/convert.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "src/cli/model_source.hpp"
#include "src/cli/options.hpp"
#include "xnor/calibrate.hpp"
#include "xnor/model.hpp"
#include "xnor/model_file.hpp"
#ifdef XNOR_HAVE_ONNX
#include "src/onnx/import.hpp"
#endif

namespace xnor::cli {
namespace {

constexpr const char* usage = R"(usage: xnor convert INPUT OUT.xnm [options]

Converts a trained network to an .xnm model file. INPUT is an ONNX model (.onnx) or an .xnm file.
BatchNorm, Mul/Add and activations fold into the layers before them; a Conv with a Sign input and weights
±alpha per output channel becomes a binary convolution; anything that cannot be mapped is refused with the
node's name and op.

options:
  --labels FILE      class labels, one per line (default: the model's metadata, else class numbers)
  --mean A[,B,C]     input normalization per channel (default: the model's metadata, else 0)
  --std A[,B,C]      (default: the model's metadata, else 1)
  --int8             quantize the (float) model to int8: weights per output channel, activations per
                     tensor, with ranges measured by running the float model on calibration images
  --calibration fashion-mnist|DIR
                     calibration images: Fashion-MNIST's training set (default) or DIR/<class>/<image>
  --calibration-count N
                     how many calibration images (default 1000)
  --calibration-method minmax|percentile
                     a tensor's range: all values seen (default), or all but the extreme 0.01% per side
)";

std::vector<float> numbers(const std::string& text) {
  std::vector<float> v;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');) v.push_back(std::stof(item));
  return v;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

}  // namespace

int convert(std::span<const std::string> args, std::ostream& out) {
  std::vector<std::string> files;
  std::vector<std::string> labels;
  std::vector<float> mean, std;
  bool int8 = false;
  std::string calibration = "fashion-mnist";
  std::size_t calibration_count = 1000;
  CalibrationOptions calibration_options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw std::invalid_argument("convert: " + arg + " needs a value");
      return args[++i];
    };
    if (arg == "-h" || arg == "--help") {
      out << usage;
      return 0;
    }
    if (arg == "--labels") {
      labels = read_lines(value());
    } else if (arg == "--mean") {
      mean = numbers(value());
    } else if (arg == "--std") {
      std = numbers(value());
    } else if (arg == "--int8") {
      int8 = true;
    } else if (arg == "--calibration") {
      calibration = value();
    } else if (arg == "--calibration-count") {
      calibration_count = parse_count("convert", arg, value(), 1000000);
    } else if (arg == "--calibration-method") {
      const std::string& method = value();
      if (method != "minmax" && method != "percentile") {
        throw std::invalid_argument("convert: --calibration-method is minmax or percentile, not " + method);
      }
      calibration_options.method = method == "minmax" ? CalibrationMethod::minmax : CalibrationMethod::percentile;
    } else if (arg.starts_with("-")) {
      throw std::invalid_argument("convert: unknown option " + arg + " (xnor convert --help)");
    } else {
      files.push_back(arg);
    }
  }
  if (files.size() != 2) throw std::invalid_argument("convert: give INPUT and OUT.xnm (xnor convert --help)");
  const std::string& input = files[0];
  GraphDef graph;
  if (input.ends_with(".onnx")) {
#ifdef XNOR_HAVE_ONNX
    graph = onnx_import::import_file(input, {{}, labels, mean, std});
#else
    throw std::runtime_error(input + ": this xnor was built without ONNX support (libonnx-dev)");
#endif
  } else {
    graph = load_graph(input);
    if (!labels.empty()) graph.labels = labels;
    if (!mean.empty()) graph.input.mean = mean;
    if (!std.empty()) graph.input.std = std;
  }
  if (int8) graph = quantize_int8(graph, calibration_inputs(calibration, calibration_count, graph.input), calibration_options);
  const Model model(graph);  // checks that the runtime can run it before anything is written
  save_model(graph, files[1]);
  double macs = 0;
  std::size_t weight_bytes = 0;
  for (const LayerInfo& layer : model.layers()) {
    macs += layer.macs;
    weight_bytes += layer.weight_bytes;
  }
  out << files[1] << ": " << graph.nodes.size() << " layers, " << macs / 1e6 << " MMACs, " << weight_bytes
      << " bytes of weights\n";
  return 0;
}

}  // namespace xnor::cli
