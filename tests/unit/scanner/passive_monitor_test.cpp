// Drill monitoring over crafted captures: port scans, host sweeps, forbidden
// ports, new services; thresholds, windows, ranges and state bounds.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "passive_packets.h"
#include "scanner/passive/capture_file.h"
#include "scanner/passive/monitor.h"
#include "test_sink.h"

namespace ciiscope::scanner::passive {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace testing;  // NOLINT: test helpers

std::string Syn(const std::string& src, const std::string& dst, uint16_t sport, uint16_t dport) {
  return Ether(Ipv4(src, dst, IPPROTO_TCP, Tcp(sport, dport, 1000, 0, tcp_flags::kSyn)));
}
std::string SynAck(const std::string& src, const std::string& dst, uint16_t sport, uint16_t dport) {
  return Ether(Ipv4(src, dst, IPPROTO_TCP,
                    Tcp(sport, dport, 5000, 1001, tcp_flags::kSyn | tcp_flags::kAck)));
}

class MonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ciiscope-monitor-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes the frames (1 ms apart) and runs them through analyzer + monitor.
  std::vector<inventory::MonitorEvent> Run(const std::vector<std::string>& frames,
                                           const MonitorConfig& config,
                                           const std::vector<std::string>& known = {}) {
    const std::string path = (dir_ / "m.pcap").string();
    {
      PcapFile pcap(path, DLT_EN10MB);
      pcap.AddAll(frames);
    }
    std::vector<inventory::MonitorEvent> events;
    Monitor monitor(config, [&](inventory::MonitorEvent e) { events.push_back(std::move(e)); });
    for (const auto& k : known) monitor.AddKnownService(k, "tcp", 80);
    scanner::testing::MemorySink sink;
    std::atomic<bool> stop{false};
    auto run = AnalyzeCaptureFiles({path}, PassiveOptions{}, sink, stop, &monitor);
    EXPECT_TRUE(run) << run.error().message();
    EXPECT_EQ(monitor.stats().events, events.size());
    return events;
  }
  static std::vector<inventory::MonitorEvent> OfKind(const std::vector<inventory::MonitorEvent>& all,
                                                     std::string_view kind) {
    std::vector<inventory::MonitorEvent> out;
    for (const auto& e : all) {
      if (e.kind == kind) out.push_back(e);
    }
    return out;
  }

  fs::path dir_;
};

MonitorConfig Quiet() {
  MonitorConfig c;
  c.new_services = false;
  c.port_threshold = 10;
  c.host_threshold = 10;
  c.window_ms = 60'000;
  return c;
}

TEST_F(MonitorTest, PortScanCrossesTheThresholdOnce) {
  std::vector<std::string> frames;
  for (uint16_t port = 1; port <= 30; ++port) frames.push_back(Syn("10.9.0.66", "10.0.0.5", 40000, port));
  // Repeats of the same ports do not count again.
  for (uint16_t port = 1; port <= 5; ++port) frames.push_back(Syn("10.9.0.66", "10.0.0.5", 40001, port));
  auto events = Run(frames, Quiet());
  auto scans = OfKind(events, "port-scan");
  ASSERT_EQ(scans.size(), 1u);
  EXPECT_EQ(scans[0].source, "10.9.0.66");
  EXPECT_EQ(scans[0].target, "10.0.0.5");
  EXPECT_EQ(scans[0].transport, "tcp");
  EXPECT_EQ(scans[0].time, 1700000000LL * 1000 + 9);  // the 10th packet, 1 ms apart
  const json d = json::parse(scans[0].detail_json);
  EXPECT_EQ(d["ports"], 10);
  EXPECT_EQ(d["ports_seen"].front(), 1);
  EXPECT_EQ(d["threshold"], 10);
  EXPECT_TRUE(OfKind(events, "host-sweep").empty());
}

TEST_F(MonitorTest, BelowThresholdAndAnsweredTrafficIsQuiet) {
  std::vector<std::string> frames;
  for (uint16_t port = 1; port <= 9; ++port) frames.push_back(Syn("10.9.0.66", "10.0.0.5", 40000, port));
  // Many clients to one server: not a scan by any single source.
  for (int i = 1; i <= 40; ++i) {
    frames.push_back(Syn("10.1.0." + std::to_string(i), "10.0.0.80", 50000, 80));
    frames.push_back(SynAck("10.0.0.80", "10.1.0." + std::to_string(i), 80, 50000));
  }
  EXPECT_TRUE(Run(frames, Quiet()).empty());
}

