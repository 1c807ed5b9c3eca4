#pragma once
// A zero-filled buffer aligned to a cache line, so that no vector load of a row straddles two lines (weight
// panels, im2col rows) and AMX tiles get their 64-byte rows.
#include <cstddef>
#include <cstring>
#include <memory>
#include <new>

namespace xnor::detail {

class AlignedBuffer {
 public:
  static constexpr std::size_t alignment = 64;

  AlignedBuffer() = default;
  explicit AlignedBuffer(std::size_t bytes) : data_(allocate(bytes)), size_(bytes) {}

  std::size_t size() const { return size_; }
  template <class T>
  T* as() {
    return reinterpret_cast<T*>(data_.get());
  }
  template <class T>
  const T* as() const {
    return reinterpret_cast<const T*>(data_.get());
  }
  // Makes room for at least `bytes`; what was there is kept only if nothing had to grow.
  void grow_to(std::size_t bytes) {
    if (bytes > size_) *this = AlignedBuffer(bytes);
  }

 private:
  struct Free {
    void operator()(std::byte* p) const { ::operator delete (p, std::align_val_t{alignment}); }
  };
  static std::byte* allocate(std::size_t bytes) {
    if (bytes == 0) return nullptr;
    auto* p = static_cast<std::byte*>(::operator new (bytes, std::align_val_t{alignment}));
    std::memset(p, 0, bytes);
    return p;
  }

  std::unique_ptr<std::byte[], Free> data_;
  std::size_t size_ = 0;
};

}  // namespace xnor::detail
