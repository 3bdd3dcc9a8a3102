// `ciiscope scan --pcap … --monitor` through the real CLI: monitoring events
// land in monitor_events with the running drill and the passive scan; bad
// monitor flags are one-line usage errors. Captures are crafted here.
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <sqlite3.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "banner_server.h"
#include "cli_runner.h"
#include "passive_packets.h"
#include "sql_rows.h"

namespace ciiscope::testing {
namespace {

namespace fs = std::filesystem;
namespace pt = scanner::passive::testing;
using nlohmann::json;

std::string Frame(const std::string& src, const std::string& dst, uint16_t sport, uint16_t dport,
                  uint8_t flags) {
  return pt::Ether(pt::Ipv4(src, dst, IPPROTO_TCP, pt::Tcp(sport, dport, 1000, 0, flags)));
}

class PassiveCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("passive-cli");
    db_ = dir_ + "/ciiscope.db";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_, db_;
};

TEST_F(PassiveCliTest, MonitorWritesEventsForTheRunningDrill) {
  const std::string cap = dir_ + "/drill.pcap";
  {
    pt::PcapFile pcap(cap, DLT_EN10MB);
    for (uint16_t port = 1; port <= 12; ++port) pcap.Add(Frame("10.9.0.66", "10.0.0.5", 40000, port, 0x02));
    pcap.Add(Frame("10.9.0.66", "10.0.0.5", 40001, 3389, 0x02));
    pcap.Add(Frame("10.0.0.5", "10.9.0.66", 3389, 40001, 0x12));
    pcap.Add(Frame("10.7.7.7", "10.9.0.66", 80, 40002, 0x12));  // outside the monitored range
  }
  ASSERT_EQ(RunCli({"--db", db_, "auth", "list"}).exit_code, 0);  // creates the database
  ASSERT_TRUE(ExecSql(db_, "INSERT INTO drills (name, status, started_at) VALUES ('old', 'finished', 1), "
                           "('spring drill', 'running', 2)"));
  auto r = RunCli({"--db", db_, "scan", "--pcap", cap, "--monitor", "--monitor-range", "10.0.0.0/24",
                   "--scan-ports", "10", "--forbidden-ports", "3389,23", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const int64_t scan = json::parse(r.out)["scan"].get<int64_t>();
  EXPECT_NE(r.err.find("monitor: 3 event(s) for drill 2"), std::string::npos) << r.err;
  auto rows = SqlRows(db_, "SELECT kind, source, target, port, transport, drill_id, scan_id "
                           "FROM monitor_events ORDER BY kind");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"forbidden-port", "10.9.0.66", "10.0.0.5", "3389",
                                               "tcp", "2", std::to_string(scan)}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"new-service", "10.0.0.5", "10.0.0.5", "3389", "tcp",
                                               "2", std::to_string(scan)}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"port-scan", "10.9.0.66", "10.0.0.5", "0", "tcp",
                                               "2", std::to_string(scan)}));
  auto detail = SqlRows(db_, "SELECT detail_json FROM monitor_events WHERE kind = 'port-scan'");
  EXPECT_EQ(json::parse(detail[0][0])["ports"], 10);
  auto stats = SqlRows(db_, "SELECT stats_json FROM scans WHERE id = " + std::to_string(scan));
  EXPECT_EQ(json::parse(stats[0][0])["monitor_events"], 3);

  // The same capture again: the service is known now, scans are still scans.
  r = RunCli({"--db", db_, "scan", "--pcap", cap, "--monitor", "--monitor-range", "10.0.0.0/24",
              "--scan-ports", "10", "--forbidden-ports", "3389"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqlRows(db_, "SELECT COUNT(*) FROM monitor_events WHERE kind = 'new-service'")[0][0], "1");
  EXPECT_EQ(SqlRows(db_, "SELECT COUNT(*) FROM monitor_events")[0][0], "5");
}

TEST_F(PassiveCliTest, WithoutMonitorNoEventsAndNoDrillNeeded) {
  const std::string cap = dir_ + "/plain.pcap";
  {
    pt::PcapFile pcap(cap, DLT_EN10MB);
    for (uint16_t port = 1; port <= 30; ++port) pcap.Add(Frame("10.9.0.66", "10.0.0.5", 40000, port, 0x02));
  }
  auto r = RunCli({"--db", db_, "scan", "--pcap", cap});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqlRows(db_, "SELECT COUNT(*) FROM monitor_events")[0][0], "0");
  r = RunCli({"--db", db_, "scan", "--pcap", cap, "--monitor", "--scan-ports", "10"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqlRows(db_, "SELECT COUNT(*), MAX(drill_id IS NULL) FROM monitor_events")[0],
            (std::vector<std::string>{"1", "1"}));
}

