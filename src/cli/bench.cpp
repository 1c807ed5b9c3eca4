#include "src/cli/bench.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <stdexcept>

#include "src/cli/json.hpp"
#include "src/cli/options.hpp"
#include "src/cli/model_source.hpp"
#include "src/cli/stats.hpp"
#include "xnor/cpu_path.hpp"
#include "xnor/model.hpp"

namespace xnor::cli {
namespace {

constexpr const char* usage = R"(usage: xnor bench [--model MODEL] [--threads N] [--runs N] [--json]

Times every layer of a model on a random input: the median over the runs (default 50, after 5 unmeasured)
of each layer's time, its share of the whole, and the median time of a whole run.

options:
  --model MODEL   a .xnm file or a built-in network (default: the bundled binary model)
  --threads N     threads of the session (default 1)
  --runs N        measured runs (default 50)
  --json          print the results as JSON
)";

}  // namespace

int bench(std::span<const std::string> args, std::ostream& out) {
  std::string model_name = default_model_path();
  std::size_t threads = 1, runs = 50;
  bool json = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      out << usage;
      return 0;
    }
    if (arg == "--json") {
      json = true;
      continue;
    }
    if (arg != "--model" && arg != "--threads" && arg != "--runs") {
      throw std::invalid_argument("bench: unknown option " + arg + " (xnor bench --help)");
    }
    if (i + 1 == args.size()) throw std::invalid_argument("bench: " + arg + " needs a value");
    const std::string& value = args[++i];
    if (arg == "--model") model_name = value;
    if (arg == "--threads") threads = parse_count("bench", arg, value, 256);
    if (arg == "--runs") runs = parse_count("bench", arg, value, 100000);
  }
  auto model = std::make_shared<const Model>(load_graph(model_name));
  Session session(model, threads);
  std::vector<float> input(model->input().elements());
  std::mt19937 rng(1);
  std::normal_distribution<float> normal;
  for (float& v : input) v = normal(rng);
  const std::size_t nodes = model->graph().nodes.size();
  std::vector<std::vector<double>> per_node(nodes);
  std::vector<double> totals, seconds;
  for (std::size_t r = 0; r < runs + 5; ++r) {
    const auto start = std::chrono::steady_clock::now();
    session.run_timed(input, seconds);
    const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (r < 5) continue;
    totals.push_back(total);
    for (std::size_t i = 0; i < nodes; ++i) per_node[i].push_back(seconds[i]);
  }
  std::vector<double> medians(nodes);
  double sum = 0;
  for (std::size_t i = 0; i < nodes; ++i) sum += medians[i] = median(per_node[i]);
  const std::vector<LayerInfo> layers = model->layers();
  const double whole = median(totals);
  if (json) {
    out << "{\"model\": " << json_string(model_name) << ", \"threads\": " << threads << ", \"runs\": " << runs
        << ", \"cpu_path\": " << json_string(path_name(active_path())) << ", \"median_ms\": " << json_number(whole * 1e3)
        << ", \"layers\": [";
    for (std::size_t i = 0; i < nodes; ++i) {
      out << (i ? ", " : "") << "{\"name\": " << json_string(layers[i].name) << ", \"kind\": " << json_string(layers[i].kind)
          << ", \"precision\": " << json_string(layers[i].precision) << ", \"median_ms\": " << json_number(medians[i] * 1e3)
          << ", \"share\": " << json_number(sum > 0 ? medians[i] / sum : 0);
      if (!layers[i].fused_into.empty()) out << ", \"fused_into\": " << json_string(layers[i].fused_into);
      out << "}";
    }
    out << "]}\n";
    return 0;
  }
  char line[256];
  std::snprintf(line, sizeof line, "%s: %zu layers, %zu thread(s), %zu runs, cpu path %s\n", model_name.c_str(), nodes,
                threads, runs, std::string(path_name(active_path())).c_str());
  out << line;
  std::snprintf(line, sizeof line, "%-40s %-19s %-8s %10s %7s\n", "layer", "kind", "precision", "median ms", "share");
  out << line;
  for (std::size_t i = 0; i < nodes; ++i) {
    std::snprintf(line, sizeof line, "%-40s %-19s %-8s %10.4f %6.1f%%\n", layers[i].name.c_str(), layers[i].listed_kind().c_str(),
                  layers[i].precision.c_str(), medians[i] * 1e3, sum > 0 ? 100 * medians[i] / sum : 0.0);
    out << line;
  }
  std::snprintf(line, sizeof line, "whole run: median %.4f ms (sum of layer medians %.4f ms)\n", whole * 1e3, sum * 1e3);
  out << line;
  return 0;
}

}  // namespace xnor::cli
