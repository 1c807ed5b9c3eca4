#include "src/cli/model_source.hpp"

#include "models/googlenet224.hpp"
#include "xnor/model_file.hpp"

namespace xnor::cli {

GraphDef load_graph(const std::string& model) {
  const std::string builtin = "googlenet224:";
  if (model.starts_with(builtin)) {
    const std::string precision = model.substr(builtin.size());
    if (precision == "float") return models::googlenet224(Precision::float32);
    if (precision == "int8") return models::googlenet224(Precision::int8);
    if (precision == "binary") return models::googlenet224(Precision::binary);
    throw ModelError(model + ": unknown built-in model (googlenet224:float, googlenet224:int8 or googlenet224:binary)");
  }
  return load_model_file(model);
}

}  // namespace xnor::cli
