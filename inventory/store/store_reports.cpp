// Store: the report views of the asset ledger (台账), the per-unit
// rectification notices (整改通知书) and the diff's coverage split. Every
// query streams rows to a callback.
#include <sqlite3.h>

#include <string>

#include "inventory/store/sqlite_util.h"
#include "inventory/store/store.h"
#include "inventory/store/store_rows.h"

namespace ciiscope::inventory {

using sqlite::Statement;

namespace {

// Sibling order inside the unit tree: by level, then as imported (id).
constexpr std::string_view kLevelRank =
    "(CASE level WHEN 'ministry' THEN 0 WHEN 'province' THEN 1 WHEN 'city' THEN 2 "
    "WHEN 'county' THEN 3 WHEN 'school' THEN 4 WHEN 'department' THEN 5 ELSE 6 END)";

// tree(id, sort_key, path): every unit reachable from a top unit, sort_key
// orders them depth first (ministry → province → city → school →
// department), path names them from the top. Bounded depth: a parent cycle
// cannot loop (units in a cycle are not in the tree).
std::string UnitTree() {
  std::string rank = std::string(kLevelRank);
  std::string child_rank = rank;
  for (size_t at = child_rank.find("level"); at != std::string::npos;
       at = child_rank.find("level", at + 7)) {
    child_rank.replace(at, 5, "c.level");
  }
  return "WITH RECURSIVE tree(id, sort_key, path, depth) AS (SELECT id, printf('%d%012d', " +
         rank + ", id), name, 0 FROM units WHERE parent_id IS NULL UNION ALL SELECT c.id, "
         "t.sort_key || '/' || printf('%d%012d', " + child_rank +
         ", c.id), t.path || ' / ' || c.name, t.depth + 1 FROM units c JOIN tree t ON "
         "c.parent_id = t.id WHERE t.depth < 64) ";
}

constexpr std::string_view kShuangfeiRule = "shuangfei-domain-outside-range";

// A counted 双非 finding on asset a (now bound as ?1).
std::string ShuangfeiExists() {
  return "EXISTS (SELECT 1 FROM findings f WHERE f.asset_id = a.id AND f.rule_id = '" +
         std::string(kShuangfeiRule) + "' AND " + std::string(kCountedWhere) + ")";
}

}  // namespace

Status Store::ForEachLedgerRow(int64_t now, const std::function<Status(const LedgerRow&)>& fn) {
  const std::string sql =
      UnitTree() + "SELECT " + std::string(kAssetColumns) +
      ", COALESCE(u.code, ''), COALESCE(u.name, ''), COALESCE(u.level, ''), "
      "COALESCE(u.owner, ''), COALESCE(u.contact, ''), COALESCE(t.path, u.name, ''), "
      "COALESCE(sv.n, 0), COALESCE(fc.s0, 0), COALESCE(fc.s1, 0), COALESCE(fc.s2, 0), "
      "COALESCE(fc.s3, 0), COALESCE(fc.s4, 0), " + ShuangfeiExists() +
      " FROM assets a LEFT JOIN units u ON u.id = a.unit_id LEFT JOIN tree t ON t.id = a.unit_id "
      "LEFT JOIN (SELECT asset_id, COUNT(*) AS n FROM services WHERE state = 'open' "
      "GROUP BY asset_id) sv ON sv.asset_id = a.id "
      "LEFT JOIN (SELECT f.asset_id, SUM(f.severity = 'info') AS s0, SUM(f.severity = 'low') AS "
      "s1, SUM(f.severity = 'medium') AS s2, SUM(f.severity = 'high') AS s3, "
      "SUM(f.severity = 'critical') AS s4 FROM findings f WHERE " + std::string(kCountedWhere) +
      " GROUP BY f.asset_id) fc ON fc.asset_id = a.id "
      "ORDER BY (a.unit_id IS NULL), (t.sort_key IS NULL), t.sort_key, a.unit_id, "
      "(CASE a.cii_status WHEN 'confirmed' THEN 0 WHEN 'candidate' THEN 1 ELSE 2 END), "
      "a.address_sort, a.id";
  CII_ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db_, path_, sql));
  stmt.Bind(1, now);
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    LedgerRow r;
    r.asset = ReadAsset(stmt, 0);
    int c = kAssetColumnCount;
    r.unit_code = stmt.Text(c++);
    r.unit_name = stmt.Text(c++);
    r.unit_level = stmt.Text(c++);
    r.unit_owner = stmt.Text(c++);
    r.unit_contact = stmt.Text(c++);
    r.unit_path = stmt.Text(c++);
    r.open_services = stmt.Int(c++);
    for (auto& n : r.open_findings) n = stmt.Int(c++);
    r.shuangfei = stmt.Int(c) != 0;
    CII_RETURN_IF_ERROR(fn(r));
  }
  return Ok();
}

Result<LedgerTotals> Store::LedgerTotalsAt(int64_t now) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(
          db_, path_,
          "SELECT COUNT(*), COALESCE(SUM(a.cii_status = 'confirmed'), 0), "
          "COALESCE(SUM(a.cii_status = 'candidate'), 0), "
          "COALESCE(SUM(a.cii_status = 'rejected'), 0), "
          "COALESCE(SUM(a.unit_id IS NOT NULL AND a.ledger_status <> 'shadow'), 0), "
          "COALESCE(SUM(a.unit_id IS NULL OR a.ledger_status = 'shadow'), 0), "
          "COALESCE(SUM(" + ShuangfeiExists() + "), 0), (SELECT COUNT(*) FROM units) "
          "FROM assets a"));
  stmt.Bind(1, now);
  LedgerTotals t;
  CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (row) {
    t.assets = stmt.Int(0);
    t.confirmed = stmt.Int(1);
    t.candidates = stmt.Int(2);
    t.rejected = stmt.Int(3);
    t.registered = stmt.Int(4);
    t.shadow = stmt.Int(5);
    t.shuangfei = stmt.Int(6);
    t.units = stmt.Int(7);
  }
  return t;
}

