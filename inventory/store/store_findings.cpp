// Store: findings, their lifecycle and the event trail.
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <string>
#include <unordered_set>

#include "core/clock.h"
#include "inventory/store/sqlite_util.h"
#include "inventory/store/store.h"
#include "inventory/store/store_rows.h"

namespace ciiscope::inventory {
namespace {

using sqlite::Statement;

constexpr std::array<std::string_view, 5> kSeverities = {"info", "low", "medium", "high",
                                                         "critical"};
constexpr std::array<std::string_view, 8> kStatuses = {
    "open", "acknowledged", "fixed", "verified", "closed", "reopened", "accepted",
    "false_positive"};

// Severity rank in SQL (portable CASE), highest first in listings.
constexpr std::string_view kSeverityRank =
    "(CASE severity WHEN 'info' THEN 0 WHEN 'low' THEN 1 WHEN 'medium' THEN 2 "
    "WHEN 'high' THEN 3 WHEN 'critical' THEN 4 ELSE 0 END)";

bool IsClosedLike(std::string_view status) {
  return status == "fixed" || status == "verified" || status == "closed";
}

Status InsertEvent(sqlite3* db, const std::string& path, int64_t finding_id, int64_t time,
                   std::string_view actor, std::string_view from, std::string_view to,
                   std::string_view reason) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db, path,
                         "INSERT INTO finding_events (finding_id, time, actor, from_status, "
                         "to_status, reason) VALUES (?, ?, ?, ?, ?, ?)"));
  stmt.Bind(1, finding_id).Bind(2, time).Bind(3, actor).Bind(4, from).Bind(5, to).Bind(6, reason);
  return stmt.Run();
}

Status SetStatus(sqlite3* db, const std::string& path, int64_t finding_id, std::string_view to) {
  CII_ASSIGN_OR_RETURN(Statement stmt,
                       Statement::Prepare(db, path, "UPDATE findings SET status = ? WHERE id = ?"));
  stmt.Bind(1, to).Bind(2, finding_id);
  return stmt.Run();
}

}  // namespace

const std::string_view kFindingColumns =
    "id, key, rule_id, rule_version, severity, status, asset_id, service_id, address, port, "
    "transport, title_zh, title_en, remediation_zh, remediation_en, references_json, "
    "detail_json, evidence_ids_json, first_seen_scan, last_seen_scan, first_seen, last_seen, "
    "due_at, assignee";

Finding ReadFinding(const Statement& stmt, int first) {
  auto c = [first](int i) { return first + i; };
  Finding f;
  f.id = stmt.Int(c(0));
  f.key = stmt.Text(c(1));
  f.rule_id = stmt.Text(c(2));
  f.rule_version = static_cast<int>(stmt.Int(c(3)));
  f.severity = stmt.Text(c(4));
  f.status = stmt.Text(c(5));
  f.asset_id = stmt.IsNull(c(6)) ? 0 : stmt.Int(c(6));
  f.service_id = stmt.IsNull(c(7)) ? 0 : stmt.Int(c(7));
  f.address = stmt.Text(c(8));
  f.port = static_cast<uint16_t>(stmt.Int(c(9)));
  f.transport = stmt.Text(c(10));
  f.title.zh = stmt.Text(c(11));
  f.title.en = stmt.Text(c(12));
  f.remediation.zh = stmt.Text(c(13));
  f.remediation.en = stmt.Text(c(14));
  f.references = sqlite::StringsFromJson(stmt.Text(c(15)));
  f.detail_json = stmt.Text(c(16));
  f.evidence_ids = sqlite::IdsFromJson(stmt.Text(c(17)));
  f.first_seen_scan = stmt.IsNull(c(18)) ? 0 : stmt.Int(c(18));
  f.last_seen_scan = stmt.IsNull(c(19)) ? 0 : stmt.Int(c(19));
  f.first_seen = stmt.Int(c(20));
  f.last_seen = stmt.Int(c(21));
  f.due_at = stmt.Int(c(22));
  f.assignee = stmt.Text(c(23));
  return f;
}

std::string FindingColumns(std::string_view alias) {
  std::string out;
  std::string_view rest = kFindingColumns;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view col = rest.substr(0, comma);
    while (!col.empty() && col.front() == ' ') col.remove_prefix(1);
    if (!out.empty()) out += ", ";
    out += std::string(alias) + "." + std::string(col);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}


