#pragma once
#include <ostream>
#include <span>
#include <string>

namespace xnor::cli {

// `xnor compare [--models M...] [--dataset fashion-mnist|DIR] [--limit N] [--json] [--plot FILE.png]`: the
// models side by side on this machine: accuracy, file size (and its ratio to the float model's), median
// latency on 1 thread, throughput on every hardware thread and the peak memory of classifying one image.
// Returns the exit code.
int compare(std::span<const std::string> args, std::ostream& out);

}  // namespace xnor::cli