Result<std::vector<NoticeUnit>> Store::NoticeUnits(int64_t now) {
  const std::string sql =
      UnitTree() +
      "SELECT COALESCE(u.id, 0), COALESCE(u.code, ''), COALESCE(u.name, ''), "
      "COALESCE(u.level, ''), COALESCE(u.owner, ''), COALESCE(u.contact, ''), "
      "COALESCE(t.path, u.name, ''), COUNT(*), SUM(f.due_at > 0 AND f.due_at < ?1), "
      "SUM(f.severity IN ('high', 'critical')), COALESCE(MIN(CASE WHEN f.due_at > 0 THEN "
      "f.due_at END), 0) FROM findings f LEFT JOIN assets a ON a.id = f.asset_id LEFT JOIN "
      "units u ON u.id = a.unit_id LEFT JOIN tree t ON t.id = u.id WHERE " +
      std::string(kCountedWhere) +
      " GROUP BY COALESCE(u.id, 0) ORDER BY (u.id IS NULL), (t.sort_key IS NULL), t.sort_key, "
      "u.id";
  CII_ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db_, path_, sql));
  stmt.Bind(1, now);
  std::vector<NoticeUnit> out;
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    NoticeUnit n;
    n.unit_id = stmt.Int(0);
    n.code = stmt.Text(1);
    n.name = stmt.Text(2);
    n.level = stmt.Text(3);
    n.owner = stmt.Text(4);
    n.contact = stmt.Text(5);
    n.path = stmt.Text(6);
    n.findings = stmt.Int(7);
    n.overdue = stmt.Int(8);
    n.critical_high = stmt.Int(9);
    n.earliest_due = stmt.Int(10);
    out.push_back(std::move(n));
  }
  return out;
}

Status Store::ForEachNoticeFinding(
    int64_t unit_id, int64_t now,
    const std::function<Status(const AccountableFinding&, const std::vector<std::string>&)>& fn) {
  const std::string sql =
      "SELECT " + FindingColumns("f") + ", " + std::string(kUnitColumns) +
      ", a.hostnames_json FROM findings f JOIN assets a ON a.id = f.asset_id JOIN units u ON "
      "u.id = a.unit_id WHERE a.unit_id = ?2 AND " + std::string(kCountedWhere) +
      " ORDER BY " + std::string(kSeverityRankF) +
      " DESC, (f.due_at = 0), f.due_at, a.address_sort, f.port, f.rule_id, f.id";
  CII_ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db_, path_, sql));
  stmt.Bind(1, now).Bind(2, unit_id);
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    CII_RETURN_IF_ERROR(fn(ReadAccountable(stmt, 0), sqlite::StringsFromJson(stmt.Text(29))));
  }
  return Ok();
}

Status Store::ForEachServiceGoneFrom(int64_t from, int64_t to,
                                     const std::function<Status(const Service&, bool, const std::vector<std::string>&)>& fn) {
  // Open in `from`, not open in `to`; probed = `to` has evidence of it
  // (e.g. the port seen closed).
  auto open_in = [](std::string_view p) {
    return "(SELECT e.service_id FROM evidence e WHERE e.scan_id = " + std::string(p) +
           " AND e.service_id IS NOT NULL AND (e.kind <> 'port_state' OR e.data_json LIKE "
           "'%\"state\":\"open\"%'))";
  };
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "SELECT " + std::string(kServiceColumns) +
                             ", EXISTS (SELECT 1 FROM evidence e WHERE e.scan_id = ?2 AND "
                             "e.service_id = s.id), a.hostnames_json FROM services s JOIN assets a ON a.id = "
                             "s.asset_id WHERE s.id IN " + open_in("?1") + " AND s.id NOT IN " +
                             open_in("?2") + " ORDER BY a.address_sort, s.port, s.transport"));
  stmt.Bind(1, from).Bind(2, to);
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    CII_RETURN_IF_ERROR(fn(ReadService(stmt), stmt.Int(12) != 0, sqlite::StringsFromJson(stmt.Text(13))));
  }
  return Ok();
}

Status Store::ForEachFindingNotRechecked(
    int64_t from, int64_t to, const std::function<Status(const AccountableFinding&)>& fn) {
  // Present in `from`, not in `to`, and `to` collected no evidence of its
  // service (or, for asset-level findings, of its asset): not re-tested.
  const std::string sql =
      "SELECT " + FindingColumns("f") + ", " + std::string(kUnitColumns) +
      " FROM findings f LEFT JOIN assets a ON a.id = f.asset_id LEFT JOIN units u ON u.id = "
      "a.unit_id WHERE f.first_seen_scan <= ?1 AND f.last_seen_scan >= ?1 AND NOT "
      "(f.first_seen_scan <= ?2 AND f.last_seen_scan >= ?2) AND NOT EXISTS (SELECT 1 FROM "
      "evidence e WHERE e.scan_id = ?2 AND ((f.service_id IS NOT NULL AND e.service_id = "
      "f.service_id) OR (f.service_id IS NULL AND e.asset_id = f.asset_id))) "
      "ORDER BY a.address_sort, f.port, f.rule_id, f.id";
  CII_ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db_, path_, sql));
  stmt.Bind(1, from).Bind(2, to);
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    CII_RETURN_IF_ERROR(fn(ReadAccountable(stmt, 0)));
  }
  return Ok();
}

}  // namespace ciiscope::inventory
