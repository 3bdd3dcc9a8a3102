#include "test_model.h"

namespace ciiscope::reports::testing {

std::string HugeValue() { return std::string(100 * 1024, 'A') + kScriptTag; }

std::vector<std::string> HostileValues() {
  return {kScriptTag, kImgBreakout, kJsUrl, kFormula, kRloName, kWithNul, kInvalidUtf8};
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

ReportModel HostileModel() {
  ReportModel m;
  m.generated_at = 1764380545000;  // 2025-11-29T01:42:25Z
  inventory::Scan scan;
  scan.id = 7;
  scan.profile = "default";
  scan.targets = "10.0.0.0/24 " + kScriptTag;
  scan.ports = "22,80,443";
  scan.engine = "connect";
  scan.operator_name = kImgBreakout;
  scan.started_at = 1764380000000;
  scan.finished_at = 1764380500000;
  scan.status = "done";
  scan.stats_json = R"({"probes":3,"open":3})";
  m.scan = scan;

  inventory::Asset a1;
  a1.id = 1;
  a1.address = "10.0.0.10";
  a1.hostnames = {kScriptTag, kRloName, "portal.demo-univ.edu.cn"};
  a1.first_seen = a1.last_seen = 1764380100000;
  inventory::Asset a2;
  a2.id = 2;
  a2.address = "10.0.0.9";
  a2.hostnames = {kImgBreakout, kWithNul};
  a2.first_seen = a2.last_seen = 1764380200000;
  m.assets = {a1, a2};

  auto service = [](int64_t id, const inventory::Asset& a, uint16_t port, std::string name,
                    std::string product, std::string version) {
    inventory::Service s;
    s.id = id;
    s.asset_id = a.id;
    s.address = a.address;
    s.transport = "tcp";
    s.port = port;
    s.state = "open";
    s.name = std::move(name);
    s.product = std::move(product);
    s.version = std::move(version);
    s.first_seen = s.last_seen = 1764380300000;
    return s;
  };
  m.services = {service(11, a1, 443, "https", kFormula, kInvalidUtf8),
                service(12, a1, 80, "http", HugeValue(), kJsUrl),
                service(21, a2, 6379, "redis", "Redis", kWithNul)};

  auto finding = [](int64_t id, std::string severity, std::string rule, const inventory::Asset& a,
                    uint16_t port) {
    inventory::Finding f;
    f.id = id;
    f.key = "key-" + std::to_string(id);
    f.rule_id = std::move(rule);
    f.severity = std::move(severity);
    f.status = "open";
    f.asset_id = a.id;
    f.address = a.address;
    f.port = port;
    f.transport = port == 0 ? "" : "tcp";
    f.first_seen = 1764380400000;
    f.last_seen = 1764380450000;
    f.first_seen_scan = f.last_seen_scan = 7;
    return f;
  };
  inventory::Finding f1 = finding(1, "critical", "redis-unauth", a2, 6379);
  f1.title = {"Redis 未授权访问 " + kScriptTag, "Redis without authentication " + kScriptTag};
  f1.remediation = {"启用认证 " + kFormula, "Require authentication " + kFormula};
  f1.references = {"GB/T 28448-2019 L3-CES1-06", kJsUrl, kImgBreakout};
  f1.detail_json = R"({"banner":"-NOAUTH \u003cscript\u003e"})";
  f1.evidence_ids = {100, 101};
  inventory::Finding f2 = finding(2, "high", kImgBreakout, a1, 80);
  f2.title = {"明文 HTTP 登录 " + kRloName, "Plain HTTP login " + kRloName};
  f2.remediation = {HugeValue(), HugeValue()};
  f2.detail_json = "not json " + kInvalidUtf8;
  f2.status = "reopened";
  inventory::Finding f3 = finding(3, "medium", "tls-weak", a1, 443);
  f3.title = {"弱 TLS 配置 " + kWithNul, "Weak TLS " + kWithNul};
  f3.remediation = {"禁用 TLS 1.0 " + kInvalidUtf8, "Disable TLS 1.0 " + kInvalidUtf8};
  f3.status = "acknowledged";
  inventory::Finding f4 = finding(4, "info", "asset-unowned", a1, 0);
  f4.title = {"未登记资产", "Asset not in the ledger"};
  f4.status = "accepted";
  m.findings = {f4, f3, f2, f1};
  SortReportModel(m);
  return m;
}

}  // namespace ciiscope::reports::testing
