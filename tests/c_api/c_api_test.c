/* The C API (xnor/xnor.h) from C11: loading, queries, running, classifying files and bytes, every error
 * path's status and message (errors thrown inside the C++ runtime come back as codes), and ownership (a
 * session outlives its model's handle). Usage: xnor-c-api-test MODEL.xnm SAMPLES_DIR (the bundled binary
 * model and models/samples). Prints "c_api_test: N checks passed", or each failure, and exits non-zero. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xnor/xnor.h"

static int checks = 0, failures = 0;

static void check(int ok, const char* what, int line) {
  ++checks;
  if (!ok) {
    ++failures;
    fprintf(stderr, "c_api_test.c:%d: FAILED: %s (last error: %s)\n", line, what, xnor_last_error());
  }
}
#define CHECK(condition) check((condition) != 0, #condition, __LINE__)

/* The whole file, or NULL; *size is its size. */
static unsigned char* read_file(const char* path, size_t* size) {
  FILE* file = fopen(path, "rb");
  if (file == NULL) return NULL;
  fseek(file, 0, SEEK_END);
  const long length = ftell(file);
  fseek(file, 0, SEEK_SET);
  unsigned char* bytes = malloc(length > 0 ? (size_t)length : 1);
  *size = bytes != NULL ? fread(bytes, 1, (size_t)length, file) : 0;
  fclose(file);
  return bytes;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: xnor-c-api-test MODEL.xnm SAMPLES_DIR\n");
    return 2;
  }
  char trouser[4096];
  snprintf(trouser, sizeof trouser, "%s/1-trouser.png", argv[2]);
  printf("xnor %s, cpu path %s\n", xnor_version(), xnor_cpu_path());
  CHECK(strlen(xnor_version()) > 0);
  CHECK(strcmp(xnor_status_name(XNOR_IMAGE_ERROR), "XNOR_IMAGE_ERROR") == 0);
  CHECK(strcmp(xnor_last_error(), "") == 0);

  /* A model from its file: its input, outputs and labels. */
  xnor_model* model = NULL;
  CHECK(xnor_model_load_file(argv[1], &model) == XNOR_OK);
  if (model == NULL) return 1;
  size_t h = 0, w = 0, c = 0, outputs = 0;
  CHECK(xnor_model_input_shape(model, &h, &w, &c) == XNOR_OK);
  CHECK(h == 28 && w == 28 && c == 1);
  CHECK(xnor_model_output_size(model, &outputs) == XNOR_OK);
  CHECK(outputs == 10);
  const char* label = NULL;
  CHECK(xnor_model_label(model, 1, &label) == XNOR_OK);
  CHECK(label != NULL && strcmp(label, "Trouser") == 0);
  CHECK(xnor_model_label(model, 10, &label) == XNOR_INVALID_ARGUMENT);
  CHECK(strcmp(xnor_last_error(), "xnor_model_label: label 10 of 10") == 0);

  /* Classifying a file and the same bytes. */
  xnor_session* session = NULL;
  CHECK(xnor_session_create(model, 0, &session) == XNOR_INVALID_ARGUMENT);
  CHECK(xnor_session_create(model, 1, &session) == XNOR_OK);
  if (session == NULL) return 1;
  xnor_prediction top[3];
  size_t count = 0;
  CHECK(xnor_session_classify_file(session, trouser, 3, top, &count) == XNOR_OK);
  CHECK(count == 3 && strcmp(top[0].label, "Trouser") == 0 && top[0].index == 1);
  CHECK(top[0].probability > top[1].probability && top[1].probability >= top[2].probability);
  printf("%s: %s %.4f, %s %.4f\n", trouser, top[0].label, top[0].probability, top[1].label, top[1].probability);
  size_t size = 0;
  unsigned char* png = read_file(trouser, &size);
  CHECK(png != NULL);
  xnor_prediction from_bytes[20];
  CHECK(xnor_session_classify(session, png, size, 20, from_bytes, &count) == XNOR_OK);
  CHECK(count == 10);  /* no more than there are outputs */
  CHECK(from_bytes[0].index == top[0].index && from_bytes[0].probability == top[0].probability);

  /* Errors inside the runtime come back as codes, with the same message on the session and the thread. */
  float input[28 * 28] = {0};
  const float* output = NULL;
  size_t output_size = 0;
  CHECK(xnor_session_run(session, input, 5, &output, &output_size) == XNOR_INVALID_ARGUMENT);
  CHECK(strstr(xnor_session_last_error(session), "model input needs 784 floats") != NULL);
  CHECK(strcmp(xnor_session_last_error(session), xnor_last_error()) == 0);
  CHECK(xnor_session_run(session, input, 28 * 28, &output, &output_size) == XNOR_OK);
  CHECK(output != NULL && output_size == 10);
  CHECK(xnor_session_classify(session, png, size / 2, 3, top, &count) == XNOR_IMAGE_ERROR);
  CHECK(strcmp(xnor_last_error(), "image: truncated PNG image") == 0);
  CHECK(xnor_session_classify_file(session, "no-such-photo.jpg", 3, top, &count) == XNOR_IMAGE_ERROR);
  CHECK(strstr(xnor_last_error(), "no-such-photo.jpg: cannot open") != NULL);
  CHECK(xnor_session_classify(session, NULL, 0, 3, top, &count) == XNOR_INVALID_ARGUMENT);
  CHECK(strcmp(xnor_last_error(), "xnor_session_classify: image is NULL") == 0);
  CHECK(xnor_session_run(NULL, input, 28 * 28, &output, &output_size) == XNOR_INVALID_ARGUMENT);
  CHECK(strcmp(xnor_session_last_error(NULL), "") == 0);

  xnor_model* broken = NULL;
  CHECK(xnor_model_load_memory(png, size, &broken) == XNOR_MODEL_ERROR);
  CHECK(broken == NULL);
  CHECK(strlen(xnor_last_error()) > 0);
  printf("a PNG as a model: %s\n", xnor_last_error());
  CHECK(xnor_model_load_file("no-such-model.xnm", &broken) == XNOR_MODEL_ERROR);
  CHECK(strstr(xnor_last_error(), "no-such-model.xnm") != NULL);
  CHECK(xnor_model_load_file(NULL, &broken) == XNOR_INVALID_ARGUMENT);
  CHECK(strcmp(xnor_last_error(), "xnor_model_load_file: path is NULL") == 0);

  /* A model from memory; a session keeps what it needs after the handles are freed. */
  size_t model_size = 0;
  unsigned char* model_bytes = read_file(argv[1], &model_size);
  xnor_model* from_memory = NULL;
  CHECK(xnor_model_load_memory(model_bytes, model_size, &from_memory) == XNOR_OK);
  free(model_bytes);
  xnor_session* second = NULL;
  CHECK(xnor_session_create(from_memory, 2, &second) == XNOR_OK);
  xnor_model_free(from_memory);
  xnor_model_free(model);
  CHECK(xnor_session_classify(second, png, size, 1, top, &count) == XNOR_OK);
  CHECK(count == 1 && strcmp(top[0].label, "Trouser") == 0 && top[0].probability == from_bytes[0].probability);
  xnor_session_free(second);
  xnor_session_free(session);
  xnor_session_free(NULL);
  xnor_model_free(NULL);
  free(png);

  if (failures > 0) {
    fprintf(stderr, "c_api_test: %d of %d checks failed\n", failures, checks);
    return 1;
  }
  printf("c_api_test: %d checks passed\n", checks);
  return 0;
}