namespace {

// The statements of a finding upsert, prepared once per UpsertFindings call.
class FindingUpserter {
 public:
  static Result<FindingUpserter> Prepare(sqlite3* db, const std::string& path) {
    FindingUpserter u(db, path);
    CII_ASSIGN_OR_RETURN(u.find_,
                         Statement::Prepare(db, path, "SELECT id, status FROM findings WHERE key = ?"));
    CII_ASSIGN_OR_RETURN(
        u.insert_,
        Statement::Prepare(
            db, path,
            "INSERT INTO findings (key, rule_id, rule_version, severity, status, asset_id, "
            "service_id, address, port, transport, title_zh, title_en, remediation_zh, "
            "remediation_en, references_json, detail_json, evidence_ids_json, "
            "first_seen_scan, last_seen_scan, first_seen, last_seen, due_at, assignee) "
            "VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    // Due date and assignee are kept once set: they belong to the lifecycle,
    // not to the match.
    CII_ASSIGN_OR_RETURN(
        u.update_,
        Statement::Prepare(
            db, path,
            "UPDATE findings SET rule_id = ?, rule_version = ?, severity = ?, asset_id = ?, "
            "service_id = ?, address = ?, port = ?, transport = ?, title_zh = ?, title_en = ?, "
            "remediation_zh = ?, remediation_en = ?, references_json = ?, detail_json = ?, "
            "evidence_ids_json = ?, last_seen_scan = ?, last_seen = ?, "
            "due_at = CASE WHEN due_at = 0 THEN ? ELSE due_at END, "
            "assignee = CASE WHEN assignee = '' THEN ? ELSE assignee END "
            "WHERE id = ?"));
    // A reopened finding is due again from now (the SLA of this match): the
    // old due date belonged to the fix that did not hold.
    CII_ASSIGN_OR_RETURN(
        u.reopen_,
        Statement::Prepare(db, path,
                           "UPDATE findings SET status = 'reopened', "
                           "due_at = CASE WHEN ?1 > 0 THEN ?1 ELSE due_at END WHERE id = ?2"));
    CII_ASSIGN_OR_RETURN(
        u.event_,
        Statement::Prepare(db, path,
                           "INSERT INTO finding_events (finding_id, time, actor, from_status, "
                           "to_status, reason) VALUES (?, ?, ?, ?, ?, ?)"));
    return u;
  }

  // Inside the caller's transaction.
  Result<UpsertResult> Upsert(const Finding& finding, int64_t scan_id, std::string_view actor,
                              int64_t now) {
    if (finding.key.empty()) {
      return Error(ErrorCode::kInvalidArgument,
                   path_ + ": finding of rule '" + finding.rule_id + "' has no key");
    }
    const int64_t seen = finding.last_seen != 0 ? finding.last_seen : now;
    const std::string references = sqlite::ToJsonArray(finding.references);
    const std::string evidence_ids = sqlite::ToJsonArray(finding.evidence_ids);
    const std::string_view detail =
        finding.detail_json.empty() ? std::string_view("{}") : finding.detail_json;
    const std::string_view severity =
        finding.severity.empty() ? std::string_view("info") : finding.severity;
    UpsertResult result;

    find_.Bind(1, finding.key);
    CII_ASSIGN_OR_RETURN(bool exists, find_.Step());
    if (!exists) {
      find_.Reset();
      insert_.Bind(1, finding.key)
          .Bind(2, finding.rule_id)
          .Bind(3, int64_t{finding.rule_version})
          .Bind(4, severity)
          .BindId(5, finding.asset_id)
          .BindId(6, finding.service_id)
          .Bind(7, finding.address)
          .Bind(8, int64_t{finding.port})
          .Bind(9, finding.transport)
          .Bind(10, finding.title.zh)
          .Bind(11, finding.title.en)
          .Bind(12, finding.remediation.zh)
          .Bind(13, finding.remediation.en)
          .Bind(14, references)
          .Bind(15, detail)
          .Bind(16, evidence_ids)
          .BindId(17, scan_id)
          .BindId(18, scan_id)
          .Bind(19, finding.first_seen != 0 ? finding.first_seen : seen)
          .Bind(20, seen)
          .Bind(21, finding.due_at)
          .Bind(22, finding.assignee);
      CII_RETURN_IF_ERROR(insert_.Run());
      result.id = sqlite3_last_insert_rowid(db_);
      result.created = true;
      CII_RETURN_IF_ERROR(Event(result.id, now, actor, "", "open", "created"));
      return result;
    }

    result.id = find_.Int(0);
    const std::string status = find_.Text(1);
    find_.Reset();
    update_.Bind(1, finding.rule_id)
        .Bind(2, int64_t{finding.rule_version})
        .Bind(3, severity)
        .BindId(4, finding.asset_id)
        .BindId(5, finding.service_id)
        .Bind(6, finding.address)
        .Bind(7, int64_t{finding.port})
        .Bind(8, finding.transport)
        .Bind(9, finding.title.zh)
        .Bind(10, finding.title.en)
        .Bind(11, finding.remediation.zh)
        .Bind(12, finding.remediation.en)
        .Bind(13, references)
        .Bind(14, detail)
        .Bind(15, evidence_ids)
        .BindId(16, scan_id)
        .Bind(17, seen)
        .Bind(18, finding.due_at)
        .Bind(19, finding.assignee)
        .Bind(20, result.id);
    CII_RETURN_IF_ERROR(update_.Run());
    if (IsClosedLike(status)) {
      reopen_.Bind(1, finding.due_at).Bind(2, result.id);
      CII_RETURN_IF_ERROR(reopen_.Run());
      result.reopened = true;
      std::string reason = scan_id != 0 ? "matched again in scan " + std::to_string(scan_id)
                                        : std::string("matched again");
      CII_RETURN_IF_ERROR(Event(result.id, now, actor, status, "reopened", reason));
    }
    return result;
  }

 private:
  FindingUpserter(sqlite3* db, const std::string& path) : db_(db), path_(path) {}
  Status Event(int64_t id, int64_t now, std::string_view actor, std::string_view from,
               std::string_view to, std::string_view reason) {
    event_.Bind(1, id).Bind(2, now).Bind(3, actor).Bind(4, from).Bind(5, to).Bind(6, reason);
    return event_.Run();
  }

  sqlite3* db_;
  std::string path_;
  Statement find_, insert_, update_, reopen_, event_;
};

}  // namespace

Result<UpsertResult> Store::UpsertFinding(const Finding& finding, int64_t scan_id,
                                          std::string_view actor) {
  CII_ASSIGN_OR_RETURN(auto results, UpsertFindings({finding}, scan_id, actor));
  return results.front();
}

Result<std::vector<UpsertResult>> Store::UpsertFindings(const std::vector<Finding>& findings,
                                                        int64_t scan_id, std::string_view actor) {
  std::vector<UpsertResult> results;
  if (findings.empty()) return results;
  results.reserve(findings.size());
  const int64_t now = core::NowMillis();
  CII_RETURN_IF_ERROR(Transaction([&]() -> Status {
    CII_ASSIGN_OR_RETURN(FindingUpserter upserter, FindingUpserter::Prepare(db_, path_));
    for (const auto& finding : findings) {
      CII_ASSIGN_OR_RETURN(UpsertResult result, upserter.Upsert(finding, scan_id, actor, now));
      results.push_back(result);
    }
    return Ok();
  }));
  return results;
}

Result<int> VerifySelected(sqlite3* db, const std::string& path, std::string_view where,
                           const std::function<void(Statement&)>& bind, std::string_view actor,
                           std::string_view reason) {
  const std::string selected =
      " FROM findings WHERE (" + std::string(where) +
      ") AND status IN ('open', 'acknowledged', 'reopened', 'fixed')";
  CII_ASSIGN_OR_RETURN(
      Statement events,
      Statement::Prepare(db, path,
                         "INSERT INTO finding_events (finding_id, time, actor, from_status, "
                         "to_status, reason) SELECT id, ?7, ?8, status, 'verified', ?9" +
                             selected + " ORDER BY id"));
  bind(events);
  events.Bind(7, core::NowMillis()).Bind(8, actor).Bind(9, reason);
  CII_RETURN_IF_ERROR(events.Run());
  const int changed = sqlite3_changes(db);
  if (changed == 0) return 0;
  CII_ASSIGN_OR_RETURN(Statement update,
                       Statement::Prepare(db, path,
                                          "UPDATE findings SET status = 'verified' WHERE id IN "
                                          "(SELECT id" + selected + ")"));
  bind(update);
  CII_RETURN_IF_ERROR(update.Run());
  return changed;
}

Result<int> Store::VerifyNotSeen(int64_t scan_id, const std::vector<int64_t>& service_ids,
                                 const std::vector<std::string>& seen_keys,
                                 std::string_view actor) {
  // Set-based: the services and the keys go in as two bound JSON arrays.
  const std::string services = sqlite::ToJsonArray(service_ids);
  const std::string keys = sqlite::ToJsonArray(seen_keys);
  int changed = 0;
  CII_RETURN_IF_ERROR(Transaction([&]() -> Status {
    CII_ASSIGN_OR_RETURN(
        changed,
        VerifySelected(db_, path_,
                       "service_id IN (SELECT value FROM json_each(?1)) AND "
                       "key NOT IN (SELECT value FROM json_each(?2))",
                       [&](Statement& stmt) { stmt.Bind(1, services).Bind(2, keys); }, actor,
                       "not seen in scan " + std::to_string(scan_id)));
    return Ok();
  }));
  return changed;
}

Result<int> Store::VerifyAssetFindingsNotSeen(int64_t scan_id,
                                              const std::vector<int64_t>& asset_ids,
                                              const std::vector<std::string>& rule_ids,
                                              const std::vector<std::string>& seen_keys,
                                              std::string_view actor) {
  const std::unordered_set<std::string> seen(seen_keys.begin(), seen_keys.end());
  const std::unordered_set<std::string> rules(rule_ids.begin(), rule_ids.end());
  const int64_t now = core::NowMillis();
  const std::string reason = "not seen in scan " + std::to_string(scan_id);
  int changed = 0;
  CII_RETURN_IF_ERROR(Transaction([&]() -> Status {
    CII_ASSIGN_OR_RETURN(
        Statement open,
        Statement::Prepare(db_, path_,
                           "SELECT id, key, status, rule_id FROM findings WHERE asset_id = ? AND "
                           "service_id IS NULL AND "
                           "status IN ('open', 'acknowledged', 'reopened', 'fixed') ORDER BY id"));
    std::vector<std::pair<int64_t, std::string>> changes;
    for (int64_t asset_id : asset_ids) {
      open.Bind(1, asset_id);
      while (true) {
        CII_ASSIGN_OR_RETURN(bool row, open.Step());
        if (!row) break;
        if (rules.contains(open.Text(3)) && !seen.contains(open.Text(1))) {
          changes.emplace_back(open.Int(0), open.Text(2));
        }
      }
      open.Reset();
    }
    for (const auto& [id, from] : changes) {
      CII_RETURN_IF_ERROR(SetStatus(db_, path_, id, "verified"));
      CII_RETURN_IF_ERROR(InsertEvent(db_, path_, id, now, actor, from, "verified", reason));
    }
    changed = static_cast<int>(changes.size());
    return Ok();
  }));
  return changed;
}

Result<std::vector<Finding>> Store::ListFindings(const FindingFilter& filter) {
  std::string sql = "SELECT " + std::string(kFindingColumns) + " FROM findings WHERE 1 = 1";
  if (filter.scan_id) sql += " AND last_seen_scan = ?";
  int min_rank = -1;
  if (!filter.min_severity.empty()) {
    auto it = std::find(kSeverities.begin(), kSeverities.end(), filter.min_severity);
    if (it == kSeverities.end()) {
      return Error(ErrorCode::kInvalidArgument,
                   "unknown severity '" + filter.min_severity +
                       "' (expected info, low, medium, high or critical)");
    }
    min_rank = static_cast<int>(it - kSeverities.begin());
    sql += " AND " + std::string(kSeverityRank) + " >= ?";
  }
  if (!filter.statuses.empty()) {
    sql += " AND status IN (";
    for (size_t i = 0; i < filter.statuses.size(); ++i) sql += i == 0 ? "?" : ", ?";
    sql += ")";
  }
  sql += " ORDER BY " + std::string(kSeverityRank) + " DESC, address, port, rule_id, id";

  CII_ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db_, path_, sql));
  int index = 1;
  if (filter.scan_id) stmt.Bind(index++, *filter.scan_id);
  if (min_rank >= 0) stmt.Bind(index++, int64_t{min_rank});
  for (const auto& status : filter.statuses) stmt.Bind(index++, status);
  std::vector<Finding> findings;
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    findings.push_back(ReadFinding(stmt));
  }
  return findings;
}

