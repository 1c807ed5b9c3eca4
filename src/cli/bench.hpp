#pragma once
#include <ostream>
#include <span>
#include <string>

namespace xnor::cli {

// xnor bench: the time of each layer of one model, and its share of the whole.
int bench(std::span<const std::string> args, std::ostream& out);

}  // namespace xnor::cli
