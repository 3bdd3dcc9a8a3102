// The connect engine against servers this test starts on 127.0.0.1.
#include "scanner/connect_engine.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "local_servers.h"
#include "test_sink.h"

namespace ciiscope::scanner {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;
using testing::Behavior;
using testing::LocalServer;
using testing::MemorySink;

std::vector<Target> Loopback() {
  return {Target{*core::IpAddress::Parse("127.0.0.1"), ""}};
}

std::string HttpResponseWithTitle(const std::string& title) {
  std::string body = "<html><head><title>" + title + "</title></head><body>ok</body></html>";
  return "HTTP/1.1 200 OK\r\nServer: ciiscope-test\r\nContent-Type: text/html\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

json Data(const inventory::Observation& obs) { return json::parse(obs.data_json); }

TEST(ConnectEngineTest, FindsAndProbesLoopbackServices) {
  testing::TestCert cert = testing::TestCert::SelfSigned("tls.test.local", 30);
  LocalServer banner(Behavior::kBanner, "SSH-2.0-OpenSSH_7.4 ciiscope-test\r\n");
  LocalServer http(Behavior::kHttp, HttpResponseWithTitle("统一身份认证"));
  LocalServer silent(Behavior::kSilent);
  LocalServer flood(Behavior::kFlood);
  LocalServer tls(Behavior::kTlsHttp, HttpResponseWithTitle("Secure Portal"), &cert);
  uint16_t closed = testing::ClosedLoopbackPort();
  ASSERT_NE(closed, 0) << "could not find a refused loopback port";

  ScanOptions options;
  options.ports = core::PortList::Of(
      {banner.port(), http.port(), silent.port(), flood.port(), tls.port(), closed});
  options.connect_timeout = std::chrono::milliseconds(1000);
  options.service_timeout = std::chrono::milliseconds(4500);
  options.banner_cap = 4096;
  MemorySink sink;
  std::atomic<bool> stop{false};
  std::vector<ScanProgress> progress;
  auto engine = MakeConnectEngine();
  auto start = Clock::now();
  auto stats = engine->Run(Loopback(), options, sink, stop,
                           [&](const ScanProgress& p) { progress.push_back(p); });
  auto elapsed = Clock::now() - start;
  ASSERT_TRUE(stats) << stats.error().message();

  EXPECT_EQ(stats->attempted, 6u);
  EXPECT_EQ(stats->open, 5u);
  EXPECT_EQ(stats->closed, 1u);
  EXPECT_EQ(stats->filtered, 0u);
  EXPECT_FALSE(stats->interrupted);
  // Every service conversation shares one absolute deadline.
  EXPECT_LT(elapsed, options.service_timeout + std::chrono::milliseconds(2000));
  EXPECT_GE(sink.flushes(), 1);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back().done, 6u);
  EXPECT_EQ(progress.back().total, 6u);
  EXPECT_EQ(progress.back().open, 5u);

  for (const auto& obs : sink.All()) {
    EXPECT_EQ(obs.address, "127.0.0.1");
    EXPECT_GT(obs.time, 0);
    EXPECT_NO_THROW(json::parse(obs.data_json)) << obs.data_json;
    EXPECT_EQ(obs.transport, obs.port == 0 ? "" : "tcp");
  }
  auto host_up = sink.Find("host_up", 0);
  ASSERT_EQ(host_up.size(), 1u);
  EXPECT_EQ(Data(host_up[0])["reason"], "tcp-connect");

  for (uint16_t port : {banner.port(), http.port(), silent.port(), flood.port(), tls.port()}) {
    auto states = sink.Find("port_state", port);
    ASSERT_EQ(states.size(), 1u) << port;
    EXPECT_EQ(states[0].state, "open");
    EXPECT_EQ(Data(states[0])["state"], "open");
    EXPECT_EQ(Data(states[0])["reason"], "syn-ack");
  }
  EXPECT_TRUE(sink.Find("port_state", closed).empty());

  auto ssh = sink.Find("banner", banner.port());
  ASSERT_EQ(ssh.size(), 1u);
  EXPECT_EQ(Data(ssh[0])["text"], "SSH-2.0-OpenSSH_7.4 ciiscope-test\r\n");
  EXPECT_EQ(Data(ssh[0])["truncated"], false);
  EXPECT_EQ(ssh[0].raw, "SSH-2.0-OpenSSH_7.4 ciiscope-test\r\n");
  EXPECT_TRUE(sink.Find("http", banner.port()).empty());

  auto web = sink.Find("http", http.port());
  ASSERT_EQ(web.size(), 1u);
  json w = Data(web[0]);
  EXPECT_EQ(w["scheme"], "http");
  EXPECT_EQ(w["url"], "http://127.0.0.1:" + std::to_string(http.port()) + "/");
  EXPECT_EQ(w["status"], 200);
  EXPECT_EQ(w["reason"], "OK");
  EXPECT_EQ(w["headers"]["server"], "ciiscope-test");
  EXPECT_EQ(w["title"], "统一身份认证");
  EXPECT_EQ(w["truncated"], false);
  EXPECT_EQ(w["timed_out"], false);
  EXPECT_FALSE(w.contains("error"));
  EXPECT_EQ(w["body_sha256"].get<std::string>().size(), 64u);
  EXPECT_TRUE(sink.Find("banner", http.port()).empty());

  auto quiet = sink.Find("banner", silent.port());
  ASSERT_EQ(quiet.size(), 1u);
  EXPECT_EQ(Data(quiet[0])["bytes"], 0);
  EXPECT_EQ(Data(quiet[0])["timed_out"], true);
  EXPECT_TRUE(sink.Find("http", silent.port()).empty());

  auto flooded = sink.Find("banner", flood.port());
  ASSERT_EQ(flooded.size(), 1u);
  EXPECT_EQ(Data(flooded[0])["truncated"], true);
  EXPECT_EQ(Data(flooded[0])["bytes"], 4096);
  EXPECT_EQ(flooded[0].raw.size(), 4096u);

  auto handshake = sink.Find("tls", tls.port());
  ASSERT_EQ(handshake.size(), 1u);
  json t = Data(handshake[0]);
  EXPECT_EQ(t["version"].get<std::string>().rfind("TLSv1", 0), 0u) << t.dump();
  EXPECT_FALSE(t["cipher"].get<std::string>().empty());
  EXPECT_EQ(t["cert"]["subject"], "CN=tls.test.local,O=Demo Univ");
  EXPECT_EQ(t["cert"]["self_signed"], true);
  EXPECT_EQ(handshake[0].raw, cert.Der());
  auto https = sink.Find("http", tls.port());
  ASSERT_EQ(https.size(), 1u);
  EXPECT_EQ(Data(https[0])["scheme"], "https");
  EXPECT_EQ(Data(https[0])["title"], "Secure Portal");
}

TEST(ConnectEngineTest, PortSweepOnlySkipsProbes) {
  LocalServer banner(Behavior::kBanner, "220 ftp ready\r\n");
  ScanOptions options;
  options.ports = core::PortList::Of({banner.port()});
  options.service_probes = false;
  MemorySink sink;
  std::atomic<bool> stop{false};
  auto stats = MakeConnectEngine()->Run(Loopback(), options, sink, stop, nullptr);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->open, 1u);
  EXPECT_EQ(sink.Find("port_state", banner.port()).size(), 1u);
  EXPECT_TRUE(sink.Find("banner", banner.port()).empty());
}

