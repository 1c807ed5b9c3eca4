// The one translation unit that compiles stb_image: only the formats xnor reads (PNG, JPEG, BMP, binary
// PGM/PPM), no stdio (load_image reads files itself), the per-side limit of ImageLimits compiled in, and
// every allocation checked against the cap of stb_support.hpp.
#include <cstdlib>
#include <limits>

#include "src/image/stb_support.hpp"
#include "xnor/image.hpp"

namespace xnor::image_detail {
namespace {

thread_local std::size_t allocation_cap = std::numeric_limits<std::size_t>::max();
thread_local bool allocation_refused = false;

// Zeroed: stb_image leaves data it finds no source for unwritten (the blocks of a JPEG that its scans leave
// out, say); they read as zeros rather than as whatever the memory held before.
void* capped_malloc(std::size_t bytes) {
  if (bytes > allocation_cap) {
    allocation_refused = true;
    return nullptr;
  }
  return std::calloc(bytes, 1);
}

void* capped_realloc(void* memory, std::size_t bytes) {
  if (bytes > allocation_cap) {
    allocation_refused = true;
    return nullptr;
  }
  return std::realloc(memory, bytes);
}

}  // namespace

StbAllocationCap::StbAllocationCap(std::size_t max_bytes) {
  allocation_cap = max_bytes;
  allocation_refused = false;
}

StbAllocationCap::~StbAllocationCap() { allocation_cap = std::numeric_limits<std::size_t>::max(); }

bool StbAllocationCap::refused() const { return allocation_refused; }

}  // namespace xnor::image_detail

#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_ONLY_PNM
#define STBI_NO_STDIO
#define STBI_MAX_DIMENSIONS 16384
#define STBI_MALLOC(bytes) xnor::image_detail::capped_malloc(bytes)
#define STBI_REALLOC(memory, bytes) xnor::image_detail::capped_realloc(memory, bytes)
#define STBI_FREE(memory) std::free(memory)
#include <stb/stb_image.h>

static_assert(xnor::ImageLimits{}.max_side == STBI_MAX_DIMENSIONS, "the decoder's limit is ImageLimits' default");

void xnor::image_detail::clear_stb_failure_reason() { stbi__g_failure_reason = nullptr; }
