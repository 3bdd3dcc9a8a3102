#pragma once
// A one-line progress display on a terminal (stderr), silent otherwise.
// Update() is called from engine threads; it redraws at most 5 times a second.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace ciiscope::app {

class ProgressLine {
 public:
  explicit ProgressLine(std::string label);
  void Update(uint64_t done, uint64_t total, uint64_t open, double rate);
  void Finish();  // clears the line

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::mutex mu_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace ciiscope::app
