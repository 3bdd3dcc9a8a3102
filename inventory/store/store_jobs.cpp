// Store: the daemon's job history, schedule state and sent alerts (migration
// 0006, docs/daemon.md).
#include <sqlite3.h>

#include "inventory/store/sqlite_util.h"
#include "inventory/store/store.h"

namespace ciiscope::inventory {

using sqlite::Statement;

namespace {

constexpr std::string_view kJobColumns =
    "id, schedule, profile, scope, key_period, scheduled_for, catch_up, missed, started_at, "
    "ended_at, outcome, COALESCE(scan_id, 0), findings_new, alerts_sent, error, runner_pid, "
    "runner_start";

Job ReadJob(const Statement& stmt) {
  Job j;
  j.id = stmt.Int(0);
  j.schedule = stmt.Text(1);
  j.profile = stmt.Text(2);
  j.scope = stmt.Text(3);
  j.key_period = stmt.Text(4);
  j.scheduled_for = stmt.Int(5);
  j.catch_up = stmt.Int(6) != 0;
  j.missed = stmt.Int(7);
  j.started_at = stmt.Int(8);
  j.ended_at = stmt.Int(9);
  j.outcome = stmt.Text(10);
  j.scan_id = stmt.Int(11);
  j.findings_new = stmt.Int(12);
  j.alerts_sent = stmt.Int(13);
  j.error = stmt.Text(14);
  j.runner_pid = stmt.Int(15);
  j.runner_start = stmt.Int(16);
  return j;
}

}  // namespace

Result<int64_t> Store::CreateJob(const Job& job) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "INSERT INTO jobs (schedule, profile, scope, key_period, scheduled_for, "
                         "catch_up, missed, started_at, ended_at, outcome, scan_id, findings_new, "
                         "alerts_sent, error, runner_pid, runner_start) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt.Bind(1, job.schedule).Bind(2, job.profile).Bind(3, job.scope).Bind(4, job.key_period);
  stmt.Bind(5, job.scheduled_for).Bind(6, int64_t{job.catch_up ? 1 : 0}).Bind(7, job.missed);
  stmt.Bind(8, job.started_at).Bind(9, job.ended_at).Bind(10, job.outcome).BindId(11, job.scan_id);
  stmt.Bind(12, job.findings_new).Bind(13, job.alerts_sent).Bind(14, job.error);
  stmt.Bind(15, job.runner_pid).Bind(16, job.runner_start);
  CII_RETURN_IF_ERROR(stmt.Run());
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

Status Store::FinishJob(const Job& job) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "UPDATE jobs SET outcome = ?, ended_at = ?, scan_id = ?, findings_new = ?, "
                         "alerts_sent = ?, error = ? WHERE id = ?"));
  stmt.Bind(1, job.outcome).Bind(2, job.ended_at).BindId(3, job.scan_id).Bind(4, job.findings_new);
  stmt.Bind(5, job.alerts_sent).Bind(6, job.error).Bind(7, job.id);
  CII_RETURN_IF_ERROR(stmt.Run());
  if (sqlite3_changes(db_) == 0) {
    return Error(ErrorCode::kNotFound, path_ + ": no job " + std::to_string(job.id));
  }
  return Ok();
}

Result<std::vector<Job>> Store::ListJobs(int limit) {
  CII_ASSIGN_OR_RETURN(Statement stmt,
                       Statement::Prepare(db_, path_,
                                          "SELECT " + std::string(kJobColumns) +
                                              " FROM jobs ORDER BY id DESC LIMIT ?"));
  stmt.Bind(1, int64_t{limit});
  std::vector<Job> out;
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back(ReadJob(stmt));
  }
  return out;
}

Result<std::optional<Job>> Store::GetJob(int64_t job_id) {
  CII_ASSIGN_OR_RETURN(Statement stmt,
                       Statement::Prepare(db_, path_,
                                          "SELECT " + std::string(kJobColumns) +
                                              " FROM jobs WHERE id = ?"));
  stmt.Bind(1, job_id);
  CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<Job>();
  return std::optional<Job>(ReadJob(stmt));
}

Result<int> Store::CloseOrphanJobs(const std::function<bool(int64_t, int64_t)>& alive,
                                   std::string_view error, int64_t now) {
  std::vector<int64_t> orphans;
  {
    CII_ASSIGN_OR_RETURN(
        Statement stmt,
        Statement::Prepare(db_, path_,
                           "SELECT id, runner_pid, runner_start FROM jobs WHERE outcome = 'running'"));
    while (true) {
      CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      if (!alive(stmt.Int(1), stmt.Int(2))) orphans.push_back(stmt.Int(0));
    }
  }
  if (orphans.empty()) return 0;
  CII_RETURN_IF_ERROR(Transaction([&]() -> Status {
    CII_ASSIGN_OR_RETURN(
        Statement stmt,
        Statement::Prepare(db_, path_,
                           "UPDATE jobs SET outcome = 'interrupted', ended_at = ?, error = ? "
                           "WHERE id = ? AND outcome = 'running'"));
    for (int64_t id : orphans) {
      stmt.Bind(1, now).Bind(2, error).Bind(3, id);
      CII_RETURN_IF_ERROR(stmt.Run());
      stmt.Reset();
    }
    return Ok();
  }));
  return static_cast<int>(orphans.size());
}

Result<std::vector<std::pair<std::string, int64_t>>> Store::LoadScheduleState() {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_, "SELECT schedule, handled_until FROM schedule_state ORDER BY schedule"));
  std::vector<std::pair<std::string, int64_t>> out;
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.emplace_back(stmt.Text(0), stmt.Int(1));
  }
  return out;
}

Status Store::SaveScheduleState(const std::vector<std::pair<std::string, int64_t>>& handled) {
  if (handled.empty()) return Ok();
  return Transaction([&]() -> Status {
    CII_ASSIGN_OR_RETURN(
        Statement stmt,
        Statement::Prepare(db_, path_,
                           "INSERT INTO schedule_state (schedule, handled_until) VALUES (?, ?) "
                           "ON CONFLICT (schedule) DO UPDATE SET handled_until = excluded.handled_until"));
    for (const auto& [name, until] : handled) {
      stmt.Bind(1, name).Bind(2, until);
      CII_RETURN_IF_ERROR(stmt.Run());
      stmt.Reset();
    }
    return Ok();
  });
}

Result<bool> Store::AlertRecorded(std::string_view period, std::string_view key) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_, "SELECT 1 FROM alerts_sent WHERE period = ? AND alert_key = ?"));
  stmt.Bind(1, period).Bind(2, key);
  return stmt.Step();
}

Result<int64_t> Store::CountAlertsSentSince(int64_t since_ms) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "SELECT COUNT(*) FROM alerts_sent WHERE delivery = 'sent' AND time >= ?"));
  stmt.Bind(1, since_ms);
  CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : int64_t{0};
}

Status Store::RecordAlert(const SentAlert& a) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "INSERT INTO alerts_sent (alert_key, period, time, kind, severity, target, "
                         "job_id, delivery) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                         "ON CONFLICT (period, alert_key) DO UPDATE SET time = excluded.time, "
                         "delivery = excluded.delivery, job_id = excluded.job_id"));
  stmt.Bind(1, a.key).Bind(2, a.period).Bind(3, a.time).Bind(4, a.kind).Bind(5, a.severity);
  stmt.Bind(6, a.target).BindId(7, a.job_id).Bind(8, a.delivery);
  return stmt.Run();
}

}  // namespace ciiscope::inventory
