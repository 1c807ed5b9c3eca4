// The C API (xnor/xnor.h) over the C++ one (xnor/xnor.hpp). Every function body runs inside `guarded`, which
// turns any exception into a status and a message, so none crosses into C.
#include "xnor/xnor.h"

#include <algorithm>
#include <memory>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "xnor/xnor.hpp"

struct xnor_model {
  std::shared_ptr<const xnor::Model> model;
};

struct xnor_session {
  xnor::Session session;
  std::string last_error;
};

namespace {

thread_local std::string last_error;

// The status of an exception, and its message kept for xnor_last_error (and the session's, if any).
xnor_status failed(xnor_status status, const char* message, xnor_session* session) {
  last_error = message;
  if (session != nullptr) session->last_error = message;
  return status;
}

template <typename Body>
xnor_status guarded(xnor_session* session, Body&& body) noexcept {
  try {
    body();
    return XNOR_OK;
  } catch (const xnor::ModelError& error) {
    return failed(XNOR_MODEL_ERROR, error.what(), session);
  } catch (const xnor::ImageError& error) {
    return failed(XNOR_IMAGE_ERROR, error.what(), session);
  } catch (const std::invalid_argument& error) {
    return failed(XNOR_INVALID_ARGUMENT, error.what(), session);
  } catch (const std::bad_alloc&) {
    return failed(XNOR_OUT_OF_MEMORY, "out of memory", session);
  } catch (const std::exception& error) {
    return failed(XNOR_INTERNAL_ERROR, error.what(), session);
  } catch (...) {
    return failed(XNOR_INTERNAL_ERROR, "an unknown exception", session);
  }
}

// Throws std::invalid_argument naming the function and the argument when `pointer` is null.
void require(const void* pointer, const char* function, const char* argument) {
  if (pointer == nullptr) throw std::invalid_argument(std::string(function) + ": " + argument + " is NULL");
}

void write_predictions(const std::vector<xnor::Prediction>& top, const xnor::Model& model,
                       xnor_prediction* predictions, size_t* count) {
  for (std::size_t i = 0; i < top.size(); ++i) {
    // The label of the model's own list, which lives as long as the model, not the Prediction's copy.
    predictions[i] = {model.labels()[top[i].index].c_str(), top[i].probability, top[i].index};
  }
  *count = top.size();
}

xnor_status classify(xnor_session* session, const char* function, size_t top, xnor_prediction* predictions,
                     size_t* count, const auto& load) {
  return guarded(session, [&] {
    require(session, function, "session");
    require(predictions, function, "predictions");
    require(count, function, "count");
    const xnor::Model& model = session->session.model();
    const xnor::Image image = load(xnor::DecodeOptions::for_input(model.graph().input));
    write_predictions(session->session.classify(image, top), model, predictions, count);
  });
}

}  // namespace

extern "C" {

const char* xnor_version(void) { return xnor::version; }

const char* xnor_cpu_path(void) {
  static const std::string name(xnor::path_name(xnor::active_path()));
  return name.c_str();
}

const char* xnor_status_name(xnor_status status) {
  switch (status) {
    case XNOR_OK: return "XNOR_OK";
    case XNOR_INVALID_ARGUMENT: return "XNOR_INVALID_ARGUMENT";
    case XNOR_MODEL_ERROR: return "XNOR_MODEL_ERROR";
    case XNOR_IMAGE_ERROR: return "XNOR_IMAGE_ERROR";
    case XNOR_OUT_OF_MEMORY: return "XNOR_OUT_OF_MEMORY";
    case XNOR_INTERNAL_ERROR: return "XNOR_INTERNAL_ERROR";
  }
  return "unknown status";
}

const char* xnor_last_error(void) { return last_error.c_str(); }

xnor_status xnor_model_load_file(const char* path, xnor_model** model) {
  return guarded(nullptr, [&] {
    require(path, "xnor_model_load_file", "path");
    require(model, "xnor_model_load_file", "model");
    *model = new xnor_model{xnor::load_model(std::string(path))};
  });
}

xnor_status xnor_model_load_memory(const void* bytes, size_t size, xnor_model** model) {
  return guarded(nullptr, [&] {
    require(bytes, "xnor_model_load_memory", "bytes");
    require(model, "xnor_model_load_memory", "model");
    *model = new xnor_model{xnor::load_model(std::span(static_cast<const std::byte*>(bytes), size))};
  });
}

void xnor_model_free(xnor_model* model) { delete model; }

xnor_status xnor_model_input_shape(const xnor_model* model, size_t* height, size_t* width, size_t* channels) {
  return guarded(nullptr, [&] {
    for (const void* pointer : {static_cast<const void*>(model), static_cast<const void*>(height),
                                static_cast<const void*>(width), static_cast<const void*>(channels)}) {
      require(pointer, "xnor_model_input_shape", "an argument");
    }
    const xnor::TensorSpec& input = model->model->input();
    *height = input.h;
    *width = input.w;
    *channels = input.c;
  });
}

xnor_status xnor_model_output_size(const xnor_model* model, size_t* size) {
  return guarded(nullptr, [&] {
    require(model, "xnor_model_output_size", "model");
    require(size, "xnor_model_output_size", "size");
    *size = model->model->output().elements();
  });
}

xnor_status xnor_model_label(const xnor_model* model, size_t index, const char** label) {
  return guarded(nullptr, [&] {
    require(model, "xnor_model_label", "model");
    require(label, "xnor_model_label", "label");
    const std::vector<std::string>& labels = model->model->labels();
    if (index >= labels.size()) {
      throw std::invalid_argument("xnor_model_label: label " + std::to_string(index) + " of " +
                                  std::to_string(labels.size()));
    }
    *label = labels[index].c_str();
  });
}

xnor_status xnor_session_create(const xnor_model* model, size_t threads, xnor_session** session) {
  return guarded(nullptr, [&] {
    require(model, "xnor_session_create", "model");
    require(session, "xnor_session_create", "session");
    if (threads == 0) throw std::invalid_argument("xnor_session_create: threads must be at least 1");
    *session = new xnor_session{xnor::Session(model->model, threads), {}};
  });
}

void xnor_session_free(xnor_session* session) { delete session; }

xnor_status xnor_session_run(xnor_session* session, const float* input, size_t input_size, const float** output,
                             size_t* output_size) {
  return guarded(session, [&] {
    require(session, "xnor_session_run", "session");
    require(input, "xnor_session_run", "input");
    require(output, "xnor_session_run", "output");
    require(output_size, "xnor_session_run", "output_size");
    // Session::run checks the size (std::invalid_argument).
    const std::span<const float> result = session->session.run({input, input_size});
    *output = result.data();
    *output_size = result.size();
  });
}

xnor_status xnor_session_classify(xnor_session* session, const void* image, size_t size, size_t top,
                                  xnor_prediction* predictions, size_t* count) {
  return classify(session, "xnor_session_classify", top, predictions, count, [&](const xnor::DecodeOptions& options) {
    require(image, "xnor_session_classify", "image");
    return xnor::decode_image({static_cast<const std::byte*>(image), size}, "image", {}, options);
  });
}

xnor_status xnor_session_classify_file(xnor_session* session, const char* path, size_t top,
                                       xnor_prediction* predictions, size_t* count) {
  return classify(session, "xnor_session_classify_file", top, predictions, count,
                  [&](const xnor::DecodeOptions& options) {
                    require(path, "xnor_session_classify_file", "path");
                    return xnor::load_image(path, {}, options);
                  });
}

const char* xnor_session_last_error(const xnor_session* session) {
  return session != nullptr ? session->last_error.c_str() : "";
}

}  // extern "C"
