#include "src/cli/compare.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "src/cli/eval.hpp"
#include "src/cli/json.hpp"
#include "src/cli/options.hpp"
#include "src/cli/model_source.hpp"
#include "src/cli/progress.hpp"
#include "src/cli/stats.hpp"
#include "xnor/cpu_path.hpp"
#include "xnor/dataset.hpp"
#include "xnor/image.hpp"
#include "xnor/model.hpp"

extern char** environ;

namespace xnor::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* usage = R"(usage: xnor compare [--models MODEL...] [--dataset fashion-mnist|DIR] [--limit N] [--json] [--plot FILE.png]

Compares models on this machine, one row each:
  accuracy   the share of the images the model classifies right (as xnor eval counts it)
  file       the size of the .xnm file, and its ratio to the float model's (the first model whose
             convolutions are all float; without one, the first model)
  ms/image   the median time of Session::run on 1 thread, on inputs already preprocessed (decoding,
             resizing and normalizing are not timed), over the first 200 images after 10 unmeasured runs
  images/s   the images divided by the time of classifying them all at once on every hardware thread:
             one session per thread on the one model, each on its own slice of the preprocessed
             inputs (this pass gives the accuracy too)
  peak RSS   the peak resident memory of `xnor classify --model MODEL IMAGE` on the data set's first
             image, run as a process of its own (so that no model counts another's memory), as the
             kernel reports it (the maximum resident set size)
The CPU path (XNOR_PATH forces one) is printed once: it is the same for every model.

options:
  --models MODEL...  .xnm files (default: the bundled fashion-inception-float.xnm, -int8.xnm, -binary.xnm
                     and, if it is there, -binary-wide.xnm, from the folder of the bundled model; the
                     environment variable XNOR_MODELS_DIR names another folder)
  --dataset SET      fashion-mnist (default): the 10,000 test images of Fashion-MNIST; or DIR/<class>/<image>
                     as xnor eval takes it
  --limit N          only N images (Fashion-MNIST: the first N)
  --json             print the results as JSON
  --plot FILE.png    also draw the results as bar charts (accuracy, file size, latency, images/s) into
                     FILE.png, with tools/plot-compare.sh and gnuplot
  -h, --help         show this help
)";

constexpr std::size_t max_limit = 1'000'000'000;
constexpr std::size_t latency_runs = 200, warmup_runs = 10;

struct Options {
  std::vector<std::string> models;
  std::string dataset = "fashion-mnist", plot;
  std::size_t limit = 0;
  bool json = false;
};

// The parsed options, or none when --help was answered.
std::optional<Options> parse(std::span<const std::string> args, std::ostream& out) {
  Options options;
  bool models_given = false;
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
    if (arg == "--models") {
      models_given = true;
      while (i + 1 < args.size() && !args[i + 1].starts_with("-")) options.models.push_back(args[++i]);
      if (options.models.empty()) throw std::invalid_argument("compare: --models needs at least one model file");
      continue;
    }
    if (arg != "--dataset" && arg != "--limit" && arg != "--plot") {
      throw std::invalid_argument("compare: unknown " + std::string(arg.starts_with("-") ? "option " : "argument ") + arg +
                                  " (xnor compare --help)");
    }
    if (i + 1 == args.size()) throw std::invalid_argument("compare: " + arg + " needs a value");
    const std::string& value = args[++i];
    if (arg == "--dataset") options.dataset = value;
    if (arg == "--limit") options.limit = parse_count("compare", arg, value, max_limit);
    if (arg == "--plot") options.plot = value;
  }
  if (!models_given) {
    // The bundled models, from the folder default_model_path() takes the binary one from.
    const fs::path dir = fs::path(default_model_path()).parent_path();
    for (const char* name : {"fashion-inception-float.xnm", "fashion-inception-int8.xnm", "fashion-inception-binary.xnm"}) {
      const fs::path path = dir / name;
      if (!fs::exists(path)) {
        throw std::runtime_error("compare: the bundled model " + path.string() +
                                 " is not there (give --models, or set XNOR_MODELS_DIR to the folder that holds it)");
      }
      options.models.push_back(path.string());
    }
    if (const fs::path wide = dir / "fashion-inception-binary-wide.xnm"; fs::exists(wide)) options.models.push_back(wide.string());
  }
  for (const std::string& model : options.models) {
    std::error_code error;
    if (!fs::is_regular_file(model, error)) throw std::invalid_argument("compare: " + model + ": no such model file");
  }
  return options;
}

