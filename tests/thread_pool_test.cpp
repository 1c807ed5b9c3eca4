#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "xnor/thread_pool.hpp"

using namespace xnor;

TEST_CASE("parallel_for covers every item exactly once, in chunks that are multiples of the grain") {
  for (std::size_t threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    CHECK(pool.size() == threads);
    for (std::size_t n : {0, 1, 7, 64, 1001}) {
      CAPTURE(threads);
      CAPTURE(n);
      std::vector<std::atomic<int>> hits(n);
      std::atomic<bool> aligned{true};
      for (int round = 0; round < 3; ++round) {
        pool.parallel_for(n, 4, [&](std::size_t begin, std::size_t end) {
          if (begin % 4 != 0 || (end % 4 != 0 && end != n)) aligned = false;
          for (std::size_t i = begin; i < end; ++i) ++hits[i];
        });
      }
      for (auto& h : hits) CHECK(h == 3);
      CHECK(aligned);
    }
  }
}

TEST_CASE("an exception thrown by a chunk reaches the caller, and the pool stays usable") {
  ThreadPool pool(2);
  CHECK_THROWS_AS(pool.parallel_for(10, 1, [](std::size_t begin, std::size_t) {
    if (begin > 0) throw std::runtime_error("chunk failed");
  }), std::runtime_error);
  std::atomic<std::size_t> total{0};
  pool.parallel_for(10, 1, [&](std::size_t begin, std::size_t end) { total += end - begin; });
  CHECK(total == 10);
}