TEST(ConnectEngineTest, StopFlagInterruptsWithinASecond) {
  LocalServer silent(Behavior::kSilent);
  LocalServer silent2(Behavior::kSilent);
  ScanOptions options;
  options.ports = core::PortList::Of({silent.port(), silent2.port()});
  options.service_timeout = std::chrono::seconds(30);
  MemorySink sink;
  std::atomic<bool> stop{false};
  Clock::time_point stopped_at;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    stopped_at = Clock::now();
    stop = true;
  });
  auto stats = MakeConnectEngine()->Run(Loopback(), options, sink, stop, nullptr);
  auto returned_at = Clock::now();
  stopper.join();
  ASSERT_TRUE(stats);
  EXPECT_TRUE(stats->interrupted);
  EXPECT_LT(returned_at - stopped_at, std::chrono::milliseconds(1100));
  EXPECT_EQ(sink.Find("port_state", silent.port()).size(), 1u);
  EXPECT_EQ(sink.Find("port_state", silent2.port()).size(), 1u);
  EXPECT_GE(sink.flushes(), 1);
}

TEST(ConnectEngineTest, RejectsEmptyPortList) {
  MemorySink sink;
  std::atomic<bool> stop{false};
  auto stats = MakeConnectEngine()->Run(Loopback(), ScanOptions{}, sink, stop, nullptr);
  ASSERT_FALSE(stats);
  EXPECT_NE(stats.error().message().find("no ports"), std::string::npos);
}

