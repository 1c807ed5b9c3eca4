#include "src/cli/classify.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <variant>
#include <vector>

#include "src/cli/json.hpp"
#include "src/cli/options.hpp"
#include "src/cli/model_source.hpp"
#include "xnor/image.hpp"
#include "xnor/model.hpp"

namespace xnor::cli {
namespace {

constexpr const char* usage = R"(usage: xnor classify [--model MODEL] [--top K] [--json] [--ignore-orientation] IMAGE|DIR...

Classifies images: prints the K most probable labels of each, with their probabilities. An IMAGE is a PNG,
JPEG, BMP or binary PGM/PPM file; a DIR stands for the image files in it (by extension, sorted by name).
Each image is turned upright as its EXIF orientation says (phones store portrait photos sideways), resized
to the model's input and converted to gray or RGB as the model asks. A large JPEG is decoded at 1/2, 1/4 or
1/8 of its size when that still covers the input, so a 12-megapixel photo is never decoded whole.
An image that cannot be read is reported and the others go on; the exit code is then 1.

options:
  --model MODEL  a .xnm file (default: the bundled fashion-inception-binary.xnm; the environment variable
                 XNOR_MODELS_DIR names another folder to take it from)
  --top K        how many labels to print for each image (default 3)
  --json         print a JSON array: [{"file": ..., "top": [{"label": ..., "probability": ...}, ...]}, ...]
  --ignore-orientation
                 use the pixels as stored, ignoring the EXIF orientation
  -h, --help     show this help
)";

struct Options {
  std::string model;
  std::size_t top = 3;
  bool json = false;
  bool ignore_orientation = false;
  std::vector<std::string> inputs;
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
    } else if (arg == "--ignore-orientation") {
      options.ignore_orientation = true;
    } else if (arg == "--model" || arg == "--top") {
      if (i + 1 == args.size()) throw std::invalid_argument("classify: " + arg + " needs a value");
      const std::string& value = args[++i];
      if (arg == "--model") options.model = value;
      if (arg == "--top") options.top = parse_count("classify", arg, value, 1000000);
    } else if (arg.starts_with("-")) {
      throw std::invalid_argument("classify: unknown option " + arg + " (xnor classify --help)");
    } else {
      options.inputs.push_back(arg);
    }
  }
  if (options.inputs.empty()) throw std::invalid_argument("classify: no image given (xnor classify --help)");
  return options;
}

bool has_image_extension(const std::filesystem::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* known : {".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".ppm", ".pnm"}) {
    if (extension == known) return true;
  }
  return false;
}

// The image files of a folder (not its sub-folders or hidden files), sorted.
std::vector<std::string> image_files(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  try {
    for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
      const fs::path& path = entry.path();
      if (entry.is_regular_file() && !path.filename().string().starts_with(".") && has_image_extension(path)) {
        files.push_back(path.string());
      }
    }
  } catch (const fs::filesystem_error& error) {
    throw ImageError(dir + ": cannot list the folder (" + error.code().message() + ")");
  }
  if (files.empty()) throw ImageError(dir + ": no image files (.png, .jpg, .jpeg, .bmp, .pgm, .ppm, .pnm) in the folder");
  std::sort(files.begin(), files.end());
  return files;
}

std::string shape(const TensorSpec& t) {
  return std::to_string(t.h) + "x" + std::to_string(t.w) + "x" + std::to_string(t.c);
}

// Classifies one image file at a time, printing each result as it comes.
class Classifier {
 public:
  Classifier(const std::string& model_path, const Options& options, std::ostream& out)
      : model_(std::make_shared<const Model>(load_graph(model_path))), session_(model_), options_(options), out_(out) {
    if (!is_image_input(model_->graph().input)) {
      throw ModelError(model_path + ": its input " + shape(model_->input()) +
                       " is not an image (1 or 3 channels with a mean and std each)");
    }
    for (const std::string& label : model_->labels()) label_width_ = std::max(label_width_, label.size());
    if (options_.json) out_ << "[";
  }

  void classify(const std::string& file) {
    DecodeOptions decode = DecodeOptions::for_input(model_->graph().input);
    decode.apply_orientation = !options_.ignore_orientation;
    const std::vector<Prediction> top = session_.classify(load_image(file, {}, decode), options_.top);
    if (options_.json) {
      out_ << (printed_ ? ",\n " : "") << "{\"file\": " << json_string(file) << ", \"top\": [";
      for (std::size_t i = 0; i < top.size(); ++i) {
        out_ << (i ? ", " : "") << "{\"label\": " << json_string(top[i].label)
             << ", \"probability\": " << json_number(top[i].probability) << "}";
      }
      out_ << "]}";
    } else {
      out_ << file << "\n";
      char line[64];
      for (const Prediction& p : top) {
        std::snprintf(line, sizeof line, " %.4f", static_cast<double>(p.probability));
        out_ << "  " << p.label << std::string(label_width_ - p.label.size(), ' ') << line << "\n";
      }
    }
    printed_ = true;
    out_.flush();
  }

  void finish() {
    if (options_.json) out_ << "]\n";
  }

 private:
  std::shared_ptr<const Model> model_;
  Session session_;
  const Options& options_;
  std::ostream& out_;
  std::size_t label_width_ = 0;
  bool printed_ = false;
};

}  // namespace

int classify(std::span<const std::string> args, std::ostream& out, std::ostream& errors) {
  const std::optional<Options> options = parse(args, out);
  if (!options) return 0;
  std::string model_path = options->model;
  if (model_path.empty()) {
    model_path = default_model_path();
    if (!std::filesystem::exists(model_path)) {
      throw ModelError(model_path +
                       ": the bundled model is not there (give --model, or set XNOR_MODELS_DIR to the folder that holds it)");
    }
  }
  Classifier classifier(model_path, *options, out);
  bool failed = false;
  const auto classify_reporting = [&](const std::string& file) {
    try {
      classifier.classify(file);
    } catch (const ImageError& error) {
      errors << "xnor: " << error.what() << "\n";
      failed = true;
    }
  };
  for (const std::string& input : options->inputs) {
    std::error_code not_a_folder;
    if (!std::filesystem::is_directory(input, not_a_folder)) {
      classify_reporting(input);
      continue;
    }
    try {
      for (const std::string& file : image_files(input)) classify_reporting(file);
    } catch (const ImageError& error) {
      errors << "xnor: " << error.what() << "\n";
      failed = true;
    }
  }
  classifier.finish();
  return failed ? 1 : 0;
}

}  // namespace xnor::cli
