// End to end: the real CLI against the demo campus network on loopback.
// One process, one audit (registered as a single ctest case); each TEST
// checks one promise of the walking skeleton.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "cli_runner.h"

namespace ciiscope::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kBase = "127.79.3";

class DemoAuditTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = MakeTempDir("itest");
    state_ = dir_ + "/demo-state";
    db_ = dir_ + "/inventory.db";
    auto up = RunCli({"demo", "--state-dir", state_, "--base", kBase, "up"});
    ASSERT_EQ(up.exit_code, 0) << up.err;
    manifest_ = json::parse(ReadFile(state_ + "/manifest.json"));

    std::vector<std::string> args = {"--db", db_, "--lang", "en", "audit"};
    std::string ports;
    std::set<std::string> addrs;
    for (const auto& s : manifest_["services"]) {
      addrs.insert(s["address"].get<std::string>());
      ports += std::to_string(s["port"].get<int>()) + ",";
    }
    for (const auto& c : manifest_["closed"]) {
      addrs.insert(c["address"].get<std::string>());
      ports += std::to_string(c["port"].get<int>()) + ",";
    }
    for (const auto& a : addrs) args.push_back(a);
    args.insert(args.end(), {"-p", ports, "-o", dir_ + "/reports"});
    audit_ = RunCli(args);
  }

  static void TearDownTestSuite() {
    RunCli({"demo", "--state-dir", state_, "--base", kBase, "down"});
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static json CliJson(const std::vector<std::string>& args) {
    std::vector<std::string> full = {"--db", db_, "--lang", "en"};
    full.insert(full.end(), args.begin(), args.end());
    auto r = RunCli(full);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  }

  static inline std::string dir_, state_, db_;
  static inline json manifest_;
  static inline CliResult audit_;
};

TEST_F(DemoAuditTest, AuditSucceedsAndNamesReports) {
  ASSERT_EQ(audit_.exit_code, 0) << audit_.out << audit_.err;
  EXPECT_NE(audit_.out.find("report: "), std::string::npos) << audit_.out;
  EXPECT_TRUE(fs::exists(dir_ + "/reports/scan-1.html"));
  EXPECT_TRUE(fs::exists(dir_ + "/reports/scan-1.json"));
  EXPECT_TRUE(fs::exists(dir_ + "/reports/scan-1.csv"));
}

TEST_F(DemoAuditTest, EveryOpenPortFoundNoClosedPortReportedOpen) {
  json services = CliJson({"services", "list", "--json"});
  ASSERT_TRUE(services.is_array());
  std::set<std::pair<std::string, int>> open;
  for (const auto& s : services) {
    if (s["state"] == "open") open.insert({s["address"].get<std::string>(), s["port"].get<int>()});
  }
  for (const auto& s : manifest_["services"]) {
    EXPECT_TRUE(open.count({s["address"].get<std::string>(), s["port"].get<int>()}))
        << "missed open port " << s.dump();
  }
  ASSERT_FALSE(manifest_["closed"].empty());
  for (const auto& c : manifest_["closed"]) {
    EXPECT_FALSE(open.count({c["address"].get<std::string>(), c["port"].get<int>()}))
        << "closed port reported open " << c.dump();
  }
}

TEST_F(DemoAuditTest, ServicesAreIdentified) {
  json services = CliJson({"services", "list", "--json"});
  int named = 0;
  for (const auto& s : services) {
    if (!s["name"].get<std::string>().empty()) ++named;
    if (s["product"] == "OpenSSH") {
      EXPECT_EQ(s["version"], "7.4");
    }
    if (s["product"] == "Redis") {
      EXPECT_EQ(s["version"], "5.0.7");
    }
  }
  EXPECT_GE(named, static_cast<int>(manifest_["services"].size()));
}

TEST_F(DemoAuditTest, ExpectedFindingsPresent) {
  json findings = CliJson({"findings", "list", "--json"});
  ASSERT_TRUE(findings.is_array());
  std::set<std::string> rules;
  for (const auto& f : findings) rules.insert(f["rule"].get<std::string>());
  // The demo's manifest names what its hosts must raise (a demo unit test
  // checks each name is a shipped rule file).
  ASSERT_GE(manifest_["expected_findings"].size(), 7u);
  for (const auto& r : manifest_["expected_findings"]) {
    EXPECT_TRUE(rules.count(r.get<std::string>())) << "missing finding " << r;
  }
}

TEST_F(DemoAuditTest, ReportsContainTheFindings) {
  json findings = CliJson({"findings", "list", "--json"});
  std::string html = ReadFile(dir_ + "/reports/scan-1.html");
  std::string csv = ReadFile(dir_ + "/reports/scan-1.csv");
  json report = json::parse(ReadFile(dir_ + "/reports/scan-1.json"), nullptr, false);
  ASSERT_FALSE(report.is_discarded());
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  for (const auto& f : findings) {
    std::string rule = f["rule"];
    EXPECT_NE(html.find(rule), std::string::npos) << rule;
    EXPECT_NE(csv.find(rule), std::string::npos) << rule;
    EXPECT_NE(report.dump().find(rule), std::string::npos) << rule;
  }
}

TEST_F(DemoAuditTest, ReassessingDoesNotDuplicateFindings) {
  json before = CliJson({"findings", "list", "--json"});
  auto r = RunCli({"--db", db_, "assess"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json after = CliJson({"findings", "list", "--json"});
  EXPECT_EQ(before.size(), after.size());
  EXPECT_NE(r.out.find("0 new"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace ciiscope::testing
