#include "scanner/connect_sweeper.h"

#include <errno.h>

#include <algorithm>
#include <spdlog/spdlog.h>


namespace ciiscope::scanner {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kMaxWait{20};
constexpr milliseconds kShortPause{5};    // out of descriptors, others still in flight
constexpr milliseconds kLongPause{50};    // out of descriptors, nothing in flight
constexpr int kMaxShortages = 200;        // with nothing in flight: give the position up

bool IsLocalShortage(int error) {
  return error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM ||
         error == EADDRNOTAVAIL || error == EAGAIN;
}

}  // namespace

void ConnectSweeper::Return(size_t local) {
  std::lock_guard lock(returned_mu_);
  returned_.push_back(static_cast<uint32_t>(local));
}

void ConnectSweeper::Launch(uint32_t local) {
  const SweepState::Pair pair = state_.PairAt(state_.PositionOf(config_.first_slot + local));
  sockaddr_storage addr{};
  socklen_t len = state_.targets()[pair.target_index].address.ToSockaddr(pair.port, &addr);
  slots_[local].start = Clock::now();
  std::optional<int> immediate = io_->Start(local, addr, len);
  if (immediate) {
    Complete(local, *immediate);
  } else {
    ++in_flight_;
  }
}

int32_t ConnectSweeper::UnitOf(uint32_t local) const {
  const auto& units = state_.options().target_unit;
  if (units.empty()) return -1;
  return units[state_.PairAt(state_.PositionOf(config_.first_slot + local)).target_index];
}

void ConnectSweeper::LaunchOrPark(uint32_t local, Clock::time_point now) {
  const int32_t unit = gate_->any_unit_limited() ? UnitOf(local) : -1;
  if (gate_->TryTake(unit, now)) {
    Launch(local);
  } else {
    parked_.Push(unit, local);
  }
}

void ConnectSweeper::Complete(uint32_t local, int error) {
  const size_t slot = config_.first_slot + local;
  Slot& s = slots_[local];
  if (IsLocalShortage(error)) {
    if (in_flight_ == 0 && handed_off_ == 0 && ++shortage_streak_ > kMaxShortages) {
      const auto pair = state_.PairAt(state_.PositionOf(slot));
      spdlog::warn("connect {}:{}: still out of descriptors/ports after {} tries; skipped",
                   state_.targets()[pair.target_index].address.ToString(), pair.port, kMaxShortages);
      state_.Abandon(slot);
      shortage_streak_ = 0;
    } else {
      state_.GiveBack(slot);
    }
    pause_until_ = Clock::now() + (in_flight_ > 0 ? kShortPause : kLongPause);
    free_.push_back(local);
    return;
  }
  shortage_streak_ = 0;
  if (error == ETIMEDOUT && s.attempt < config_.retries) {
    ++s.attempt;
    LaunchOrPark(local, Clock::now());
    return;
  }
  if (error == 0) {
    double rtt_ms = std::chrono::duration<double, std::milli>(Clock::now() - s.start).count();
    state_.Finish(slot, PortState::kOpen, rtt_ms, /*keep_slot=*/true);
    if (config_.on_open && config_.on_open(slot, local)) {
      ++handed_off_;
      return;
    }
    state_.Release(slot);
  } else {
    state_.Finish(slot, error == ECONNREFUSED ? PortState::kClosed : PortState::kFiltered, 0);
  }
  free_.push_back(local);
}

Status ConnectSweeper::Run() {
  // Made here: an io_uring ring set up with SINGLE_ISSUER belongs to the
  // thread that made it.
  auto io = MakeConnectIo(config_.io, config_.slots, config_.timeout);
  if (config_.backends_made != nullptr) config_.backends_made->arrive_and_wait();
  if (!io) return std::move(io).error();
  io_ = std::move(*io);
  io_name_ = io_->name();
  slots_.assign(config_.slots, Slot{});
  free_.clear();
  for (size_t i = config_.slots; i-- > 0;) free_.push_back(static_cast<uint32_t>(i));
  const ScanOptions& options = state_.options();
  gate_.emplace(options.rate, options.unit_rates, config_.share, Clock::now());
  std::vector<ConnectOutcome> outcomes;

  while (true) {
    {
      std::lock_guard lock(returned_mu_);
      for (uint32_t local : returned_) free_.push_back(local);
      handed_off_ -= returned_.size();
      returned_.clear();
    }
    if (config_.stop->load(std::memory_order_relaxed)) {
      io_->CancelAll();  // their positions stay in their slots: pending
      break;
    }
    auto now = Clock::now();
    bool exhausted = false;
    bool starved = false;  // out of global tokens
    if (!parked_.empty() && now >= pause_until_) {
      parked_.Release(*gate_, now, [&](uint64_t local) { Launch(static_cast<uint32_t>(local)); });
    }
    while (!free_.empty() && now >= pause_until_) {
      if (!gate_->GlobalReady(now)) {
        starved = true;
        break;
      }
      uint32_t local = free_.back();
      if (!state_.Claim(config_.first_slot + local)) {
        exhausted = true;
        break;
      }
      free_.pop_back();
      slots_[local].attempt = 0;
      LaunchOrPark(local, now);
    }
    if (exhausted && in_flight_ == 0 && handed_off_ == 0 && parked_.empty()) break;

    milliseconds wait = kMaxWait;
    if (starved) {
      wait = std::min(wait, std::chrono::ceil<milliseconds>(gate_->Wait(-1, Clock::now())));
    }
    if (!parked_.empty()) {
      wait = std::min(wait, std::chrono::ceil<milliseconds>(parked_.Wait(*gate_, Clock::now())));
    }
    if (pause_until_ > now) {
      wait = std::min(wait, std::chrono::ceil<milliseconds>(pause_until_ - now));
    }
    if (in_flight_ == 0 && !free_.empty() && !starved && pause_until_ <= now && !exhausted) {
      wait = milliseconds(0);
    }
    outcomes.clear();
    io_->Poll(wait, outcomes);
    in_flight_ -= outcomes.size();
    for (const auto& o : outcomes) Complete(o.local, o.error);
  }
  io_.reset();
  return Ok();
}

}  // namespace ciiscope::scanner
