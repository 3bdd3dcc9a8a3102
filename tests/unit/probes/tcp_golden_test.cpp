// Golden tests of the TCP probes (issue 4 item 7): every conversation
// recorded under tests/fixtures/tcp/ (real Debian daemons, see the README
// there) is replayed by a server that plays the recorded server side, turn
// by turn, on the recorded loopback address and port — inside a network
// namespace this test creates, so the well-known ports are free and nothing
// else answers. The real ProbeService (probe choice, parsers, evidence) runs
// against it; its evidence goes through BuildFacts and the shipped
// fingerprint pack (RuleIndex, as `assess` does), and the identification
// JSON must equal tests/golden/tcp/<name>.json.
//
//   UPDATE=1         rewrites the golden files (review the diff before committing)
//   RECORD_FROM=ADDR:PORT RECORD_NAME=NAME [RECORD_SOURCE=TEXT]
//                    records a new fixture instead: a proxy on the same port
//                    of 127.77.1.<last octet of ADDR> relays ProbeService's
//                    conversation with the daemon at ADDR:PORT and writes
//                    tests/fixtures/tcp/NAME.txt (bench/sv/run.sh with
//                    BENCH_RECORD=1 does this for every bench daemon).
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "assessor/assessor.h"
#include "rulelang/rule.h"
#include "rulelang/rule_index.h"
#include "scanner/probes/probe.h"
#include "golden_file.h"
#include "tcp_transcript.h"
#include "test_sink.h"

namespace ciiscope::scanner {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::Transcript;
using testing::TranscriptEvent;
using Clock = std::chrono::steady_clock;

const fs::path kFixtures = fs::path(CIISCOPE_SOURCE_DIR) / "tests/fixtures/tcp";
const fs::path kGolden = fs::path(CIISCOPE_SOURCE_DIR) / "tests/golden/tcp";
constexpr auto kStepWait = std::chrono::seconds(5);   // longest wait for one turn
constexpr auto kIdleTurn = std::chrono::milliseconds(300);  // a shorter client turn ends after this idle

int PollOne(int fd, short events, Clock::time_point until) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
  if (left <= 0) return 0;
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 100)));
}

bool SendAll(int fd, std::string_view data) {
  const auto until = Clock::now() + kStepWait;
  while (!data.empty() && Clock::now() < until) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      PollOne(fd, POLLOUT, until);
    } else {
      return false;
    }
  }
  return data.empty();
}

int Listen(const std::string& address, uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  ::inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd, 16) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Accepts one connection within `until`; -1 when none came.
int AcceptUntil(int listen_fd, Clock::time_point until, const std::atomic<bool>& stop) {
  while (!stop && Clock::now() < until) {
    if (PollOne(listen_fd, POLLIN, until) > 0) return ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  }
  return -1;
}

// Plays the server side of recorded connections, in order; later
// connections are accepted and closed. Every wait is bounded.
class ReplayServer {
 public:
  ReplayServer(const std::string& address, uint16_t port, const Transcript& t) : t_(t) {
    listen_fd_ = Listen(address, port);
    if (listen_fd_ >= 0) thread_ = std::thread([this] { Run(); });
  }
  ~ReplayServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }
  bool ok() const { return listen_fd_ >= 0; }
  int accepted() const { return accepted_.load(); }

 private:
  void Run() {
    while (!stop_) {
      int fd = AcceptUntil(listen_fd_, Clock::now() + std::chrono::milliseconds(200), stop_);
      if (fd < 0) continue;
      size_t index = static_cast<size_t>(accepted_++);
      if (index < t_.connections.size()) Play(fd, t_.connections[index]);
      ::close(fd);
    }
  }

  // Reads until `need` bytes came (or, having some, kIdleTurn passed
  // without more), the peer closed or kStepWait passed. False on close.
  bool ReadTurn(int fd, size_t need, size_t* surplus) {
    size_t got = *surplus;
    *surplus = 0;
    auto until = Clock::now() + kStepWait;
    char buf[16384];
    while (got < need && !stop_) {
      auto step = got > 0 ? std::min(until, Clock::now() + kIdleTurn) : until;
      if (Clock::now() >= step) return true;
      if (PollOne(fd, POLLIN, step) <= 0) continue;
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return false;
      got += static_cast<size_t>(n);
      if (got > need) *surplus = got - need;
      if (got > 0) until = std::min(until, Clock::now() + kStepWait);
    }
    return true;
  }

  void Play(int fd, const std::vector<TranscriptEvent>& events) {
    size_t surplus = 0;
    for (const auto& e : events) {
      switch (e.kind) {
        case TranscriptEvent::kServer:
          if (!SendAll(fd, e.bytes)) return;
          break;
        case TranscriptEvent::kClient:
          if (!ReadTurn(fd, e.bytes.size(), &surplus)) return;
          break;
        case TranscriptEvent::kClientClose:
          ReadTurn(fd, SIZE_MAX, &surplus);  // until the client closes (bounded)
          return;
        case TranscriptEvent::kServerClose: return;
      }
    }
  }

  const Transcript& t_;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

