// RuleIndex (one RE2::Set per evidence field) against the per-rule path:
// every shipped fingerprint rule over every example of every rule and over
// recorded and hostile banners/pages must give identical facts and matches.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "rulelang/rule.h"
#include "rulelang/rule_index.h"

namespace ciiscope::rulelang {
namespace {

using nlohmann::json;

struct Outcome {
  json facts;
  std::vector<std::string> matched;
};

Outcome PerRule(const std::vector<const Rule*>& rules, json facts) {
  Outcome out;
  for (const Rule* r : rules) {
    if (ApplyFingerprint(*r, facts)) out.matched.push_back(r->id);
  }
  out.facts = std::move(facts);
  return out;
}

Outcome Indexed(const RuleIndex& index, json facts) {
  Outcome out;
  index.Apply(facts, [&](const Rule& r) { out.matched.push_back(r.id); });
  out.facts = std::move(facts);
  return out;
}

// Banners and pages as real daemons send them (bench/sv, tests/fixtures),
// plus hostile bytes: invalid UTF-8, NULs, ANSI escapes, a 64 KiB body.
std::vector<json> RecordedFacts() {
  const std::vector<std::string> banners = {
      "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n",
      "SSH-2.0-dropbear_2022.83\r\n",
      "SSH-2.0-Cisco-1.25\r\n",
      "SSH-2.0-HUAWEI-1.5\r\n",
      "SSH-2.0-Comware-7.1.064\r\n",
      "220 (vsFTPd 3.0.3)\r\n",
      "220 ProFTPD Server (Debian) [::ffff:127.0.0.1]\r\n",
      "220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------\r\n",
      "220 vm ESMTP Exim 4.96 Sun, 29 Nov 2026 12:00:00 +0000\r\n",
      "220 mail.example.edu.cn ESMTP Postfix (Debian/GNU)\r\n",
      "220 mail.example.edu.cn Anti-spam GT for Coremail System (xmedu[20220101])\r\n",
      "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.\r\n",
      "+OK Dovecot (Debian) ready.\r\n",
      "-ERR unknown command 'HELP'\r\n",
      "\xff\xfd\x18\xff\xfd\x20\xff\xfd\x23\xff\xfd\x27",
      "BusyBox v1.30.1 (Debian 1:1.30.1-6+b3) built-in shell (ash)\r\n",
      "AMQP\x00\x00\x09\x01",
      std::string("\x00\x01\x02SSH-2.0-\x1b[31mOpenSSH\x1b[0m_7.4\xc3\x28\xa0\xa1\r\n", 33),
      "\xe6\xad\xa3\xe6\x96\xb9 \xfe\xff\x80 220 garbage",
      "",
  };
  std::vector<json> out;
  for (const auto& b : banners) {
    out.push_back({{"service", {{"port", 21}, {"name", ""}, {"product", ""}, {"version", ""}}}, {"banner", b}});
  }
  const std::vector<std::pair<std::string, std::string>> servers = {
      {"nginx/1.22.1", "Welcome to nginx!"}, {"Apache/2.4.57 (Debian)", "Apache2 Debian Default Page: It works"},
      {"lighttpd/1.4.69", "bench"},           {"Microsoft-IIS/10.0", "IIS Windows Server"},
      {"Apache-Coyote/1.1", "Apache Tomcat/9.0.58"}, {"", "正方教务管理系统"},
      {"nginx", "统一身份认证"},              {"\xff\xfe nginx/\x00 1.2", "\xc3\x28"},
  };
  std::string big(64 * 1024, 'a');
  big += "Powered by Jenkins";
  for (const auto& [server, title] : servers) {
    json headers = {{"content-type", "text/html"}};
    if (!server.empty()) headers["server"] = server;
    for (const std::string& body : {std::string("<html><head><title>") + title + "</title></head></html>", big}) {
      out.push_back({{"service", {{"port", 80}, {"name", "http"}, {"product", ""}, {"version", ""}}},
                     {"http", {{"status", 200}, {"title", title}, {"headers", headers}, {"body", body}}}});
    }
  }
  // Non-string values where rules expect strings: arrays, numbers, null.
  out.push_back({{"banner", json::array({"SSH-2.0-OpenSSH_9.2p1", "x"})},
                 {"http", {{"title", 7}, {"body", nullptr}, {"headers", {{"server", json::array({"nginx"})}}}}}});
  return out;
}

TEST(RuleIndexTest, ShippedFingerprintsGiveTheSameResultsBothWays) {
  RuleSet set = LoadRuleDir(std::string(CIISCOPE_SOURCE_DIR) + "/rules");
  ASSERT_TRUE(set.errors.empty()) << set.errors.front().message();
  std::vector<const Rule*> fingerprints;
  for (const auto& r : set.rules) {
    if (r.kind == RuleKind::kFingerprint) fingerprints.push_back(&r);
  }
  ASSERT_GE(fingerprints.size(), 150u);
  const RuleIndex index(fingerprints);
  const RuleIndex::Stats stats = index.stats();
  EXPECT_EQ(stats.rules, fingerprints.size());
  // Most of the pack must be behind the Sets, or the index is pointless.
  EXPECT_GE(stats.indexed * 10, stats.rules * 8) << stats.indexed << " of " << stats.rules;
  EXPECT_GE(stats.fields, 4u);

  std::vector<json> cases = RecordedFacts();
  for (const auto& r : set.rules) {  // examples of every rule, not only fingerprints
    for (const auto& t : r.tests) cases.push_back(t.facts);
  }
  size_t matches = 0, skipped = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    Outcome a = PerRule(fingerprints, cases[i]);
    json facts = cases[i];
    Outcome b;
    skipped += fingerprints.size() - index.Apply(facts, [&](const Rule& r) { b.matched.push_back(r.id); });
    b.facts = std::move(facts);
    EXPECT_EQ(a.matched, b.matched) << "case " << i << ": " << cases[i].dump().substr(0, 300);
    EXPECT_EQ(a.facts, b.facts) << "case " << i << ": " << cases[i].dump().substr(0, 300);
    matches += a.matched.size();
  }
  EXPECT_GT(matches, cases.size() / 2);  // the cases do exercise the rules
  // …and the Sets do rule most rules out without evaluating them.
  EXPECT_GT(skipped, cases.size() * fingerprints.size() / 2);
}

Rule Parse(const std::string& yaml) {
  auto r = ParseRule(yaml, "t.yaml");
  EXPECT_TRUE(r.has_value()) << r.error().message();
  return r.has_value() ? *r : Rule{};
}

std::string RuleYaml(const std::string& id, const std::string& when, const std::string& set) {
  return "id: " + id + "\nkind: fingerprint\ntitle: {zh: 测试, en: test}\nwhen: '" + when + "'\nset: " + set + "\n";
}

TEST(RuleIndexTest, EdgeCasesOfTheNecessaryCondition) {
  // A field a rule writes is read by a later rule: never indexed.
  std::vector<Rule> rules = {
      Parse(RuleYaml("a", "banner startswith \"SSH-\"", "{service.product: OpenSSH}")),
      Parse(RuleYaml("b", "service.product == \"OpenSSH\"", "{service.name: ssh}")),
      Parse(RuleYaml("c", "lower(banner) contains \"openssh\" || http.title =~ \"^x\"", "{app.c: 1}")),
      Parse(RuleYaml("d", "banner contains \"x\" && !(banner contains \"y\")", "{app.d: 1}")),
      Parse(RuleYaml("e", "http.headers[\"x-a\"] endswith \"Z\"", "{app.e: 1}")),
      Parse(RuleYaml("f", "tags contains \"cam\"", "{app.f: 1}")),
      // Presence: exists(), comparisons with a non-string, a bare path, != null.
      Parse(RuleYaml("g", "exists(probe[\"a\"].v) || probe[\"b\"].code == 220", "{app.g: 1}")),
      Parse(RuleYaml("h", "probe[\"c\"].ok", "{app.h: 1}")),
      Parse(RuleYaml("i", "len(probe[\"d\"].list) > 0", "{app.i: 1}")),
      Parse(RuleYaml("j", "probe[\"e\"].x != null && !(probe[\"e\"].y == 1)", "{app.j: 1}")),
  };
  std::vector<const Rule*> ptrs;
  for (const auto& r : rules) ptrs.push_back(&r);
  const RuleIndex index(ptrs);
  const std::vector<json> cases = {
      {{"banner", "SSH-2.0-OpenSSH_9.2"}},
      {{"banner", "ssh-2.0-openSSH"}},
      {{"banner", "xx"}},
      {{"banner", "xy"}},
      {{"banner", 5}},
      {{"http", {{"title", "xyz"}, {"headers", {{"x-a", "aZ"}}}}}},
      {{"http", {{"headers", {{"x-a", "aZ\n"}}}}}},
      {{"tags", json::array({"cam", "nvr"})}},  // contains on a list: membership
      {{"tags", "webcam"}},
      {{"service", {{"product", "OpenSSH"}}}},
      {{"probe", {{"a", {{"v", 0}}}}}},
      {{"probe", {{"a", {{"v", nullptr}}}, {"b", {{"code", 220}}}}}},
      {{"probe", {{"b", {{"code", "220"}}}}}},
      {{"probe", {{"c", {{"ok", false}}}}}},
      {{"probe", {{"c", {{"ok", 1}}}}}},
      {{"probe", {{"d", {{"list", json::array()}}}}}},
      {{"probe", {{"d", {{"list", json::array({1})}}}}}},
      {{"probe", {{"e", {{"x", nullptr}}}}}},
      {{"probe", {{"e", {{"x", 0}, {"y", 2}}}}}},
      {{"probe", json::object()}},
  };
  for (const auto& c : cases) {
    Outcome a = PerRule(ptrs, c);
    Outcome b = Indexed(index, c);
    EXPECT_EQ(a.matched, b.matched) << c.dump();
    EXPECT_EQ(a.facts, b.facts) << c.dump();
  }
  // service.product is written by rule a: rule b stays unindexed.
  EXPECT_EQ(index.stats().indexed, 9u);
  json facts = {{"banner", "HTTP/1.0 200 OK"}};
  EXPECT_EQ(index.Apply(facts), 1u);  // only b (unindexed) is evaluated
}

}  // namespace
}  // namespace ciiscope::rulelang
