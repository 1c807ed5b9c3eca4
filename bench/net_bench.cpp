// net/googlenet224/<float|int8|binary>/threads:<1|2>: the whole network, end to end from a float image to
// class probabilities, with deterministic random weights. net/fashion/<float|int8|binary>/threads:1: the
// bundled Fashion-MNIST models (models/*.xnm), the same way. Peak RSS of the process is reported.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/benchmarks.hpp"
#include "models/googlenet224.hpp"
#include "xnor/model.hpp"

namespace xnor::bench {
namespace {

std::shared_ptr<const Model> googlenet(Precision precision) {
  static std::shared_ptr<const Model> models[3];
  auto& model = models[static_cast<int>(precision)];
  if (!model) model = std::make_shared<const Model>(models::googlenet224(precision));
  return model;
}

void run_net(benchmark::State& state, const std::shared_ptr<const Model>& model, std::size_t threads) {
  Session session(model, threads);
  std::vector<float> image(model->input().elements());
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> uniform(-2.0f, 2.0f);
  for (float& v : image) v = uniform(rng);
  for (auto _ : state) benchmark::DoNotOptimize(session.run(image).data());
  double macs = 0;
  for (const LayerInfo& layer : model->layers()) macs += layer.macs;
  state.counters["MAC/s"] = benchmark::Counter(macs * state.iterations(), benchmark::Counter::kIsRate);
  state.counters["arena_MB"] = static_cast<double>(model->arena_bytes()) / 1e6;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["peak_RSS_MB"] = static_cast<double>(usage.ru_maxrss) / 1e3;
  state.SetLabel(std::string(path_name(active_path())));
}

}  // namespace

void register_net_benchmarks() {
  const std::pair<const char*, Precision> precisions[] = {
      {"float", Precision::float32}, {"int8", Precision::int8}, {"binary", Precision::binary}};
  for (const auto& [name, precision] : precisions) {
    for (std::size_t threads : {1, 2}) {
      benchmark::RegisterBenchmark(("net/googlenet224/" + std::string(name) + "/threads:" + std::to_string(threads)).c_str(),
                                   [precision, threads](benchmark::State& state) { run_net(state, googlenet(precision), threads); })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  }
  for (const char* name : {"float", "int8", "binary"}) {
    const std::string file = std::string(XNOR_MODELS_DIR) + "/fashion-inception-" + name + ".xnm";
    benchmark::RegisterBenchmark(("net/fashion/" + std::string(name) + "/threads:1").c_str(),
                                 [file](benchmark::State& state) {
                                   std::shared_ptr<const Model> model;
                                   try {
                                     model = load_model(file);
                                   } catch (const std::exception& error) {
                                     return state.SkipWithError(error.what());
                                   }
                                   run_net(state, model, 1);
                                 })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
}

}  // namespace xnor::bench
