#pragma once
#include <ostream>
#include <span>
#include <string>

namespace xnor::cli {

// xnor convert: ONNX (or a float .xnm) to .xnm, optionally quantized to int8 by calibration.
int convert(std::span<const std::string> args, std::ostream& out);

}  // namespace xnor::cli