TEST_F(MonitorTest, HostSweepWithSynsAndPings) {
  std::vector<std::string> frames;
  for (int i = 1; i <= 6; ++i) frames.push_back(Syn("10.9.0.7", "10.0.1." + std::to_string(i), 40000, 22));
  for (int i = 7; i <= 12; ++i) {
    std::string icmp("\x08\x00\x00\x00\x00\x01\x00\x01", 8);
    frames.push_back(Ether(Ipv4("10.9.0.7", "10.0.1." + std::to_string(i), IPPROTO_ICMP, icmp)));
  }
  auto sweeps = OfKind(Run(frames, Quiet()), "host-sweep");
  ASSERT_EQ(sweeps.size(), 1u);
  EXPECT_EQ(sweeps[0].source, "10.9.0.7");
  EXPECT_EQ(sweeps[0].target, "10.0.1.1-10.0.1.10");
  EXPECT_EQ(json::parse(sweeps[0].detail_json)["hosts"], 10);
}

TEST_F(MonitorTest, WindowsAreTumbling) {
  MonitorConfig c = Quiet();
  c.window_ms = 5;  // frames are 1 ms apart: 6 ports per window at most
  std::vector<std::string> frames;
  for (uint16_t port = 1; port <= 30; ++port) frames.push_back(Syn("10.9.0.66", "10.0.0.5", 40000, port));
  EXPECT_TRUE(OfKind(Run(frames, c), "port-scan").empty());
  c.window_ms = 12;  // 13 packets per window: 10 ports cross it, twice in 30
  EXPECT_EQ(OfKind(Run(frames, c), "port-scan").size(), 2u);
}

TEST_F(MonitorTest, OnlyMonitoredRanges) {
  MonitorConfig c = Quiet();
  c.ranges = *ParseRanges({"10.0.0.0/24,192.0.2.0/24"});
  std::vector<std::string> frames;
  for (uint16_t port = 1; port <= 20; ++port) frames.push_back(Syn("10.9.0.66", "10.7.0.5", 40000, port));
  EXPECT_TRUE(Run(frames, c).empty());
  for (uint16_t port = 1; port <= 20; ++port) frames.push_back(Syn("10.9.0.66", "10.0.0.5", 40000, port));
  auto events = Run(frames, c);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].target, "10.0.0.5");
  EXPECT_FALSE(ParseRanges({"10.0.0.0/33"}));
  EXPECT_NE(ParseRanges({"10.0.0.0/8,bogus"}).error().message().find("bogus"), std::string::npos);
}

TEST_F(MonitorTest, ForbiddenPortAcceptedOncePerClient) {
  MonitorConfig c = Quiet();
  c.forbidden_tcp_ports = {3389, 23};
  std::vector<std::string> frames;
  for (int rep = 0; rep < 3; ++rep) {
    frames.push_back(Syn("10.9.0.66", "10.0.0.5", 40000 + rep, 3389));
    frames.push_back(SynAck("10.0.0.5", "10.9.0.66", 3389, 40000 + rep));
  }
  frames.push_back(Syn("10.9.0.67", "10.0.0.5", 40000, 23));  // not answered: no event
  frames.push_back(Syn("10.9.0.67", "10.0.0.5", 40000, 80));
  frames.push_back(SynAck("10.0.0.5", "10.9.0.67", 80, 40000));  // allowed port
  auto events = Run(frames, c);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, "forbidden-port");
  EXPECT_EQ(events[0].source, "10.9.0.66");
  EXPECT_EQ(events[0].target, "10.0.0.5");
  EXPECT_EQ(events[0].port, 3389);
}

TEST_F(MonitorTest, NewServicesAgainstTheBaseline) {
  MonitorConfig c = Quiet();
  c.new_services = true;
  std::vector<std::string> frames = {SynAck("10.0.0.5", "10.9.0.1", 80, 40000),
                                     SynAck("10.0.0.6", "10.9.0.1", 80, 40000),
                                     SynAck("10.0.0.6", "10.9.0.2", 80, 40001)};
  auto events = Run(frames, c, {"10.0.0.5"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, "new-service");
  EXPECT_EQ(events[0].target, "10.0.0.6");
  EXPECT_EQ(events[0].port, 80);
  EXPECT_EQ(json::parse(events[0].detail_json)["reason"], "syn-ack-seen");
}

TEST_F(MonitorTest, StateIsBounded) {
  MonitorConfig c = Quiet();
  c.max_tracked = 8;
  std::vector<std::string> frames;
  for (int i = 1; i <= 50; ++i) frames.push_back(Syn("10.8.0." + std::to_string(i), "10.0.0.5", 40000, 22));
  const std::string path = (dir_ / "b.pcap").string();
  {
    PcapFile pcap(path, DLT_EN10MB);
    pcap.AddAll(frames);
  }
  Monitor monitor(c, [](inventory::MonitorEvent) {});
  scanner::testing::MemorySink sink;
  std::atomic<bool> stop{false};
  ASSERT_TRUE(AnalyzeCaptureFiles({path}, PassiveOptions{}, sink, stop, &monitor));
  EXPECT_GT(monitor.stats().untracked, 0u);
}

}  // namespace
}  // namespace ciiscope::scanner::passive
