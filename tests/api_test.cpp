// The embedding API (xnor/xnor.hpp): loading from a file and from memory, classify's top-k, the error types,
// and a Session that allocates nothing after its first run (counted by replacing the global operator new).
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <new>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "tests/support.hpp"
#include "xnor/xnor.hpp"

namespace {

std::atomic<bool> counting{false};
std::atomic<std::size_t> allocations{0};

void* allocate(std::size_t bytes, std::size_t alignment) {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
  bytes = bytes == 0 ? 1 : bytes;
  void* p = alignment <= alignof(std::max_align_t)
                ? std::malloc(bytes)
                : std::aligned_alloc(alignment, (bytes + alignment - 1) / alignment * alignment);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace

// Every allocation of the process goes through these while the tests run; they count while `counting` is set.
void* operator new(std::size_t bytes) { return allocate(bytes, 0); }
void* operator new[](std::size_t bytes) { return allocate(bytes, 0); }
void* operator new(std::size_t bytes, std::align_val_t alignment) {
  return allocate(bytes, static_cast<std::size_t>(alignment));
}
void* operator new[](std::size_t bytes, std::align_val_t alignment) {
  return allocate(bytes, static_cast<std::size_t>(alignment));
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {

const std::string models_dir = XNOR_SOURCE_DIR "/models/";
const std::string trouser = models_dir + "samples/1-trouser.png";

std::vector<std::byte> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> bytes(chars.size());
  std::memcpy(bytes.data(), chars.data(), chars.size());
  return bytes;
}

}  // namespace

TEST_CASE("every error a caller can cause is an xnor::Error") {
  static_assert(std::is_base_of_v<xnor::Error, xnor::ModelError>);
  static_assert(std::is_base_of_v<xnor::Error, xnor::ImageError>);
  CHECK_THROWS_AS(xnor::load_model(models_dir + "no-such-model.xnm"), xnor::Error);
  CHECK_THROWS_AS(xnor::load_image(models_dir + "no-such-image.png"), xnor::Error);
  std::vector<std::byte> bytes = file_bytes(models_dir + "fashion-inception-binary.xnm");
  bytes.resize(bytes.size() / 2);
  CHECK_THROWS_AS(xnor::load_model(bytes), xnor::ModelError);
}

TEST_CASE("a model loads from its file and from its bytes alike, and classifies as the CLI prints") {
  const auto from_file = xnor::load_model(models_dir + "fashion-inception-binary.xnm");
  const auto from_bytes = xnor::load_model(file_bytes(models_dir + "fashion-inception-binary.xnm"));
  xnor::Session a(from_file), b(from_bytes);
  const xnor::Image image = xnor::load_image(trouser);
  const std::vector<xnor::Prediction> top = a.classify(image, 3);
  REQUIRE(top.size() == 3);
  CHECK(top[0].label == "Trouser");
  CHECK(top[0].label == from_file->labels()[top[0].index]);
  CHECK(top[0].probability >= top[1].probability);
  CHECK(top[1].probability >= top[2].probability);
  CHECK(top[0].probability + top[1].probability + top[2].probability <= 1.0001f);
  const std::vector<xnor::Prediction> same = b.classify(image, 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(same[i].index == top[i].index);
    CHECK(same[i].probability == top[i].probability);
  }
  // More than there are outputs: every output, once.
  CHECK(a.classify(image, 100).size() == from_file->labels().size());
}

TEST_CASE("Session::run allocates no memory after its first run") {
  for (const std::string name : {"fashion-inception-float.xnm", "fashion-inception-int8.xnm", "fashion-inception-binary.xnm"}) {
    for (std::size_t threads : {1, 2}) {
      CAPTURE(name);
      CAPTURE(threads);
      const auto model = xnor::load_model(models_dir + name);
      const std::vector<float> input = xnor::preprocess(xnor::load_image(trouser), model->graph().input);
      xnor::Session session(model, threads);
      const std::vector<float> first(session.run(input).begin(), session.run(input).end());
      allocations = 0;
      counting = true;
      for (int i = 0; i < 3; ++i) session.run(input);
      counting = false;
      CHECK(allocations.load() == 0);
      const std::span<const float> again = session.run(input);
      CHECK(std::equal(again.begin(), again.end(), first.begin(), first.end()));
    }
  }
}