// A temporary folder, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "xnor-compare-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("compare: cannot make a temporary folder in " + fs::temp_directory_path().string() + " (" +
                               std::strerror(errno) + ")");
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

struct Finished {
  int exit_code = 0;    // the exit status, or 128 + the signal that ended it
  long max_rss_kb = 0;  // its peak resident set, as the kernel counts it (KiB)
};

// Runs `program` with `args` (args[0] is its name), standard input, output and error redirected to files.
// std::nullopt when it could not be started (`why` then says why).
std::optional<Finished> run_process(const std::string& program, const std::vector<std::string>& args,
                                    const std::string& input, const std::string& output, const std::string& errors,
                                    std::string& why) {
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, STDIN_FILENO, input.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&files, STDERR_FILENO, errors.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int failed = posix_spawn(&pid, program.c_str(), &files, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  if (failed != 0) {
    why = program + ": " + std::strerror(failed);
    return std::nullopt;
  }
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) {
      why = "wait4: " + std::string(std::strerror(errno));
      return std::nullopt;
    }
  }
  Finished finished;
  finished.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  finished.max_rss_kb = usage.ru_maxrss;
  return finished;
}

// The first line a process wrote to `path` (without xnor's "xnor: " prefix), or "" if none.
std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  if (line.starts_with("xnor: ")) line.erase(0, 6);
  return line;
}

// The image as a binary PGM (gray) or PPM (colour) file; alpha is flattened onto white, as preprocess does.
void write_pnm(const Image& image, const std::string& path) {
  const bool colour = image.c >= 3;
  const std::size_t channels = colour ? 3 : 1;
  const bool alpha = image.c == 2 || image.c == 4;
  std::vector<unsigned char> pixels;
  pixels.reserve(image.h * image.w * channels);
  for (std::size_t p = 0; p < image.h * image.w; ++p) {
    const std::uint8_t* pixel = &image.pixels[p * image.c];
    const unsigned a = alpha ? pixel[image.c - 1] : 255;
    for (std::size_t ch = 0; ch < channels; ++ch) pixels.push_back(static_cast<unsigned char>((pixel[ch] * a + 255 * (255 - a) + 127) / 255));
  }
  std::ofstream out(path, std::ios::binary);
  out << (colour ? "P6\n" : "P5\n") << image.w << " " << image.h << "\n255\n";
  out.write(reinterpret_cast<const char*>(pixels.data()), static_cast<std::streamsize>(pixels.size()));
  if (!out) throw std::runtime_error("compare: cannot write " + path);
}

// The peak resident memory (KiB) of `xnor classify --model MODEL IMAGE` in a process of its own, or none
// when no process can be started (e.g. under an emulator). It must run while this process is still small:
// a new process inherits its parent's peak until its own exec, and the kernel counts it in ru_maxrss.
std::optional<long> classify_peak_rss(const std::string& model, const std::string& image, const TempDir& temp) {
  std::error_code no_exe;
  const fs::path exe = fs::read_symlink("/proc/self/exe", no_exe);
  std::string why = no_exe ? "/proc/self/exe: " + no_exe.message() : "";
  const std::string errors = temp.file("classify-errors.txt");
  std::optional<Finished> finished;
  if (!no_exe) finished = run_process(exe.string(), {"xnor", "classify", "--model", model, image}, "/dev/null", "/dev/null", errors, why);
  // posix_spawn reports a program it could not execute as exit code 127 (e.g. under qemu-user without
  // binfmt_misc, where /proc/self/exe is an aarch64 binary the host cannot start).
  // There the JSON's peak_rss_kb is null and the table shows none, without a warning on every model.
  if (finished && finished->exit_code == 127 && first_line(errors).empty()) return std::nullopt;
  if (!finished) {
    std::cerr << "xnor compare: cannot measure the peak memory of " << model << " (" << why << ")\n";
    return std::nullopt;
  }
  if (finished->exit_code != 0) {
    const std::string line = first_line(errors);
    throw std::runtime_error("compare: " + (line.empty() ? model + ": xnor classify failed (exit code " + std::to_string(finished->exit_code) + ")" : line));
  }
  return finished->max_rss_kb;
}

