// Fingerprint matching benchmark (see run.sh):
//   fingerprint_bench RULES_DIR N [SEED]
// Builds the facts of N generated services (bench/assess/service_gen: real
// banners, campus pages, headers), then applies the shipped fingerprint pack
// to every one two ways — rule by rule (ApplyFingerprint on each, the old
// path) and through rulelang::RuleIndex (one RE2::Set per evidence field) —
// with the pack as shipped and duplicated ×4 (same rules, new ids). Both ways
// must leave identical facts (checked, not timed). Prints µs per service,
// the speed-up, and the growth ×4/×1 of each path.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "assessor/assessor.h"
#include "rulelang/rule.h"
#include "rulelang/rule_index.h"
#include "service_gen.h"

namespace {

using namespace ciiscope;
using Clock = std::chrono::steady_clock;

double PerRuleSeconds(const std::vector<const rulelang::Rule*>& pack, std::vector<nlohmann::json> work) {
  auto start = Clock::now();
  for (auto& facts : work) {
    for (const auto* rule : pack) rulelang::ApplyFingerprint(*rule, facts);
  }
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double IndexSeconds(const rulelang::RuleIndex& index, std::vector<nlohmann::json> work, size_t* evaluated) {
  auto start = Clock::now();
  for (auto& facts : work) *evaluated += index.Apply(facts);
  return std::chrono::duration<double>(Clock::now() - start).count();
}

bool SameResults(const std::vector<const rulelang::Rule*>& pack, const rulelang::RuleIndex& index,
                 const std::vector<nlohmann::json>& facts) {
  for (const auto& f : facts) {
    nlohmann::json a = f, b = f;
    for (const auto* rule : pack) rulelang::ApplyFingerprint(*rule, a);
    index.Apply(b);
    if (a != b) {
      std::fprintf(stderr, "MISMATCH on %s\n", f.dump().substr(0, 400).c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s RULES_DIR N [SEED]\n", argv[0]);
    return 2;
  }
  const uint64_t n = std::stoull(argv[2]);
  const uint64_t seed = argc > 3 ? std::stoull(argv[3]) : 1;
  auto set = rulelang::LoadRuleDir(argv[1]);
  if (!set.errors.empty()) {
    std::fprintf(stderr, "%s\n", set.errors.front().message().c_str());
    return 1;
  }
  std::vector<rulelang::Rule> x4;  // the pack ×4: copies with new ids
  for (int copy = 0; copy < 4; ++copy) {
    for (const auto& r : set.rules) {
      if (r.kind != rulelang::RuleKind::kFingerprint) continue;
      x4.push_back(r);
      if (copy > 0) x4.back().id += "#" + std::to_string(copy);
    }
  }
  std::vector<const rulelang::Rule*> pack4;
  for (const auto& r : x4) pack4.push_back(&r);
  const std::vector<const rulelang::Rule*> pack1(pack4.begin(), pack4.begin() + pack4.size() / 4);

  bench::ServiceGenerator gen(seed);
  std::vector<nlohmann::json> facts;
  inventory::Asset asset;
  inventory::Service service;
  service.state = "open";
  for (uint64_t i = 0; i < n; ++i) {
    auto obs = gen.Next(i);
    const std::vector<inventory::Evidence> evidence = bench::AsEvidence(obs);
    asset.address = obs[0].address;
    service.port = obs[0].port;
    service.transport = obs[0].transport;
    facts.push_back(assessor::BuildFacts(asset, service, evidence));
  }

  auto build_start = Clock::now();
  const rulelang::RuleIndex index1(pack1);
  const double build1 = std::chrono::duration<double>(Clock::now() - build_start).count();
  build_start = Clock::now();
  const rulelang::RuleIndex index4(pack4);
  const double build4 = std::chrono::duration<double>(Clock::now() - build_start).count();
  if (!SameResults(pack1, index1, facts) || !SameResults(pack4, index4, facts)) return 1;

  size_t eval1 = 0, eval4 = 0;
  const double old1 = PerRuleSeconds(pack1, facts);
  const double set1 = IndexSeconds(index1, facts, &eval1);
  const double old4 = PerRuleSeconds(pack4, facts);
  const double set4 = IndexSeconds(index4, facts, &eval4);
  const auto s1 = index1.stats();
  const double us = 1e6 / static_cast<double>(n);
  std::printf("pack: %zu fingerprint rules (%zu behind %zu RE2::Sets, %zu patterns); services: %llu\n",
              s1.rules, s1.indexed, s1.fields, s1.patterns, static_cast<unsigned long long>(n));
  std::printf("index build: x1 %.1f ms, x4 %.1f ms\n", build1 * 1e3, build4 * 1e3);
  std::printf("%-6s %14s %14s %10s %16s\n", "pack", "per-rule us/svc", "Set us/svc", "speed-up", "rules evaluated");
  std::printf("%-6s %14.2f %14.2f %9.2fx %9.1f of %zu\n", "x1", old1 * us, set1 * us, old1 / set1,
              static_cast<double>(eval1) / static_cast<double>(n), pack1.size());
  std::printf("%-6s %14.2f %14.2f %9.2fx %9.1f of %zu\n", "x4", old4 * us, set4 * us, old4 / set4,
              static_cast<double>(eval4) / static_cast<double>(n), pack4.size());
  std::printf("growth x4/x1: per-rule %.2fx, Set %.2fx\n", old4 / old1, set4 / set1);
  return 0;
}
