#include "app/progress.h"

#include <unistd.h>

#include <cstdio>

namespace ciiscope::app {

ProgressLine::ProgressLine(std::string label)
    : label_(std::move(label)), enabled_(isatty(STDERR_FILENO) == 1) {}

void ProgressLine::Update(uint64_t done, uint64_t total, uint64_t open, double rate) {
  if (!enabled_) return;
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(200) && done < total) return;
  last_ = now;
  drawn_ = true;
  double pct = total ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 0;
  double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
  std::fprintf(stderr, "\r\033[K%s: %llu/%llu (%.1f%%)  %.0f/s  open %llu  ETA %.0fs",
               label_.c_str(), static_cast<unsigned long long>(done),
               static_cast<unsigned long long>(total), pct, rate,
               static_cast<unsigned long long>(open), eta);
  std::fflush(stderr);
}

void ProgressLine::Finish() {
  if (!enabled_) return;
  std::lock_guard lock(mu_);
  if (drawn_) std::fprintf(stderr, "\r\033[K");
  drawn_ = false;
}

}  // namespace ciiscope::app