Result<std::optional<Finding>> Store::GetFinding(int64_t finding_id) {
  CII_ASSIGN_OR_RETURN(Statement stmt,
                       Statement::Prepare(db_, path_,
                                          "SELECT " + std::string(kFindingColumns) +
                                              " FROM findings WHERE id = ?"));
  stmt.Bind(1, finding_id);
  CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<Finding>();
  return std::optional<Finding>(ReadFinding(stmt));
}

Result<std::vector<FindingEvent>> Store::FindingEvents(int64_t finding_id) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "SELECT id, finding_id, time, actor, from_status, to_status, reason "
                         "FROM finding_events WHERE finding_id = ? ORDER BY id"));
  stmt.Bind(1, finding_id);
  std::vector<FindingEvent> events;
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    FindingEvent event;
    event.id = stmt.Int(0);
    event.finding_id = stmt.Int(1);
    event.time = stmt.Int(2);
    event.actor = stmt.Text(3);
    event.from_status = stmt.Text(4);
    event.to_status = stmt.Text(5);
    event.reason = stmt.Text(6);
    events.push_back(std::move(event));
  }
  return events;
}

Status Store::SetFindingStatus(int64_t finding_id, std::string_view to_status,
                               std::string_view actor, std::string_view reason) {
  if (std::find(kStatuses.begin(), kStatuses.end(), to_status) == kStatuses.end()) {
    return Error(ErrorCode::kInvalidArgument,
                 "unknown finding status '" + std::string(to_status) + "'");
  }
  return Transaction([&]() -> Status {
    CII_ASSIGN_OR_RETURN(std::optional<Finding> finding, GetFinding(finding_id));
    if (!finding) {
      return Error(ErrorCode::kNotFound, path_ + ": no finding " + std::to_string(finding_id));
    }
    if (finding->status == to_status) return Ok();
    CII_RETURN_IF_ERROR(SetStatus(db_, path_, finding_id, to_status));
    return InsertEvent(db_, path_, finding_id, core::NowMillis(), actor, finding->status,
                       to_status, reason);
  });
}

