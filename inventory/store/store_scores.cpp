// Store: score runs, unit scores and the accountability queries of the
// scorecard. Every query streams rows to a callback.
#include <sqlite3.h>

#include <string>

#include "inventory/store/sqlite_util.h"
#include "inventory/store/store.h"
#include "inventory/store/store_rows.h"

namespace ciiscope::inventory {

using sqlite::Statement;

namespace {

constexpr std::string_view kRepeatExists =
    "EXISTS (SELECT 1 FROM finding_events e WHERE e.finding_id = f.id AND "
    "e.to_status = 'reopened')";


}  // namespace

AccountableFinding ReadAccountable(const Statement& stmt, int reopen_cols_at) {
  AccountableFinding a;
  a.finding = ReadFinding(stmt, 0);
  const int u = 24;
  a.unit_id = stmt.IsNull(u) ? 0 : stmt.Int(u);
  a.unit_code = stmt.Text(u + 1);
  a.unit_name = stmt.Text(u + 2);
  a.unit_owner = stmt.Text(u + 3);
  a.unit_contact = stmt.Text(u + 4);
  if (reopen_cols_at > 0) {
    a.reopened_at = stmt.IsNull(reopen_cols_at) ? 0 : stmt.Int(reopen_cols_at);
    a.fixed_at = stmt.IsNull(reopen_cols_at + 1) ? 0 : stmt.Int(reopen_cols_at + 1);
    a.reopen_count = stmt.Int(reopen_cols_at + 2);
  }
  return a;
}

Status Store::ForEachAssetForScoring(
    const std::vector<std::string>& detail_rules,
    const std::function<Status(const Asset&, const std::vector<ScoringFinding>&)>& fn) {
  std::string in = "''";
  for (size_t i = 0; i < detail_rules.size(); ++i) in += ", ?" + std::to_string(i + 1);
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(
          db_, path_,
          "SELECT a.id, a.address, COALESCE(a.unit_id, 0), a.criticality, a.cii_status, "
          "a.ledger_status, f.id, f.rule_id, f.severity, f.status, f.due_at, "
          "CASE WHEN f.rule_id IN (" + in + ") THEN f.detail_json ELSE '' END, " +
              std::string(kRepeatExists) +
              " FROM assets a LEFT JOIN findings f ON f.asset_id = a.id ORDER BY a.id"));
  for (size_t i = 0; i < detail_rules.size(); ++i) {
    stmt.Bind(static_cast<int>(i + 1), detail_rules[i]);
  }
  Asset asset;
  std::vector<ScoringFinding> findings;
  bool have = false;
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row || (have && stmt.Int(0) != asset.id)) {
      if (have) CII_RETURN_IF_ERROR(fn(asset, findings));
      findings.clear();
      have = false;
      if (!row) break;
    }
    if (!have) {
      asset = Asset{};
      asset.id = stmt.Int(0);
      asset.address = stmt.Text(1);
      asset.unit_id = stmt.Int(2);
      asset.criticality = stmt.Text(3);
      asset.cii_status = stmt.Text(4);
      asset.ledger_status = stmt.Text(5);
      have = true;
    }
    if (stmt.IsNull(6)) continue;
    ScoringFinding f;
    f.rule_id = stmt.Text(7);
    f.severity = stmt.Text(8);
    f.status = stmt.Text(9);
    f.due_at = stmt.Int(10);
    f.detail_json = stmt.Text(11);
    f.repeat = stmt.Int(12) != 0;
    findings.push_back(std::move(f));
  }
  return Ok();
}

Result<int64_t> Store::SaveScoreRun(const ScoreRun& run, const std::vector<UnitScore>& scores) {
  int64_t run_id = 0;
  CII_RETURN_IF_ERROR(Transaction([&]() -> Status {
    CII_ASSIGN_OR_RETURN(
        Statement insert_run,
        Statement::Prepare(db_, path_,
                           "INSERT INTO score_runs (time, actor, table_source, table_version, "
                           "assets, findings, unowned_assets, unowned_score) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    insert_run.Bind(1, run.time).Bind(2, run.actor).Bind(3, run.table_source);
    insert_run.Bind(4, static_cast<int64_t>(run.table_version)).Bind(5, run.assets);
    insert_run.Bind(6, run.findings).Bind(7, run.unowned_assets);
    CII_RETURN_IF_ERROR(insert_run.BindDouble(8, run.unowned_score).Run());
    run_id = sqlite3_last_insert_rowid(db_);
    CII_ASSIGN_OR_RETURN(
        Statement insert,
        Statement::Prepare(db_, path_,
                           "INSERT INTO unit_scores (run_id, unit_id, parent_id, score, "
                           "own_score, assets, subtree_assets, findings, overdue, repeat_count, "
                           "shadow, critical_high, points) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const UnitScore& s : scores) {
      insert.Bind(1, run_id).Bind(2, s.unit_id).BindId(3, s.parent_id);
      insert.BindDouble(4, s.score).BindDouble(5, s.own_score).Bind(6, s.assets);
      insert.Bind(7, s.subtree_assets).Bind(8, s.findings).Bind(9, s.overdue);
      insert.Bind(10, s.repeat).Bind(11, s.shadow).Bind(12, s.critical_high);
      CII_RETURN_IF_ERROR(insert.BindDouble(13, s.points).Run());
    }
    return Ok();
  }));
  return run_id;
}

Result<std::vector<ScoreRun>> Store::ListScoreRuns(int limit) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(
          db_, path_,
          "SELECT r.id, r.time, r.actor, r.table_source, r.table_version, r.assets, r.findings, "
          "r.unowned_assets, r.unowned_score, (SELECT COALESCE(AVG(s.score), 0) FROM unit_scores s "
          "WHERE s.run_id = r.id AND s.parent_id IS NULL) FROM score_runs r "
          "ORDER BY r.id DESC LIMIT ?"));
  stmt.Bind(1, static_cast<int64_t>(limit));
  std::vector<ScoreRun> runs;
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ScoreRun r;
    r.id = stmt.Int(0);
    r.time = stmt.Int(1);
    r.actor = stmt.Text(2);
    r.table_source = stmt.Text(3);
    r.table_version = static_cast<int>(stmt.Int(4));
    r.assets = stmt.Int(5);
    r.findings = stmt.Int(6);
    r.unowned_assets = stmt.Int(7);
    r.unowned_score = stmt.Double(8);
    r.mean_top_score = stmt.Double(9);
    runs.insert(runs.begin(), std::move(r));
  }
  return runs;
}

