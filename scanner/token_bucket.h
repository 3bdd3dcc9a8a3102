#pragma once
// A token bucket for --rate: `rate` tokens per second, at most `burst`
// saved up. Not thread-safe: one per sweeper thread (each gets its share of
// the rate). rate <= 0 means unlimited.

#include <algorithm>
#include <chrono>

namespace ciiscope::scanner {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(double rate, double burst, Clock::time_point now)
      : rate_(rate), burst_(std::max(1.0, burst)), tokens_(std::min(1.0, burst_)), last_(now) {}

  bool unlimited() const { return rate_ <= 0; }

  // Takes one token if there is one.
  bool Take(Clock::time_point now) {
    if (unlimited()) return true;
    Refill(now);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

  // True when a token is there (takes none).
  bool Ready(Clock::time_point now) {
    if (unlimited()) return true;
    Refill(now);
    return tokens_ >= 1.0;
  }

  // How long until a token is there (zero when one is).
  Clock::duration Wait(Clock::time_point now) {
    if (unlimited()) return Clock::duration::zero();
    Refill(now);
    if (tokens_ >= 1.0) return Clock::duration::zero();
    return std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>((1.0 - tokens_) / rate_));
  }

 private:
  void Refill(Clock::time_point now) {
    double seconds = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    tokens_ = std::min(burst_, tokens_ + seconds * rate_);
  }

  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace ciiscope::scanner
