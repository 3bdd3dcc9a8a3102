#include "service/scheduler.h"

#include <algorithm>

namespace ciiscope::service {

namespace {

bool InScope(const KeyPeriod& k, const std::string& profile) {
  return k.scope.empty() || std::find(k.scope.begin(), k.scope.end(), profile) != k.scope.end();
}

}  // namespace

int64_t NextOnCadence(const Cadence& cadence, int64_t after_ms) {
  if (cadence.cron) return cadence.cron->Next(after_ms, cadence.tz);
  if (cadence.every_seconds <= 0) return 0;
  const int64_t step = cadence.every_seconds * 1000;
  int64_t k = after_ms >= 0 ? after_ms / step + 1 : -((-after_ms) / step) + 1;
  return k * step;
}

const KeyPeriod* Scheduler::ActiveKeyPeriod(const std::string& profile, int64_t t_ms) const {
  for (const auto& k : config_.key_periods) {
    if (InScope(k, profile) && t_ms >= k.from * 1000 && t_ms < k.to * 1000) return &k;
  }
  return nullptr;
}

int64_t Scheduler::NextFire(const Schedule& s, int64_t after_ms, std::string* key_period,
                            bool* baseline) const {
  int64_t best = 0;
  std::string best_kp;
  bool best_baseline = false;
  auto offer = [&](int64_t t, const std::string& kp, bool base) {
    if (t > after_ms && (best == 0 || t < best)) {
      best = t;
      best_kp = kp;
      best_baseline = base;
    }
  };
  // The schedule's own cadence, skipping firings inside overriding key periods.
  int64_t t = after_ms;
  for (int guard = 0; guard < 100000; ++guard) {
    t = NextOnCadence(s.cadence, t);
    if (t == 0) break;
    const KeyPeriod* k = ActiveKeyPeriod(s.profile, t);
    if (k == nullptr || !k->cadence) {
      offer(t, "", false);
      break;
    }
    t = k->to * 1000 - 1;  // jump to the end of the window
  }
  // Key periods: the baseline run at the start, then their cadence inside.
  for (const auto& k : config_.key_periods) {
    if (!InScope(k, s.profile)) continue;
    const int64_t from = k.from * 1000, to = k.to * 1000;
    if (to <= after_ms + 1) continue;
    offer(from, k.name, true);
    if (!k.cadence) continue;
    int64_t kt = NextOnCadence(*k.cadence, std::max(after_ms, from));
    if (kt != 0 && kt < to && kt > from) offer(kt, k.name, false);
  }
  if (key_period) *key_period = best_kp;
  if (baseline) *baseline = best_baseline;
  return best;
}

std::vector<DueJob> Scheduler::Due(int64_t now_ms, std::map<std::string, int64_t>& last_ms,
                                   int64_t grace_ms) const {
  std::vector<DueJob> jobs;
  for (const auto& s : config_.schedules) {
    auto it = last_ms.find(s.name);
    if (it == last_ms.end()) {
      last_ms[s.name] = now_ms;
      continue;
    }
    DueJob job;
    int64_t first = NextFire(s, it->second, &job.key_period, &job.baseline);
    if (first == 0 || first > now_ms) continue;
    job.schedule = s.name;
    job.profile = s.profile;
    job.due_ms = first;
    // Count (boundedly) how many firings the one job stands for.
    int64_t t = first;
    std::string kp;
    bool base = false;
    for (int i = 0; i < 10000; ++i) {
      int64_t n = NextFire(s, t, &kp, &base);
      if (n == 0 || n > now_ms) break;
      ++job.missed;
      t = n;
      if (base) {
        job.baseline = true;  // a key period began during the downtime
        job.key_period = kp;
      }
    }
    job.catch_up = job.missed > 0 || now_ms - first > grace_ms;
    if (job.key_period.empty()) {
      if (const KeyPeriod* k = ActiveKeyPeriod(s.profile, now_ms)) job.key_period = k->name;
    }
    it->second = now_ms;
    jobs.push_back(std::move(job));
  }
  return jobs;
}

int64_t Scheduler::NextWake(int64_t now_ms) const {
  int64_t best = 0;
  for (const auto& s : config_.schedules) {
    int64_t t = NextFire(s, now_ms);
    if (t != 0 && (best == 0 || t < best)) best = t;
  }
  return best;
}

}  // namespace ciiscope::service
