// The diff knows what the later scan covered: assets and services outside
// its targets or ports, or missed by an incomplete scan, are "not covered"
// (not gone), and findings on them are not fixed.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "hostile_store.h"
#include "inventory/store/store.h"
#include "reports/coverage.h"
#include "reports/kind_builders.h"
#include "reports/table_report.h"
#include "tests/unit/inventory/store_test_util.h"

namespace ciiscope::reports {
namespace {

using nlohmann::json;
using testing::kHour;
using testing::kT0;

class DiffCoverageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("coverage.db");
    { ASSERT_TRUE(inventory::Store::Open(path_)); }
    testing::Sql db(path_);
    // Scan 1: the /24 on 22,80,443. Scan 2: only the lower /25 on 22,80,
    // without .50. Scan 3: interrupted half way. Scan 4: an import.
    db.Run("INSERT INTO scans (id, targets, ports, started_at, finished_at, status, shard, "
           "options_json) VALUES "
           "(1, '10.2.0.0/24', '22,80,443', ?, ?, 'done', '', "
           " '{\"targets\":[\"10.2.0.0/24\"],\"excludes\":[]}'),"
           "(2, '10.2.0.0/25 www.school.edu.cn', '22,80', ?, ?, 'done', '', "
           " '{\"targets\":[\"10.2.0.0/25\",\"www.school.edu.cn\"],\"excludes\":[\"10.2.0.50\"]}'),"
           "(3, '10.2.0.0/24', '22,80,443', ?, ?, 'interrupted', '', '{}'),"
           "(4, 'import:nmap.xml', '22,80,443', ?, ?, 'done', '', '{}')",
           kT0, kT0 + kHour, kT0 + 2 * kHour, kT0 + 3 * kHour, kT0 + 4 * kHour,
           kT0 + 5 * kHour, kT0 + 6 * kHour, kT0 + 7 * kHour);
    db.Run("INSERT INTO scan_progress (scan_id, total, done) VALUES (3, 100, 40)");
    // A .10 in both; B .200 outside scan 2; C .20 gone; D .50 excluded;
    // E .201 named www.school.edu.cn (outside /25 but targeted by name).
    db.Run("INSERT INTO assets (id, address, address_sort, hostnames_json) VALUES "
           "(1, '10.2.0.10', '010', '[]'), (2, '10.2.0.200', '200', '[]'), "
           "(3, '10.2.0.20', '020', '[]'), (4, '10.2.0.50', '050', '[]'), "
           "(5, '10.2.0.201', '201', '[\"WWW.school.edu.cn\"]')");
    db.Run("INSERT INTO services (id, asset_id, transport, port) VALUES "
           "(10, 1, 'tcp', 22), (11, 1, 'tcp', 80), (12, 1, 'tcp', 443), (13, 2, 'tcp', 80), "
           "(14, 3, 'tcp', 22), (15, 4, 'tcp', 22), (16, 1, 'udp', 161)");
    const std::string open = "{\"state\":\"open\"}", closed = "{\"state\":\"closed\"}";
    db.Run("INSERT INTO evidence (scan_id, asset_id, service_id, kind, data_json, time) VALUES "
           "(1, 1, 10, 'port_state', ?, 1), (1, 1, 11, 'port_state', ?, 1), "
           "(1, 1, 12, 'port_state', ?, 1), (1, 2, 13, 'port_state', ?, 1), "
           "(1, 3, 14, 'port_state', ?, 1), (1, 4, 15, 'port_state', ?, 1), "
           "(1, 5, NULL, 'host_up', '{}', 1), (1, 1, 16, 'banner', '{}', 1), "
           "(2, 1, 10, 'port_state', ?, 2), (2, 1, 11, 'port_state', ?, 2)",
           open, open, open, open, open, open, open, closed);
    // f1 on A:443 (not re-tested), f2 on A:80 (seen closed: fixed), f3 on
    // B:80 (outside), f4 on A:22 (still there).
    db.Run("INSERT INTO findings (id, key, rule_id, severity, status, asset_id, service_id, "
           "address, port, transport, title_en, first_seen_scan, last_seen_scan) VALUES "
           "(1, 'k1', 'tls-old', 'medium', 'open', 1, 12, '10.2.0.10', 443, 'tcp', 'TLS', 1, 1),"
           "(2, 'k2', 'http-plain', 'high', 'verified', 1, 11, '10.2.0.10', 80, 'tcp', 'HTTP', 1, 1),"
           "(3, 'k3', 'http-plain', 'high', 'open', 2, 13, '10.2.0.200', 80, 'tcp', 'HTTP', 1, 1),"
           "(4, 'k4', 'ssh-old', 'low', 'open', 1, 10, '10.2.0.10', 22, 'tcp', 'SSH', 1, 2)");
    auto store = inventory::Store::Open(path_);
    ASSERT_TRUE(store) << store.error().message();
    store_ = std::move(*store);
  }

  json Diff(int64_t from, int64_t to, Lang lang = Lang::kEn) {
    auto r = BuildDiffReport(*store_, lang, {from, to, 0, 0});
    EXPECT_TRUE(r) << r.error().message();
    std::ostringstream out;
    EXPECT_TRUE(RenderTableReport(*r, "json", out));
    return json::parse(out.str());
  }
  static std::vector<std::string> Col(const json& doc, const std::string& id,
                                      const std::string& key) {
    std::vector<std::string> out;
    for (const auto& s : doc["sections"]) {
      if (s["id"] != id) continue;
      for (const auto& r : s["rows"]) {
        out.push_back(r[key].is_number() ? std::to_string(r[key].get<int>())
                                         : r[key].get<std::string>());
      }
      return out;
    }
    ADD_FAILURE() << "no section " << id;
    return out;
  }

