/* xnor's C API: for applications whose code is not C++ (an Android app through JNI, Swift, Rust, Go).
 *
 * Plain C (C11 or C++), a stable ABI: opaque handles, every call returns an xnor_status, no C++ exception
 * ever crosses it. It is in the runtime library (libxnor.a with the C++ API) and in the shared library
 * libxnor.so, which exports only these functions (pkg-config: xnor).
 *
 *   xnor_model* model;
 *   xnor_session* session;
 *   xnor_prediction top[3];
 *   size_t count;
 *   if (xnor_model_load_file("fashion-inception-binary.xnm", &model) != XNOR_OK) puts(xnor_last_error());
 *   xnor_session_create(model, 1, &session);
 *   xnor_session_classify_file(session, "shirt.jpg", 3, top, &count);
 *   xnor_session_free(session);
 *   xnor_model_free(model);
 *
 * Errors: a failing call returns its status and keeps its message, readable with xnor_last_error() on the
 * same thread (each thread has its own) and, for calls on a session, with xnor_session_last_error().
 * Threads: a model is immutable and may be shared by any number of threads; a session is used by one thread
 * at a time (give each thread its own). */
#ifndef XNOR_XNOR_H
#define XNOR_XNOR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum xnor_status {
  XNOR_OK = 0,
  XNOR_INVALID_ARGUMENT = 1, /* a null pointer, a buffer of the wrong size, a bad value */
  XNOR_MODEL_ERROR = 2,      /* a model file that cannot be read or built */
  XNOR_IMAGE_ERROR = 3,      /* an image that cannot be read or decoded */
  XNOR_OUT_OF_MEMORY = 4,
  XNOR_INTERNAL_ERROR = 5    /* anything else: the message says what */
} xnor_status;

typedef struct xnor_model xnor_model;
typedef struct xnor_session xnor_session;

typedef struct xnor_prediction {
  const char* label; /* owned by the model: valid while it or one of its sessions lives */
  float probability; /* the softmax of the outputs */
  size_t index;      /* of the output, and of the label (xnor_model_label) */
} xnor_prediction;

/* The library's version, e.g. "0.1.0", and the CPU path its kernels run on, e.g. "avx512-vnni" or "neon". */
const char* xnor_version(void);
const char* xnor_cpu_path(void);
/* "XNOR_OK", "XNOR_MODEL_ERROR", ...; "unknown status" for any other value. */
const char* xnor_status_name(xnor_status status);
/* The message of the last call that failed on this thread ("" if none): valid until the next call fails. */
const char* xnor_last_error(void);

/* Loads a .xnm model file, or its bytes (copied: the buffer may be freed after the call). */
xnor_status xnor_model_load_file(const char* path, xnor_model** model);
xnor_status xnor_model_load_memory(const void* bytes, size_t size, xnor_model** model);
/* Frees the handle; sessions of the model keep what they need. NULL is allowed. */
void xnor_model_free(xnor_model* model);
/* The input tensor: height x width x channels floats (HWC). */
xnor_status xnor_model_input_shape(const xnor_model* model, size_t* height, size_t* width, size_t* channels);
/* How many floats a run outputs, and the label of each (labels are owned by the model). */
xnor_status xnor_model_output_size(const xnor_model* model, size_t* size);
xnor_status xnor_model_label(const xnor_model* model, size_t index, const char** label);

/* A session runs the model: it owns the memory of the intermediate tensors and `threads` threads (1: the
 * caller's only). */
xnor_status xnor_session_create(const xnor_model* model, size_t threads, xnor_session** session);
void xnor_session_free(xnor_session* session);
/* Runs on a preprocessed input of height x width x channels floats; *output points to the session's output
 * (*output_size floats), valid until the session's next run or its end. */
xnor_status xnor_session_run(xnor_session* session, const float* input, size_t input_size, const float** output,
                             size_t* output_size);
/* Classifies an encoded image (PNG, JPEG, BMP, PGM/PPM bytes, or the file at `path`): it is turned upright as
 * its EXIF orientation says, decoded no larger than the input needs, preprocessed as the model asks and run.
 * Writes the min(top, output size) most probable predictions, most probable first, to `predictions` (room
 * for `top`) and their number to *count. */
xnor_status xnor_session_classify(xnor_session* session, const void* image, size_t size, size_t top,
                                  xnor_prediction* predictions, size_t* count);
xnor_status xnor_session_classify_file(xnor_session* session, const char* path, size_t top,
                                       xnor_prediction* predictions, size_t* count);
/* The message of this session's last failed call ("" if none). */
const char* xnor_session_last_error(const xnor_session* session);

#ifdef __cplusplus
}
#endif

#endif /* XNOR_XNOR_H */
