// Assessment benchmark driver (see run.sh).
//   assess_bench gen DB N [SEED]      write N generated services into a new inventory (one scan)
//   assess_bench eval RULES N [SEED]  evaluate all packs over N generated services in memory,
//                                     streamed (one service's facts alive at a time); prints
//                                     evaluations/s (one thread) and peak RSS
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "assessor/assessor.h"
#include "core/clock.h"
#include "inventory/store/store.h"
#include "rulelang/rule.h"
#include "service_gen.h"

namespace {

using namespace ciiscope;

long PeakRssKiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

int Gen(const std::string& db, uint64_t n, uint64_t seed) {
  auto store = inventory::Store::Open(db);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().message().c_str());
    return 1;
  }
  inventory::Scan scan;
  scan.started_at = core::NowMillis();
  scan.status = "running";
  auto id = (*store)->CreateScan(scan);
  if (!id) return 1;
  bench::ServiceGenerator gen(seed);
  std::vector<inventory::Observation> batch;
  for (uint64_t i = 0; i < n; ++i) {
    for (auto& o : gen.Next(i)) batch.push_back(std::move(o));
    if (batch.size() >= 4000 || i + 1 == n) {
      if (auto st = (*store)->RecordObservations(*id, batch); !st) {
        std::fprintf(stderr, "%s\n", st.error().message().c_str());
        return 1;
      }
      batch.clear();
    }
  }
  if (!(*store)->FinishScan(*id, "done", "{}")) return 1;
  std::printf("generated %llu services in scan %lld of %s\n", static_cast<unsigned long long>(n),
              static_cast<long long>(*id), db.c_str());
  return 0;
}

int Eval(const std::string& rules_dir, uint64_t n, uint64_t seed) {
  auto set = rulelang::LoadRuleDir(rules_dir);
  if (!set.errors.empty()) {
    std::fprintf(stderr, "%s\n", set.errors.front().message().c_str());
    return 1;
  }
  const assessor::RulePlan plan = assessor::PlanRules(set.rules);
  bench::ServiceGenerator gen(seed);
  // Generation and JSON encoding are outside the timed region per service;
  // BuildFacts (decoding evidence into facts) is inside, as in Assess.
  std::chrono::nanoseconds timed{0};
  uint64_t evaluations = 0, matches = 0, identified = 0;
  inventory::Asset asset;
  inventory::Service service;
  service.transport = "tcp";
  service.state = "open";
  std::vector<inventory::Evidence> evidence;
  for (uint64_t i = 0; i < n; ++i) {
    auto obs = gen.Next(i);
    evidence = bench::AsEvidence(obs);
    asset.address = obs[0].address;
    service.port = obs[0].port;
    service.transport = obs[0].transport;
    auto start = std::chrono::steady_clock::now();
    nlohmann::json facts = assessor::BuildFacts(asset, service, evidence);
    evaluations += assessor::EvaluateService(
        plan, facts, [&](const rulelang::Rule&) { ++identified; }, [&](const rulelang::Rule&) { ++matches; });
    timed += std::chrono::steady_clock::now() - start;
  }
  double secs = std::chrono::duration<double>(timed).count();
  std::printf(
      "rules: %zu fingerprint, %zu identify, %zu check | services: %llu | evaluations: %llu | "
      "check matches: %llu | identify matches: %llu | seconds: %.3f | evals/s: %.0f | peak RSS KiB: %ld\n",
      plan.fingerprints.size(), plan.identifies.size(), plan.checks.size(), static_cast<unsigned long long>(n),
      static_cast<unsigned long long>(evaluations), static_cast<unsigned long long>(matches),
      static_cast<unsigned long long>(identified), secs, secs > 0 ? evaluations / secs : 0.0, PeakRssKiB());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s gen DB N [SEED] | eval RULES_DIR N [SEED]\n", argv[0]);
    return 2;
  }
  std::string mode = argv[1];
  uint64_t n = std::stoull(argv[3]);
  uint64_t seed = argc > 4 ? std::stoull(argv[4]) : 1;
  if (mode == "gen") return Gen(argv[2], n, seed);
  if (mode == "eval") return Eval(argv[2], n, seed);
  std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
  return 2;
}
