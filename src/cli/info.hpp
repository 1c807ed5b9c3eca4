#pragma once
#include <ostream>
#include <span>
#include <string>

namespace xnor::cli {

// `xnor info MODEL [--json]`: every layer's kind, precision, output shape, MACs and weight bytes; totals;
// file size; arena size. Returns the exit code.
int info(std::span<const std::string> args, std::ostream& out);

}  // namespace xnor::cli
