// The asset ledger (台账) and the per-unit rectification notices built from
// a constructed inventory: unit hierarchy order, CII first, ledger status
// (registered / shadow / 双非), counts, notice selection and content.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "hostile_store.h"
#include "inventory/store/store.h"
#include "reports/kind_builders.h"
#include "reports/table_report.h"
#include "test_model.h"
#include "tests/unit/inventory/store_test_util.h"

namespace ciiscope::reports {
namespace {

using nlohmann::json;
using testing::kHour;
using testing::kT0;

constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kNow = kT0 + 10 * kDay;

class LedgerNoticeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("ledger.db");
    { ASSERT_TRUE(inventory::Store::Open(path_)); }
    testing::Sql db(path_);
    // Ids are not in hierarchy order: the city (5) must come before the
    // school (3) under the province, the department (4) after its school.
    db.Run("INSERT INTO units (id, parent_id, code, name, level, owner, contact) VALUES "
           "(1, NULL, 'MOE', 'Ministry', 'ministry', 'min-owner', ''),"
           "(2, 1, 'PROV', 'Province', 'province', '', ''),"
           "(3, 2, 'SCH', 'School', 'school', 'Zhang', '010-1'),"
           "(4, 3, 'DEP', 'Department', 'department', '', ''),"
           "(5, 2, 'CITY', 'City', 'city', 'Li', '')");
    db.Run("INSERT INTO assets (id, address, address_sort, hostnames_json, unit_id, first_seen, "
           "last_seen, role, criticality, cii_status, ledger_status, data_tags_json, "
           "identified_by, cii_decided_by, cii_decided_at, cii_reason) VALUES "
           "(1, '10.0.0.1', '01', '[]', 3, 1, 2, '', '', '', 'registered', '[]', '', '', 0, ''),"
           "(2, '10.0.0.2', '02', '[\"sis.school.edu.cn\"]', 3, 1, 2, 'student-info', 'high', "
           " 'confirmed', 'registered', '[\"student-records\"]', 'id-sis', 'op', ?, 'core system'),"
           "(3, '10.0.0.3', '03', '[]', 3, 1, 2, 'portal', 'medium', 'candidate', 'registered', "
           " '[]', 'identify-portal', '', 0, ''),"
           "(4, '10.0.0.4', '04', '[]', 4, 1, 2, '', '', 'rejected', 'registered', '[]', '', "
           " 'op', ?, 'test box'),"
           "(5, '10.0.0.5', '05', '[]', 5, 1, 2, '', '', '', 'registered', '[]', '', '', 0, ''),"
           "(6, '10.0.0.6', '06', '[\"fake.school.edu.cn\"]', NULL, 1, 2, '', '', '', 'shadow', "
           " '[]', '', '', 0, ''),"
           "(7, '10.0.0.7', '07', '[]', NULL, 1, 2, '', '', '', '', '[]', '', '', 0, ''),"
           "(8, '10.0.0.8', '08', '[]', 1, 1, 2, '', '', '', 'registered', '[]', '', '', 0, '')",
           kT0, kT0);
    db.Run("INSERT INTO services (id, asset_id, transport, port, state) VALUES "
           "(20, 2, 'tcp', 80, 'open'), (21, 2, 'tcp', 22, 'closed'), (22, 2, 'tcp', 443, 'open')");
    db.Run("INSERT INTO findings (id, key, rule_id, severity, status, asset_id, service_id, "
           "address, port, transport, title_zh, title_en, remediation_zh, remediation_en, "
           "references_json, first_seen, last_seen, due_at) VALUES "
           "(1, 'k1', 'weak-tls', 'medium', 'acknowledged', 2, 22, '10.0.0.2', 443, 'tcp', "
           " '弱TLS', 'Weak TLS', '禁用旧协议', 'Disable old protocols', '[]', 1, 2, 0),"
           "(2, 'k2', 'http-login-plain', 'high', 'open', 2, 20, '10.0.0.2', 80, 'tcp', "
           " '明文登录', 'Plain login', '启用HTTPS', 'Use HTTPS', '[\"GB/T 22239\"]', 1, 2, ?),"
           "(3, 'k3', 'old', 'low', 'verified', 2, 20, '10.0.0.2', 80, 'tcp', '', 'Old', '', '', "
           " '[]', 1, 2, 0),"
           "(4, 'k4', 'shuangfei-domain-outside-range', 'high', 'open', 6, NULL, '10.0.0.6', 0, "
           " '', '双非', 'Outside', '', '', '[]', 1, 2, 0),"
           "(5, 'k5', 'telnet-exposed', 'critical', 'open', 5, NULL, '10.0.0.5', 0, '', "
           " '开放Telnet', 'Telnet open', '关闭', 'Close it', '[]', 1, 2, ?)",
           kNow + 2 * kDay, kNow - 3 * kDay - kHour);
    auto store = inventory::Store::Open(path_);
    ASSERT_TRUE(store) << store.error().message();
    store_ = std::move(*store);
  }

