// libFuzzer target for the model loader: any bytes must either load as a checked model that runs, or be
// refused with a ModelError. Anything else — a crash, a sanitizer report, another exception — is a finding.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <variant>
#include <vector>

#include "xnor/model.hpp"
#include "xnor/model_file.hpp"

namespace {

// The loader accepts tensors up to 1 GiB by design; the fuzzer hunts memory errors, not big models, so a
// model that would need more than this to run (or too much arithmetic) is loaded and built but not run.
constexpr std::size_t max_run_bytes = std::size_t{64} << 20;
constexpr double max_run_cost = 5e7;

constexpr std::size_t header_bytes = 32;

// Mutations almost never keep the checksum right: a copy with the header's payload size and FNV-1a checksum
// made to match (as model_file.hpp specifies them) lets them reach the payload reader and the graph checks.
std::vector<std::byte> resealed(std::span<const std::byte> file) {
  std::vector<std::byte> bytes(file.begin(), file.end());
  const auto put = [&](std::size_t offset, std::uint64_t value) {
    for (std::size_t i = 0; i < 8; ++i) bytes[offset + i] = static_cast<std::byte>(value >> (8 * i));
  };
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (std::size_t i = header_bytes; i < bytes.size(); ++i) hash = (hash ^ static_cast<std::uint8_t>(bytes[i])) * 0x100000001b3ull;
  put(16, bytes.size() - header_bytes);
  put(24, hash);
  return bytes;
}

// Multiply-accumulates of the convolutions plus the window reads of the pools, which layers() does not count.
double run_cost(const xnor::Model& model) {
  double cost = 0;
  for (const xnor::LayerInfo& layer : model.layers()) cost += layer.macs;
  const auto& nodes = model.graph().nodes;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (const auto* pool = std::get_if<xnor::PoolOp>(&nodes[i].op); pool != nullptr && !pool->global) {
      cost += static_cast<double>(model.tensors()[i + 1].elements()) * static_cast<double>(pool->kernel * pool->kernel);
    }
  }
  return cost;
}

void load_and_run(std::span<const std::byte> file) {
  try {
    const auto model = std::make_shared<const xnor::Model>(xnor::parse_model(file));
    if (model->arena_bytes() + model->input().bytes() > max_run_bytes || run_cost(*model) > max_run_cost) return;
    xnor::Session session(model);
    session.run(std::vector<float>(model->input().elements(), 0.0f));
  } catch (const xnor::ModelError&) {
    // The expected rejection of a bad file.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> file(reinterpret_cast<const std::byte*>(data), size);
  load_and_run(file);
  if (size >= header_bytes) load_and_run(resealed(file));
  return 0;
}
