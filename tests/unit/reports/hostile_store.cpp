#include "hostile_store.h"

#include <gtest/gtest.h>

#include "inventory/store/store.h"
#include "test_model.h"

namespace ciiscope::reports::testing {
void FillHostileStore(const std::string& path) {
  {
    auto store = inventory::Store::Open(path);  // creates the schema
    ASSERT_TRUE(store) << store.error().message();
  }
  Sql db(path);
  const std::string huge = HugeValue();
  db.Run("INSERT INTO units (id, parent_id, code, name, level, owner, contact) VALUES "
         "(1, NULL, 'prov', ?, 'province', ?, ?)",
         "省教育厅 " + kScriptTag, kImgBreakout, kFormula);
  db.Run("INSERT INTO units (id, parent_id, code, name, level, owner, contact) VALUES "
         "(2, 1, '../../x', '../../x', 'school', ?, ?)",
         kRloName, kWithNul);
  db.Run("INSERT INTO units (id, parent_id, code, name, level, owner, contact) VALUES "
         "(3, 1, ?, ?, 'school', ?, '')",
         kInvalidUtf8, kFormula + kRlo, huge);
  db.Run("INSERT INTO scans (id, targets, started_at, finished_at, status) VALUES "
         "(1, ?, ?, ?, 'done'), (2, ?, ?, ?, 'done')",
         "10.1.0.0/24 " + kScriptTag, kT0 + kHour / 2, kT0 + kHour, kImgBreakout,
         kT0 + 2 * kHour, kT0 + 3 * kHour);
  db.Run("INSERT INTO assets (id, address, address_sort, hostnames_json, unit_id, first_seen, "
         "last_seen, criticality, cii_status, ledger_status) VALUES "
         "(10, '10.1.0.1', 'a', ?, 2, ?, ?, 'high', 'confirmed', 'registered'),"
         "(11, '10.1.0.2', 'b', '[]', 3, ?, ?, '', '', 'registered'),"
         "(12, '10.1.0.3', 'c', ?, 2, ?, ?, '', '', 'registered')",
         "[\"" + std::string("\\u003cscript\\u003e") + "\",\"x\"]", kT0, kT0 + 3 * kHour, kT0,
         kT0 + kHour, "[\"evil\\\"><img src=x onerror=alert(1)>\"]", kT0 + 3 * kHour,
         kT0 + 3 * kHour);
  db.Run("UPDATE assets SET cii_reason = ?, cii_decided_by = ?, role = ?, data_tags_json = ?, "
         "identified_by = ? WHERE id = 10",
         kScriptTag, kFormula, kRloName, "[\"" + std::string("\\u003cimg src=x\\u003e") + "\"]",
         kImgBreakout);
  db.Run("INSERT INTO services (id, asset_id, transport, port, name, product, version) VALUES "
         "(100, 10, 'tcp', 80, 'http', ?, ?), (101, 11, 'tcp', 23, 'telnet', ?, ''), "
         "(102, 12, 'tcp', 6379, 'redis', ?, '')",
         kScriptTag, kInvalidUtf8, kFormula, huge);
  const char* open_state = "{\"state\":\"open\"}";
  db.Run("INSERT INTO evidence (scan_id, asset_id, service_id, kind, data_json, time) VALUES "
         "(1, 10, 100, 'port_state', ?, ?), (1, 11, 101, 'port_state', ?, ?), "
         "(2, 10, 100, 'port_state', ?, ?), (2, 11, 101, 'port_state', '{\"state\":\"closed\"}', ?), "
         "(2, 12, 102, 'port_state', ?, ?)",
         std::string(open_state), kT0 + kHour, std::string(open_state), kT0 + kHour,
         std::string(open_state), kT0 + 3 * kHour, kT0 + 3 * kHour, std::string(open_state),
         kT0 + 3 * kHour);
  // f1: present in both scans, acknowledged, overdue, fixed once and back.
  // f2: scan 1 only; scan 2 saw the service closed → fixed, verified in the window.
  // f3: new in scan 2.
  db.Run("INSERT INTO findings (id, key, rule_id, severity, status, asset_id, service_id, address, "
         "port, transport, title_zh, title_en, remediation_zh, remediation_en, first_seen_scan, "
         "last_seen_scan, first_seen, last_seen, due_at) VALUES "
         "(1, 'k1', 'http-login-plain', 'high', 'acknowledged', 10, 100, '10.1.0.1', 80, 'tcp', "
         "?, ?, ?, ?, 1, 2, ?, ?, ?)",
         kScriptTag, kFormula, huge, kImgBreakout, kT0 + kHour, kT0 + 3 * kHour, kT0 + 2 * kHour);
  db.Run("INSERT INTO findings (id, key, rule_id, severity, status, asset_id, service_id, address, "
         "port, transport, title_zh, title_en, remediation_zh, remediation_en, first_seen_scan, "
         "last_seen_scan, first_seen, last_seen, due_at) VALUES "
         "(2, 'k2', 'telnet-exposed', 'critical', 'verified', 11, 101, '10.1.0.2', 23, 'tcp', "
         "?, ?, ?, ?, 1, 1, ?, ?, 0)",
         kRloName, kWithNul, kJsUrl, kJsUrl, kT0 + kHour, kT0 + kHour);
  db.Run("INSERT INTO findings (id, key, rule_id, severity, status, asset_id, service_id, address, "
         "port, transport, title_zh, title_en, remediation_zh, remediation_en, first_seen_scan, "
         "last_seen_scan, first_seen, last_seen, due_at) VALUES "
         "(3, 'k3', ?, 'critical', 'open', 12, 102, '10.1.0.3', 6379, 'tcp', "
         "?, ?, '', '', 2, 2, ?, ?, ?)",
         kImgBreakout, kInvalidUtf8, kImgBreakout + kRlo, kT0 + 3 * kHour, kT0 + 3 * kHour,
         kT0 + 100 * kHour);
  db.Run("INSERT INTO finding_events (finding_id, time, actor, from_status, to_status, reason) "
         "VALUES (1, ?, 'a', '', 'open', ''), (1, ?, 'a', 'open', 'fixed', ?), "
         "(1, ?, 'a', 'fixed', 'reopened', ''), (1, ?, 'a', 'reopened', 'acknowledged', ''), "
         "(2, ?, 'a', '', 'open', ''), (2, ?, 'a', 'open', 'verified', '')",
         kT0 + kHour, kT0 + kHour + 1000, kScriptTag, kT0 + 3 * kHour, kT0 + 3 * kHour + 1000,
         kT0 + kHour, kT0 + 3 * kHour);
  db.Run("INSERT INTO drills (id, name, status, started_at, ended_at, kind, scope_json, "
         "created_by) VALUES (1, ?, 'finished', ?, ?, 'exercise', ?, ?)",
         "护网 " + kScriptTag, kT0, kT0 + 4 * kHour, "[\"10.1.0.0/24\",\"../../x\"]",
         kImgBreakout);
  db.Run("INSERT INTO drill_events (drill_id, time, actor, kind, detail_json) VALUES "
         "(1, ?, 'op', 'start', '{}'), (1, ?, ?, 'note', ?), (1, ?, 'op', 'stop', '{}')",
         kT0, kT0 + 2 * kHour, kRloName, "{\"text\":\"" + kImgBreakout.substr(2) + "\"}",
         kT0 + 4 * kHour);
  db.Run("INSERT INTO monitor_events (drill_id, time, kind, source, target, port, transport, "
         "detail_json) VALUES (1, ?, 'port-scan', '198.51.100.7', '10.1.0.0/24', 0, '', ?), "
         "(NULL, ?, 'forbidden-port', ?, '10.1.0.2', 23, 'tcp', '{}')",
         kT0 + kHour + 5, "{\"ports\":1000,\"note\":\"" + std::string("=cmd|' /C calc'!A0") + "\"}",
         kT0 + 2 * kHour, kScriptTag);
  db.Run("INSERT INTO score_runs (id, time, actor, table_source, assets, findings, "
         "unowned_assets, unowned_score) VALUES (1, ?, 'op', ?, 3, 2, 0, 100), "
         "(2, ?, 'op', 'rules/scoring/scoring.yaml', 3, 2, 0, 100)",
         kT0 + 2 * kHour, kScriptTag, kT0 + 5 * kHour);
  db.Run("INSERT INTO unit_scores (run_id, unit_id, parent_id, score, own_score, assets, "
         "subtree_assets, findings, overdue, repeat_count, shadow, critical_high, points) VALUES "
         "(1, 1, NULL, 70, 100, 0, 3, 0, 0, 0, 0, 0, 0), (1, 2, 1, 60, 60, 2, 2, 1, 0, 0, 0, 1, 20),"
         "(1, 3, 1, 90, 90, 1, 1, 1, 0, 0, 0, 1, 10),"
         "(2, 1, NULL, 72.5, 100, 0, 3, 0, 0, 0, 0, 0, 0), (2, 2, 1, 55, 55, 2, 2, 2, 1, 1, 0, 2, 60),"
         "(2, 3, 1, 100, 100, 1, 1, 0, 0, 0, 0, 0, 0)");
}

}  // namespace ciiscope::reports::testing
