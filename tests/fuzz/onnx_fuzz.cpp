// libFuzzer target for the ONNX importer: any bytes must either import to a graph the runtime accepts (it is
// then built and run once on a zero image) or be refused with a ModelError. Anything else — a crash, a
// sanitizer report, another exception — is a finding.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "src/onnx/import.hpp"
#include "xnor/model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  xnor::GraphDef graph;
  try {
    graph = xnor::onnx_import::import_model(std::as_bytes(std::span(data, size)));
  } catch (const xnor::ModelError&) {
    return 0;
  }
  // Runs only graphs small enough to keep executions fast (their paths are the same at any size).
  auto model = std::make_shared<const xnor::Model>(graph);
  double macs = 0;
  for (const auto& layer : model->layers()) macs += layer.macs;
  if (macs > 1e7 || model->input().elements() > (1u << 20)) return 0;
  xnor::Session session(model);
  session.run(std::vector<float>(model->input().elements(), 0.0f));
  return 0;
}
