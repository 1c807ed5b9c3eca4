#include "src/cli/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <utility>

namespace xnor::cli {
namespace {

constexpr std::size_t bar_width = 30;

}  // namespace

ProgressBar::ProgressBar(std::string label, std::size_t total)
    : label_(std::move(label)), total_(total), shown_(total > 0 && isatty(STDERR_FILENO) == 1) {
  if (shown_) draw(0);
}

ProgressBar::~ProgressBar() {
  if (shown_) std::fprintf(stderr, "\r\033[K");
}

void ProgressBar::advance(std::size_t count) {
  const std::size_t done = done_.fetch_add(count, std::memory_order_relaxed) + count;
  if (!shown_) return;
  // Redraw only when a tenth of a percent more is done, and never wait for another thread's drawing.
  std::unique_lock lock(drawing_, std::try_to_lock);
  if (lock.owns_lock() && done * 1000 / total_ > drawn_permille_) draw(done);
}

void ProgressBar::draw(std::size_t advanced) {
  const std::size_t done = std::min(advanced, total_);
  drawn_permille_ = done * 1000 / total_;
  const std::size_t filled = done * bar_width / total_;
  const std::string bar = std::string(filled, '#') + std::string(bar_width - filled, ' ');
  std::fprintf(stderr, "\r%s [%s] %3zu%% %zu/%zu", label_.c_str(), bar.c_str(), done * 100 / total_, done, total_);
  std::fflush(stderr);
}

}  // namespace xnor::cli
