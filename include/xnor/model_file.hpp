#pragma once
// The .xnm model file: one versioned file holding a whole network.
//
// Layout: a 32-byte header — magic "XNORNET\0", format version (u32), reserved (u32, 0), payload size
// (u64), FNV-1a 64 checksum of the payload (u64), all little-endian — then the payload: a cereal portable
// binary archive of the GraphDef (input spec, labels, nodes with their parameters; binary weights packed).
//
// Loading checks the header, the size and the checksum before reading the payload, bounds every array by
// the bytes that remain before allocating it, checks every enum, then checks the graph (infer_tensors):
// a truncated, corrupt or hostile file gives one ModelError naming the problem.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "xnor/graph.hpp"

namespace xnor {

// Written by this version; files from oldest_model_format_version on are read (version 2 added explicit
// padding, pool modes and the element-wise operations).
inline constexpr std::uint32_t model_format_version = 2;
inline constexpr std::uint32_t oldest_model_format_version = 1;

std::vector<std::byte> serialize_model(const GraphDef& graph);
GraphDef parse_model(std::span<const std::byte> file);

void save_model(const GraphDef& graph, const std::string& path);
GraphDef load_model_file(const std::string& path);

}  // namespace xnor
