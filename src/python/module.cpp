// The Python module `xnor` (pybind11): load an .xnm model, run it on numpy arrays or classify images, convert
// ONNX models, from Python.
//
//   model = xnor.Model("models/fashion-inception-binary.xnm")   # or the file's bytes
//   session = model.session(threads=1)                           # or xnor.Session(model, threads=1)
//   logits = session.run(x)          # x: h x w x c (or 1 x h x w x c) real numbers -> float32 numpy array
//   session.classify("shirt.png", top=3)   # [(label, probability), ...], most probable first
//   xnor.preprocess(image, model)    # the float32 h x w x c input that classify() runs on
//   xnor.convert("net.onnx", "net.xnm", int8=True)   # what `xnor convert` does; returns the new Model
//
// Contract:
// - Numbers: run() computes exactly what Session::run computes (the `xnor run` CLI gives the same bits).
//   Its input is converted to float32 values as numpy's astype(float32) does (float64, integers, bool); a
//   float32 C-contiguous array is read in place, anything else is first copied into one. No normalization is
//   applied: run() takes the preprocessed tensor (use preprocess() or classify() for images). Its result has
//   the shape (classes,) for a 1 x 1 x classes output (a classifier), else the output's (h, w, c).
// - Ownership: run() copies the output into a new numpy array (the Session's output buffer is overwritten by
//   its next run). A Session keeps its Model alive. Image arrays are copied into an xnor::Image.
// - Threads: every call that loads, decodes, runs or converts releases the GIL while it works, so sessions in
//   different Python threads run in parallel. A Session runs one call at a time (a lock): a second thread
//   using the same Session waits; give each thread its own Session for parallelism. The caller must not
//   modify an input array while a run that reads it is in progress.
// - Errors: xnor::ModelError, ImageError and DatasetError become xnor.ModelError, xnor.ImageError and
//   xnor.DatasetError (subclasses of xnor.Error, itself a RuntimeError), std::invalid_argument a ValueError;
//   the message is the C++ what() text, the one the CLI prints.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "src/cli/input_shape.hpp"
#include "src/cli/model_source.hpp"  // load_graph: an .xnm file or a built-in network, as `xnor convert` reads it
#include "xnor/calibrate.hpp"
#include "xnor/dataset.hpp"
#include "xnor/model_file.hpp"
#include "xnor/xnor.hpp"
#ifdef XNOR_HAVE_ONNX
#include "src/onnx/import.hpp"
#endif

namespace py = pybind11;

