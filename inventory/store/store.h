#pragma once
// The SQLite inventory (DESIGN.md "Data model"). One connection, one writer.
// WAL, foreign keys on, schema versioned by numbered migrations kept in
// inventory/store/migrations/NNNN_name.sql (compiled in) and PRAGMA user_version.
// Every statement is prepared with bound parameters.
//
// Thread contract: a Store is used by one thread at a time. StoreSink (below)
// is the thread-safe entry point for scanner threads.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "inventory/model/drill.h"
#include "inventory/model/ledger.h"
#include "inventory/model/keyperiod.h"
#include "inventory/model/model.h"
#include "inventory/model/monitor_event.h"
#include "inventory/model/observation.h"
#include "inventory/model/score.h"
#include "inventory/model/job.h"
#include "inventory/model/unit.h"

struct sqlite3;

namespace ciiscope::inventory {

struct FindingFilter {
  std::optional<int64_t> scan_id;       // findings last seen in this scan
  std::string min_severity;             // "" = all; else info|low|medium|high|critical
  std::vector<std::string> statuses;    // empty = all
};

// One page of ForEachServiceBatch: each service with the index of its asset
// in `assets` and its evidence in the scan.
struct ServiceBatch {
  struct Item {
    size_t asset = 0;
    Service service;
    std::vector<Evidence> evidence;
    int64_t version_since = 0;  // services.version_since (0008): see ServiceIdentity
  };
  std::vector<Asset> assets;
  std::vector<Item> items;
};

// What an assessment concluded about a service.
struct ServiceIdentity {
  int64_t id = 0;
  std::string name, product, version, cpe;
  // When this product/version was first identified (Unix ms; 0 = unknown):
  // kept by the assessor while product and version stay the same.
  int64_t version_since = 0;
};

struct UpsertResult {
  int64_t id = 0;
  bool created = false;    // new finding
  bool reopened = false;   // was fixed/verified/closed and matched again
};

class Store {
 public:
  static constexpr int kSchemaVersion = 9;