  inventory::testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<inventory::Store> store_;
};

using V = std::vector<std::string>;

TEST_F(DiffCoverageTest, OutsideTheLaterScanIsNotCoveredNotGone) {
  json doc = Diff(1, 2);
  // E (.201) is outside the /25 but carries a targeted name: covered, gone.
  EXPECT_EQ(Col(doc, "gone_assets", "address"), (V{"10.2.0.20", "10.2.0.201"}));
  EXPECT_EQ(Col(doc, "uncovered_assets", "address"), (V{"10.2.0.50", "10.2.0.200"}));
  EXPECT_EQ(Col(doc, "uncovered_assets", "reason"), (V{"excluded", "outside the targets"}));
  // Services: A:80 seen closed → gone; C:22 covered and absent → gone;
  // A:443 port not scanned; B:80 outside; D:22 excluded; A:161/udp not scanned.
  EXPECT_EQ(Col(doc, "gone_services", "port"), (V{"80", "22"}));
  EXPECT_EQ(Col(doc, "uncovered_services", "port"), (V{"161", "443", "22", "80"}));
  EXPECT_EQ(Col(doc, "uncovered_services", "reason"),
            (V{"port not scanned", "port not scanned", "excluded", "outside the targets"}));
  EXPECT_EQ(Col(doc, "fixed_findings", "rule"), V{"http-plain"});
  EXPECT_EQ(Col(doc, "fixed_findings", "target"), V{"10.2.0.10:80"});
  EXPECT_EQ(Col(doc, "unchecked_findings", "target"), (V{"10.2.0.10:443", "10.2.0.200:80"}));
  // Coverage: each side's targets and ports, and what only one covered.
  EXPECT_EQ(Col(doc, "coverage", "earlier"),
            (V{"10.2.0.0/24", "(none)", "22,80,443", "complete", "10.2.0.0/24", "443"}));
  EXPECT_EQ(Col(doc, "coverage", "later"),
            (V{"10.2.0.0/25 www.school.edu.cn", "10.2.0.50", "22,80", "complete",
               "www.school.edu.cn", "(none)"}));
}

TEST_F(DiffCoverageTest, TargetsMatchAddressesRangesAndNames) {
  ScanCoverage c = ScanCoverage::Of(inventory::Scan{2, "", "10.2.0.0/25 www.school.edu.cn",
                                                    "22,80", "", "", 0, 0, "done", "", "", 0,
                                                    "{}"},
                                    std::nullopt);
  EXPECT_EQ(c.Check("10.2.0.201", {"WWW.School.edu.cn"}), ScanCoverage::Verdict::kCovered);
  EXPECT_EQ(c.Check("10.2.0.201", {}), ScanCoverage::Verdict::kOutsideTargets);
  EXPECT_EQ(c.Check("10.2.0.127", {}), ScanCoverage::Verdict::kCovered);
  EXPECT_EQ(c.Check("10.2.0.128", {}), ScanCoverage::Verdict::kOutsideTargets);
  EXPECT_EQ(c.Check("10.2.0.1", {}, "tcp", 443), ScanCoverage::Verdict::kPortNotScanned);
  EXPECT_EQ(c.Check("10.2.0.1", {}, "tcp", 80), ScanCoverage::Verdict::kCovered);
  ScanCoverage range = ScanCoverage::Of(
      inventory::Scan{5, "", "10.3.0.5-10 2001:db8::/64", "1-1024", "", "", 0, 0, "done", "",
                      "", 0, "{}"},
      std::nullopt);
  EXPECT_EQ(range.Check("10.3.0.10", {}), ScanCoverage::Verdict::kCovered);
  EXPECT_EQ(range.Check("10.3.0.11", {}), ScanCoverage::Verdict::kOutsideTargets);
  EXPECT_EQ(range.Check("2001:db8::ffff", {}), ScanCoverage::Verdict::kCovered);
  EXPECT_EQ(range.Check("2001:db9::1", {}), ScanCoverage::Verdict::kOutsideTargets);
  EXPECT_EQ(range.SpecsNotIn(c), (V{"10.3.0.5-10", "2001:db8::/64"}));
}

TEST_F(DiffCoverageTest, IncompleteOrImportedLaterScanProvesNoAbsence) {
  json interrupted = Diff(1, 3);
  EXPECT_TRUE(Col(interrupted, "gone_assets", "address").empty());
  EXPECT_TRUE(Col(interrupted, "gone_services", "port").empty());
  std::vector<std::string> reasons = Col(interrupted, "uncovered_assets", "reason");
  ASSERT_FALSE(reasons.empty());
  for (const auto& r : reasons) EXPECT_EQ(r, "scan incomplete or sharded");
  EXPECT_EQ(Col(interrupted, "coverage", "later")[3], "incomplete: Interrupted 40/100");
  EXPECT_TRUE(Col(interrupted, "fixed_findings", "rule").empty());

  json imported = Diff(1, 4);
  EXPECT_TRUE(Col(imported, "gone_assets", "address").empty());
  EXPECT_EQ(Col(imported, "uncovered_assets", "reason")[0], "coverage unknown");
  EXPECT_EQ(Col(imported, "coverage", "later")[3],
            "unknown (import or passive: cannot prove absence)");
  json zh = Diff(1, 2, Lang::kZh);
  EXPECT_EQ(Col(zh, "uncovered_assets", "reason")[1], "不在扫描目标内");
}

}  // namespace
}  // namespace ciiscope::reports
