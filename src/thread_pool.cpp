#include "xnor/thread_pool.hpp"

namespace xnor {

ThreadPool::ThreadPool(std::size_t threads) {
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

void ThreadPool::parallel_for(std::size_t n, std::size_t grain,
                              const std::function<void(std::size_t, std::size_t)>& body) {
  if (n == 0) return;
  grain = grain == 0 ? 1 : grain;
  const std::size_t units = (n + grain - 1) / grain;
  const std::size_t threads = std::min(size(), units);
  std::vector<std::pair<std::size_t, std::size_t>> chunks;
  for (std::size_t t = 0, begin = 0; t < threads; ++t) {
    const std::size_t end = std::min(n, (units * (t + 1) / threads) * grain);
    chunks.emplace_back(begin, end);
    begin = end;
  }
  {
    std::lock_guard lock(mutex_);
    body_ = &body;
    chunks_ = chunks;
    chunks_.resize(size(), {0, 0});
    pending_ = workers_.size();
    error_ = nullptr;
    ++generation_;
  }
  start_.notify_all();
  std::exception_ptr own_error;
  try {
    if (chunks[0].second > chunks[0].first) body(chunks[0].first, chunks[0].second);
  } catch (...) {
    own_error = std::current_exception();
  }
  std::unique_lock lock(mutex_);
  done_.wait(lock, [this] { return pending_ == 0; });
  body_ = nullptr;
  if (own_error) std::rethrow_exception(own_error);
  if (error_) std::rethrow_exception(error_);
}

void ThreadPool::worker_loop(std::size_t index) {
  std::size_t seen = 0;
  std::unique_lock lock(mutex_);
  for (;;) {
    start_.wait(lock, [&] { return stopping_ || generation_ != seen; });
    if (stopping_) return;
    seen = generation_;
    const auto [begin, end] = chunks_[index];
    const auto* body = body_;
    lock.unlock();
    std::exception_ptr error;
    try {
      if (end > begin) (*body)(begin, end);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    if (error && !error_) error_ = error;
    if (--pending_ == 0) done_.notify_one();
  }
}

}  // namespace xnor
