// The shipped rule packs: every file loads, every rule carries positive and
// negative tests, and all of them pass.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "rulelang/rule.h"

namespace ciiscope::rulelang {
namespace {

const std::string kRulesDir = std::string(CIISCOPE_SOURCE_DIR) + "/rules";

TEST(RulePackTest, LoadsWithoutErrorsAndAllTestsPass) {
  RuleSet set = LoadRuleDir(kRulesDir);
  for (const Error& e : set.errors) ADD_FAILURE() << e.message();
  ASSERT_GE(set.rules.size(), 20u);
  for (const Rule& rule : set.rules) {
    int positive = 0, negative = 0;
    for (const RuleTest& t : rule.tests) (t.expect_match ? positive : negative)++;
    EXPECT_GE(positive, 1) << rule.source.ToString() << ": " << rule.id << " has no positive test";
    EXPECT_GE(negative, 1) << rule.source.ToString() << ": " << rule.id << " has no negative test";
    for (const TestResult& r : RunRuleTests(rule)) {
      EXPECT_TRUE(r.passed) << r.pos.ToString() << ": " << r.rule_id << " / " << r.test_name << ": " << r.message;
    }
  }
}

TEST(RulePackTest, FileNamesMatchIdsAndChecksAreComplete) {
  RuleSet set = LoadRuleDir(kRulesDir);
  int checks = 0, fingerprints = 0;
  for (const Rule& rule : set.rules) {
    EXPECT_EQ(std::filesystem::path(rule.source.file).stem().string(), rule.id) << rule.source.file;
    EXPECT_FALSE(rule.description.zh.empty() || rule.description.en.empty()) << rule.id << " lacks a description";
    if (rule.kind == RuleKind::kCheck) {
      ++checks;
      EXPECT_FALSE(rule.references.empty()) << rule.id << " cites nothing";
      // Every finding names the MLPS test item (or, for ledger checks, the clause) it evidences.
      bool cites_mlps = false;
      for (const std::string& r : rule.references) {
        cites_mlps = cites_mlps || r.starts_with("GB/T 28448-2019 L3-") || r.starts_with("GB/T 22239-2019 ");
      }
      EXPECT_TRUE(cites_mlps) << rule.id << " cites no GB/T 28448-2019 test item";
      // Version-based findings say that backports may fix them, and how sure the rule is.
      bool version_based = std::find(rule.tags.begin(), rule.tags.end(), "version-based") != rule.tags.end();
      if (version_based) {
        EXPECT_NE(rule.remediation.zh.find("置信度"), std::string::npos) << rule.id;
        EXPECT_NE(rule.remediation.en.find("confidence"), std::string::npos) << rule.id;
        EXPECT_NE(rule.remediation.en.find("backport"), std::string::npos) << rule.id << " does not mention backports";
        EXPECT_NE(rule.description.en.find("onfidence"), std::string::npos) << rule.id;
      }
      EXPECT_FALSE(rule.title.zh.empty() || rule.title.en.empty() || rule.remediation.zh.empty() ||
                   rule.remediation.en.empty()) << rule.id << " lacks bilingual title or remediation";
    }
    if (rule.kind == RuleKind::kFingerprint) {
      ++fingerprints;
      EXPECT_TRUE(!rule.set.empty() || !rule.extract.empty()) << rule.id << " sets nothing";
    }
  }
  EXPECT_GE(checks, 120);  // issue 6: at least 120 tested checks
  EXPECT_GE(fingerprints, 8);
}

// Fingerprints run in load order over one facts document, as the assessor does.
TEST(RulePackTest, FingerprintChainOnRealisticFacts) {
  RuleSet set = LoadRuleDir(kRulesDir);
  auto fingerprint = [&](nlohmann::json facts) {
    for (const Rule& rule : set.rules) {
      if (rule.kind == RuleKind::kFingerprint) ApplyFingerprint(rule, facts);
    }
    return facts["service"];
  };
  auto https = fingerprint(nlohmann::json::parse(R"({
    "service": {"transport": "tcp", "port": 443, "state": "open", "name": "", "product": "", "version": ""},
    "http": {"scheme": "https", "status": 200, "headers": {"server": "nginx/1.18.0"}},
    "tls": {"version": "TLSv1.2", "cert": {"self_signed": false, "days_left": 100}}})"));
  EXPECT_EQ(https["name"], "https");
  EXPECT_EQ(https["product"], "nginx");
  EXPECT_EQ(https["version"], "1.18.0");

  auto ssh = fingerprint(nlohmann::json::parse(R"({
    "service": {"transport": "tcp", "port": 22, "state": "open", "name": ""},
    "banner": "SSH-2.0-OpenSSH_7.4\r\n"})"));
  EXPECT_EQ(ssh["name"], "ssh");
  EXPECT_EQ(ssh["product"], "OpenSSH");
  EXPECT_EQ(ssh["version"], "7.4");
}

// Check rules see the facts fingerprints leave behind, as in the assessor:
// raw facts as the scanner records them → every fingerprint → every check.
std::set<std::string> MatchingChecks(const RuleSet& set, nlohmann::json facts) {
  for (const Rule& rule : set.rules) {
    if (rule.kind == RuleKind::kFingerprint) ApplyFingerprint(rule, facts);
  }
  std::set<std::string> ids;
  for (const Rule& rule : set.rules) {
    if (rule.kind == RuleKind::kCheck && rule.when.Matches(facts)) ids.insert(rule.id);
  }
  return ids;
}

struct ChainCase {
  const char* name;
  const char* raw_facts;
  std::vector<std::string> expected;
  std::vector<std::string> absent;
};

TEST(RulePackTest, ChecksFireOnFingerprintedScannerFacts) {
  RuleSet set = LoadRuleDir(kRulesDir);
  ASSERT_TRUE(set.errors.empty());
  const std::vector<ChainCase> cases = {
      {"Docker API over HTTP on 2375",
       R"j({"asset": {"address": "10.0.0.5"}, "service": {"transport": "tcp", "port": 2375, "state": "open", "name": "", "product": "", "version": ""},
           "http": {"scheme": "http", "status": 404, "headers": {"api-version": "1.43", "server": "Docker/24.0.7 (linux)"}, "body": "{\"message\":\"page not found\"}"}})j",
       {"docker-api-unauthenticated", "docker-api-exposed"},
       {"http-login-plaintext"}},
      {"Elasticsearch 1.4.2 on a moved port",
       R"j({"asset": {"address": "10.0.0.6"}, "service": {"transport": "tcp", "port": 19200, "state": "open", "name": "", "product": "", "version": ""},
           "http": {"scheme": "http", "status": 200, "headers": {"content-type": "application/json"},
                    "body": "{\"name\" : \"n1\", \"cluster_name\" : \"logs\", \"version\" : {\"number\" : \"1.4.2\"}, \"tagline\" : \"You Know, for Search\"}"}})j",
       {"elasticsearch-unauthenticated", "elasticsearch-exposed", "elasticsearch-scripting-rce"},
       {}},
      {"OpenSSH 9.2p1 Debian before the regreSSHion fix",
       R"j({"service": {"transport": "tcp", "port": 22, "state": "open", "name": "", "product": "", "version": ""},
           "banner": "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2\r\n",
           "probe": {"ssh-banner": {"proto": "2.0", "software": "OpenSSH_9.2p1", "comment": "Debian-2+deb12u2",
                                    "product": "OpenSSH", "version": "9.2p1", "distro": "Debian-2+deb12u2"}}})j",
       {"openssh-regresshion"},
       {"openssh-terrapin", "openssh-user-enumeration", "ssh-protocol-v1"}},
      {"OpenSSH 9.2p1 Debian with both fixes",
       R"j({"service": {"transport": "tcp", "port": 22, "state": "open", "name": "", "product": "", "version": ""},
           "banner": "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n",
           "probe": {"ssh-banner": {"proto": "2.0", "product": "OpenSSH", "version": "9.2p1", "distro": "Debian-2+deb12u3"}}})j",
       {},
       {"openssh-regresshion", "openssh-terrapin"}},
      {"Redis 5.0.7 without a password",
       R"j({"service": {"transport": "tcp", "port": 6379, "state": "open", "name": "", "product": "", "version": ""},
           "probe": {"redis-info": {"text": "# Server\r\nredis_version:5.0.7\r\n"}}})j",
       {"redis-unauthenticated", "redis-cve-2025-49844"},
       {}},
      {"Jenkins LTS 2.426.2 with anonymous read",
       R"j({"service": {"transport": "tcp", "port": 8080, "state": "open", "name": "", "product": "", "version": ""},
           "http": {"scheme": "http", "status": 200, "url": "http://10.0.0.7:8080/", "title": "Dashboard [Jenkins]",
                    "headers": {"x-jenkins": "2.426.2"}, "body": "<title>Dashboard [Jenkins]</title>"}})j",
       {"jenkins-cve-2024-23897", "jenkins-anonymous-access"},
       {}},
      {"MariaDB 10.3 handshake without SSL",
       R"j({"service": {"transport": "tcp", "port": 3306, "state": "open", "name": "", "product": "", "version": ""},
           "probe": {"mysql-greeting": {"protocol": 10, "server_version": "5.5.5-10.3.39-MariaDB-0+deb10u2", "product": "MariaDB",
                                        "version": "10.3.39", "distro": "0+deb10u2", "ssl": false}}})j",
       {"mariadb-eol", "mysql-no-tls", "database-port-exposed"},
       {"mysql-eol"}},
      {"Dropbear 2015.67 on an embedded device",
       R"j({"service": {"transport": "tcp", "port": 22, "state": "open", "name": "", "product": "", "version": ""},
           "banner": "SSH-2.0-dropbear_2015.67\r\n",
           "probe": {"ssh-banner": {"proto": "2.0", "product": "Dropbear", "version": "2015.67"}}})j",
       {"dropbear-cve-2016-7406"},
       {"openssh-terrapin", "openssh-regresshion"}},
      {"Tomcat 8.5.40 default page",
       R"j({"service": {"transport": "tcp", "port": 8080, "state": "open", "name": "", "product": "", "version": ""},
           "http": {"scheme": "http", "status": 200, "title": "Apache Tomcat/8.5.40", "headers": {"content-type": "text/html"}}})j",
       {"tomcat-default-page", "tomcat-ghostcat", "tomcat-eol"},
       {"tomcat-cve-2025-24813"}},
      {"Grafana 8.2.0 login page",
       R"j({"service": {"transport": "tcp", "port": 3000, "state": "open", "name": "", "product": "", "version": ""},
           "http": {"scheme": "http", "status": 200, "title": "Grafana",
                    "body": "<script>window.grafanaBootData = {\"settings\":{\"buildInfo\":{\"commit\":\"x\",\"version\":\"8.2.0\"}}};</script><input type=\"password\">"}})j",
       {"grafana-cve-2021-43798", "grafana-console-exposed", "http-login-plaintext"},
       {}},
      {"Exim 4.89 through the SMTP probe",
       R"j({"service": {"transport": "tcp", "port": 25, "state": "open", "name": "", "product": "", "version": ""},
           "banner": "220 mail.x.edu.cn ESMTP Exim 4.89 Mon, 10 Jun 2019 10:00:00 +0800\r\n",
           "probe": {"smtp-ehlo": {"code": 220, "ehlo_code": 250, "capabilities": ["SIZE 52428800", "AUTH PLAIN LOGIN"], "starttls": false, "auth": ["PLAIN", "LOGIN"]}}})j",
       {"exim-cve-2019-10149", "exim-21nails", "smtp-no-starttls", "smtp-auth-plaintext"},
       {"exim-cve-2023-42115"}},
      {"XAMPP on Windows with PHP 8.2.12",
       R"j({"service": {"transport": "tcp", "port": 80, "state": "open", "name": "", "product": "", "version": ""},
           "http": {"scheme": "http", "status": 200, "headers": {"server": "Apache/2.4.58 (Win64) OpenSSL/3.1.3 PHP/8.2.12", "x-powered-by": "PHP/8.2.12"}}})j",
       {"php-cgi-cve-2024-4577", "httpd-cve-2024-38475"},
       {"php-eol", "openssl-eol", "apache-httpd-eol"}},
      {"Hikvision camera by favicon",
       R"j({"asset": {"address": "10.20.0.9"}, "service": {"transport": "tcp", "port": 80, "state": "open", "name": "", "product": "", "version": ""},
           "http": {"scheme": "http", "status": 200, "headers": {"server": "App-webs/"}, "favicon": {"mmh3": -808437027}}})j",
       {"edu-campus-camera-web-exposed"},
       {"edu-academic-affairs-internet-facing"}},
      {"Kibana without security",
       R"j({"service": {"transport": "tcp", "port": 5601, "state": "open", "name": "", "product": "", "version": ""},
           "http": {"scheme": "http", "status": 200, "url": "http://10.0.0.5:5601/app/home", "title": "Elastic", "headers": {"kbn-name": "kibana"},
                    "redirects": [{"url": "http://10.0.0.5:5601/", "status": 302, "location": "/app/home"}]}})j",
       {"kibana-unauthenticated"},
       {}},
      {"Confluence 7.13.6 login page",
       R"j({"service": {"transport": "tcp", "port": 8090, "state": "open", "name": "", "product": "", "version": ""},
           "http": {"scheme": "http", "status": 200, "headers": {"x-confluence-request-time": "1700000000000"},
                    "body": "<meta name=\"ajs-version-number\" content=\"7.13.6\"><input type=\"password\" name=\"os_password\">"}})j",
       {"confluence-cve-2022-26134", "http-login-plaintext"},
       {"confluence-cve-2023-22527"}},
  };
  for (const ChainCase& c : cases) {
    std::set<std::string> got = MatchingChecks(set, nlohmann::json::parse(c.raw_facts));
    for (const std::string& id : c.expected) EXPECT_TRUE(got.contains(id)) << c.name << ": " << id << " did not fire";
    for (const std::string& id : c.absent) EXPECT_FALSE(got.contains(id)) << c.name << ": " << id << " fired";
  }
}

}  // namespace
}  // namespace ciiscope::rulelang
