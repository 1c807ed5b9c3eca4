#pragma once
// A loaded network and the sessions that run it.
//
// A Model is built once from a GraphDef (or a .xnm file): the graph is checked, every layer's weights are
// packed for the chosen CPU path, and a memory arena is planned (each tensor gets an offset; a buffer is
// reused once the tensor in it is dead). A Model is immutable: share it (std::shared_ptr) between threads.
// A Session owns an arena, its scratch memory and a thread pool; each thread that runs the model uses its own
// Session.
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "xnor/cpu_path.hpp"
#include "xnor/graph.hpp"

namespace xnor {

struct Image;

struct LayerInfo {
  std::string name, kind, precision;  // e.g. "mixed3a/3x3", "conv", "binary"
  TensorSpec output;
  double macs = 0;              // multiply-accumulates per run (binary: ±1 bit operations)
  std::size_t weight_bytes = 0;  // as stored (binary weights packed: 1 bit each)
  std::string fused_into;        // the layer that computes this one as it computes its own, if any

  // The kind as listed, e.g. "add (fused)" where another layer computes it.
  std::string listed_kind() const { return fused_into.empty() ? kind : kind + " (fused)"; }
};

// Whether a Model fuses layers as it loads a graph (calibration builds its models unfused, to observe every
// tensor as the graph computes it):
// - a float or binary convolution into the Add that alone reads it (a residual network's shortcut, added as the
//   convolution stores its output, before the Add's activation): the same floats, one pass over memory less;
//   the convolution's observed output is then the sum;
// - binary layers whose floats are max-pooled, normalized and binarized: they emit the bits, which are pooled
//   (src/graph/sign_fusion.hpp). graph() is then the rewritten graph, with fewer nodes;
// - a per-channel scale and shift (ScaleShift) that a Bitpack alone reads, as in a binary layer's RSign or
//   BatchNorm before its sign: the Bitpack compares the unscaled values with per-channel thresholds found at
//   load (src/graph/sign_thresholds.hpp), the same bits; the ScaleShift's observed output is then not computed.
enum class Fusion { all, none };

class Model {
 public:
  // Checks the graph and packs its layers for `path`; throws ModelError naming the node.
  explicit Model(GraphDef graph, Path path = active_path(), Fusion fusion = Fusion::all);
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const GraphDef& graph() const;
  // Every tensor's shape and type: tensor 0 is the input, tensor i + 1 node i's output.
  const std::vector<TensorSpec>& tensors() const;
  const TensorSpec& input() const { return tensors().front(); }
  const TensorSpec& output() const { return tensors().back(); }
  // One name per output value: the graph's labels, or "0", "1", ... where it has not one for each.
  const std::vector<std::string>& labels() const;
  // Bytes of the arena one Session needs for all intermediate tensors.
  std::size_t arena_bytes() const;
  std::vector<LayerInfo> layers() const;

  struct Plan;  // the packed layers and the arena plan: opaque outside model.cpp

 private:
  friend class Session;
  std::unique_ptr<const Plan> plan_;
};

// Loads a .xnm model file (model_file.hpp), or the bytes of one, and builds its Model for `path`; throws
// ModelError naming the file and the problem.
std::shared_ptr<const Model> load_model(const std::string& file, Path path = active_path());
std::shared_ptr<const Model> load_model(std::span<const std::byte> bytes, Path path = active_path());

struct Prediction {
  std::string label;
  float probability;  // the softmax of the outputs (the output itself where the network ends in a softmax)
  std::size_t index;  // of the output, and of its label in Model::labels()
};

class Session {
 public:
  explicit Session(std::shared_ptr<const Model> model, std::size_t threads = 1);
  ~Session();
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;

  const Model& model() const { return *model_; }
  // Runs the network on one input tensor (H x W x C floats, already preprocessed); returns the output
  // tensor, valid until the next run. Allocates no memory after the first run.
  std::span<const float> run(std::span<const float> input);
  // Preprocesses an image as the model's input asks (image.hpp: preprocess), then runs it.
  std::span<const float> run(const Image& image);
  // The `top` most probable outputs for an image with their labels, most probable first (NaN last, ties in
  // output order): what `xnor classify` prints.
  std::vector<Prediction> classify(const Image& image, std::size_t top = 5);
  // The same as run, filling seconds[i] with the time node i took.
  std::span<const float> run_timed(std::span<const float> input, std::vector<double>& seconds);
  // The same, calling observer(i, output, seconds) after node i: its output tensor (model().tensors()[i + 1]
  // gives its shape and type; valid only during the call) and the time it took. For calibration and debugging;
  // a fused node's tensor is what Fusion says (a fused ScaleShift's is not written: use Fusion::none).
  using Observer = std::function<void(std::size_t node, const std::byte* output, double seconds)>;
  std::span<const float> run_observed(std::span<const float> input, const Observer& observer);

 private:
  struct State;  // the arena, scratch memory and thread pool (model.cpp)
  std::shared_ptr<const Model> model_;
  std::unique_ptr<State> state_;
};

}  // namespace xnor
