#include "scanner/rate_gate.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace ciiscope::scanner {

RateGate::RateGate(double rate, const std::vector<double>& unit_rates, double share,
                   Clock::time_point now)
    : global_(rate * share, rate * share / 100, now) {
  units_.reserve(unit_rates.size());
  for (double r : unit_rates) {
    units_.emplace_back(r * share, r * share / 100, now);
    if (r > 0) any_unit_limited_ = true;
  }
}

bool RateGate::Limited(int32_t unit) const {
  return unit >= 0 && static_cast<size_t>(unit) < units_.size() &&
         !units_[static_cast<size_t>(unit)].unlimited();
}

bool RateGate::GlobalReady(Clock::time_point now) { return global_.Ready(now); }

bool RateGate::TryTake(int32_t unit, Clock::time_point now) {
  if (!Limited(unit)) return global_.Take(now);
  TokenBucket& u = units_[static_cast<size_t>(unit)];
  if (!u.Ready(now) || !global_.Ready(now)) return false;
  global_.Take(now);
  u.Take(now);
  return true;
}

RateGate::Clock::duration RateGate::Wait(int32_t unit, Clock::time_point now) {
  Clock::duration w = global_.Wait(now);
  if (Limited(unit)) w = std::max(w, units_[static_cast<size_t>(unit)].Wait(now));
  return w;
}

void DeferredProbes::Push(int32_t unit, uint64_t value) {
  const auto i = static_cast<size_t>(std::max<int32_t>(unit, -1) + 1);
  if (queues_.size() <= i) queues_.resize(i + 1);
  Queue& q = queues_[i];
  q.values.push_back(value);
  if (!q.active) {
    q.active = true;
    active_.push_back(unit < 0 ? -1 : unit);
  }
  ++size_;
}

DeferredProbes::Clock::duration DeferredProbes::Wait(RateGate& gate, Clock::time_point now) const {
  Clock::duration w = Clock::duration::max();
  for (int32_t u : active_) w = std::min(w, gate.Wait(u, now));
  return w;
}

std::optional<uint64_t> DeferredProbes::Min() const {
  std::optional<uint64_t> m;
  for (int32_t u : active_) {
    const auto& values = queues_[static_cast<size_t>(u + 1)].values;
    if (!values.empty() && (!m || values.front() < *m)) m = values.front();
  }
  return m;
}

Status ValidateUnitRates(const std::vector<int32_t>& target_unit, const std::vector<double>& unit_rates,
                         size_t targets) {
  if (!target_unit.empty() && target_unit.size() != targets) {
    return Error(ErrorCode::kInvalidArgument, "unit map has " + std::to_string(target_unit.size()) +
                                                  " entries for " + std::to_string(targets) + " targets");
  }
  for (int32_t u : target_unit) {
    if (u < -1 || (u >= 0 && static_cast<size_t>(u) >= unit_rates.size())) {
      return Error(ErrorCode::kInvalidArgument, "unit map names unit " + std::to_string(u) + " of " +
                                                    std::to_string(unit_rates.size()));
    }
  }
  for (double r : unit_rates) {
    if (!(r >= 0)) return Error(ErrorCode::kInvalidArgument, "--unit-rate must be >= 0 (0 = unlimited)");
  }
  return Ok();
}

std::vector<int32_t> AssignUnits(const std::vector<Target>& targets,
                                 const std::vector<std::vector<core::Cidr>>& unit_cidrs) {
  // (prefix, network) → unit; prefixes longest first, per family.
  std::map<std::pair<int, core::IpAddress>, int32_t> blocks;
  std::set<int, std::greater<>> v4_prefixes, v6_prefixes;
  for (size_t u = 0; u < unit_cidrs.size(); ++u) {
    for (const auto& c : unit_cidrs[u]) {
      blocks.emplace(std::pair{c.prefix(), c.network()}, static_cast<int32_t>(u));
      (c.network().is_v4() ? v4_prefixes : v6_prefixes).insert(c.prefix());
    }
  }
  std::vector<int32_t> out(targets.size(), -1);
  if (blocks.empty()) return out;
  for (size_t i = 0; i < targets.size(); ++i) {
    const core::IpAddress& a = targets[i].address;
    for (int prefix : a.is_v4() ? v4_prefixes : v6_prefixes) {
      auto it = blocks.find({prefix, core::Cidr(a, prefix).network()});
      if (it != blocks.end()) {
        out[i] = it->second;
        break;
      }
    }
  }
  return out;
}

UnitPacing PlanUnitPacing(const std::vector<Target>& targets, const std::vector<UnitPace>& units,
                          double default_rate) {
  UnitPacing plan;
  std::vector<std::vector<core::Cidr>> pacing_cidrs(units.size());
  std::vector<double> rates(units.size(), 0);
  bool any = false;
  for (size_t u = 0; u < units.size(); ++u) {
    const double own = units[u].rate;
    rates[u] = own > 0 && default_rate > 0 ? std::min(own, default_rate) : std::max(own, default_rate);
    if (rates[u] > 0) {
      pacing_cidrs[u] = units[u].cidrs;
      any = true;
    }
  }
  if (!any) return plan;
  plan.target_unit = AssignUnits(targets, pacing_cidrs);
  plan.unit_rates = std::move(rates);
  return plan;
}

}  // namespace ciiscope::scanner