namespace {

// A loaded model and the name its messages use (the file, or "model" for bytes, as load_model names them).
struct PyModel {
  std::shared_ptr<const xnor::Model> model;
  std::string name;
};

struct PySession {
  py::object model;  // the Python Model, so that session.model is the object it was made from
  std::shared_ptr<const xnor::Model> shared;
  std::string name;
  xnor::Session session;
  std::mutex busy;  // Session is not thread-safe; Python threads may still share one
};

constexpr long long max_threads = 256;  // as the CLI's --threads

using xnor::cli::shape_text;

std::string type_name(py::handle object) { return py::str(py::type::handle_of(object).attr("__name__")); }

// A str or os.PathLike as a file name; nullopt for anything else (bytes are file contents here, not names).
std::optional<std::string> as_path(py::handle object) {
  if (py::isinstance<py::str>(object)) return object.cast<std::string>();
  if (py::hasattr(object, "__fspath__")) return py::module_::import("os").attr("fsdecode")(object).cast<std::string>();
  return std::nullopt;
}

bool is_bytes_like(py::handle object) {
  return PyBytes_Check(object.ptr()) || PyByteArray_Check(object.ptr()) || PyMemoryView_Check(object.ptr());
}

// The contiguous bytes of a bytes, bytearray or memoryview, held (and readable without the GIL) while alive.
struct Bytes {
  explicit Bytes(py::handle object) {
    if (PyObject_GetBuffer(object.ptr(), &view, PyBUF_SIMPLE) != 0) throw py::error_already_set();
  }
  ~Bytes() { PyBuffer_Release(&view); }
  Bytes(const Bytes&) = delete;
  Bytes& operator=(const Bytes&) = delete;
  std::span<const std::byte> span() const { return {static_cast<const std::byte*>(view.buf), static_cast<std::size_t>(view.len)}; }
  Py_buffer view{};
};

PyModel load(py::handle source) {
  if (const auto path = as_path(source)) {
    py::gil_scoped_release unlocked;
    return {xnor::load_model(*path), *path};
  }
  if (is_bytes_like(source)) {
    const Bytes bytes(source);
    py::gil_scoped_release unlocked;
    return {xnor::load_model(bytes.span()), "model"};
  }
  throw py::type_error("Model() takes a path (str or os.PathLike) or the bytes of an .xnm file, not " + type_name(source));
}

// An image for `spec`: a file (decoded for the input's size, EXIF orientation applied), encoded file bytes, or
// a uint8 numpy array H x W or H x W x C (C 1..4, channels as xnor::Image has them), which is copied.
xnor::Image image_of(py::handle source, const xnor::InputSpec& spec) {
  const xnor::DecodeOptions decode = xnor::DecodeOptions::for_input(spec);
  if (py::isinstance<py::array>(source)) {
    const auto array = py::reinterpret_borrow<py::array>(source);
    if (array.dtype().kind() != 'u' || array.dtype().itemsize() != 1) {
      throw py::type_error("an image array must be uint8 (H x W or H x W x C), not " +
                           py::str(array.dtype()).cast<std::string>());
    }
    if (array.ndim() != 2 && array.ndim() != 3) {
      throw py::value_error("an image array is H x W or H x W x C, not " + std::to_string(array.ndim()) + "-dimensional");
    }
    const auto pixels = py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>::ensure(array);
    if (!pixels) throw py::type_error("the image array cannot be read");
    xnor::Image image{static_cast<std::size_t>(array.shape(0)), static_cast<std::size_t>(array.shape(1)),
                      array.ndim() == 3 ? static_cast<std::size_t>(array.shape(2)) : 1, {}};
    if (image.c < 1 || image.c > 4) throw py::value_error("an image array has 1 to 4 channels, not " + std::to_string(image.c));
    image.pixels.assign(pixels.data(), pixels.data() + pixels.size());
    return image;
  }
  if (const auto path = as_path(source)) {
    py::gil_scoped_release unlocked;
    return xnor::load_image(*path, {}, decode);
  }
  if (is_bytes_like(source)) {
    const Bytes bytes(source);
    py::gil_scoped_release unlocked;
    return xnor::decode_image(bytes.span(), "image", {}, decode);
  }
  throw py::type_error("an image is a path (str or os.PathLike), encoded file bytes or a uint8 numpy array, not " +
                       type_name(source));
}

// The output as run() returns it: (c,) for a classifier's 1 x 1 x c output, else (h, w, c).
std::vector<std::size_t> output_shape(const xnor::Model& model) {
  const xnor::TensorSpec& out = model.output();
  if (out.h == 1 && out.w == 1) return {out.c};
  return {out.h, out.w, out.c};
}

py::array_t<float> run(PySession& self, const py::object& input) {
  const py::array array = py::module_::import("numpy").attr("asarray")(input);
  const char kind = array.dtype().kind();
  if (kind != 'f' && kind != 'i' && kind != 'u' && kind != 'b') {
    throw py::type_error("run() takes real numbers, not an array of dtype " + py::str(array.dtype()).cast<std::string>());
  }
  // The check and words of `xnor run`.
  xnor::cli::check_input_shape({array.shape(), array.shape() + array.ndim()}, self.shared->input(), "input", self.name);
  // A float32 C-contiguous (aligned, native-order) array comes back as itself; others are converted
  // (astype) into a new one.
  constexpr int flags = py::array::c_style | py::array::forcecast | py::detail::npy_api::NPY_ARRAY_ALIGNED_;
  const auto values = py::array_t<float, flags>::ensure(array);
  if (!values) throw py::type_error("run(): the input cannot be converted to float32");
  py::array_t<float> output(output_shape(*self.shared));
  float* out = output.mutable_data();
  const std::span<const float> in_values(values.data(), static_cast<std::size_t>(values.size()));
  {
    py::gil_scoped_release unlocked;
    const std::lock_guard lock(self.busy);
    const std::span<const float> result = self.session.run(in_values);
    std::copy(result.begin(), result.end(), out);  // the buffer is overwritten by the next run: copy it out
  }
  return output;
}

py::list classify(PySession& self, const py::object& image_source, long long top) {
  if (top < 1) throw std::invalid_argument("classify: top needs a whole number from 1, not " + std::to_string(top));
  xnor::Image image = image_of(image_source, self.shared->graph().input);
  std::vector<xnor::Prediction> predictions;
  {
    py::gil_scoped_release unlocked;
    const std::lock_guard lock(self.busy);
    predictions = self.session.classify(image, static_cast<std::size_t>(top));
  }
  py::list result;
  for (const xnor::Prediction& p : predictions) result.append(py::make_tuple(p.label, p.probability));
  return result;
}

py::array_t<float> preprocess(const py::object& image_source, const PyModel& model) {
  const xnor::InputSpec& spec = model.model->graph().input;
  xnor::Image image = image_of(image_source, spec);
  py::array_t<float> output(std::vector<std::size_t>{spec.h, spec.w, spec.c});
  float* out = output.mutable_data();
  {
    py::gil_scoped_release unlocked;
    const std::vector<float> values = xnor::preprocess(image, spec);
    std::copy(values.begin(), values.end(), out);
  }
  return output;
}

// convert()'s mean and std: a number, or one per channel.
std::vector<float> floats(const py::object& value, const std::string& what) {
  if (value.is_none()) return {};
  try {
    if (py::isinstance<py::sequence>(value) && !py::isinstance<py::str>(value)) return value.cast<std::vector<float>>();
    return {value.cast<float>()};
  } catch (const py::cast_error&) {
    throw py::type_error("convert: " + what + " is a number or a list of numbers");
  }
}

// `xnor convert INPUT OUT.xnm [options]` (src/cli/convert.cpp): the same steps, defaults and messages.
PyModel convert(const py::object& input_path, const py::object& output_path, bool int8, const py::object& calibration_source,
                long long calibration_count, const std::string& calibration_method, const py::object& labels_value,
                const py::object& mean_value, const py::object& std_value) {
  const auto input = as_path(input_path), output = as_path(output_path), calibration = as_path(calibration_source);
  if (!input || !output || !calibration) throw py::type_error("convert: paths are str or os.PathLike");
  if (calibration_count < 1 || calibration_count > 1000000) {
    throw std::invalid_argument("convert: calibration_count needs a whole number from 1 to 1000000, not " +
                                std::to_string(calibration_count));
  }
  if (calibration_method != "minmax" && calibration_method != "percentile") {
    throw std::invalid_argument("convert: calibration_method is minmax or percentile, not " + calibration_method);
  }
  xnor::CalibrationOptions calibration_options;
  calibration_options.method =
      calibration_method == "minmax" ? xnor::CalibrationMethod::minmax : xnor::CalibrationMethod::percentile;
  std::vector<std::string> labels;
  try {
    if (!labels_value.is_none()) labels = labels_value.cast<std::vector<std::string>>();
  } catch (const py::cast_error&) {
    throw py::type_error("convert: labels is a list of str");
  }
  const std::vector<float> mean = floats(mean_value, "mean"), std = floats(std_value, "std");

  py::gil_scoped_release unlocked;  // import, calibration and packing take a while
  xnor::GraphDef graph;
  if (input->ends_with(".onnx")) {
#ifdef XNOR_HAVE_ONNX
    graph = xnor::onnx_import::import_file(*input, {{}, labels, mean, std});
#else
    throw xnor::Error(*input + ": this xnor module was built without ONNX support (libonnx-dev)");
#endif
  } else {
    graph = xnor::cli::load_graph(*input);
    if (!labels.empty()) graph.labels = labels;
    if (!mean.empty()) graph.input.mean = mean;
    if (!std.empty()) graph.input.std = std;
  }
  if (int8) {
    graph = xnor::quantize_int8(
        graph, xnor::calibration_inputs(*calibration, static_cast<std::size_t>(calibration_count), graph.input),
        calibration_options);
  }
  auto model = std::make_shared<const xnor::Model>(graph);  // checks that the runtime can run it before writing
  xnor::save_model(graph, *output);
  return {std::move(model), *output};
}

}  // namespace