  // Opens or creates the database and applies pending migrations.
  // Errors (kDatabase) with one clear line: "FILE: not a ciiscope/SQLite
  // database", "FILE: schema version 7 is newer than this ciiscope supports (1)".
  static Result<std::unique_ptr<Store>> Open(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& path() const { return path_; }
  int schema_version() const;

  // Runs fn inside BEGIN IMMEDIATE … COMMIT; rolls back if fn fails.
  Status Transaction(const std::function<Status()>& fn);

  // --- scans ---
  Result<int64_t> CreateScan(const Scan& scan);  // started_at/status taken from scan
  Status FinishScan(int64_t scan_id, std::string_view status, std::string_view stats_json);
  Result<std::optional<Scan>> GetScan(int64_t scan_id);
  Result<std::optional<Scan>> LatestScan();  // highest id
  Result<std::vector<Scan>> ListScans();
  // Marks a stopped scan running again (finished_at 0) for --resume.
  Status ReopenScan(int64_t scan_id);

  // --- scan checkpoints (store_scan_control.cpp) ---
  // Inserts or replaces the scan's checkpoint (updated_at = now when 0).
  Status SaveCheckpoint(const ScanCheckpoint& checkpoint);
  Result<std::optional<ScanCheckpoint>> GetCheckpoint(int64_t scan_id);

  // --- authorizations (store_scan_control.cpp) ---
  // Scope entries are stored as given (JSON array); created_at = now when 0.
  Result<int64_t> AddAuthorization(const Authorization& authorization);
  Result<std::vector<Authorization>> ListAuthorizations();  // by id
  // Not revoked and valid_from <= now_ms <= valid_to (valid_to 0 = no end).
  Result<std::vector<Authorization>> ValidAuthorizations(int64_t now_ms);

  // --- evidence ingest (one transaction per call) ---
  // For each observation: upsert the asset by address (last_seen, hostnames),
  // upsert the service by (asset, transport, port) when port != 0 (state
  // from port_state observations), append an evidence row.
  Status RecordObservations(int64_t scan_id, const std::vector<Observation>& batch);

  // --- reads ---
  Result<std::vector<Asset>> ListAssets();
  Result<std::optional<Asset>> GetAsset(int64_t asset_id);
  Result<std::vector<Service>> ListServices(std::optional<int64_t> asset_id = std::nullopt);
  // Services with evidence in the scan, each with its asset and that scan's
  // evidence (in insertion order), by address, port, transport. Streams:
  // fn is called once per service; an error from fn stops the walk and is
  // returned. At most one page of services is in memory (ForEachServiceBatch).
  Status ForEachServiceInScan(
      int64_t scan_id,
      const std::function<Status(const Asset&, const Service&, const std::vector<Evidence>&)>& fn);
  // The same walk a page at a time: pages of at most batch_size services
  // (keyset-paginated on address, asset, port, transport, so memory stays
  // flat in inventory size). No statement is open while fn runs, so fn may
  // write to the store; all services of one asset are adjacent in the walk
  // (they may span two pages). Evidence `raw` bytes are left empty unless
  // with_raw.
  Status ForEachServiceBatch(int64_t scan_id, size_t batch_size, bool with_raw,
                             const std::function<Status(const ServiceBatch&)>& fn);
  // All evidence of one asset in one scan, host-level and per service, in
  // insertion order (for host-level kinds such as host_up, and for tests).
  Result<std::vector<Evidence>> ListEvidence(int64_t scan_id, int64_t asset_id);
  Status UpdateServiceIdentity(int64_t service_id, std::string_view name,
                               std::string_view product, std::string_view version,
                               std::string_view cpe);
  // The same for many services (with version_since) in one transaction;
  // kNotFound (nothing written) if one id is unknown.
  Status UpdateServiceIdentities(const std::vector<ServiceIdentity>& services);

  // --- findings ---
  // Inserts (status open, event "created") or updates last seen, severity,
  // texts, detail and evidence of the finding with the same key; a finding in
  // fixed/verified/closed that matches again becomes reopened (with an event).
  Result<UpsertResult> UpsertFinding(const Finding& finding, int64_t scan_id,
                                     std::string_view actor);
  // The same for many findings in one transaction, statements prepared
  // once; results in input order. A finding without key fails the batch.
  Result<std::vector<UpsertResult>> UpsertFindings(const std::vector<Finding>& findings,
                                                   int64_t scan_id, std::string_view actor);
  // Findings on the given services whose key is not in seen_keys and whose
  // status is open/acknowledged/reopened/fixed become verified (rescan no
  // longer matches), each with an event. Returns how many changed.
  // Set-based (two statements, whatever the number of findings): call it per
  // batch of services with that batch's keys.
  Result<int> VerifyNotSeen(int64_t scan_id, const std::vector<int64_t>& service_ids,
                            const std::vector<std::string>& seen_keys, std::string_view actor);
  Result<std::vector<Finding>> ListFindings(const FindingFilter& filter = {});
  Result<std::vector<FindingEvent>> FindingEvents(int64_t finding_id);
  Result<std::optional<Finding>> GetFinding(int64_t finding_id);
  // Operator lifecycle change (ack, fix, accept, reopen, false_positive …):
  // to_status must be one of the statuses in model.h; writes an event.
  // kNotFound for an unknown id, kInvalidArgument for an unknown status.
  // Setting the current status again is a no-op (no event).
  Status SetFindingStatus(int64_t finding_id, std::string_view to_status,
                          std::string_view actor, std::string_view reason);
  // Sets the assignee (empty clears it); writes an event with from = to =
  // the current status and reason "assigned to NAME".
  Status AssignFinding(int64_t finding_id, std::string_view assignee, std::string_view actor);
  // Sets the due time (Unix ms; 0 clears it). For an accepted finding it is
  // when the risk acceptance expires. kNotFound for an unknown id.
  Status SetFindingDue(int64_t finding_id, int64_t due_at);

  // --- asset identity and CII decisions (store_assets.cpp) ---
  // Records what identify rules concluded (empty strings/list clear it).
  // cii_candidate sets cii_status to 'candidate' (or '' when false) unless
  // an operator already confirmed or rejected the asset: a decision stands.
  Status SetAssetIdentity(int64_t asset_id, std::string_view role, std::string_view criticality,
                          bool cii_candidate, const std::vector<std::string>& data_tags,
                          std::string_view identified_by);
  // Operator decision: status is "confirmed" or "rejected" (kInvalidArgument
  // otherwise), reason must be non-empty; kNotFound for an unknown asset.
  Status DecideAssetCii(int64_t asset_id, std::string_view status, std::string_view actor,
                        std::string_view reason, int64_t at_millis);

  // --- units ledger (store_units.cpp) ---
  // Inserts or updates units by code in one transaction, then links parents
  // (by code, in the file or already stored; kNotFound if missing) and
  // replaces each imported unit's CIDRs and domains.
  Status ImportUnits(const std::vector<Unit>& units);
  Result<std::vector<Unit>> ListUnits();  // by id, with scopes and parent codes
  // Records the owning unit (0 = none) and ledger status of an asset.
  Status SetAssetUnit(int64_t asset_id, int64_t unit_id, std::string_view ledger_status);
  // Asset-level findings (no service) of the given assets and rules whose
  // key is not in seen_keys and whose status is open/acknowledged/reopened/
  // fixed become verified, each with an event. Returns how many changed.
  Result<int> VerifyAssetFindingsNotSeen(int64_t scan_id, const std::vector<int64_t>& asset_ids,
                                         const std::vector<std::string>& rule_ids,
                                         const std::vector<std::string>& seen_keys,
                                         std::string_view actor);

  // --- stale assets (store_stale.cpp) ---
  // Assets whose last_seen is before `cutoff` (Unix ms), by id, a page of at
  // most batch_size at a time; no statement is open while fn runs.
  Status ForEachAssetNotSeenSince(int64_t cutoff, size_t batch_size,
                                  const std::function<Status(const std::vector<Asset>&)>& fn);
  // Asset-level findings of `rule_ids` on assets seen at or after `cutoff`,
  // in status open/acknowledged/reopened/fixed, become verified with an
  // event each (set-based). Returns how many changed.
  Result<int> VerifyFindingsOfAssetsSeenSince(int64_t scan_id,
                                              const std::vector<std::string>& rule_ids,
                                              int64_t cutoff, std::string_view actor);

  // --- scores and accountability (store_scores.cpp) ---
  // Every asset (by id) with its findings, one call per asset; detail_json is
  // filled only for findings of `detail_rules`. Streams: one asset in memory.
  Status ForEachAssetForScoring(
      const std::vector<std::string>& detail_rules,
      const std::function<Status(const Asset&, const std::vector<ScoringFinding>&)>& fn);
  // Stores a run and its unit scores in one transaction; returns the run id.
  Result<int64_t> SaveScoreRun(const ScoreRun& run, const std::vector<UnitScore>& scores);
  // Newest last; at most `limit` of the latest runs, with mean_top_score.
  Result<std::vector<ScoreRun>> ListScoreRuns(int limit);
  // Unit scores of a run ranked within each parent (parent by name, then
  // rank), with the previous run's score when there is one.
  Status ForEachRankedUnitScore(int64_t run_id,
                                const std::function<Status(const RankedUnitScore&)>& fn);
  // Findings that count at `now` (status open/acknowledged/reopened/fixed,
  // or accepted with an expired acceptance), by unit code, severity desc,
  // due. overdue_only: only those with 0 < due_at < now. Streams.
  Status ForEachAccountableFinding(int64_t now, bool overdue_only,
                                   const std::function<Status(const AccountableFinding&)>& fn);
  // Findings reopened at least once (回头看), by unit code, last reopen desc.
  Status ForEachRepeatFinding(const std::function<Status(const AccountableFinding&)>& fn);

  // --- drills (store_drills.cpp) ---
  // Inserts the drill and a "start" event (detail: name, kind, window, scope).
  Result<int64_t> CreateDrill(const Drill& drill);
  Result<std::optional<Drill>> GetDrill(int64_t drill_id);
  Result<std::optional<Drill>> RunningDrill();  // the newest running one
  Result<std::vector<Drill>> ListDrills();      // by id
  // Marks it finished at `time`, writes a "stop" event, and claims the scans
  // and monitor events of its window that belong to no drill yet.
  Status StopDrill(int64_t drill_id, int64_t time, std::string_view actor);
  Status AddDrillEvent(const DrillEvent& event);
  Status ForEachDrillEvent(int64_t drill_id, const std::function<Status(const DrillEvent&)>& fn);
  // Monitor events of the drill, or in [from, until] without a drill.
  Status ForEachMonitorEvent(int64_t drill_id, const DrillWindow& window,
                             const std::function<Status(const MonitorEvent&)>& fn);
  // Scans that started in the window (or were claimed by the drill).
  Result<std::vector<Scan>> ScansInWindow(int64_t drill_id, const DrillWindow& window);
  // Findings first seen in the window.
  Status ForEachFindingOpenedIn(const DrillWindow& window,
                                const std::function<Status(const AccountableFinding&)>& fn);
  // Findings whose last move to verified/closed happened in the window;
  // fixed_at = that time. By unit code, then time to fix.
  Status ForEachFindingClosedIn(const DrillWindow& window,
                                const std::function<Status(const AccountableFinding&)>& fn);

  // --- diff (store_drills.cpp) ---
  // The newest scan that finished at or before `time` (0 if none).
  Result<int64_t> ScanFinishedBy(int64_t time);
  // Assets / open services with evidence in scan `in` and none in `not_in`.
  Status ForEachAssetOnlyIn(int64_t in, int64_t not_in,
                            const std::function<Status(const Asset&)>& fn);
  Status ForEachServiceOnlyIn(int64_t in, int64_t not_in,
                              const std::function<Status(const Service&)>& fn);
  // Present in `to` and not in `from` (new), or present in `from`, not seen
  // in `to` although `to` looked at its service/asset again (fixed).
  // "Present in scan X": first_seen_scan <= X <= last_seen_scan.
  Status ForEachNewFinding(int64_t from, int64_t to,
                           const std::function<Status(const AccountableFinding&)>& fn);
  Status ForEachFixedFinding(int64_t from, int64_t to,
                             const std::function<Status(const AccountableFinding&)>& fn);
  Result<ScanExposure> ExposureOf(int64_t scan_id);
  // --- report views (store_reports.cpp) ---
  // Every asset with its unit, by unit hierarchy (depth first, ministry →
  // … → department; assets of no unit last), CII confirmed first, then
  // candidates, then the rest, then address. Counted findings (at `now`) by
  // severity, open services, and whether a counted 双非 finding names it.
  Status ForEachLedgerRow(int64_t now, const std::function<Status(const LedgerRow&)>& fn);
  Result<LedgerTotals> LedgerTotalsAt(int64_t now);
  // Units with findings that count at `now`, in unit hierarchy order; a
  // last entry with unit_id 0 sums the findings on assets of no unit.
  Result<std::vector<NoticeUnit>> NoticeUnits(int64_t now);
  // A unit's counted findings (severity desc, then due date, unset last),
  // each with its asset's host names.
  Status ForEachNoticeFinding(
      int64_t unit_id, int64_t now,
      const std::function<Status(const AccountableFinding&, const std::vector<std::string>&)>& fn);
  // Services open in `from` and not open in `to`; `probed`: `to` holds
  // evidence of the service (e.g. seen closed); with the asset's host names.
  Status ForEachServiceGoneFrom(
      int64_t from, int64_t to,
      const std::function<Status(const Service&, bool probed, const std::vector<std::string>&)>& fn);
  // Present in `from`, not in `to`, and `to` collected no evidence of the
  // finding's service (asset-level: of its asset): `to` did not re-test it.
  Status ForEachFindingNotRechecked(int64_t from, int64_t to,
                                    const std::function<Status(const AccountableFinding&)>& fn);

  // --- monitoring events (store_monitor.cpp) ---
  // Inserts the events in one transaction and sets their ids.
  Status AddMonitorEvents(std::vector<MonitorEvent>& events);
  // By time; all events, or those of one scan.
  Result<std::vector<MonitorEvent>> ListMonitorEvents(std::optional<int64_t> scan_id = std::nullopt);
  // The id of the drill with status 'running' (latest started), 0 = none.
  Result<int64_t> RunningDrillId();

  // --- daemon jobs, schedule state, sent alerts (store_jobs.cpp, migration 0006) ---
  Result<int64_t> CreateJob(const Job& job);
  // Writes outcome, ended_at, scan_id, counts and error of job.id.
  Status FinishJob(const Job& job);
  // Newest first, at most `limit`.
  Result<std::vector<Job>> ListJobs(int limit);
  Result<std::optional<Job>> GetJob(int64_t job_id);
  // Jobs still 'running' whose runner is not alive (alive(pid, start) is
  // false) become 'interrupted' with `error`. Returns how many.
  Result<int> CloseOrphanJobs(const std::function<bool(int64_t, int64_t)>& alive,
                              std::string_view error, int64_t now);
  Result<std::vector<std::pair<std::string, int64_t>>> LoadScheduleState();
  Status SaveScheduleState(const std::vector<std::pair<std::string, int64_t>>& handled);
  // Whether an alert with this key was recorded in this period.
  Result<bool> AlertRecorded(std::string_view period, std::string_view key);
  // Alerts with delivery 'sent' at or after since_ms.
  Result<int64_t> CountAlertsSentSince(int64_t since_ms);
  Status RecordAlert(const SentAlert& alert);

  // --- key periods, look-back, spot checks, config state (store_keyperiod.cpp) ---
  // Inserts a baseline and its items in one transaction; returns its id.
  Result<int64_t> SaveKeyPeriodBaseline(const KeyPeriodBaseline& baseline,
                                        const std::vector<ExposureItem>& items);
  // The newest baseline of the key period (name, window start), if any.
  Result<std::optional<KeyPeriodBaseline>> LatestKeyPeriodBaseline(std::string_view name,
                                                                   int64_t window_from);
  Result<std::vector<ExposureItem>> KeyPeriodItems(int64_t baseline_id);
  // What is exposed now: services in state open, findings open/acknowledged/
  // reopened, assets whose ledger status is shadow. By kind, then key. Streams.
  Status ForEachExposureItem(const std::function<Status(const ExposureItem&)>& fn);
  // Records that the item alerted in the key period; false if it already had.
  Result<bool> MarkKeyPeriodAlerted(std::string_view name, int64_t window_from,
                                    std::string_view kind, std::string_view key, int64_t at);
  // Replaces the look-back list (回头看) in one transaction.
  Status ReplaceLookback(const std::vector<LookbackUnit>& units);
  Result<std::vector<LookbackUnit>> ListLookback();  // most findings first, then code
  Result<int64_t> AddSpotCheck(const SpotCheck& check);
  Result<std::optional<std::string>> ConfigState(std::string_view key);
  Status SetConfigState(std::string_view key, std::string_view value);
  // Sets revoked_at; kNotFound when there is no such unrevoked authorization.
  Status RevokeAuthorization(int64_t authorization_id, int64_t at);

  // --- audit log (hash-chained) ---
  Status AppendAudit(std::string_view actor, std::string_view command,
                     std::string_view args_digest, std::string_view outcome);
  // 0 if the chain is intact, else the id of the first row that does not verify.
  // (Deleting the newest rows cannot be detected from the table alone.)
  Result<int64_t> VerifyAuditChain();
  Result<std::vector<AuditEntry>> ListAudit();  // oldest first
  // sha256(prev_hash + "|" + time + "|" + actor + "|" + command + "|" +
  // args_digest + "|" + outcome), time as decimal Unix milliseconds.
  // Opens the trail-head anchor file now and keeps it open, so later appends
  // rewrite it in place through that descriptor: a command that drops root
  // privileges (live capture, the syn engine) can still anchor its row.
  Status HoldTrailAnchor();
  static std::string AuditHash(std::string_view prev_hash, int64_t time, std::string_view actor,
                               std::string_view command, std::string_view args_digest,
                               std::string_view outcome);

 private:
  Store(sqlite3* db, std::string path);
  Status Migrate();

  sqlite3* db_ = nullptr;
  std::string path_;
  int anchor_fd_ = -1;  // HoldTrailAnchor(); -1 = replace the file by rename
};

// Thread-safe EvidenceSink that batches observations into the store.
// Record() may be called from any thread; batches of `batch_size` are written
// in one transaction. Write errors are kept (first one wins) and reported by
// status(); later records are still attempted.
class StoreSink : public EvidenceSink {
 public:
  StoreSink(Store& store, int64_t scan_id, size_t batch_size = 256);
  ~StoreSink() override;
  void Record(Observation obs) override;
  void Flush() override;
  Status status() const;
  // Observations written to the store so far (not pending, not failed).
  uint64_t recorded() const;
  // Flushes, then runs fn on the store under the sink's lock, so other
  // threads' Record() calls never share the connection with fn.
  Status WithStore(const std::function<Status(Store&)>& fn);

 private:
  void FlushLocked();

  Store& store_;
  int64_t scan_id_;
  size_t batch_size_;
  mutable std::mutex mu_;
  std::vector<Observation> pending_;
  uint64_t recorded_ = 0;
  std::optional<Error> first_error_;
};

}  // namespace ciiscope::inventory
