#include "xnor/thread_pool.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace xnor {
namespace {

// About 50-100 microseconds of spinning before a thread sleeps on a condition variable.
constexpr int spin_iterations = 1 << 14;

inline void cpu_relax() {
#if defined(__x86_64__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

template <class Done>
bool spin_until(Done done) {
  for (int i = 0; i < spin_iterations; ++i) {
    if (done()) return true;
    cpu_relax();
  }
  return false;
}

}  // namespace

ThreadPool::ThreadPool(std::size_t threads) : chunks_(std::max<std::size_t>(threads, 1)) {
  for (std::size_t i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  start_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void ThreadPool::parallel_for(std::size_t n, std::size_t grain, RangeFunction body) {
  if (n == 0) return;
  grain = grain == 0 ? 1 : grain;
  const std::size_t units = (n + grain - 1) / grain;
  const std::size_t threads = std::min(size(), units);
  std::pair<std::size_t, std::size_t> own_chunk;
  {
    std::lock_guard lock(mutex_);
    for (std::size_t t = 0, begin = 0; t < chunks_.size(); ++t) {
      const std::size_t end = t < threads ? std::min(n, (units * (t + 1) / threads) * grain) : begin;
      chunks_[t] = {begin, end};
      begin = end;
    }
    own_chunk = chunks_[0];
    body_ = &body;
    pending_.store(workers_.size(), std::memory_order_relaxed);
    error_ = nullptr;
    generation_.fetch_add(1, std::memory_order_release);
  }
  start_.notify_all();
  std::exception_ptr own_error;
  try {
    if (own_chunk.second > own_chunk.first) body(own_chunk.first, own_chunk.second);
  } catch (...) {
    own_error = std::current_exception();
  }
  const auto all_done = [this] { return pending_.load(std::memory_order_acquire) == 0; };
  spin_until(all_done);
  std::unique_lock lock(mutex_);
  done_.wait(lock, all_done);
  body_ = nullptr;
  if (own_error) std::rethrow_exception(own_error);
  if (error_) std::rethrow_exception(error_);
}

void ThreadPool::worker_loop(std::size_t index) {
  std::size_t seen = 0;
  for (;;) {
    const auto started = [&] { return generation_.load(std::memory_order_acquire) != seen; };
    spin_until(started);
    std::unique_lock lock(mutex_);
    start_.wait(lock, [&] { return stopping_ || started(); });
    if (stopping_) return;
    seen = generation_.load(std::memory_order_relaxed);
    const auto [begin, end] = chunks_[index];
    const auto* body = body_;
    lock.unlock();
    std::exception_ptr error;
    try {
      if (end > begin) (*body)(begin, end);
    } catch (...) {
      error = std::current_exception();
    }
    if (error) {
      std::lock_guard error_lock(mutex_);
      if (!error_) error_ = error;
    }
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard done_lock(mutex_);
      done_.notify_one();
    }
  }
}

}  // namespace xnor
