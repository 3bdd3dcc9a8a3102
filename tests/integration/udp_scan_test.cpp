// `ciiscope scan -p U:…` end to end (issue 4): a UDP SNMP agent this test
// runs on 127.0.0.1 (an ephemeral port), the real binary, the real store and
// the shipped fingerprint rules; a bad UDP port spec is one clear error.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <string_view>
#include <vector>

#include "cli_runner.h"
#include "sql_rows.h"
#include "udp_test_server.h"

namespace ciiscope::testing {
namespace {

std::string Ber(uint8_t tag, const std::string& v) {
  return std::string(1, static_cast<char>(tag)) + static_cast<char>(v.size()) + v;  // short form
}

// Answers a datagram that looks like an SNMPv2c GetRequest with a
// GetResponse echoing its request id: Net-SNMP's sysObjectID and versionTag.
std::vector<std::string> SnmpAgent(std::string_view d) {
  // 30 LL 02 01 01 (v2c) 04 06 "public" A0 LL 02 04 <id>
  size_t at = d.find(std::string_view("\x02\x01\x01\x04\x06public\xa0", 12));
  if (at == std::string_view::npos || at + 13 + 6 > d.size()) return {};
  std::string id(d.substr(at + 13, 6));  // after A0 and its (short) length: 02 04 xx xx xx xx
  auto bind = [](const std::string& oid, const std::string& value) { return Ber(0x30, Ber(0x06, oid) + value); };
  std::string binds = bind(std::string("\x2b\x06\x01\x02\x01\x01\x01\x00", 8), Ber(0x04, "Linux lab 6.1.0 x86_64")) +
                      bind(std::string("\x2b\x06\x01\x02\x01\x01\x02\x00", 8),
                           Ber(0x06, "\x2b\x06\x01\x04\x01\xbf\x08\x03\x02\x0a")) +  // 1.3.6.1.4.1.8072.3.2.10
                      bind(std::string("\x2b\x06\x01\x04\x01\x8f\x65\x64\x02\x00", 10), Ber(0x04, "5.9.3"));
  std::string pdu = id + Ber(0x02, std::string(1, '\0')) + Ber(0x02, std::string(1, '\0')) + Ber(0x30, binds);
  return {Ber(0x30, Ber(0x02, "\x01") + Ber(0x04, "public") + Ber(0xa2, pdu))};
}

TEST(UdpScanCliTest, ScansAUdpPortIntoTheInventoryAndNamesTheAgent) {
  const std::string dir = MakeTempDir("udp-scan-" + std::to_string(::getpid()));
  const std::string db = dir + "/c.db";
  UdpServer agent(SnmpAgent);
  ASSERT_TRUE(agent.bound());
  auto r = RunCli({"--db", db, "scan", "127.0.0.1", "-p", "U:" + std::to_string(agent.port()), "--no-ping",
                   "--timeout", "400"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = SqlRows(db, "SELECT transport, port, state FROM services");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "udp");
  EXPECT_EQ(rows[0][1], std::to_string(agent.port()));
  auto stats = SqlRows(db, "SELECT ports, json_extract(stats_json, '$.udp.open') FROM scans");
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0][0], "U:" + std::to_string(agent.port()));
  EXPECT_EQ(stats[0][1], "1");
  r = RunCli({"--db", db, "assess"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rows = SqlRows(db, "SELECT name, product, version FROM services");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "snmp");
  EXPECT_EQ(rows[0][1], "Net-SNMP");
  EXPECT_EQ(rows[0][2], "5.9.3");
}

TEST(UdpScanCliTest, BadUdpPortSpecIsOneClearError) {
  const std::string dir = MakeTempDir("udp-bad-" + std::to_string(::getpid()));
  auto r = RunCli({"--db", dir + "/c.db", "scan", "127.0.0.1", "-p", "22,U:53,x9"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("port spec"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("x9"), std::string::npos) << r.err;
  EXPECT_EQ(LineCount(r.err), 1) << r.err;
}

}  // namespace
}  // namespace ciiscope::testing
