#pragma once
// GoogLeNet (Inception-v1) for 224x224x3 images and 1000 classes, with deterministic random weights: the
// realistic-size network of the benchmarks. Binary: every inner convolution binary, the first convolution
// and the classifier int8 (as in XNOR-Net, the first and last layers are not binary).
#include "xnor/graph.hpp"
#include "xnor/network_builder.hpp"

namespace xnor::models {

GraphDef googlenet224(Precision precision, std::uint64_t seed = 1);

}  // namespace xnor::models
