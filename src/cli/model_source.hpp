#pragma once
// Where the CLI gets a model: a .xnm file, or a built-in network with random weights
// ("googlenet224:float", "googlenet224:int8", "googlenet224:binary") for inspection and benchmarks.
#include <string>

#include "xnor/graph.hpp"

namespace xnor::cli {

GraphDef load_graph(const std::string& model);

// The bundled model commands use when none is given: fashion-inception-binary.xnm in $XNOR_MODELS_DIR if set,
// else in <the executable's folder>/../share/xnor/models (an installed xnor) if it is there, else in the
// source tree's models/ (a build that is not installed).
std::string default_model_path();

}  // namespace xnor::cli
