#include "src/cli/eval.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <numeric>
#include <optional>
#include <span>
#include <stdexcept>
#include <thread>
#include <vector>

#include "src/cli/json.hpp"
#include "src/cli/options.hpp"
#include "src/cli/model_source.hpp"
#include "src/cli/progress.hpp"
#include "xnor/dataset.hpp"
#include "xnor/image.hpp"
#include "xnor/model.hpp"

namespace xnor::cli {
namespace {

constexpr const char* usage = R"(usage: xnor eval [--model MODEL] [--dataset fashion-mnist|DIR] [--limit N] [--threads N] [--json]

Measures a model's accuracy on labelled images: overall, per class, and the confusion matrix.

options:
  --model MODEL    a .xnm file (default: the bundled fashion-inception-binary.xnm; the environment variable
                   XNOR_MODELS_DIR names another folder to take it from)
  --dataset SET    fashion-mnist (default): the 10,000 test images of Fashion-MNIST (Debian's
                   dataset-fashion-mnist); the model's outputs 0-9 are its classes in order.
                   DIR: images in DIR/<class>/<image>; each class folder is named after one of the model's
                   labels, with '_' for every '/' a label has (T-shirt_top for T-shirt/top). Files that do
                   not decode are reported and skipped.
  --limit N        only N images (Fashion-MNIST: the first N; a folder: taken from the classes in turn)
  --threads N      N sessions at once, each on a slice of the images (default 1; the results are the same)
  --json           print the results as JSON (no timings, so any thread count gives the same text)
  -h, --help       show this help
)";

// Far above the cores of any machine here: more sessions would only contend for them, each with its arena.
constexpr std::size_t max_threads = 256;
constexpr std::size_t max_limit = 1'000'000'000;

struct Options {
  std::string model, dataset = "fashion-mnist";
  std::size_t limit = 0, threads = 1;
  bool json = false;
};

// The parsed options, or none when --help was answered.
std::optional<Options> parse(std::span<const std::string> args, std::ostream& out) {
  Options options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      out << usage;
      return std::nullopt;
    }
    if (arg == "--json") {
      options.json = true;
      continue;
    }
    if (arg != "--model" && arg != "--dataset" && arg != "--limit" && arg != "--threads") {
      throw std::invalid_argument("eval: unknown " + std::string(arg.starts_with("-") ? "option " : "argument ") + arg +
                                  " (xnor eval --help)");
    }
    if (i + 1 == args.size()) throw std::invalid_argument("eval: " + arg + " needs a value");
    const std::string& value = args[++i];
    if (arg == "--model") options.model = value;
    if (arg == "--dataset") options.dataset = value;
    if (arg == "--limit") options.limit = parse_count("eval", arg, value, max_limit);
    if (arg == "--threads") options.threads = parse_count("eval", arg, value, max_threads);
  }
  return options;
}

std::string shape(const TensorSpec& t) {
  return std::to_string(t.h) + "x" + std::to_string(t.w) + "x" + std::to_string(t.c);
}

std::size_t arg_max(std::span<const float> scores) {
  return static_cast<std::size_t>(std::max_element(scores.begin(), scores.end()) - scores.begin());
}

// Runs `threads` sessions on one shared model, each on its own contiguous slice of the images: every image
// is classified by the same computation whatever the thread count, so the predictions are too.
// input(i) is image i's preprocessed input (anything a span<const float> can view).
template <typename Input>
std::vector<std::size_t> predict_each(const std::shared_ptr<const Model>& model, std::size_t count, std::size_t threads,
                                      ProgressBar* progress, const Input& input) {
  std::optional<ProgressBar> own_progress;
  if (progress == nullptr) progress = &own_progress.emplace("eval", count);
  threads = std::max<std::size_t>(1, std::min(threads, count));
  std::vector<std::size_t> predicted(count);
  std::vector<std::exception_ptr> errors(threads);
  const auto work = [&](std::size_t slice) {
    try {
      Session session(model);
      const std::size_t begin = count * slice / threads, end = count * (slice + 1) / threads;
      for (std::size_t i = begin; i < end; ++i) {
        predicted[i] = arg_max(session.run(input(i)));
        progress->advance();
      }
    } catch (...) {
      errors[slice] = std::current_exception();
    }
  };
  std::vector<std::jthread> workers;
  for (std::size_t slice = 1; slice < threads; ++slice) workers.emplace_back(work, slice);
  work(0);
  workers.clear();  // joins
  for (const std::exception_ptr& error : errors) {
    if (error) std::rethrow_exception(error);
  }
  return predicted;
}

struct Results {
  std::vector<std::string> classes;               // the labels that occur (true or predicted), in model order
  std::vector<std::vector<std::size_t>> confusion;  // [true][predicted], indexed like classes
  std::size_t images = 0, correct = 0;

  std::size_t class_images(std::size_t k) const {
    std::size_t sum = 0;
    for (std::size_t n : confusion[k]) sum += n;
    return sum;
  }
};