bool same_input(const InputSpec& a, const InputSpec& b) {
  return a.h == b.h && a.w == b.w && a.c == b.c && a.mean == b.mean && a.std == b.std && a.value_max == b.value_max &&
         a.invert == b.invert;
}

// The precision of the model's convolutions: "binary", or "binary 7, float 2" when they differ (most first).
std::string precision_summary(const Model& model) {
  std::vector<std::pair<std::string, std::size_t>> counts;
  for (const LayerInfo& layer : model.layers()) {
    if (layer.kind != "conv") continue;
    auto found = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == layer.precision; });
    if (found == counts.end()) {
      counts.emplace_back(layer.precision, 1);
    } else {
      ++found->second;
    }
  }
  if (counts.empty()) return "none";
  if (counts.size() == 1) return counts.front().first;
  std::stable_sort(counts.begin(), counts.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string summary;
  for (const auto& [precision, count] : counts) summary += (summary.empty() ? "" : ", ") + precision + " " + std::to_string(count);
  return summary;
}

bool all_float(const Model& model) {
  const std::vector<LayerInfo> layers = model.layers();
  return std::all_of(layers.begin(), layers.end(), [](const LayerInfo& l) { return l.kind != "conv" || l.precision == "float"; });
}

struct Row {
  std::string model, precision;
  std::size_t file_bytes = 0;
  double size_ratio = 0, accuracy = 0, median_latency_ms = 0, images_per_second = 0;
  std::optional<long> peak_rss_kb;
};

struct Report {
  std::string cpu_path, dataset;
  std::size_t threads = 0, images = 0, skipped = 0, latency_images = 0;
  std::vector<Row> rows;
};

void print_json(const Report& r, std::ostream& out) {
  out << "{\"cpu_path\": " << json_string(r.cpu_path) << ", \"threads\": " << r.threads << ", \"dataset\": "
      << json_string(r.dataset) << ", \"images\": " << r.images << ", \"skipped\": " << r.skipped
      << ", \"latency_images\": " << r.latency_images << ", \"models\": [";
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    const Row& m = r.rows[i];
    out << (i ? ",\n  " : "\n  ") << "{\"model\": " << json_string(m.model) << ", \"precision\": " << json_string(m.precision)
        << ", \"file_bytes\": " << m.file_bytes << ", \"size_ratio\": " << json_number(m.size_ratio)
        << ", \"accuracy\": " << json_number(m.accuracy) << ", \"median_latency_ms\": " << json_number(m.median_latency_ms)
        << ", \"images_per_second\": " << json_number(m.images_per_second)
        << ", \"peak_rss_kb\": " << (m.peak_rss_kb ? std::to_string(*m.peak_rss_kb) : "null") << "}";
  }
  out << "]}\n";
}