// Shadow assets (issue 5, item 3): an address that served traffic in a
// capture but that no active scan found is flagged — in `assets list` and by
// the asset-passive-only rule — until an active scan of the loopback
// listener sees it.
TEST_F(PassiveCliTest, PassiveOnlyAssetIsShadowUntilAnActiveScanSeesIt) {
  BannerServer ssh("SSH-2.0-OpenSSH_9.6\r\n", 16, 60);
  ASSERT_NE(ssh.port(), 0);
  const std::string cap = dir_ + "/shadow.pcap";
  {
    pt::PcapFile pcap(cap, DLT_EN10MB);
    pcap.AddAll(pt::TcpConversation("127.0.0.2", 40100, "127.0.0.1", ssh.port(), "",
                                    "SSH-2.0-OpenSSH_9.6\r\n"));
  }
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db_, "--lang", "en"});
    auto r = RunCli(args);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return r;
  };
  auto assets = [&] {
    std::map<std::string, json> out;
    for (const auto& a : json::parse(cli({"assets", "list", "--json"}).out)) out[a["address"]] = a;
    return out;
  };
  auto finding = [&](const std::string& address) {
    for (const auto& f : json::parse(cli({"findings", "list", "--json"}).out)) {
      if (f["rule"] == "asset-passive-only" && f["address"] == address) return f["status"].get<std::string>();
    }
    return std::string("none");
  };

  cli({"scan", "--pcap", cap});
  cli({"assess"});
  auto a = assets();
  ASSERT_TRUE(a.contains("127.0.0.1")) << cli({"assets", "list"}).out;
  EXPECT_EQ(a["127.0.0.1"]["shadow"], json({"passive-only"}));
  EXPECT_EQ(a["127.0.0.1"]["seen_passive"], true);
  EXPECT_EQ(a["127.0.0.1"]["seen_active"], false);
  EXPECT_EQ(a["127.0.0.2"]["shadow"], json({"passive-only"}));  // the client: listed, no service
  EXPECT_EQ(finding("127.0.0.1"), "open");
  EXPECT_EQ(finding("127.0.0.2"), "none");
  EXPECT_NE(cli({"assets", "list"}).out.find("shadow:passive-only"), std::string::npos);

  // An active scan of the listener sees the asset: no longer a shadow asset,
  // and assessing that scan verifies the finding.
  cli({"scan", "127.0.0.1", "-p", std::to_string(ssh.port())});
  cli({"assess"});
  a = assets();
  EXPECT_EQ(a["127.0.0.1"]["shadow"], json::array());
  EXPECT_EQ(a["127.0.0.1"]["seen_active"], true);
  EXPECT_EQ(a["127.0.0.1"]["seen_passive"], true);
  EXPECT_EQ(a["127.0.0.2"]["shadow"], json({"passive-only"}));
  EXPECT_EQ(finding("127.0.0.1"), "verified");

  // The capture again: the asset has been seen actively, it stays unflagged.
  cli({"scan", "--pcap", cap});
  cli({"assess"});
  EXPECT_EQ(assets()["127.0.0.1"]["shadow"], json::array());
  EXPECT_EQ(finding("127.0.0.1"), "verified");
}

TEST_F(PassiveCliTest, BadFlagsAreOneLineErrors) {
  const std::string cap = dir_ + "/x.pcap";
  { pt::PcapFile pcap(cap, DLT_EN10MB); }
  struct Case {
    std::vector<std::string> args;
    std::string says;
  } cases[] = {
      {{"--monitor", "--monitor-range", "10.0.0.0/33"}, "--monitor-range '10.0.0.0/33'"},
      {{"--monitor", "--scan-window", "5 minutes"}, "--scan-window '5 minutes'"},
      {{"--monitor", "--forbidden-ports", "99999"}, "--forbidden-ports '99999'"},
      {{"--monitor", "--scan-ports", "1"}, "--scan-ports"},
      {{"--duration", "10s"}, "--duration apply to --interface only"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"--db", db_, "scan", "--pcap", cap};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = RunCli(args);
    EXPECT_NE(r.exit_code, 0) << c.says;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_EQ(LineCount(r.err), 1) << r.err;
  }
  auto r = RunCli({"--db", db_, "scan", "--interface", "cii-no-such-if0", "--duration", "1s"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("cii-no-such-if0"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ciiscope::testing
