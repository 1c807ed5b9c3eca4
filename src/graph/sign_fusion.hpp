#pragma once
// Bits through max-pooling: a graph rewrite that Model applies when it loads a graph (Fusion::all).
//
// An XNOR-Net block whose binary layers end in floats, joined by a concatenation and max-pooled before the next
// block binarizes them (the Inception "pool" between stages):
//   binary convs (float out) [-> Concat] -> MaxPool -> [ScaleShift (BatchNorm) ->] Bitpack (sign)
// computes the same bits as
//   binary convs (bits out, the ScaleShift folded into their thresholds) [-> Concat] -> MaxPool (of bits)
// wherever every scale is >= 0: then x -> s * x + shift is non-decreasing, so it and the sign commute with
// the max exactly, roundings included (each rounded step is monotone). Folding s and shift into a conv's
// multiplier and bias rounds as the ONNX importer's folding does (src/onnx/fuse.cpp): a value within a few
// rounding steps of 0 may take the other sign. The floats between the layers are never stored.
// (A negative scale turns the max into a min, an OR of the bits, which a bit max-pool does not compute; an
// infinite scale or a folded value that overflows would give NaN: such chains are left as they are.)
#include <vector>

#include "xnor/graph.hpp"

namespace xnor::detail {

// The graph with every such chain rewritten; `tensors` are the graph's checked specs (infer_tensors).
GraphDef move_signs_before_pools(GraphDef graph, const std::vector<TensorSpec>& tensors);

}  // namespace xnor::detail