void print_table(const Report& r, std::ostream& out) {
  char line[512];
  out << "cpu path: " << r.cpu_path << "\ndataset: " << r.dataset << ", " << r.images << " images";
  if (r.skipped) out << " (" << r.skipped << (r.skipped == 1 ? " file" : " files") << " skipped: not a readable image)";
  std::snprintf(line, sizeof line, "\nms/image: median of %zu runs on 1 thread; images/s: %zu thread%s\n\n", r.latency_images,
                r.threads, r.threads == 1 ? "" : "s");
  out << line;
  int name_width = 5, precision_width = 9;  // "model", "precision"
  for (const Row& m : r.rows) {
    name_width = std::max(name_width, static_cast<int>(fs::path(m.model).filename().string().size()));
    precision_width = std::max(precision_width, static_cast<int>(m.precision.size()));
  }
  std::snprintf(line, sizeof line, "%-*s  %-*s %9s %10s %9s %9s %9s %12s\n", name_width, "model", precision_width, "precision",
                "accuracy", "file KB", "vs float", "ms/image", "images/s", "peak RSS MB");
  out << line;
  for (const Row& m : r.rows) {
    char rss[32] = "n/a";
    if (m.peak_rss_kb) std::snprintf(rss, sizeof rss, "%.1f", static_cast<double>(*m.peak_rss_kb) * 1024 / 1e6);
    std::snprintf(line, sizeof line, "%-*s  %-*s %8.2f%% %10.1f %8.3fx %9.3f %9.0f %12s\n", name_width,
                  fs::path(m.model).filename().string().c_str(), precision_width, m.precision.c_str(), 100 * m.accuracy,
                  static_cast<double>(m.file_bytes) / 1e3, m.size_ratio, m.median_latency_ms, m.images_per_second, rss);
    out << line;
  }
}