Status Store::ForEachRankedUnitScore(int64_t run_id,
                                     const std::function<Status(const RankedUnitScore&)>& fn) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(
          db_, path_,
          "SELECT s.unit_id, COALESCE(s.parent_id, 0), s.score, s.own_score, s.assets, "
          "s.subtree_assets, s.findings, s.overdue, s.repeat_count, s.shadow, s.critical_high, "
          "s.points, COALESCE(u.code, ''), u.name, u.level, u.owner, u.contact, "
          "COALESCE(p.name, ''), "
          "RANK() OVER (PARTITION BY s.parent_id ORDER BY s.score DESC), "
          "COUNT(*) OVER (PARTITION BY s.parent_id), "
          "(SELECT q.score FROM unit_scores q WHERE q.unit_id = s.unit_id AND q.run_id < s.run_id "
          "ORDER BY q.run_id DESC LIMIT 1) "
          "FROM unit_scores s JOIN units u ON u.id = s.unit_id "
          "LEFT JOIN units p ON p.id = s.parent_id WHERE s.run_id = ? "
          "ORDER BY COALESCE(p.name, ''), s.parent_id, s.score DESC, u.name, s.unit_id"));
  stmt.Bind(1, run_id);
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    RankedUnitScore r;
    UnitScore& s = r.score;
    s.run_id = run_id;
    s.unit_id = stmt.Int(0);
    s.parent_id = stmt.Int(1);
    s.score = stmt.Double(2);
    s.own_score = stmt.Double(3);
    s.assets = stmt.Int(4);
    s.subtree_assets = stmt.Int(5);
    s.findings = stmt.Int(6);
    s.overdue = stmt.Int(7);
    s.repeat = stmt.Int(8);
    s.shadow = stmt.Int(9);
    s.critical_high = stmt.Int(10);
    s.points = stmt.Double(11);
    r.code = stmt.Text(12);
    r.name = stmt.Text(13);
    r.level = stmt.Text(14);
    r.owner = stmt.Text(15);
    r.contact = stmt.Text(16);
    r.parent_name = stmt.Text(17);
    r.rank = stmt.Int(18);
    r.siblings = stmt.Int(19);
    r.has_previous = !stmt.IsNull(20);
    r.previous_score = r.has_previous ? stmt.Double(20) : 0;
    CII_RETURN_IF_ERROR(fn(r));
  }
  return Ok();
}

Status Store::ForEachAccountableFinding(
    int64_t now, bool overdue_only, const std::function<Status(const AccountableFinding&)>& fn) {
  std::string sql = "SELECT " + FindingColumns("f") + ", " + std::string(kUnitColumns) +
                    " FROM findings f LEFT JOIN assets a ON a.id = f.asset_id "
                    "LEFT JOIN units u ON u.id = a.unit_id WHERE " +
                    std::string(kCountedWhere);
  if (overdue_only) sql += " AND f.due_at > 0 AND f.due_at < ?1";
  sql += " ORDER BY COALESCE(u.code, ''), a.unit_id, " + std::string(kSeverityRankF) +
         " DESC, f.due_at, f.id";
  CII_ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db_, path_, sql));
  stmt.Bind(1, now);
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    CII_RETURN_IF_ERROR(fn(ReadAccountable(stmt, 0)));
  }
  return Ok();
}

Status Store::ForEachRepeatFinding(const std::function<Status(const AccountableFinding&)>& fn) {
  std::string sql =
      "SELECT " + FindingColumns("f") + ", " + std::string(kUnitColumns) +
      ", r.last_reopen, (SELECT MAX(e.time) FROM finding_events e WHERE e.finding_id = f.id AND "
      "e.to_status IN ('fixed', 'verified', 'closed') AND e.time <= r.last_reopen), r.n "
      "FROM (SELECT finding_id, MAX(time) AS last_reopen, COUNT(*) AS n FROM finding_events "
      "WHERE to_status = 'reopened' GROUP BY finding_id) r JOIN findings f ON f.id = r.finding_id "
      "LEFT JOIN assets a ON a.id = f.asset_id LEFT JOIN units u ON u.id = a.unit_id "
      "ORDER BY COALESCE(u.code, ''), a.unit_id, r.last_reopen DESC, f.id";
  CII_ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db_, path_, sql));
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    CII_RETURN_IF_ERROR(fn(ReadAccountable(stmt, 29)));
  }
  return Ok();
}

}  // namespace ciiscope::inventory