// Both kernel interfaces of the sweep tell open from closed the same way.
class ConnectIoTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ConnectIoTest, SweepsOpenAndClosedPortsExactly) {
  std::vector<std::unique_ptr<LocalServer>> servers;
  std::vector<uint16_t> ports, open;
  for (int i = 0; i < 5; ++i) {
    servers.push_back(std::make_unique<LocalServer>(Behavior::kSilent));
    open.push_back(servers.back()->port());
  }
  ports = open;
  for (int i = 0; i < 40; ++i) {
    if (uint16_t p = testing::ClosedLoopbackPort()) ports.push_back(p);
  }
  ScanOptions options;
  options.ports = core::PortList::Of(ports);
  options.service_probes = false;
  options.io = GetParam();
  options.concurrency = 8;
  MemorySink sink;
  std::atomic<bool> stop{false};
  auto stats = MakeConnectEngine()->Run(Loopback(), options, sink, stop, nullptr);
  ASSERT_TRUE(stats) << stats.error().message();
  const size_t distinct = core::PortList::Of(ports).size();
  EXPECT_EQ(stats->attempted, distinct);
  EXPECT_EQ(stats->open, open.size());
  EXPECT_EQ(stats->closed, distinct - open.size());
  EXPECT_EQ(stats->filtered, 0u);
  for (uint16_t p : open) EXPECT_EQ(sink.Find("port_state", p).size(), 1u) << p;
  EXPECT_EQ(sink.Find("host_up", 0).size(), 1u);
}

TEST_P(ConnectIoTest, RateLimitsConnects) {
  std::vector<uint16_t> ports;
  for (int i = 0; i < 30; ++i) {
    if (uint16_t p = testing::ClosedLoopbackPort()) ports.push_back(p);
  }
  ScanOptions options;
  options.ports = core::PortList::Of(ports);
  options.service_probes = false;
  options.io = GetParam();
  options.rate = 100;  // 30 connects take about 0.3 s (a burst of one per thread)
  MemorySink sink;
  std::atomic<bool> stop{false};
  auto start = Clock::now();
  auto stats = MakeConnectEngine()->Run(Loopback(), options, sink, stop, nullptr);
  ASSERT_TRUE(stats) << stats.error().message();
  EXPECT_EQ(stats->closed, options.ports.size());
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(200));
}

INSTANTIATE_TEST_SUITE_P(Backends, ConnectIoTest, ::testing::Values("epoll", "uring"));

TEST(ConnectEngineTest, RejectsUnknownIoBackend) {
  ScanOptions options;
  options.ports = core::PortList::Of({80});
  options.io = "kqueue";
  MemorySink sink;
  std::atomic<bool> stop{false};
  auto stats = MakeConnectEngine()->Run(Loopback(), options, sink, stop, nullptr);
  ASSERT_FALSE(stats);
  EXPECT_NE(stats.error().message().find("--io"), std::string::npos);
}

}  // namespace
}  // namespace ciiscope::scanner
