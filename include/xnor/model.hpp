#pragma once
// A loaded network and the sessions that run it.
//
// A Model is built once from a GraphDef (or a .xnm file): the graph is checked, every layer's weights are
// packed for the chosen CPU path, and a memory arena is planned (each tensor gets an offset; a buffer is
// reused once the tensor in it is dead). A Model is immutable: share it (std::shared_ptr) between threads.
// A Session owns an arena and a thread pool; each thread that runs the model uses its own Session.
#include <cstddef>
#include <cstdint>
#include <array>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xtensor.hpp>

#include "xnor/cpu_path.hpp"
#include "xnor/graph.hpp"
#include "xnor/thread_pool.hpp"

namespace xnor {

struct LayerInfo {
  std::string name, kind, precision;  // e.g. "mixed3a/3x3", "conv", "binary"
  TensorSpec output;
  double macs = 0;              // multiply-accumulates per run (binary: ±1 bit operations)
  std::size_t weight_bytes = 0;  // as stored (binary weights packed: 1 bit each)
};

class Model {
 public:
  explicit Model(GraphDef graph, Path path = active_path());
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const GraphDef& graph() const { return graph_; }
  const std::vector<TensorSpec>& tensors() const { return tensors_; }
  const TensorSpec& input() const { return tensors_.front(); }
  const TensorSpec& output() const { return tensors_.back(); }
  // Bytes of the arena one Session needs for all intermediate tensors.
  std::size_t arena_bytes() const { return arena_bytes_; }
  std::vector<LayerInfo> layers() const;

  // One runnable step per node: reads its input tensors, writes its output tensor.
  using Step = std::function<void(std::span<const std::byte* const> inputs, std::byte* output, ThreadPool* pool)>;

 private:
  friend class Session;
  GraphDef graph_;
  std::vector<TensorSpec> tensors_;
  std::vector<Step> steps_;
  std::vector<std::size_t> offsets_;  // arena offset of each tensor (tensor 0, the input, is the caller's)
  std::size_t arena_bytes_ = 0;
};

// A model's output as an H x W x C xtensor view of a Session's arena (no copy).
using OutputView = decltype(xt::adapt(std::declval<const float*>(), std::size_t{}, xt::no_ownership(),
                                      std::declval<std::array<std::size_t, 3>>()));

class Session {
 public:
  explicit Session(std::shared_ptr<const Model> model, std::size_t threads = 1);

  const Model& model() const { return *model_; }
  // Runs the network on one input tensor (H x W x C floats, already preprocessed); returns the output
  // tensor, valid until the next run.
  std::span<const float> run(std::span<const float> input);
  // The same for an H x W x C image tensor (its shape must be the model's input shape); the result views
  // the arena.
  OutputView run(const xt::xtensor<float, 3>& image);
  // The same, filling seconds[i] with the time node i took.
  std::span<const float> run_timed(std::span<const float> input, std::vector<double>& seconds);
  // The same, calling observer(i, output, seconds) after node i: its output tensor (model().tensors()[i + 1]
  // gives its shape and type; valid only during the call) and the time it took. For calibration and debugging.
  using Observer = std::function<void(std::size_t node, const std::byte* output, double seconds)>;
  std::span<const float> run_observed(std::span<const float> input, const Observer& observer);

 private:
  std::shared_ptr<const Model> model_;
  std::unique_ptr<ThreadPool> pool_;
  std::vector<std::byte, std::allocator<std::byte>> arena_;
  std::byte* base_ = nullptr;
};

}  // namespace xnor
