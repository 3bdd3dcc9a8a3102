// The UDP prober against loopback UDP servers this test starts on
// 127.0.0.1 (ephemeral ports): answers → open with probe evidence, ICMP port
// unreachable → closed, silence → open|filtered after the retries, floods and
// oversized datagrams capped, the stop flag and the per-target deadline obeyed.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "scanner/probes/common/ber.h"
#include "scanner/probes/dns/dns_probe.h"
#include "scanner/probes/ntp/ntp_probe.h"
#include "scanner/probes/snmp/snmp_probe.h"
#include "scanner/udp_engine.h"
#include "test_sink.h"
#include "udp_test_server.h"

namespace ciiscope::scanner {
namespace {

using ciiscope::testing::UdpServer;

std::string SnmpAnswer(std::string_view descr, std::string_view oid) {
  auto bind = [](std::string_view o, const std::string& value) {
    return BerEncode(0x30, BerEncodeOid(o) + value);
  };
  std::string binds = bind("1.3.6.1.2.1.1.1.0", BerEncode(0x04, descr)) +
                      bind("1.3.6.1.2.1.1.2.0", BerEncodeOid(oid)) +
                      bind("1.3.6.1.2.1.1.5.0", BerEncode(0x04, "lab-srv"));
  std::string pdu = BerEncodeInteger(0x02, kSnmpV2cRequestId) + BerEncodeInteger(0x02, 0) +
                    BerEncodeInteger(0x02, 0) + BerEncode(0x30, binds);
  return BerEncode(0x30, BerEncodeInteger(0x02, 1) + BerEncode(0x04, "public") + BerEncode(0xa2, pdu));
}

std::vector<Target> Loopback() {
  Target t;
  t.address = *core::IpAddress::Parse("127.0.0.1");
  return {t};
}

UdpScanOptions Fast(std::vector<uint16_t> ports) {
  UdpScanOptions o;
  o.ports = std::move(ports);
  o.wait = std::chrono::milliseconds(300);
  o.retries = 1;
  o.linger = std::chrono::milliseconds(100);
  return o;
}

struct ScanRun {
  UdpScanStats stats;
  std::vector<inventory::Observation> obs;
  double seconds = 0;
};

ScanRun Scan(const UdpScanOptions& options, const std::atomic<bool>* stop_flag = nullptr) {
  UdpProbeRegistry probes;
  RegisterBuiltinUdpProbes(probes);
  testing::MemorySink sink;
  std::atomic<bool> never{false};
  const auto t0 = std::chrono::steady_clock::now();
  auto stats = RunUdpScan(Loopback(), options, probes, sink, stop_flag ? *stop_flag : never, {});
  ScanRun r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(stats.has_value()) << (stats ? "" : stats.error().message());
  if (stats) r.stats = *stats;
  r.obs = sink.All();
  EXPECT_GE(sink.flushes(), 1);
  return r;
}

nlohmann::json ProbeData(const ScanRun& r, uint16_t port, std::string_view probe) {
  for (const auto& o : r.obs) {
    if (o.port != port || o.kind != "probe") continue;
    auto j = nlohmann::json::parse(o.data_json);
    if (j.value("probe", "") == probe) return j;
  }
  return nullptr;
}

TEST(UdpEngineTest, IdentifiesSnmpNtpAndDnsServersOnUnhintedPorts) {
  UdpServer snmp([](std::string_view d) -> std::vector<std::string> {
    if (d == SnmpGetRequest(1)) return {SnmpAnswer("Linux lab-srv 6.1.0 x86_64", "1.3.6.1.4.1.8072.3.2.10")};
    return {};
  });
  UdpServer ntp([](std::string_view d) -> std::vector<std::string> {
    if (d.size() == 48 && d[0] == 0x23) {
      std::string p(48, '\0');
      p[0] = 0x24;
      p[1] = 3;
      p.replace(24, 8, d.substr(40, 8));  // origin = the client's transmit time
      return {p};
    }
    if (d == NtpReadVarRequest()) {
      std::string vars = "version=\"ntpsec-1.2.2\", system=\"Linux\"";
      std::string h(d.substr(0, 12));
      h[1] = static_cast<char>(0x82);
      h[11] = static_cast<char>(vars.size());
      return {h + vars};
    }
    return {};
  });
  UdpServer dns([](std::string_view d) -> std::vector<std::string> {
    if (d != DnsVersionQuery()) return {};
    std::string m(d);
    m[2] = static_cast<char>(0x84);
    m[7] = 1;
    m += std::string("\xc0\x0c\x00\x10\x00\x03\x00\x00\x00\x00\x00\x0d\x0c", 13) + "dnsmasq-2.89";
    return {m};
  });
  ScanRun r = Scan(Fast({snmp.port(), ntp.port(), dns.port()}));
  EXPECT_EQ(r.stats.open, 3u);
  for (const auto& o : r.obs) EXPECT_EQ(o.transport, "udp");
  auto s = ProbeData(r, snmp.port(), "snmp");
  ASSERT_FALSE(s.is_null());
  EXPECT_EQ(s["sysdescr"], "Linux lab-srv 6.1.0 x86_64");
  EXPECT_EQ(s["enterprise_name"], "net-snmp");
  auto n = ProbeData(r, ntp.port(), "ntp");
  ASSERT_FALSE(n.is_null());
  EXPECT_EQ(n["stratum"], 3);
  EXPECT_EQ(n["origin_matches"], true);
  EXPECT_EQ(ProbeData(r, ntp.port(), "ntp-readvar")["version"], "ntpsec-1.2.2");
  EXPECT_EQ(ProbeData(r, dns.port(), "dns-version")["version"], "dnsmasq-2.89");
  int states = 0;
  for (const auto& o : r.obs) states += o.kind == "port_state" && o.state == "open";
  EXPECT_EQ(states, 3);
}

TEST(UdpEngineTest, PortUnreachableIsClosedAndSilenceIsOpenFilteredAfterRetries) {
  // A port this test bound and released: the kernel answers ICMP port unreachable.
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const uint16_t closed = ntohs(a.sin_port);
  ::close(fd);

  UdpServer silent([](std::string_view) { return std::vector<std::string>{}; });
  UdpScanOptions o = Fast({closed, silent.port()});
  o.retries = 2;
  ScanRun r = Scan(o);
  EXPECT_EQ(r.stats.closed, 1u);
  EXPECT_EQ(r.stats.open_filtered, 1u);
  EXPECT_EQ(r.stats.open, 0u);
  EXPECT_TRUE(r.obs.empty());  // closed and open|filtered are counted, not recorded
  // 3 attempts × the 6 datagrams of the three probes (an unhinted port gets all).
  EXPECT_EQ(silent.received(), 18);
  EXPECT_LT(r.seconds, 3.0);
}

TEST(UdpEngineTest, FloodsAndOversizedDatagramsAreCapped) {
  UdpServer flood([](std::string_view) {
    return std::vector<std::string>(50, std::string(9000, '\x1b'));
  });
  UdpScanOptions o = Fast({flood.port()});
  o.datagram_cap = 512;
  o.max_datagrams = 4;
  ScanRun r = Scan(o);
  EXPECT_EQ(r.stats.open, 1u);
  auto u = ProbeData(r, flood.port(), "udp-response");
  ASSERT_FALSE(u.is_null());
  EXPECT_EQ(u["truncated"], true);
  EXPECT_EQ(u["bytes"], 9000);
  EXPECT_EQ(u["datagrams"], 4);
  for (const auto& obs : r.obs) EXPECT_LE(obs.raw.size(), 512u);
  EXPECT_LT(r.seconds, 3.0);
}

TEST(UdpEngineTest, StopFlagAndTargetDeadlineBoundTheRun) {
  std::vector<std::unique_ptr<UdpServer>> silent;
  std::vector<uint16_t> ports;
  for (int i = 0; i < 6; ++i) {
    silent.push_back(std::make_unique<UdpServer>([](std::string_view) { return std::vector<std::string>{}; }));
    ports.push_back(silent.back()->port());
  }
  UdpScanOptions o = Fast(ports);
  o.wait = std::chrono::milliseconds(2000);
  o.concurrency = 2;
  o.target_timeout = std::chrono::milliseconds(300);
  ScanRun r = Scan(o);
  EXPECT_LT(r.seconds, 1.5);
  EXPECT_EQ(r.stats.open_filtered + r.stats.skipped, 6u);
  EXPECT_GE(r.stats.skipped, 1u);

  std::atomic<bool> stop{true};
  o.target_timeout = std::chrono::milliseconds(0);
  ScanRun s = Scan(o, &stop);
  EXPECT_TRUE(s.stats.interrupted);
  EXPECT_LT(s.seconds, 0.5);
}

TEST(UdpEngineTest, BadOptionsAreOneClearError) {
  UdpProbeRegistry probes;
  testing::MemorySink sink;
  std::atomic<bool> stop{false};
  UdpScanOptions o;
  auto r = RunUdpScan(Loopback(), o, probes, sink, stop, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("no UDP ports"), std::string::npos);
  o.ports = {53};
  o.retries = 11;
  EXPECT_FALSE(RunUdpScan(Loopback(), o, probes, sink, stop, {}).has_value());
}

}  // namespace
}  // namespace ciiscope::scanner
