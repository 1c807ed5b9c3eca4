#pragma once
// A small pool of std::threads that splits a range of work items into contiguous chunks, one per thread,
// and waits for all of them. A network's layers take tens to hundreds of microseconds, about what waking a
// sleeping thread costs, so workers and the caller first spin briefly on an atomic before they sleep.
// One caller at a time. Layers split their output rows this way, so every output is computed by
// exactly the same code whatever the thread count: results are identical for any number of threads.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace xnor {

// The work of a parallel_for, body(begin, end), borrowed rather than copied: no allocation per call, whatever
// the callable captures. It refers to the callable, which must outlive it (a lambda passed straight to
// parallel_for does).
class RangeFunction {
 public:
  template <class F>
  RangeFunction(const F& body)  // NOLINT(google-explicit-constructor): lambdas convert as to std::function
      : body_(&body), call_([](const void* f, std::size_t begin, std::size_t end) {
          (*static_cast<const F*>(f))(begin, end);
        }) {}
  void operator()(std::size_t begin, std::size_t end) const { call_(body_, begin, end); }

 private:
  const void* body_;
  void (*call_)(const void*, std::size_t, std::size_t);
};

class ThreadPool {
 public:
  // threads: how many threads share the work, the caller's included (so 1 starts no thread).
  explicit ThreadPool(std::size_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  std::size_t size() const { return workers_.size() + 1; }

  // Calls body(begin, end) on disjoint chunks covering [0, n), at most one chunk per thread, and returns
  // when all are done. Chunks are multiples of `grain` items (but the last). An exception thrown by a
  // chunk is rethrown here.
  void parallel_for(std::size_t n, std::size_t grain, RangeFunction body);

 private:
  void worker_loop(std::size_t index);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable start_, done_;
  const RangeFunction* body_ = nullptr;
  std::vector<std::pair<std::size_t, std::size_t>> chunks_;  // one per thread, the caller's first
  std::atomic<std::size_t> generation_{0}, pending_{0};
  std::exception_ptr error_;
  bool stopping_ = false;
};

// Runs body over [0, n) on `pool`, or on the calling thread when pool is null.
inline void parallel_for(ThreadPool* pool, std::size_t n, std::size_t grain, RangeFunction body) {
  if (pool == nullptr || pool->size() == 1 || n <= grain) {
    if (n > 0) body(0, n);
  } else {
    pool->parallel_for(n, grain, body);
  }
}

}  // namespace xnor
