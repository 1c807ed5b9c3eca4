#include "src/cli/model_source.hpp"

#include <cstdlib>
#include <filesystem>

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

std::string default_model_path() {
  namespace fs = std::filesystem;
  const fs::path file = "fashion-inception-binary.xnm";
  if (const char* dir = std::getenv("XNOR_MODELS_DIR"); dir != nullptr && *dir != '\0') return (dir / file).string();
  std::error_code no_exe;
  const fs::path exe = fs::read_symlink("/proc/self/exe", no_exe);
  if (!no_exe) {
    const fs::path installed = exe.parent_path() / "../share/xnor/models" / file;
    if (fs::exists(installed)) return installed.lexically_normal().string();
  }
  return (fs::path(XNOR_MODELS_DIR) / file).string();
}

}  // namespace xnor::cli
