#pragma once
// Post-training int8 quantization of a float network (the TFLite int8 scheme, int8.hpp): weights symmetric per
// output channel, activations asymmetric per tensor with ranges measured by running the float network on
// calibration inputs. Convolutions, dense layers, pools and concatenations run in int8; the inputs of a
// concatenation share its scale (so joining them costs no requantization); the network is quantized once after
// the input and dequantized once before the first float-only operation (e.g. softmax) or the output.
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "xnor/graph.hpp"

namespace xnor {

enum class CalibrationMethod {
  minmax,      // each tensor's range is the smallest and largest value seen
  percentile,  // the range leaves out the extreme (100 - percentile)% of the values on each side
};

struct CalibrationOptions {
  CalibrationMethod method = CalibrationMethod::minmax;
  double percentile = 99.99;
};

// The int8 version of `float_graph` (every node float: float convs, pools, concat, activation, scale-shift,
// softmax). `inputs` are preprocessed model inputs (input h * w * c floats each), at least one. Throws
// ModelError for a graph that is not float, std::invalid_argument for an input of the wrong size.
GraphDef quantize_int8(const GraphDef& float_graph, std::span<const std::vector<float>> inputs,
                       const CalibrationOptions& options = {});

// Calibration inputs preprocessed for `spec`: the first `count` images of Fashion-MNIST's training set when
// `source` is "fashion-mnist" (never the test set that accuracy is measured on), else of the image folder
// DIR/<class>/<image> that `source` names (dataset.hpp). Throws DatasetError or ImageError.
std::vector<std::vector<float>> calibration_inputs(const std::string& source, std::size_t count, const InputSpec& spec);

}  // namespace xnor