// Relays connections to `upstream` and writes down what each side said.
class RecordingProxy {
 public:
  RecordingProxy(const std::string& address, uint16_t port, std::string upstream)
      : upstream_(std::move(upstream)), port_(port) {
    listen_fd_ = Listen(address, port);
    if (listen_fd_ >= 0) thread_ = std::thread([this] { Run(); });
  }
  ~RecordingProxy() { Finish(); }
  bool ok() const { return listen_fd_ >= 0; }
  // Stops relaying; the transcript is complete afterwards.
  Transcript Finish() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
    listen_fd_ = -1;
    return t_;
  }

 private:
  void Run() {
    while (!stop_) {
      int client = AcceptUntil(listen_fd_, Clock::now() + std::chrono::milliseconds(200), stop_);
      if (client < 0) continue;
      int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in sa{};
      sa.sin_family = AF_INET;
      sa.sin_port = htons(port_);
      ::inet_pton(AF_INET, upstream_.c_str(), &sa.sin_addr);
      t_.connections.emplace_back();
      if (::connect(server, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) Relay(client, server);
      ::close(server);
      ::close(client);
    }
  }

  void Add(TranscriptEvent::Kind kind, std::string_view bytes) {
    auto& conn = t_.connections.back();
    if (!conn.empty() && conn.back().kind == kind && kind <= TranscriptEvent::kClient) {
      conn.back().bytes += bytes;
    } else {
      conn.push_back({kind, std::string(bytes)});
    }
  }

  void Relay(int client, int server) {
    const auto until = Clock::now() + std::chrono::seconds(20);
    char buf[16384];
    while (Clock::now() < until) {
      pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
      if (::poll(p, 2, 100) <= 0) continue;
      for (int i = 0; i < 2; ++i) {
        if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t n = ::recv(p[i].fd, buf, sizeof buf, 0);
        if (n <= 0) {
          Add(i == 0 ? TranscriptEvent::kClientClose : TranscriptEvent::kServerClose, "");
          return;
        }
        Add(i == 0 ? TranscriptEvent::kClient : TranscriptEvent::kServer, std::string_view(buf, static_cast<size_t>(n)));
        if (!SendAll(p[1 - i].fd, std::string_view(buf, static_cast<size_t>(n)))) return;
      }
    }
  }

  std::string upstream_;
  uint16_t port_;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  Transcript t_;
};

// ProbeService against address:port, as the connect engine runs it.
std::vector<inventory::Observation> Probe(const std::string& address, uint16_t port) {
  ProbeRegistry registry;
  RegisterBuiltinProbes(registry);
  testing::MemorySink sink;
  std::atomic<bool> stop{false};
  ProbeContext ctx;
  ctx.target = Target{*core::IpAddress::Parse(address), ""};
  ctx.port = port;
  ctx.deadline = Clock::now() + std::chrono::milliseconds(5000);  // ScanOptions::service_timeout
  ctx.stop = &stop;
  ctx.sink = &sink;
  asio::io_context io(1);
  asio::co_spawn(io, ProbeService(registry, ctx), asio::detached);
  io.run_for(std::chrono::seconds(20));
  return sink.All();
}

// The identification: the evidence the probes recorded, and what the
// fingerprint pack names from it.
json Identify(const std::string& name, const Transcript& t, uint16_t port, int connections,
              const std::vector<inventory::Observation>& observations, const rulelang::RuleIndex& index) {
  inventory::Asset asset;
  asset.address = t.header.at("address");
  inventory::Service service;
  service.transport = "tcp";
  service.port = port;
  service.state = "open";
  std::vector<inventory::Evidence> evidence;
  json ev = json::array();
  for (const auto& o : observations) {
    inventory::Evidence e;
    e.kind = o.kind;
    e.data_json = o.data_json;
    evidence.push_back(e);
    ev.push_back({{"kind", o.kind}, {"data", json::parse(o.data_json)}});
  }
  json facts = assessor::BuildFacts(asset, service, evidence);
  std::vector<std::string> matched;
  index.Apply(facts, [&](const rulelang::Rule& r) { matched.push_back(r.id); });
  json out = {{"fixture", name},
              {"port", port},
              {"connections", {{"recorded", t.connections.size()}, {"replayed", connections}}},
              {"evidence", ev},
              {"rules", matched},
              {"service", {{"name", facts["service"]["name"]}, {"product", facts["service"]["product"]},
                           {"version", facts["service"]["version"]}, {"cpe", facts["service"]["cpe"]}}}};
  if (facts.contains("app")) out["app"] = facts["app"];
  return out;
}

