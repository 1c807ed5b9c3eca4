#pragma once
#include <ostream>
#include <span>
#include <string>

namespace xnor::cli {

// `xnor classify [--model M] [--top K] [--json] IMAGE|DIR...`: the K most probable labels of each image (a
// DIR: its image files, sorted). An image that cannot be read is reported on `errors` and the others go
// on. Returns the exit code: 1 if any image failed.
int classify(std::span<const std::string> args, std::ostream& out, std::ostream& errors);

}  // namespace xnor::cli
