// collect: end to end through the real CLI. Two loopback web servers this
// test opens: one exposes /.git/HEAD, the other is a "soft 404" that answers
// every path with 200 and the very same ref-like body. `ciiscope audit` with
// the shipped packs must report path-git-exposed on the first and nothing on
// the second; the scanner must have fetched the collect paths with GET/HEAD
// only; and an offline `assess --scan` with a new rule must judge the stored
// path evidence after the servers are gone.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "cli_runner.h"
#include "path_server.h"

namespace ciiscope::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kGitHead = "ref: refs/heads/master\n";

PathResponse Exposed(const std::string&, const std::string& path) {
  if (path == "/") return {200, "text/html; charset=utf-8", "<html><title>数字校园</title></html>", ""};
  if (path == "/.git/HEAD") return {200, "application/octet-stream", kGitHead, ""};
  return {404, "text/html", "<html><title>404 Not Found</title></html>", ""};
}

PathResponse SoftNotFound(const std::string&, const std::string&) {
  return {200, "text/plain", kGitHead, ""};
}

class CollectPathsTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("collect"); }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  CliResult Cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", dir_ + "/inventory.db", "--lang", "en"});
    return RunCli(args);
  }
  // rule id → set of ports with an open finding of that rule.
  std::map<std::string, std::set<int>> Findings() {
    auto list = Cli({"findings", "list", "--json"});
    EXPECT_EQ(list.exit_code, 0) << list.err;
    json arr = json::parse(list.out, nullptr, false);
    std::map<std::string, std::set<int>> out;
    if (!arr.is_array()) {
      ADD_FAILURE() << list.out;
      return out;
    }
    for (const auto& f : arr) out[f["rule"].get<std::string>()].insert(f["port"].get<int>());
    return out;
  }
  std::string dir_;
};

TEST_F(CollectPathsTest, FindsExposedGitOnlyWhereItIsReal) {
  int exposed_port = 0, soft_port = 0;
  std::vector<std::string> exposed_requests, soft_requests;
  {
    PathServer exposed(Exposed);
    PathServer soft(SoftNotFound);
    ASSERT_NE(exposed.port(), 0);
    ASSERT_NE(soft.port(), 0);
    exposed_port = exposed.port();
    soft_port = soft.port();
    auto audit = Cli({"audit", "127.0.0.1", "-p",
                      std::to_string(exposed_port) + "," + std::to_string(soft_port), "--format",
                      "json", "-o", dir_ + "/report"});
    ASSERT_EQ(audit.exit_code, 0) << audit.out << audit.err;
    exposed_requests = exposed.requests();
    soft_requests = soft.requests();
  }
  // The scanner fetched "/", the not-found check and the collect paths —
  // read-only, and only paths the rules named.
  std::set<std::string> seen(exposed_requests.begin(), exposed_requests.end());
  EXPECT_TRUE(seen.count("GET /")) << exposed_requests.size();
  EXPECT_TRUE(seen.count("GET /.git/HEAD"));
  EXPECT_TRUE(seen.count("GET /.git/config"));
  EXPECT_TRUE(seen.count("GET /ciiscope-not-found-7f3e9c2a"));
  EXPECT_TRUE(seen.count("GET /v2/api-docs"));
  EXPECT_FALSE(seen.count("GET /actuator/heapdump"));  // never requested: it makes the server dump
  for (const auto& r : exposed_requests) {
    EXPECT_TRUE(r.starts_with("GET /") || r.starts_with("HEAD /")) << r;
  }
  EXPECT_LE(exposed_requests.size(), 70u);  // "/", favicon, not-found check, ≤ 64 collect paths
  EXPECT_TRUE(std::set<std::string>(soft_requests.begin(), soft_requests.end()).count("GET /.git/HEAD"));

  auto findings = Findings();
  ASSERT_TRUE(findings.count("path-git-exposed")) << "no path-git-exposed finding";
  EXPECT_EQ(findings["path-git-exposed"], std::set<int>{exposed_port});
  // The soft-404 server answered every collect path with 200: no path rule fires there.
  for (const auto& [rule, ports] : findings) {
    if (rule.starts_with("path-")) {
      EXPECT_FALSE(ports.count(soft_port)) << rule;
    }
  }

  // The finding says where: the collected URL and its status.
  auto list = Cli({"findings", "list", "--json"});
  json arr = json::parse(list.out, nullptr, false);
  std::string id;
  for (const auto& f : arr) {
    if (f["rule"] == "path-git-exposed") id = std::to_string(f["id"].get<int64_t>());
  }
  auto show = Cli({"findings", "show", id, "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  json shown = json::parse(show.out, nullptr, false);
  ASSERT_TRUE(shown.is_object()) << show.out;
  const json& where = shown["detail"]["http_paths"]["/.git/HEAD"];
  EXPECT_EQ(where["status"], 200) << show.out;
  EXPECT_EQ(where["url"], "http://127.0.0.1:" + std::to_string(exposed_port) + "/.git/HEAD");

  // Offline: the servers are gone; a new rule judges the stored path evidence.
  const std::string rules = dir_ + "/rules";
  fs::create_directories(rules);
  WriteFile(rules + "/git-on-master.yaml", R"(id: git-on-master
kind: check
severity: low
title: {zh: 仓库在 master 分支, en: Repository on master}
remediation: {zh: 删除, en: Remove}
collect: {http: [/.git/HEAD]}
when: |
  http.paths["/.git/HEAD"].body == "ref: refs/heads/master\n" && !http.paths["/.git/HEAD"].soft404
)");
  auto assess = Cli({"--rules", rules, "assess", "--scan", "1"});
  ASSERT_EQ(assess.exit_code, 0) << assess.out << assess.err;
  findings = Findings();
  EXPECT_EQ(findings["git-on-master"], std::set<int>{exposed_port});
}

}  // namespace
}  // namespace ciiscope::testing
