#include <stdio.h>
#include <xnor/xnor.h>

int main(int argc, char** argv) {
  if (argc != 3) return fprintf(stderr, "usage: classify MODEL.xnm IMAGE\n"), 2;
  xnor_model* model = NULL;
  xnor_session* session = NULL;
  xnor_prediction top[3];
  size_t count = 0;
  int status = xnor_model_load_file(argv[1], &model) != XNOR_OK || xnor_session_create(model, 1, &session) != XNOR_OK ||
               xnor_session_classify_file(session, argv[2], 3, top, &count) != XNOR_OK;
  if (status != 0) fprintf(stderr, "%s\n", xnor_last_error());
  for (size_t i = 0; i < count; ++i) printf("%-12s %.4f\n", top[i].label, top[i].probability);
  xnor_session_free(session);
  xnor_model_free(model);
  return status;
}
