#include "scanner/sweep_state.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "scanner/evidence.h"

namespace ciiscope::scanner {
namespace {
constexpr uint64_t kIdle = ~uint64_t{0};
}

SweepState::SweepState(const std::vector<Target>& targets, const ScanOptions& options,
                       inventory::EvidenceSink& sink, size_t slots)
    : targets_(targets), options_(options), sink_(sink),
      order_(static_cast<uint64_t>(targets.size()) * options.ports.size(), options.seed),
      total_(ShardSize(static_cast<uint64_t>(targets.size()) * options.ports.size(), options.shard)),
      slots_(slots), host_seen_(new std::atomic<bool>[targets.size()]) {
  for (size_t i = 0; i < targets.size(); ++i) host_seen_[i] = false;
  for (auto& slot : slots_) slot = kIdle;
  if (options.resume) {
    next_ = std::min(options.resume->next, total_);
    for (uint64_t p : options.resume->pending) {
      if (p < next_) redo_.push_back(p);
    }
    std::sort(redo_.rbegin(), redo_.rend());  // lowest first
    done_ = options.resume->done;
    open_ = options.resume->open;
    closed_ = options.resume->closed;
    filtered_ = options.resume->filtered;
  }
}

std::optional<uint64_t> SweepState::Claim(size_t slot) {
  std::lock_guard<std::mutex> lock(claim_mu_);
  uint64_t position;
  if (!redo_.empty()) {
    position = redo_.back();
    redo_.pop_back();
  } else if (next_ < total_) {
    position = next_++;
  } else {
    return std::nullopt;
  }
  slots_[slot].store(position);
  return position;
}

void SweepState::GiveBack(size_t slot) {
  std::lock_guard<std::mutex> lock(claim_mu_);
  uint64_t position = slots_[slot].exchange(kIdle);
  if (position != kIdle) redo_.push_back(position);
}

SweepState::Pair SweepState::PairAt(uint64_t position) const {
  const auto& ports = options_.ports.ports();
  uint64_t pair = order_(ShardPosition(position, options_.shard));
  return {static_cast<size_t>(pair / ports.size()), ports[pair % ports.size()]};
}

void SweepState::RecordHostUp(size_t target_index) {
  if (host_seen_[target_index].exchange(true)) return;
  auto obs = MakeObservation(targets_[target_index], 0, "host_up");
  obs.data_json = R"({"reason":"tcp-connect"})";
  sink_.Record(std::move(obs));
}

void SweepState::Finish(size_t slot, PortState state, double rtt_ms, bool keep_slot) {
  Pair pair = PairAt(slots_[slot].load());
  switch (state) {
    case PortState::kClosed:
      closed_.fetch_add(1, std::memory_order_relaxed);
      RecordHostUp(pair.target_index);
      break;
    case PortState::kFiltered:
      filtered_.fetch_add(1, std::memory_order_relaxed);
      break;
    case PortState::kOpen: {
      open_.fetch_add(1, std::memory_order_relaxed);
      RecordHostUp(pair.target_index);
      auto obs = MakeObservation(targets_[pair.target_index], pair.port, "port_state");
      obs.state = "open";
      char rtt[32];
      std::snprintf(rtt, sizeof(rtt), "%.1f", std::round(rtt_ms * 10) / 10);
      obs.data_json = std::string(R"({"state":"open","reason":"syn-ack","rtt_ms":)") + rtt + "}";
      sink_.Record(std::move(obs));
      break;
    }
  }
  if (!keep_slot) Release(slot);
}

void SweepState::Release(size_t slot) {
  done_.fetch_add(1, std::memory_order_relaxed);
  slots_[slot].store(kIdle);
}

void SweepState::Abandon(size_t slot) { slots_[slot].store(kIdle); }

SweepCheckpoint SweepState::Snapshot() {
  std::lock_guard<std::mutex> lock(claim_mu_);
  SweepCheckpoint cp;
  cp.next = next_;
  cp.pending = redo_;
  for (const auto& slot : slots_) {
    uint64_t p = slot.load();
    if (p != kIdle) cp.pending.push_back(p);
  }
  std::sort(cp.pending.begin(), cp.pending.end());
  cp.done = done_.load();
  cp.open = open_.load();
  cp.closed = closed_.load();
  cp.filtered = filtered_.load();
  return cp;
}

}  // namespace ciiscope::scanner
