// collect: {requests: [redis-info]} end to end through the real CLI, against
// a fake Redis this test opens on 127.x.y.z:6379 (the redis probe's port; the
// test picks an address whose 6379 it can bind, so nothing else answers
// there). `audit` with the shipped packs must send INFO after the probe's
// INFO server, store the parsed answer (facts collect.redis_info.*) and
// report redis-unauthenticated-data; `scan --no-collect` must not send INFO.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cli_runner.h"

namespace ciiscope::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr uint16_t kRedisPort = 6379;

std::string Bulk(const std::string& text) {
  return "$" + std::to_string(text.size()) + "\r\n" + text + "\r\n";
}

// Answers inline commands like an unauthenticated Redis 6.2 with 42 keys and
// records every command line. Bounded: ≤ 32 connections, 60 s, 2 s a read.
class FakeRedis {
 public:
  FakeRedis() {
    // 127.<pid-derived>.<n>.1: a host of this test's own; the first whose
    // 6379 binds (something listening on 0.0.0.0:6379 would defeat them all).
    const int b = 100 + static_cast<int>(getpid() % 100);
    for (int n = 1; n <= 20 && fd_ < 0; ++n) {
      std::string address = "127." + std::to_string(b) + "." + std::to_string(n) + ".1";
      int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(kRedisPort);
      inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
      if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && listen(fd, 16) == 0) {
        fd_ = fd;
        address_ = address;
      } else if (fd >= 0) {
        close(fd);
      }
    }
    if (fd_ >= 0) thread_ = std::thread([this] { Serve(); });
  }
  ~FakeRedis() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) close(fd_);
  }
  const std::string& address() const { return address_; }
  std::vector<std::string> commands() const {
    std::lock_guard lock(mu_);
    return commands_;
  }

 private:
  void Serve() {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (int served = 0; !stop_ && served < 32 && std::chrono::steady_clock::now() < end;) {
      pollfd pfd{fd_, POLLIN, 0};
      if (poll(&pfd, 1, 100) <= 0) continue;
      int conn = accept(fd_, nullptr, nullptr);
      if (conn < 0) continue;
      ++served;
      Talk(conn);
      close(conn);
    }
  }
  void Talk(int conn) {
    std::string pending;
    for (int reads = 0; !stop_ && reads < 64; ++reads) {
      pollfd pfd{conn, POLLIN, 0};
      if (poll(&pfd, 1, 2000) <= 0) return;
      char buf[1024];
      ssize_t n = read(conn, buf, sizeof buf);
      if (n <= 0) return;
      pending.append(buf, static_cast<size_t>(n));
      for (size_t eol; (eol = pending.find("\r\n")) != std::string::npos;) {
        std::string line = pending.substr(0, eol);
        pending.erase(0, eol + 2);
        {
          std::lock_guard lock(mu_);
          commands_.push_back(line);
        }
        std::string reply = Answer(line);
        // Two writes with a pause: the client must reassemble segments.
        size_t half = reply.size() / 2;
        (void)!write(conn, reply.data(), half);
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        (void)!write(conn, reply.data() + half, reply.size() - half);
      }
    }
  }
  static std::string Answer(const std::string& line) {
    const std::string server =
        "# Server\r\nredis_version:6.2.14\r\nredis_mode:standalone\r\nos:Linux 6.1.0 x86_64\r\n";
    if (line == "INFO server") return Bulk(server);
    if (line == "INFO") {
      return Bulk(server + "\r\n# Clients\r\nconnected_clients:7\r\n\r\n# Replication\r\nrole:master\r\n"
                           "connected_slaves:0\r\n\r\n# Keyspace\r\ndb0:keys=40,expires=1,avg_ttl=0\r\n"
                           "db3:keys=2,expires=0,avg_ttl=0\r\n");
    }
    return "-ERR unknown command\r\n";
  }

  int fd_ = -1;
  std::string address_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<std::string> commands_;
  std::thread thread_;
};

class CollectRequestsTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("collect-requests"); }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  CliResult Cli(const std::string& db, std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", dir_ + "/" + db, "--lang", "en"});
    return RunCli(args);
  }
  std::set<std::string> Rules(const std::string& db) {
    auto list = Cli(db, {"findings", "list", "--json"});
    EXPECT_EQ(list.exit_code, 0) << list.err;
    json arr = json::parse(list.out, nullptr, false);
    std::set<std::string> out;
    if (!arr.is_array()) {
      ADD_FAILURE() << list.out;
      return out;
    }
    for (const auto& f : arr) out.insert(f["rule"].get<std::string>());
    return out;
  }
  // A rule that fires only when the parsed INFO facts are there.
  std::string FactsRuleDir() {
    const std::string rules = dir_ + "/rules";
    fs::create_directories(rules);
    WriteFile(rules + "/redis-facts.yaml", R"(id: redis-facts
kind: check
severity: low
title: {zh: Redis 事实, en: Redis facts}
remediation: {zh: 无, en: None}
collect: {requests: [redis-info]}
when: |
  collect.redis_info.redis_version == "6.2.14" && collect.redis_info.connected_clients == 7 &&
  collect.redis_info.role == "master" && collect.redis_info.keyspace.db3.keys == 2 &&
  collect.redis_info.keys_total == 42 && !collect.redis_info.truncated
)");
    return rules;
  }
  std::string dir_;
};

TEST_F(CollectRequestsTest, AuditSendsInfoAndReportsKeyspace) {
  FakeRedis redis;
  if (redis.address().empty()) GTEST_SKIP() << "no 127.x address with a free port 6379";
  auto audit = Cli("a.db", {"audit", redis.address(), "-p", "6379", "--no-ping", "--format", "json", "-o",
                            dir_ + "/report"});
  ASSERT_EQ(audit.exit_code, 0) << audit.out << audit.err;
  std::vector<std::string> commands = redis.commands();
  std::set<std::string> seen(commands.begin(), commands.end());
  EXPECT_TRUE(seen.count("INFO server")) << commands.size();
  EXPECT_TRUE(seen.count("INFO")) << "the redis-info collect request was not sent";
  for (const auto& c : commands) EXPECT_TRUE(c == "INFO server" || c == "INFO") << c;  // read-only only

  std::set<std::string> rules = Rules("a.db");
  EXPECT_TRUE(rules.count("redis-unauthenticated-data"));
  EXPECT_TRUE(rules.count("redis-unauthenticated"));
  EXPECT_FALSE(rules.count("redis-unauthenticated-replica"));  // role:master

  // The finding names what was collected.
  auto list = Cli("a.db", {"findings", "list", "--json"});
  std::string id;
  for (const auto& f : json::parse(list.out, nullptr, false)) {
    if (f["rule"] == "redis-unauthenticated-data") id = std::to_string(f["id"].get<int64_t>());
  }
  auto show = Cli("a.db", {"findings", "show", id, "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  json shown = json::parse(show.out, nullptr, false);
  ASSERT_TRUE(shown.is_object()) << show.out;
  EXPECT_EQ(shown["detail"]["collected"]["redis-info"]["keys_total"], 42) << show.out;
  EXPECT_EQ(shown["detail"]["collected"]["redis-info"]["redis_version"], "6.2.14") << show.out;

  // The stored facts, judged offline by a rule of this test.
  auto assess = Cli("a.db", {"--rules", FactsRuleDir(), "assess", "--scan", "1"});
  ASSERT_EQ(assess.exit_code, 0) << assess.out << assess.err;
  EXPECT_TRUE(Rules("a.db").count("redis-facts"));
}

TEST_F(CollectRequestsTest, NoCollectDoesNotSendInfo) {
  FakeRedis redis;
  if (redis.address().empty()) GTEST_SKIP() << "no 127.x address with a free port 6379";
  auto scan = Cli("n.db", {"scan", redis.address(), "-p", "6379", "--no-ping", "--no-collect"});
  ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  std::vector<std::string> commands = redis.commands();
  std::set<std::string> seen(commands.begin(), commands.end());
  EXPECT_TRUE(seen.count("INFO server")) << "the redis probe did not run";
  EXPECT_FALSE(seen.count("INFO")) << "--no-collect sent the redis-info request";
  auto assess = Cli("n.db", {"--rules", FactsRuleDir(), "assess", "--scan", "1"});
  ASSERT_EQ(assess.exit_code, 0) << assess.out << assess.err;
  EXPECT_FALSE(Rules("n.db").count("redis-facts"));
}

}  // namespace
}  // namespace ciiscope::testing
