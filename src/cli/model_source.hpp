#pragma once
// Where the CLI gets a model: a .xnm file, or a built-in network with random weights
// ("googlenet224:float", "googlenet224:int8", "googlenet224:binary") for inspection and benchmarks.
#include <string>

#include "xnor/graph.hpp"

namespace xnor::cli {

GraphDef load_graph(const std::string& model);

}  // namespace xnor::cli