  json Render(const TableReport& r) {
    std::ostringstream out;
    Status s = RenderTableReport(r, "json", out);
    EXPECT_TRUE(s) << s.error().message();
    return json::parse(out.str());
  }

  inventory::testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<inventory::Store> store_;
};

TEST_F(LedgerNoticeTest, LedgerListsAssetsByUnitHierarchyCiiFirst) {
  auto report = BuildLedgerReport(*store_, Lang::kEn, kNow);
  ASSERT_TRUE(report) << report.error().message();
  json doc = Render(*report);
  EXPECT_EQ(doc["kind"], "ledger");
  ASSERT_EQ(doc["sections"].size(), 1u);
  const json& rows = doc["sections"][0]["rows"];
  std::vector<std::string> order;
  for (const auto& r : rows) order.push_back(r["address"]);
  EXPECT_EQ(order, (std::vector<std::string>{"10.0.0.8", "10.0.0.5", "10.0.0.2", "10.0.0.3",
                                             "10.0.0.1", "10.0.0.4", "10.0.0.6", "10.0.0.7"}));
  const json& sis = rows[2];
  EXPECT_EQ(sis["unit"], "School");
  EXPECT_EQ(sis["unit_code"], "SCH");
  EXPECT_EQ(sis["unit_path"], "Ministry / Province / School");
  EXPECT_EQ(sis["owner"], "Zhang");
  EXPECT_EQ(sis["contact"], "010-1");
  EXPECT_EQ(sis["hostnames"], "sis.school.edu.cn");
  EXPECT_EQ(sis["role"], "student-info");
  EXPECT_EQ(sis["criticality"], "high");
  EXPECT_EQ(sis["cii_status"], "confirmed");
  EXPECT_NE(sis["cii_basis"].get<std::string>().find("core system (op, "), std::string::npos)
      << sis["cii_basis"];
  EXPECT_EQ(sis["data_tags"], "student-records");
  EXPECT_EQ(sis["ledger_status"], "registered");
  EXPECT_EQ(sis["open_services"], 2);
  EXPECT_EQ(sis["findings_high"], 1);
  EXPECT_EQ(sis["findings_medium"], 1);
  EXPECT_EQ(sis["findings_low"], 0);  // verified: no longer counted
  EXPECT_EQ(rows[3]["cii_status"], "candidate");
  EXPECT_EQ(rows[3]["cii_basis"], "identify rule: identify-portal");
  EXPECT_EQ(rows[5]["unit_path"], "Ministry / Province / School / Department");
  EXPECT_EQ(rows[5]["cii_status"], "rejected");
  EXPECT_EQ(rows[1]["findings_critical"], 1);
  EXPECT_EQ(rows[6]["ledger_status"], "双非 (unit's name outside its ranges)");
  EXPECT_EQ(rows[6]["unit"], "(no unit)");
  EXPECT_EQ(rows[7]["ledger_status"], "shadow (no owning unit)");
  EXPECT_EQ(rows[4]["cii_status"], "none");
  // Summary facts.
  std::map<std::string, std::string> facts;
  for (const auto& f : doc["facts"]) facts[f["label"]] = f["value"];
  EXPECT_EQ(facts["Assets"], "8");
  EXPECT_EQ(facts["Confirmed CII assets"], "1");
  EXPECT_EQ(facts["CII candidates"], "1");
  EXPECT_EQ(facts["Shadow assets (no owning unit)"], "2");
  EXPECT_EQ(facts["Of which 双非"], "1");
  // Chinese labels come from the catalog.
  auto zh = BuildLedgerReport(*store_, Lang::kZh, kNow);
  ASSERT_TRUE(zh);
  json zdoc = Render(*zh);
  EXPECT_EQ(zdoc["title"], "资产台账");
  EXPECT_EQ(zdoc["sections"][0]["rows"][2]["cii_status"], "已确认");
  EXPECT_EQ(zdoc["sections"][0]["rows"][6]["ledger_status"], "双非");
}

TEST_F(LedgerNoticeTest, LedgerWithACycleInUnitsStillListsEveryAsset) {
  testing::Sql db(path_);
  db.Run("INSERT INTO units (id, parent_id, code, name, level) VALUES (9, 10, 'A', 'A', 'school'),"
         "(10, 9, 'B', 'B', 'school')");
  db.Run("INSERT INTO assets (id, address, address_sort, unit_id) VALUES (30, '10.0.1.1', '30', 9)");
  auto report = BuildLedgerReport(*store_, Lang::kEn, kNow);
  ASSERT_TRUE(report);
  const json rows = Render(*report)["sections"][0]["rows"];
  ASSERT_EQ(rows.size(), 9u);
  EXPECT_EQ(rows[6]["address"], "10.0.1.1");  // after the tree, before assets of no unit
  EXPECT_EQ(rows[6]["unit_path"], "A");
}