// This thread (and the threads it starts) in a new network namespace with
// lo up, for the life of the object; back to the original one after.
class OwnNetns {
 public:
  OwnNetns() {
    original_ = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (original_ < 0 || ::unshare(CLONE_NEWNET) != 0) {
      error_ = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
      return;
    }
    int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (::ioctl(s, SIOCGIFFLAGS, &ifr) != 0 || (ifr.ifr_flags |= IFF_UP, ::ioctl(s, SIOCSIFFLAGS, &ifr)) != 0) {
      error_ = std::string("lo up: ") + std::strerror(errno);
    }
    ::close(s);
  }
  ~OwnNetns() {
    if (original_ >= 0) {
      ::setns(original_, CLONE_NEWNET);
      ::close(original_);
    }
  }
  const std::string& error() const { return error_; }

 private:
  int original_ = -1;
  std::string error_;
};

bool Env(const char* name, std::string* value) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return false;
  *value = v;
  return true;
}

TEST(TcpGoldenTest, RecordsAFixtureWhenAsked) {
  std::string from, name;
  if (!Env("RECORD_FROM", &from)) GTEST_SKIP() << "RECORD_FROM not set (recording is manual)";
  ASSERT_TRUE(Env("RECORD_NAME", &name)) << "RECORD_NAME=<family>-<port>-<what> is required";
  const size_t colon = from.rfind(':');
  ASSERT_NE(colon, std::string::npos) << "RECORD_FROM=ADDR:PORT";
  const std::string upstream = from.substr(0, colon);
  const uint16_t port = static_cast<uint16_t>(std::stoi(from.substr(colon + 1)));
  ASSERT_TRUE(upstream.starts_with("127.")) << "recording is for loopback daemons only";
  const std::string proxy_address = "127.77.1." + upstream.substr(upstream.rfind('.') + 1);
  RecordingProxy proxy(proxy_address, port, upstream);
  ASSERT_TRUE(proxy.ok()) << "cannot listen on " << proxy_address << ":" << port;
  Probe(proxy_address, port);
  Transcript t = proxy.Finish();
  t.header["port"] = std::to_string(port);
  t.header["address"] = proxy_address;
  std::string source;
  if (Env("RECORD_SOURCE", &source)) t.header["source"] = source;
  fs::create_directories(kFixtures);
  std::ofstream(kFixtures / (name + ".txt"), std::ios::binary)
      << "# ciiscope TCP fixture (tests/fixtures/tcp/README.md)\n" << WriteTranscript(t);
}

TEST(TcpGoldenTest, RecordedConversationsIdentifyAsTheGoldenFilesSay) {
  rulelang::RuleSet rules = rulelang::LoadRuleDir(std::string(CIISCOPE_SOURCE_DIR) + "/rules");
  ASSERT_TRUE(rules.errors.empty()) << rules.errors.front().message();
  const assessor::RulePlan plan = assessor::PlanRules(rules.rules);
  std::vector<fs::path> fixtures;
  for (const auto& e : fs::directory_iterator(kFixtures)) {
    if (e.path().extension() == ".txt") fixtures.push_back(e.path());
  }
  std::sort(fixtures.begin(), fixtures.end());
  ASSERT_GE(fixtures.size(), 10u);
  OwnNetns netns;
  if (!netns.error().empty()) GTEST_SKIP() << "needs its own network namespace (root): " << netns.error();
  if (UpdateGolden()) fs::create_directories(kGolden);
  for (const auto& path : fixtures) {
    const std::string name = path.stem().string();
    Transcript t;
    std::string error;
    ASSERT_TRUE(ParseTranscript(ReadFile(path), &t, &error)) << path.string() << ": " << error;
    ASSERT_TRUE(t.header.contains("port") && t.header.contains("address")) << path << ": no port/address header";
    const uint16_t port = static_cast<uint16_t>(std::stoi(t.header["port"]));
    int replayed = 0;
    std::vector<inventory::Observation> observations;
    {
      ReplayServer server(t.header["address"], port, t);
      ASSERT_TRUE(server.ok()) << name << ": cannot listen on " << t.header["address"] << ":" << port;
      observations = Probe(t.header["address"], port);
      replayed = server.accepted();
    }
    const std::string got =
        Identify(name, t, port, replayed, observations, plan.fingerprint_index).dump(2) + "\n";
    ExpectGolden(kGolden / (name + ".json"), name, got);
  }
}

}  // namespace
}  // namespace ciiscope::scanner
