// Per-unit pacing: the RateGate and DeferredProbes on a made-up clock, the
// target → unit mapping, and the connect engine obeying --unit-rate (a lower
// bound on the scan's duration only: load can slow a scan, never speed it up).
#include "scanner/rate_gate.h"

#include <gtest/gtest.h>

#include "scanner/connect_engine.h"
#include "local_servers.h"
#include "test_sink.h"

namespace ciiscope::scanner {
namespace {

using Clock = RateGate::Clock;
using std::chrono::milliseconds;

core::Cidr C(const char* text) { return *core::Cidr::Parse(text); }
Target T(const char* text) { return Target{*core::IpAddress::Parse(text), ""}; }

TEST(RateGateTest, EachUnitGetsItsRateWhileTheGlobalRateHolds) {
  auto t0 = Clock::time_point{} + std::chrono::hours(1);
  // Global 1000/s; unit 0 at 10/s; unit 1 unlimited (only the global rate).
  RateGate gate(1000, {10, 0}, 1.0, t0);
  uint64_t sent[3] = {0, 0, 0};  // unit 0, unit 1, no unit
  for (int ms = 0; ms < 10000; ++ms) {
    auto now = t0 + milliseconds(ms);
    // Greedy senders for all three, unit 0 first so it could starve the others.
    for (int k = 0; k < 3; ++k) {
      while (gate.TryTake(k == 2 ? -1 : k, now)) ++sent[k];
    }
  }
  // 10 s: unit 0 gets 10/s (plus its burst of one), never more.
  EXPECT_LE(sent[0], 10u * 10 + 1);
  EXPECT_GE(sent[0], 10u * 10 - 1);
  // The global budget (1000/s + a 10-token burst) covers everything sent.
  const uint64_t all = sent[0] + sent[1] + sent[2];
  EXPECT_LE(all, 1000u * 10 + 10);
  EXPECT_GE(all, 1000u * 10 - 10);
  EXPECT_GT(sent[1], 1000u);  // the unlimited unit is not held back by unit 0
}

TEST(RateGateTest, ShareSplitsEveryRate) {
  auto t0 = Clock::time_point{} + std::chrono::hours(1);
  RateGate a(0, {20}, 0.5, t0), b(0, {20}, 0.5, t0);
  uint64_t sent = 0;
  for (int ms = 0; ms < 5000; ++ms) {
    auto now = t0 + milliseconds(ms);
    while (a.TryTake(0, now)) ++sent;
    while (b.TryTake(0, now)) ++sent;
  }
  EXPECT_LE(sent, 20u * 5 + 2);
  EXPECT_GE(sent, 20u * 5 - 2);
}

TEST(RateGateTest, WaitSaysWhenTheNextTokenComes) {
  auto t0 = Clock::time_point{} + std::chrono::hours(1);
  RateGate gate(0, {4}, 1.0, t0);
  EXPECT_TRUE(gate.TryTake(0, t0));
  EXPECT_FALSE(gate.TryTake(0, t0));
  auto wait = gate.Wait(0, t0);
  EXPECT_GT(wait, milliseconds(240));
  EXPECT_LE(wait, milliseconds(250));
  EXPECT_FALSE(gate.TryTake(0, t0 + milliseconds(200)));
  EXPECT_TRUE(gate.TryTake(0, t0 + milliseconds(251)));
  EXPECT_EQ(gate.Wait(-1, t0), Clock::duration::zero());  // no global limit
}

TEST(DeferredProbesTest, ReleasesParkedProbesWhenTheirUnitHasTokens) {
  auto t0 = Clock::time_point{} + std::chrono::hours(1);
  RateGate gate(0, {1, 1}, 1.0, t0);
  ASSERT_TRUE(gate.TryTake(0, t0));
  ASSERT_TRUE(gate.TryTake(1, t0));
  DeferredProbes parked;
  parked.Push(0, 7);
  parked.Push(1, 5);
  parked.Push(0, 9);
  EXPECT_EQ(parked.size(), 3u);
  EXPECT_EQ(parked.Min(), 5u);
  std::vector<uint64_t> out;
  auto send = [&](uint64_t v) { out.push_back(v); };
  EXPECT_EQ(parked.Release(gate, t0 + milliseconds(500), send), 0u);
  EXPECT_GT(parked.Wait(gate, t0 + milliseconds(500)), milliseconds(400));
  // One second later each unit has one token: one value each, FIFO per unit.
  EXPECT_EQ(parked.Release(gate, t0 + milliseconds(1000), send), 2u);
  std::sort(out.begin(), out.end());
  EXPECT_EQ(out, (std::vector<uint64_t>{5, 7}));
  EXPECT_EQ(parked.Min(), 9u);
  EXPECT_EQ(parked.Release(gate, t0 + milliseconds(2000), send), 1u);
  EXPECT_TRUE(parked.empty());
  EXPECT_FALSE(parked.Min());
  EXPECT_EQ(parked.Wait(gate, t0), Clock::duration::max());
}

TEST(AssignUnitsTest, MostSpecificRegisteredCidrWins) {
  std::vector<std::vector<core::Cidr>> units = {
      {C("10.0.0.0/8")},                        // 0: province
      {C("10.1.0.0/16"), C("192.168.5.0/24")},  // 1: university
      {C("10.1.2.0/24")},                       // 2: department
      {C("fd00:1::/48")},                       // 3
      {C("10.1.2.0/24")},                       // 4: same block again: the first unit keeps it
  };
  std::vector<Target> targets = {T("10.9.9.9"),   T("10.1.7.1"),  T("10.1.2.3"), T("192.168.5.77"),
                                 T("192.168.6.1"), T("fd00:1::5"), T("fd00:2::5"), T("11.0.0.1")};
  EXPECT_EQ(AssignUnits(targets, units), (std::vector<int32_t>{0, 1, 2, 1, -1, 3, -1, -1}));
  EXPECT_EQ(AssignUnits(targets, {}), std::vector<int32_t>(targets.size(), -1));
}

TEST(AssignUnitsTest, ValidatesTheUnitMap) {
  EXPECT_TRUE(ValidateUnitRates({}, {}, 3));
  EXPECT_TRUE(ValidateUnitRates({0, -1, 1}, {5, 0}, 3));
  EXPECT_FALSE(ValidateUnitRates({0, -1}, {5}, 3));
  EXPECT_FALSE(ValidateUnitRates({0, 2, 1}, {5, 0}, 3));
  EXPECT_FALSE(ValidateUnitRates({0}, {-1}, 1));
}

// The ledger's unit rates and --unit-rate together: the stricter rate wins;
// a unit without a rate paces nothing unless --unit-rate gives it one; a
// target goes to the most specific unit that paces.
TEST(PlanUnitPacingTest, LedgerRatesAndUnitRateCombine) {
  const std::vector<UnitPace> units = {
      {{C("10.1.0.0/16")}, 100},  // 0: school, 100/s
      {{C("10.1.2.0/24")}, 0},    // 1: department without a rate of its own
      {{C("10.1.3.0/24")}, 20},   // 2: department at 20/s
      {{C("10.9.0.0/16")}, 0},    // 3: unit without a rate
  };
  const std::vector<Target> targets = {T("10.1.7.1"), T("10.1.2.3"), T("10.1.3.3"), T("10.9.0.1"),
                                       T("11.0.0.1")};
  // Ledger rates only: the rateless department shares the school's bucket;
  // the rateless unit 3 paces nothing.
  UnitPacing plan = PlanUnitPacing(targets, units, 0);
  EXPECT_EQ(plan.target_unit, (std::vector<int32_t>{0, 0, 2, -1, -1}));
  EXPECT_EQ(plan.unit_rates, (std::vector<double>{100, 0, 20, 0}));
  // --unit-rate 50 caps the school, leaves the 20/s department and gives the
  // rateless units 50/s each (the department becomes its own unit).
  plan = PlanUnitPacing(targets, units, 50);
  EXPECT_EQ(plan.target_unit, (std::vector<int32_t>{0, 1, 2, 3, -1}));
  EXPECT_EQ(plan.unit_rates, (std::vector<double>{50, 50, 20, 50}));
  // No rate anywhere: no pacing at all.
  plan = PlanUnitPacing(targets, {{{C("10.1.0.0/16")}, 0}}, 0);
  EXPECT_TRUE(plan.target_unit.empty());
  EXPECT_TRUE(plan.unit_rates.empty());
  EXPECT_TRUE(ValidateUnitRates(PlanUnitPacing(targets, units, 0).target_unit,
                                PlanUnitPacing(targets, units, 0).unit_rates, targets.size()));
}

// The plan drives the gate: on a frozen clock, a paced unit's targets get
// only the unit's burst, the unpaced target is not held back, and the
// department sharing the school's bucket draws from the same tokens.
TEST(PlanUnitPacingTest, GateHoldsBackThePacedUnitsTargets) {
  const std::vector<UnitPace> units = {{{C("10.1.0.0/16")}, 300}, {{C("10.1.2.0/24")}, 0}};
  const std::vector<Target> targets = {T("10.1.7.1"), T("10.1.2.3"), T("11.0.0.1")};
  const UnitPacing plan = PlanUnitPacing(targets, units, 0);
  auto t0 = Clock::time_point{} + std::chrono::hours(1);
  RateGate gate(0, plan.unit_rates, 1.0, t0);
  auto take_all = [&](size_t target, Clock::time_point now) {
    int n = 0;
    while (n < 10000 && gate.TryTake(plan.target_unit[target], now)) ++n;
    return n;
  };
  EXPECT_EQ(take_all(0, t0), 1);      // a bucket starts with one token
  EXPECT_EQ(take_all(1, t0), 0);      // the department shares it: empty
  EXPECT_EQ(take_all(2, t0), 10000);  // outside every unit: unlimited
  // One second later the school's bucket refilled to its burst (300/s /
  // 100), no more.
  EXPECT_EQ(take_all(1, t0 + std::chrono::seconds(1)), 3);
  EXPECT_EQ(take_all(0, t0 + std::chrono::seconds(1)), 0);
}

// Two loopback targets: 127.0.0.1 in a unit limited to 40 probes/s, 127.0.0.2
// in none. 40 ports each: the limited unit's 40 probes cannot go out in less
// than (40 - 2 bursts) / 40 s, however fast the machine is; the results are
// the same as without pacing.
TEST(ConnectEngineUnitRateTest, NoUnitGetsMoreThanItsRate) {
  testing::LocalServer open(testing::Behavior::kBanner, "hello\r\n");
  std::vector<uint16_t> ports = {open.port()};
  for (uint16_t p = 1; ports.size() < 40; ++p) {
    if (p != open.port()) ports.push_back(p);
  }
  ScanOptions options;
  options.ports = core::PortList::Of(ports);
  options.service_probes = false;
  options.connect_timeout = milliseconds(1000);
  options.target_unit = {0, -1};
  options.unit_rates = {40};
  testing::MemorySink sink;
  std::atomic<bool> stop{false};
  auto start = Clock::now();
  auto stats = MakeConnectEngine()->Run({T("127.0.0.1"), T("127.0.0.2")}, options, sink, stop, nullptr);
  auto elapsed = Clock::now() - start;
  ASSERT_TRUE(stats) << stats.error().message();
  EXPECT_EQ(stats->attempted, 80u);
  EXPECT_GE(stats->open, 1u);  // 127.0.0.1:open at least (foreign listeners may answer too)
  EXPECT_GE(elapsed, milliseconds(900));

  options.target_unit = {0};  // wrong size: refused before anything is sent
  auto bad = MakeConnectEngine()->Run({T("127.0.0.1"), T("127.0.0.2")}, options, sink, stop, nullptr);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("unit map"), std::string::npos);
}

}  // namespace
}  // namespace ciiscope::scanner
