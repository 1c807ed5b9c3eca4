#include "src/cli/info.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "src/cli/json.hpp"
#include "src/cli/model_source.hpp"
#include "xnor/model.hpp"

namespace xnor::cli {
namespace {

constexpr const char* usage = R"(usage: xnor info MODEL [--json]

Shows every layer of a model: kind, precision, output shape, multiply-accumulates and weight bytes, with
totals, the file size and the arena (activation memory) one session needs.
MODEL is a .xnm file or a built-in network: googlenet224:float, googlenet224:int8, googlenet224:binary.
)";

std::string shape(const TensorSpec& t) {
  return std::to_string(t.h) + "x" + std::to_string(t.w) + "x" + std::to_string(t.c);
}

}  // namespace

int info(std::span<const std::string> args, std::ostream& out) {
  std::string model_name;
  bool json = false;
  for (const std::string& arg : args) {
    if (arg == "-h" || arg == "--help") {
      out << usage;
      return 0;
    }
    if (arg == "--json") {
      json = true;
    } else if (arg.starts_with("-")) {
      throw std::invalid_argument("info: unknown option " + arg);
    } else if (model_name.empty()) {
      model_name = arg;
    } else {
      throw std::invalid_argument("info: more than one model given");
    }
  }
  if (model_name.empty()) throw std::invalid_argument("info: no model given (xnor info --help)");
  const Model model(load_graph(model_name));
  const std::vector<LayerInfo> layers = model.layers();
  double macs = 0;
  std::size_t weight_bytes = 0;
  for (const LayerInfo& layer : layers) {
    macs += layer.macs;
    weight_bytes += layer.weight_bytes;
  }
  std::error_code no_file;
  const auto file_size = std::filesystem::file_size(model_name, no_file);
  const double file_bytes = no_file ? 0.0 : static_cast<double>(file_size);
  if (json) {
    out << "{\"model\": " << json_string(model_name) << ", \"input\": " << json_string(shape(model.input()))
        << ", \"file_bytes\": " << (no_file ? "null" : json_number(file_bytes)) << ", \"arena_bytes\": "
        << model.arena_bytes() << ", \"macs\": " << json_number(macs) << ", \"weight_bytes\": " << weight_bytes
        << ", \"layers\": [";
    for (std::size_t i = 0; i < layers.size(); ++i) {
      const LayerInfo& l = layers[i];
      out << (i ? ", " : "") << "{\"name\": " << json_string(l.name) << ", \"kind\": " << json_string(l.kind)
          << ", \"precision\": " << json_string(l.precision) << ", \"output\": " << json_string(shape(l.output))
          << ", \"macs\": " << json_number(l.macs) << ", \"weight_bytes\": " << l.weight_bytes;
      if (!l.fused_into.empty()) out << ", \"fused_into\": " << json_string(l.fused_into);
      out << "}";
    }
    out << "]}\n";
    return 0;
  }
  char line[256];
  out << model_name << ": input " << shape(model.input()) << ", " << layers.size() << " layers\n";
  std::snprintf(line, sizeof line, "%-32s %-19s %-8s %-14s %12s %12s\n", "layer", "kind", "precision", "output", "MMACs",
                "weight bytes");
  out << line;
  for (const LayerInfo& l : layers) {
    std::snprintf(line, sizeof line, "%-32s %-19s %-8s %-14s %12.2f %12zu\n", l.name.c_str(), l.listed_kind().c_str(),
                  l.precision.c_str(), shape(l.output).c_str(), l.macs / 1e6, l.weight_bytes);
    out << line;
  }
  std::snprintf(line, sizeof line, "total: %.1f MMACs, %.2f MB of weights, arena %.2f MB", macs / 1e6, weight_bytes / 1e6,
                static_cast<double>(model.arena_bytes()) / 1e6);
  out << line;
  if (!no_file) {
    std::snprintf(line, sizeof line, ", file %.2f MB", file_bytes / 1e6);
    out << line;
  }
  out << "\n";
  return 0;
}

}  // namespace xnor::cli
