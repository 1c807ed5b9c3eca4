#pragma once
// A progress bar on stderr for long commands, drawn only when stderr is a terminal (so logs and pipes get
// none of it). Several threads may advance it at once.
#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>

namespace xnor::cli {

class ProgressBar {
 public:
  ProgressBar(std::string label, std::size_t total);
  ~ProgressBar();  // erases the bar
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void advance(std::size_t count = 1);

 private:
  void draw(std::size_t advanced);

  std::string label_;
  std::size_t total_;
  bool shown_;
  std::atomic<std::size_t> done_{0};
  std::mutex drawing_;
  std::size_t drawn_permille_ = 0;
};

}  // namespace xnor::cli