// tools/plot-compare.sh: next to an installed xnor (<bin>/../share/xnor/tools), else in the source tree.
fs::path plot_script() {
  std::error_code no_exe;
  const fs::path exe = fs::read_symlink("/proc/self/exe", no_exe);
  if (!no_exe) {
    const fs::path installed = exe.parent_path() / "../share/xnor/tools/plot-compare.sh";
    if (fs::exists(installed)) return installed.lexically_normal();
  }
  return fs::path(XNOR_MODELS_DIR).parent_path() / "tools/plot-compare.sh";
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (!dir.empty() && access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

// Checks what --plot needs before the measurements start, so that they are not lost.
void check_plot(const std::string& file) {
  if (!fs::exists(plot_script())) throw std::runtime_error("compare: --plot needs " + plot_script().string() + ", which is not there");
  if (!on_path("gnuplot")) {
    throw std::runtime_error("compare: --plot needs gnuplot, which is not installed (Debian: apt-get install gnuplot-nox)");
  }
  const fs::path folder = fs::absolute(file).parent_path();
  std::error_code error;
  if (!fs::is_directory(folder, error)) throw std::invalid_argument("compare: --plot " + file + ": no folder " + folder.string());
}

void plot(const Report& report, const std::string& file, const TempDir& temp) {
  const std::string json = temp.file("compare.json"), errors = temp.file("plot-errors.txt");
  {
    std::ofstream out(json);
    print_json(report, out);
  }
  const std::string script = plot_script().string();
  std::string why;
  const std::optional<Finished> finished = run_process(script, {script, file}, json, "/dev/null", errors, why);
  if (!finished) throw std::runtime_error("compare: cannot run " + why);
  if (finished->exit_code != 0) {
    const std::string line = first_line(errors);
    throw std::runtime_error("compare: plotting " + file + " failed: " +
                             (line.empty() ? script + " exited with " + std::to_string(finished->exit_code) : line));
  }
}

}  // namespace

int compare(std::span<const std::string> args, std::ostream& out) {
  const std::optional<Options> parsed = parse(args, out);
  if (!parsed) return 0;
  const Options& options = *parsed;
  if (!options.plot.empty()) check_plot(options.plot);
  const TempDir temp;

  // Peak memory first, while this process is small (see classify_peak_rss), on the data set's first image.
  std::vector<std::optional<long>> peak_rss;
  {
    const LabelledImages first = options.dataset == "fashion-mnist"
                                     ? load_fashion_mnist("test", 1)
                                     : load_image_folder(options.dataset, 1, [](const std::string&, const std::string&) {});
    const std::string image = temp.file(first.images.front().c >= 3 ? "image.ppm" : "image.pgm");
    write_pnm(first.images.front(), image);
    ProgressBar progress("compare: peak memory", options.models.size());
    for (const std::string& model : options.models) {
      peak_rss.push_back(classify_peak_rss(model, image, temp));
      progress.advance();
    }
  }

  std::vector<std::shared_ptr<const Model>> models;
  // JPEGs decoded as `xnor classify` decodes them for the largest input among the models (for all, where
  // they share one: the same pixels as classify).
  DecodeOptions decode;
  for (const std::string& path : options.models) {
    models.push_back(std::make_shared<const Model>(load_graph(path)));
    const InputSpec& input = models.back()->graph().input;
    if (!is_image_input(input)) {
      throw std::invalid_argument("compare: " + path + " does not take images (its input is not 1 or 3 channels with a mean and std each)");
    }
    const DecodeOptions needed = DecodeOptions::for_input(input);
    decode.min_h = std::max(decode.min_h, needed.min_h), decode.min_w = std::max(decode.min_w, needed.min_w);
  }
  const EvalDataset set = load_eval_dataset(options.dataset, options.limit, "compare", decode);
  const std::size_t images = set.images.size();
  std::vector<std::vector<std::size_t>> truth;
  for (std::size_t m = 0; m < models.size(); ++m) {
    truth.push_back(true_outputs(set, output_labels(*models[m]), options.models[m], "compare"));
  }

  Report report;
  report.cpu_path = std::string(path_name(active_path()));
  report.dataset = set.name;
  report.threads = std::max(1u, std::thread::hardware_concurrency());
  report.images = images;
  report.skipped = set.skipped;
  report.latency_images = std::min(latency_runs, images);
  std::optional<InputSpec> preprocessed_for;
  std::vector<std::vector<float>> inputs;
  for (std::size_t k = 0; k < models.size(); ++k) {
    const std::shared_ptr<const Model>& model = models[k];
    const std::string name = fs::path(options.models[k]).filename().string();
    const InputSpec& spec = model->graph().input;
    if (!preprocessed_for || !same_input(*preprocessed_for, spec)) {
      inputs.clear();
      ProgressBar progress("compare " + name + ": preprocessing", images);
      for (const Image& image : set.images.images) {
        inputs.push_back(preprocess(image, spec));
        progress.advance();
      }
      preprocessed_for = spec;
    }

    std::vector<double> times;
    {
      ProgressBar progress("compare " + name + ": latency", warmup_runs + report.latency_images);
      Session session(model, 1);
      for (std::size_t i = 0; i < warmup_runs; ++i) {
        session.run(inputs[i % images]);
        progress.advance();
      }
      for (std::size_t i = 0; i < report.latency_images; ++i) {
        const auto start = std::chrono::steady_clock::now();
        session.run(inputs[i]);
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        progress.advance();
      }
    }

    std::vector<std::size_t> predicted;
    double seconds = 0;
    {
      ProgressBar progress("compare " + name + ": images/s and accuracy", images);
      const auto start = std::chrono::steady_clock::now();
      predicted = predict(model, inputs, report.threads, &progress);
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }

    Row row;
    row.model = options.models[k];
    row.precision = precision_summary(*model);
    row.file_bytes = fs::file_size(options.models[k]);
    std::size_t correct = 0;
    for (std::size_t i = 0; i < images; ++i) correct += predicted[i] == truth[k][i];
    row.accuracy = static_cast<double>(correct) / static_cast<double>(images);
    row.median_latency_ms = median(times) * 1e3;
    row.images_per_second = seconds > 0 ? static_cast<double>(images) / seconds : 0.0;
    row.peak_rss_kb = peak_rss[k];
    report.rows.push_back(std::move(row));
  }

  std::size_t reference = 0;
  for (std::size_t k = 0; k < models.size(); ++k) {
    if (all_float(*models[k])) {
      reference = k;
      break;
    }
  }
  for (Row& row : report.rows) {
    const std::size_t base = report.rows[reference].file_bytes;
    row.size_ratio = base ? static_cast<double>(row.file_bytes) / static_cast<double>(base) : 0.0;
  }

  if (options.json) {
    print_json(report, out);
  } else {
    print_table(report, out);
  }
  if (!options.plot.empty()) {
    plot(report, options.plot, temp);
    if (!options.json) out << "\nplot: " << options.plot << "\n";
  }
  return 0;
}

}  // namespace xnor::cli
