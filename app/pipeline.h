#pragma once
// The stages wired together: scan → store, assess, report. Shared by the
// scan/assess/report commands, `audit` and `demo run`.

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/context.h"
#include "assessor/assessor.h"
#include "core/result.h"
#include "rulelang/rule.h"

namespace ciiscope::app {

struct ScanRequest {
  std::vector<std::string> targets;
  std::vector<std::string> excludes;
  std::string ports = "default";  // may hold UDP ports: "22,80,U:53,161"
  bool udp = false;               // --udp: unprefixed ports are UDP (nmap -sU)
  std::string engine = "connect";
  std::string profile = "adhoc";
  int concurrency = 256;
  double rate = 0;            // --rate connects/s; 0 = as fast as the machine allows
  double unit_rate = 0;       // --unit-rate probes/s into any one unit's ranges; 0 = no such limit
                              // (combined with the ledger's unit rates: scanner::PlanUnitPacing)
  int retries = 1;            // --retries for ports that did not answer
  std::string io = "auto";    // --io auto|uring|epoll (connect engine)
  std::string send = "auto";  // --send auto|raw|afpacket (syn engine)
  int connect_timeout_ms = 1500;
  int service_timeout_ms = 5000;
  bool service_probes = true;
  size_t max_targets = 1u << 20;
  bool allow_reserved = false;   // --allow-reserved
  std::optional<uint64_t> seed;  // --seed; empty = random (recorded in the scan)
  std::string shard;             // --shard I/N (1-based); "" = whole scan
  int64_t resume_scan_id = 0;    // --resume SCAN: everything else comes from that scan
  int checkpoint_interval_ms = 2000;
  bool no_ping = false;  // -Pn: skip host discovery (implied by --shard and --resume)
  // Set by RunScan/PlanResume: the targets host discovery found up (the
  // scan's target list when discovery_ran), recorded for resume.
  bool discovery_ran = false;
  std::vector<std::string> discovered;
  // Fetch the rules' collect: paths on web services (--no-collect: only /).
  bool collect = true;
  // Rules whose collect: blocks say which extra HTTP paths to fetch; null =
  // load them from the rules directory (RulesDir) if it exists.
  const std::vector<rulelang::Rule>* rules = nullptr;
};

struct ScanSummary {
  int64_t scan_id = 0;
  size_t hosts = 0;
  size_t ports = 0;
  uint64_t open = 0;
  uint64_t closed = 0;
  uint64_t filtered = 0;
  int64_t duration_ms = 0;
  bool interrupted = false;
  // The units of the ledger that paced some target (scanner::PlanUnitPacing).
  struct PacedUnit {
    std::string unit;  // the unit's code
    double rate = 0;   // probes/s into its targets
    size_t targets = 0;
  };
  std::vector<PacedUnit> unit_rates;
};

// Resolves targets, refuses reserved and unauthorized ones before a packet
// is sent (app/scan_control.h), records the scan (or reopens the one being
// resumed), runs the engine into the store with periodic checkpoints. An
// interrupted scan is marked so, keeps its results and is returned with
// interrupted = true (the caller decides whether that is an error).
Result<ScanSummary> RunScan(Context& ctx, inventory::Store& store, const ScanRequest& request);

// Loads the rule packs. A rule that fails to load is reported on stderr
// (file:line:col) and skipped; with --strict any load error fails.
Result<std::vector<rulelang::Rule>> LoadRules(const Context& ctx);

// Assesses the scan (latest when scan_id is empty) with the given rules;
// assets unseen for StaleDays(ctx, stale_days) get stale-asset findings.
Result<assessor::AssessStats> RunAssess(Context& ctx, inventory::Store& store,
                                        std::optional<int64_t> scan_id,
                                        const std::vector<rulelang::Rule>& rules,
                                        std::optional<int> stale_days = std::nullopt);

// The stale-asset threshold in days (0 = off): `given` (assess --stale-days),
// else ciiscope.yaml's stale_days, else assessor::kDefaultStaleDays.
int StaleDays(const Context& ctx, std::optional<int> given);

// Writes one report per format. `out` is a file path when one format is
// given and it does not name an existing directory; otherwise a directory
// (created) holding scan-<id>.<ext>. Returns the paths written.
Result<std::vector<std::string>> WriteReports(Context& ctx, inventory::Store& store,
                                              std::optional<int64_t> scan_id,
                                              const std::vector<std::string>& formats,
                                              const std::string& out);

// [{"unit": code, "rate": r, "targets": n}, …] (scan --json, the scan's stats).
nlohmann::json UnitRatesJson(const std::vector<ScanSummary::PacedUnit>& units);

// "scan 3 done: 5 host(s) x 123 port(s), 8 open, … (1.2 s)"
std::string DescribeScanLine(const ScanSummary& s);

// Exit code for --fail-on SEVERITY: 1 if open findings at or above it exist.
Result<int> FailOnCode(inventory::Store& store, const std::string& severity, int64_t scan_id);

struct AuditResult {
  ScanSummary scan;
  assessor::AssessStats assess;
  std::vector<std::string> reports;
};
// scan → assess → reports, printing one line per stage to stdout. An
// interrupted scan stops the flow with kInterrupted (results are kept).
Result<AuditResult> RunAudit(Context& ctx, inventory::Store& store, const ScanRequest& request,
                             const std::vector<std::string>& formats, const std::string& out_dir);

// Splits "html,json" and checks every format is known.
Result<std::vector<std::string>> ParseFormats(const std::string& spec);

}  // namespace ciiscope::app