Results tally(const std::vector<std::string>& labels, const std::vector<std::size_t>& truth,
              const std::vector<std::size_t>& predicted) {
  std::vector<bool> occurs(labels.size(), false);
  for (std::size_t i = 0; i < truth.size(); ++i) occurs[truth[i]] = occurs[predicted[i]] = true;
  std::vector<std::size_t> row(labels.size());
  Results results;
  for (std::size_t label = 0; label < labels.size(); ++label) {
    if (!occurs[label]) continue;
    row[label] = results.classes.size();
    results.classes.push_back(labels[label]);
  }
  results.confusion.assign(results.classes.size(), std::vector<std::size_t>(results.classes.size(), 0));
  for (std::size_t i = 0; i < truth.size(); ++i) {
    ++results.confusion[row[truth[i]]][row[predicted[i]]];
    results.correct += truth[i] == predicted[i];
  }
  results.images = truth.size();
  return results;
}

double ratio(std::size_t part, std::size_t whole) { return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole); }

void print_json(const Results& r, const std::string& model, const std::string& dataset, std::size_t skipped,
                std::ostream& out) {
  out << "{\"model\": " << json_string(model) << ", \"dataset\": " << json_string(dataset) << ", \"images\": " << r.images
      << ", \"skipped\": " << skipped << ", \"correct\": " << r.correct << ", \"accuracy\": "
      << json_number(ratio(r.correct, r.images)) << ", \"classes\": [";
  for (std::size_t k = 0; k < r.classes.size(); ++k) out << (k ? ", " : "") << json_string(r.classes[k]);
  out << "], \"per_class\": [";
  for (std::size_t k = 0; k < r.classes.size(); ++k) {
    const std::size_t images = r.class_images(k);
    out << (k ? ", " : "") << "{\"class\": " << json_string(r.classes[k]) << ", \"images\": " << images
        << ", \"correct\": " << r.confusion[k][k] << ", \"accuracy\": "
        << (images ? json_number(ratio(r.confusion[k][k], images)) : "null") << "}";
  }
  out << "], \"confusion\": [";
  for (std::size_t k = 0; k < r.classes.size(); ++k) {
    out << (k ? ", " : "") << "[";
    for (std::size_t j = 0; j < r.classes.size(); ++j) out << (j ? ", " : "") << r.confusion[k][j];
    out << "]";
  }
  out << "]}\n";
}

void print_table(const Results& r, std::ostream& out) {
  std::size_t name_width = 5;  // "class"
  for (const std::string& name : r.classes) name_width = std::max(name_width, name.size());
  char line[512];
  std::snprintf(line, sizeof line, "\n%-*s %8s %8s %9s\n", static_cast<int>(name_width), "class", "images", "correct", "accuracy");
  out << line;
  for (std::size_t k = 0; k < r.classes.size(); ++k) {
    const std::size_t images = r.class_images(k);
    if (images == 0) continue;  // predicted only
    std::snprintf(line, sizeof line, "%-*s %8zu %8zu %8.2f%%\n", static_cast<int>(name_width), r.classes[k].c_str(), images,
                  r.confusion[k][k], 100.0 * ratio(r.confusion[k][k], images));
    out << line;
  }

  // Columns are numbered like the rows, which carry the names: a row of long names would not fit a line.
  const std::size_t number_width = std::to_string(r.classes.size() - 1).size();
  int cell = static_cast<int>(number_width);
  for (const auto& counts : r.confusion) {
    for (std::size_t n : counts) cell = std::max(cell, static_cast<int>(std::to_string(n).size()));
  }
  out << "\nconfusion matrix (rows: true class, columns: predicted class)\n";
  out << std::string(number_width + 1 + name_width, ' ');
  for (std::size_t j = 0; j < r.classes.size(); ++j) {
    std::snprintf(line, sizeof line, " %*zu", cell, j);
    out << line;
  }
  out << "\n";
  for (std::size_t k = 0; k < r.classes.size(); ++k) {
    std::snprintf(line, sizeof line, "%*zu %-*s", static_cast<int>(number_width), k, static_cast<int>(name_width),
                  r.classes[k].c_str());
    out << line;
    for (std::size_t n : r.confusion[k]) {
      std::snprintf(line, sizeof line, " %*zu", cell, n);
      out << line;
    }
    out << "\n";
  }
}

}  // namespace

EvalDataset load_eval_dataset(const std::string& dataset, std::size_t limit, const std::string& command,
                              const DecodeOptions& decode) {
  EvalDataset set;
  set.fashion_mnist = dataset == "fashion-mnist";
  set.name = set.fashion_mnist ? "Fashion-MNIST test" : dataset;
  set.images = set.fashion_mnist ? load_fashion_mnist("test", limit)
                                 : load_image_folder(dataset, limit, [&](const std::string&, const std::string& reason) {
                                     std::cerr << "xnor " << command << ": skipped " << reason << "\n";
                                     ++set.skipped;
                                   }, decode);
  return set;
}