TEST_F(LedgerNoticeTest, NoticeUnitsInHierarchyOrderWithUnownedCount) {
  NoticeOptions o;
  o.now = kNow;
  auto sel = SelectNoticeUnits(*store_, o);
  ASSERT_TRUE(sel) << sel.error().message();
  ASSERT_EQ(sel->targets.size(), 2u);
  EXPECT_EQ(sel->targets[0].unit.code, "CITY");
  EXPECT_EQ(sel->targets[0].unit.overdue, 1);
  EXPECT_EQ(sel->targets[0].reference, "CIISCOPE-20251204-0005");
  EXPECT_EQ(sel->targets[1].unit.code, "SCH");
  EXPECT_EQ(sel->targets[1].unit.findings, 2);
  EXPECT_EQ(sel->targets[1].unit.path, "Ministry / Province / School");
  EXPECT_EQ(sel->unowned_findings, 1);
  EXPECT_EQ(NoticeFileStem(sel->targets[1].unit), "notice-0003-SCH");

  // Named units: by code or id, once each; a unit with nothing to fix gets
  // a notice too; an unknown one is one clear error.
  o.units = {"DEP", "3", "SCH"};
  sel = SelectNoticeUnits(*store_, o);
  ASSERT_TRUE(sel) << sel.error().message();
  ASSERT_EQ(sel->targets.size(), 2u);
  EXPECT_EQ(sel->targets[0].unit.code, "DEP");
  EXPECT_EQ(sel->targets[0].unit.findings, 0);
  EXPECT_EQ(sel->targets[1].unit.findings, 2);
  o.units = {"NOPE"};
  auto bad = SelectNoticeUnits(*store_, o);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("--unit 'NOPE': not in the units ledger"),
            std::string::npos);
  o.units = {};
  o.reply_days = 0;
  EXPECT_FALSE(SelectNoticeUnits(*store_, o));
}

TEST_F(LedgerNoticeTest, NoticeListsWhatToFixByWhenWithHeader) {
  NoticeOptions o;
  o.now = kNow;
  o.issuer = "Provincial Education Department";
  o.reference_prefix = "EDU-SEC";
  o.reply_days = 10;
  auto sel = SelectNoticeUnits(*store_, o);
  ASSERT_TRUE(sel);
  json school = Render(BuildNoticeReport(*store_, Lang::kEn, sel->targets[1], o));
  EXPECT_EQ(school["kind"], "notice");
  std::map<std::string, std::string> facts;
  for (const auto& f : school["facts"]) facts[f["label"]] = f["value"];
  EXPECT_EQ(facts["To"], "School (SCH)");
  EXPECT_EQ(facts["Issued by"], "Provincial Education Department");
  EXPECT_EQ(facts["Reference"], "EDU-SEC-20251204-0003");
  EXPECT_EQ(facts["Date"], "2025-12-04");
  EXPECT_EQ(facts["Reply by"], "2025-12-14");
  EXPECT_EQ(facts["Responsible"], "Zhang");
  const json& items = school["sections"][0]["rows"];
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0]["no"], 1);
  EXPECT_EQ(items[0]["rule"], "http-login-plain");  // high before medium
  EXPECT_EQ(items[0]["title"], "Plain login");
  EXPECT_EQ(items[0]["remediation"], "Use HTTPS");
  EXPECT_EQ(items[0]["asset"], "10.0.0.2:80 (sis.school.edu.cn)");
  EXPECT_EQ(items[0]["references"], "GB/T 22239");
  EXPECT_EQ(items[0]["overdue"], "");
  EXPECT_EQ(items[1]["due"], "not set");
  json city = Render(BuildNoticeReport(*store_, Lang::kZh, sel->targets[0], o));
  const json& c = city["sections"][0]["rows"];
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0]["overdue"], "已逾期 3 天");
  EXPECT_EQ(c[0]["title"], "开放Telnet");
  EXPECT_EQ(c[0]["remediation"], "关闭");
  EXPECT_EQ(city["title"], "整改通知书 — City (CITY)");

  NoticeFile f{sel->targets[1], {"notice-0003-SCH.html"}, {std::string(64, 'a')}};
  json index = Render(BuildNoticeIndex(Lang::kEn, o, {f}, sel->unowned_findings));
  EXPECT_EQ(index["kind"], "notice-index");
  const json& rows = index["sections"][0]["rows"];
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["reference"], "EDU-SEC-20251204-0003");
  EXPECT_EQ(rows[0]["files"], "notice-0003-SCH.html");
  EXPECT_EQ(rows[0]["sha256"], std::string(64, 'a'));
}

}  // namespace
}  // namespace ciiscope::reports