PYBIND11_MODULE(xnor, m) {
  m.doc() = "xnor: a runtime for binary (XNOR-Net) and int8 neural networks on CPUs.\n\n"
            "Model loads an .xnm file; Session runs it (run: a preprocessed float tensor; classify: an image);\n"
            "convert turns an ONNX model into an .xnm file. Errors are xnor.Error and its subclasses.";
  m.attr("__version__") = xnor::version;
#ifdef XNOR_HAVE_ONNX
  m.attr("has_onnx") = true;
#else
  m.attr("has_onnx") = false;
#endif

  // Base first: pybind11 tries the translators registered last first, so the subclasses match before it.
  auto& error = py::register_exception<xnor::Error>(m, "Error", PyExc_RuntimeError);
  error.attr("__doc__") = "Any error xnor reports about a model, an image, a data set or a file (a RuntimeError).";
  py::register_exception<xnor::ModelError>(m, "ModelError", error.ptr()).attr("__doc__") =
      "A model that cannot be loaded, built or converted; the message names the file or node.";
  py::register_exception<xnor::ImageError>(m, "ImageError", error.ptr()).attr("__doc__") =
      "An image that cannot be read or decoded; the message names the file.";
  py::register_exception<xnor::DatasetError>(m, "DatasetError", error.ptr()).attr("__doc__") =
      "A data set (e.g. calibration images) that cannot be read; the message names the file.";

  m.def("active_path", [] { return std::string(xnor::path_name(xnor::active_path())); },
        "The CPU code path in use, e.g. 'avx512-vnni' (XNOR_PATH forces one).");

  py::class_<PyModel>(m, "Model", "A loaded network, immutable: share it between threads.")
      .def(py::init([](const py::object& source) { return load(source); }), py::arg("source"),
           "Model(source): loads an .xnm model from a path (str or os.PathLike) or from the file's bytes\n"
           "(bytes, bytearray, memoryview). Raises ModelError naming the file and the problem.")
      .def_property_readonly(
          "input_shape", [](const PyModel& self) { const auto& in = self.model->input(); return py::make_tuple(in.h, in.w, in.c); },
          "The input tensor's shape (h, w, c).")
      .def_property_readonly(
          "output_shape", [](const PyModel& self) { return py::tuple(py::cast(output_shape(*self.model))); },
          "The shape of run()'s result: (classes,) for a 1 x 1 x classes output, else (h, w, c).")
      .def_property_readonly("output_size", [](const PyModel& self) { return self.model->output().elements(); },
                             "How many values the output has.")
      .def_property_readonly("labels", [](const PyModel& self) { return self.model->labels(); },
                             "One label per output value (the model's, or '0', '1', ...).")
      .def_property_readonly("path", [](const PyModel&) { return std::string(xnor::path_name(xnor::active_path())); },
                             "The CPU code path the model's kernels were packed for and run on.")
      .def_property_readonly("name", [](const PyModel& self) { return self.name; },
                             "The file the model came from ('model' for bytes).")
      .def("session", [](py::object self, long long threads) { return py::module_::import("xnor").attr("Session")(self, threads); },
           py::arg("threads") = 1, "A new Session on this model (threads: its thread pool's size, 1 to 256).")
      .def("__repr__", [](const PyModel& self) {
        const auto& in = self.model->input();
        const std::string output = py::repr(py::tuple(py::cast(output_shape(*self.model))));
        return "<xnor.Model '" + self.name + "': input " + shape_text({in.h, in.w, in.c}) + ", output " + output +
               ", " + std::to_string(self.model->graph().nodes.size()) +
               " layers, " + std::string(xnor::path_name(xnor::active_path())) + ">";
      });

  py::class_<PySession>(m, "Session",
                        "Runs a Model: owns its working memory and thread pool. One call at a time per Session;\n"
                        "give each Python thread its own Session to run in parallel.")
      .def(py::init([](py::object model, long long threads) {
             if (!py::isinstance<PyModel>(model)) throw py::type_error("Session() takes an xnor.Model, not " + type_name(model));
             if (threads < 1 || threads > max_threads) {
               throw std::invalid_argument("Session: threads needs a whole number from 1 to 256, not " + std::to_string(threads));
             }
             const PyModel& source = model.cast<const PyModel&>();
             return std::unique_ptr<PySession>(new PySession{model, source.model, source.name,
                                                             xnor::Session(source.model, static_cast<std::size_t>(threads)), {}});
           }),
           py::arg("model"), py::arg("threads") = 1, "Session(model, threads=1): a session on `model`.")
      .def_property_readonly("model", [](const PySession& self) { return self.model; }, "The Model this session runs.")
      .def("run", &run, py::arg("input"),
           "run(input) -> numpy float32 array: the network's output for one preprocessed input tensor.\n\n"
           "input: real numbers of shape (h, w, c) or (1, h, w, c) (Model.input_shape), else ValueError. They are\n"
           "converted to float32 as astype(float32) does; a float32 C-contiguous array is read without copying;\n"
           "no normalization is applied (see preprocess). The result (Model.output_shape) is a new array: the\n"
           "session's own buffer is overwritten by its next run, so it is copied. The GIL is released while running.")
      .def("classify", &classify, py::arg("image"), py::arg("top") = 5,
           "classify(image, top=5) -> [(label, probability), ...], most probable first: what `xnor classify`\n"
           "prints. image: a path (str or os.PathLike), an encoded file's bytes (PNG, JPEG, BMP, PGM/PPM), or a\n"
           "decoded uint8 numpy array H x W or H x W x C (C: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA). Files are decoded\n"
           "for the model's input size with their EXIF orientation applied. The GIL is released while decoding\n"
           "and running. Raises ImageError for an image that cannot be read.")
      .def("__repr__", [](const PySession& self) { return "<xnor.Session of '" + self.name + "'>"; });

  m.def("preprocess", &preprocess, py::arg("image"), py::arg("model"),
        "preprocess(image, model) -> numpy float32 array (h, w, c): the model input Session.classify runs for\n"
        "`image` (any form classify takes): resized, converted to gray or RGB, scaled and normalized as the\n"
        "model's input asks. The GIL is released while decoding and preprocessing.");

  m.def("convert", &convert, py::arg("input"), py::arg("output"), py::kw_only(), py::arg("int8") = false,
        py::arg("calibration") = "fashion-mnist", py::arg("calibration_count") = 1000,
        py::arg("calibration_method") = "minmax", py::arg("labels") = py::none(), py::arg("mean") = py::none(),
        py::arg("std") = py::none(),
        "convert(input, output, *, int8=False, calibration='fashion-mnist', calibration_count=1000,\n"
        "calibration_method='minmax', labels=None, mean=None, std=None) -> Model\n\n"
        "What `xnor convert INPUT OUT.xnm` does: imports an ONNX model (.onnx; needs a module built with ONNX\n"
        "support, see has_onnx) or reads an .xnm file, optionally quantizes it to int8 (calibrated on\n"
        "`calibration_count` images of Fashion-MNIST's training set or of the folder DIR/<class>/<image>;\n"
        "method 'minmax' or 'percentile'), checks that it builds, and writes `output`. labels (list of str),\n"
        "mean and std (a number or one per channel) replace the model's own. Returns the converted Model.\n"
        "The GIL is released while converting.");
}