std::vector<std::string> output_labels(const Model& model) {
  const std::size_t outputs = model.output().elements();
  std::vector<std::string> labels = model.graph().labels;
  if (labels.size() != outputs) {
    labels.clear();
    for (std::size_t k = 0; k < outputs; ++k) labels.push_back(std::to_string(k));
  }
  return labels;
}

std::vector<std::size_t> true_outputs(const EvalDataset& set, const std::vector<std::string>& labels,
                                      const std::string& model_path, const std::string& command) {
  std::vector<std::size_t> class_output(set.images.classes.size());
  if (set.fashion_mnist) {
    if (labels.size() != fashion_mnist_classes().size()) {
      throw std::invalid_argument(command + ": " + model_path + " has " + std::to_string(labels.size()) +
                                  " outputs, Fashion-MNIST " + std::to_string(fashion_mnist_classes().size()) + " classes");
    }
    std::iota(class_output.begin(), class_output.end(), std::size_t{0});
  } else {
    // A folder is named after a label; '/' cannot be in a folder name, so "T-shirt_top" stands for "T-shirt/top".
    const auto as_folder_name = [](std::string label) {
      std::replace(label.begin(), label.end(), '/', '_');
      return label;
    };
    for (std::size_t k = 0; k < set.images.classes.size(); ++k) {
      const std::string& folder = set.images.classes[k];
      auto found = std::find(labels.begin(), labels.end(), folder);
      if (found == labels.end()) {
        found = std::find_if(labels.begin(), labels.end(), [&](const std::string& label) { return as_folder_name(label) == folder; });
      }
      if (found == labels.end()) {
        throw std::invalid_argument(command + ": class folder '" + folder + "' is not one of the labels of " + model_path);
      }
      class_output[k] = static_cast<std::size_t>(found - labels.begin());
    }
  }
  std::vector<std::size_t> truth;
  truth.reserve(set.images.labels.size());
  for (int k : set.images.labels) truth.push_back(class_output[static_cast<std::size_t>(k)]);
  return truth;
}

std::vector<std::size_t> predict(const std::shared_ptr<const Model>& model, const LabelledImages& images,
                                 std::size_t threads, ProgressBar* progress) {
  const InputSpec& spec = model->graph().input;
  return predict_each(model, images.size(), threads, progress,
                      [&](std::size_t i) { return preprocess(images.images[i], spec); });
}

std::vector<std::size_t> predict(const std::shared_ptr<const Model>& model, std::span<const std::vector<float>> inputs,
                                 std::size_t threads, ProgressBar* progress) {
  return predict_each(model, inputs.size(), threads, progress,
                      [&](std::size_t i) -> std::span<const float> { return inputs[i]; });
}

int eval(std::span<const std::string> args, std::ostream& out) {
  const std::optional<Options> parsed = parse(args, out);
  if (!parsed) return 0;
  const Options& options = *parsed;

  std::string model_path = options.model;
  if (model_path.empty()) {
    model_path = default_model_path();
    if (!std::filesystem::exists(model_path)) {
      throw std::runtime_error("eval: the default model " + model_path +
                               " is not there (give --model, or set XNOR_MODELS_DIR to the folder that holds it)");
    }
  }
  const auto model = std::make_shared<const Model>(load_graph(model_path));
  if (!is_image_input(model->graph().input)) {
    throw std::invalid_argument("eval: " + model_path + " does not take images (its input is not 1 or 3 channels with a mean and std each)");
  }
  const std::size_t outputs = model->output().elements();
  const std::vector<std::string> labels = output_labels(*model);
  const EvalDataset set =
      load_eval_dataset(options.dataset, options.limit, "eval", DecodeOptions::for_input(model->graph().input));
  const LabelledImages& images = set.images;
  const std::size_t skipped = set.skipped;
  const std::vector<std::size_t> truth = true_outputs(set, labels, model_path, "eval");

  const std::size_t threads = std::min(options.threads, images.size());
  const auto start = std::chrono::steady_clock::now();
  const std::vector<std::size_t> predicted = predict(model, images, threads);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const Results results = tally(labels, truth, predicted);
  const std::string& dataset = set.name;
  if (options.json) {
    print_json(results, model_path, dataset, skipped, out);
    return 0;
  }
  char line[256];
  out << "model: " << model_path << " (input " << shape(model->input()) << ", " << outputs << " classes)\n";
  out << "dataset: " << dataset << ", " << results.images << " images";
  if (skipped) out << " (" << skipped << (skipped == 1 ? " file" : " files") << " skipped: not a readable image)";
  std::snprintf(line, sizeof line, "\naccuracy: %.2f%% (%zu of %zu)\ntime: %.2f s, %.0f images/s, %zu thread%s\n",
                100.0 * ratio(results.correct, results.images), results.correct, results.images, seconds,
                seconds > 0 ? static_cast<double>(results.images) / seconds : 0.0, threads, threads == 1 ? "" : "s");
  out << line;
  print_table(results, out);
  return 0;
}

}  // namespace xnor::cli
