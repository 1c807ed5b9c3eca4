#pragma once
// What src/image/stb_image.cpp adds to stb_image.
//
// Its allocations go through a per-thread cap: a decode may not allocate more than its image can need, so
// a small file cannot make it reserve gigabytes (a PNG chunk claiming a huge length, a compressed stream
// that expands without end). A refused allocation makes stb_image fail as if memory had run out.
#include <cstddef>

namespace xnor::image_detail {

// stb_image fails a few checks without giving a reason, so stbi_failure_reason() would still return an
// earlier failure's: this forgets it (stbi_failure_reason() is then null until the next failure).
void clear_stb_failure_reason();

// Caps every allocation stb_image makes on this thread while it lives; not nestable.
class StbAllocationCap {
 public:
  explicit StbAllocationCap(std::size_t max_bytes);
  ~StbAllocationCap();
  StbAllocationCap(const StbAllocationCap&) = delete;
  StbAllocationCap& operator=(const StbAllocationCap&) = delete;

  // Whether an allocation over the cap was refused since this cap was set.
  bool refused() const;
};

}  // namespace xnor::image_detail