Status Store::AssignFinding(int64_t finding_id, std::string_view assignee,
                            std::string_view actor) {
  return Transaction([&]() -> Status {
    CII_ASSIGN_OR_RETURN(std::optional<Finding> finding, GetFinding(finding_id));
    if (!finding) {
      return Error(ErrorCode::kNotFound, path_ + ": no finding " + std::to_string(finding_id));
    }
    CII_ASSIGN_OR_RETURN(
        Statement stmt,
        Statement::Prepare(db_, path_, "UPDATE findings SET assignee = ? WHERE id = ?"));
    stmt.Bind(1, assignee).Bind(2, finding_id);
    CII_RETURN_IF_ERROR(stmt.Run());
    std::string reason = assignee.empty() ? std::string("unassigned")
                                          : "assigned to " + std::string(assignee);
    return InsertEvent(db_, path_, finding_id, core::NowMillis(), actor, finding->status,
                       finding->status, reason);
  });
}

Status Store::SetFindingDue(int64_t finding_id, int64_t due_at) {
  CII_ASSIGN_OR_RETURN(Statement stmt,
                       Statement::Prepare(db_, path_, "UPDATE findings SET due_at = ? WHERE id = ?"));
  stmt.Bind(1, due_at).Bind(2, finding_id);
  CII_RETURN_IF_ERROR(stmt.Run());
  if (sqlite3_changes(db_) == 0) {
    return Error(ErrorCode::kNotFound, path_ + ": no finding " + std::to_string(finding_id));
  }
  return Ok();
}

}  // namespace ciiscope::inventory
