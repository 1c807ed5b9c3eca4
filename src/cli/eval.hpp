#pragma once
#include <cstddef>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "xnor/dataset.hpp"
#include "xnor/model.hpp"

namespace xnor::cli {

class ProgressBar;

// `xnor eval [--model M] [--dataset fashion-mnist|DIR] [--limit N] [--threads N] [--json]`: a model's
// accuracy on a labelled image set, per class and as a confusion matrix. Returns the exit code.
int eval(std::span<const std::string> args, std::ostream& out);

// The parts of eval that `xnor compare` shares.

// A labelled image set as the commands take it: "fashion-mnist" (the test split) or a folder DIR/<class>/<image>.
struct EvalDataset {
  std::string name;  // "Fashion-MNIST test" or DIR
  bool fashion_mnist = false;
  LabelledImages images;
  std::size_t skipped = 0;  // files of a folder that did not decode (each reported on stderr)
};
// `limit`: only the first N images (0: all). `command` ("eval", "compare") starts the messages. A folder's
// JPEGs are decoded as `decode` says: as `xnor classify` decodes them for the model (DecodeOptions::for_input),
// so that both give each image the same pixels.
EvalDataset load_eval_dataset(const std::string& dataset, std::size_t limit, const std::string& command,
                              const DecodeOptions& decode);

// A model's class names: its labels, or the output numbers when it has not one label per output.
std::vector<std::string> output_labels(const Model& model);

// The true output of each image of `set` for a model with these labels: Fashion-MNIST's classes are the
// outputs 0-9 in order (the model must have 10 outputs); a class folder is named after a label, or after
// the label with every '/' replaced by '_' (no folder name can hold a '/', e.g. "T-shirt_top" for
// "T-shirt/top"). Throws std::invalid_argument naming the model or folder that does not fit.
std::vector<std::size_t> true_outputs(const EvalDataset& set, const std::vector<std::string>& labels,
                                      const std::string& model_path, const std::string& command);

// The most probable output of each image: `threads` sessions on one shared model, each on its own contiguous
// slice of the images, so the predictions do not depend on the thread count. Advances `progress` once per
// image (without one, an "eval" progress bar is drawn).
std::vector<std::size_t> predict(const std::shared_ptr<const Model>& model, const LabelledImages& images,
                                 std::size_t threads, ProgressBar* progress = nullptr);
// The same on inputs already preprocessed for the model (input h * w * c floats each).
std::vector<std::size_t> predict(const std::shared_ptr<const Model>& model, std::span<const std::vector<float>> inputs,
                                 std::size_t threads, ProgressBar* progress = nullptr);

}  // namespace xnor::cli
