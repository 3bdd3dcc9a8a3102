#pragma once
// Plain structs of the inventory (DESIGN.md "Data model"). No behaviour, no
// I/O: every stage can use them; only inventory/store persists them.
// Times are Unix milliseconds (UTC). Ids are SQLite rowids; 0 = not stored yet.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ciiscope::inventory {

struct Scan {
  int64_t id = 0;
  std::string profile;       // "default", "demo", …
  std::string targets;       // the target specs as given, space-separated
  std::string ports;         // compact port list ("22,80,8000-8100")
  std::string engine;        // "connect"
  std::string operator_name; // OS user or --actor
  int64_t started_at = 0;
  int64_t finished_at = 0;   // 0 while running
  std::string status;        // running | done | interrupted | failed
  std::string stats_json;    // {"probes":…, "open":…, "duration_ms":…}
  std::string shard;         // "i/n" (1-based) or "" for the whole scan
  uint64_t seed = 0;         // permutation seed of the sweep order
  std::string options_json;  // what shapes the target list: excludes, allow_reserved, …
};

// A recorded authorization to scan (授权书; CII Regulations Art. 31).
struct Authorization {
  int64_t id = 0;
  std::string reference;           // document reference ("builtin-loopback" for the built-in one)
  std::string issuer;              // who authorized it
  std::vector<std::string> scope;  // CIDRs, addresses, host names ("*.example.edu")
  int64_t valid_from = 0;          // Unix ms
  int64_t valid_to = 0;            // Unix ms, inclusive; 0 = no end
  std::string created_by;
  int64_t created_at = 0;
  int64_t revoked_at = 0;          // 0 = not revoked
};

// Checkpoint of a running scan (see migration 0002 scan_progress).
struct ScanCheckpoint {
  int64_t scan_id = 0;
  uint64_t next_position = 0;      // shard positions before this are finished …
  std::vector<uint64_t> pending;   // … except these (in flight; redone on resume)
  uint64_t total = 0, done = 0, open = 0, closed = 0, filtered = 0;
  int64_t runner_pid = 0;
  int64_t runner_start = 0;        // process start time (ticks since boot)
  int64_t updated_at = 0;
};

struct Asset {
  int64_t id = 0;
  std::string address;                 // canonical textual IP
  std::vector<std::string> hostnames;  // names it was scanned by
  int64_t first_seen = 0;
  int64_t last_seen = 0;
  std::string role;                    // set by identify rules (rules/identify)
  std::string criticality;             // "", low, medium, high
  std::string cii_status;              // "", candidate, confirmed, rejected
  std::string ledger_status;           // "", registered, shadow, stale
  int64_t unit_id = 0;                 // owning unit (units ledger); 0 = none
  std::vector<std::string> data_tags;  // data categories held (student-records, finance, …)
  std::string identified_by;           // identify rule that gave the role
  std::string cii_decided_by;          // operator who confirmed/rejected CII candidacy
  int64_t cii_decided_at = 0;
  std::string cii_reason;
  // Derived from the engines of the scans whose evidence names the asset:
  // seen by an active scan (any engine but "passive", imports included) and
  // by passive capture. Seen passively only = a shadow asset (item 3 of
  // issue 5), besides ledger_status "shadow" (no owning unit).
  bool seen_active = false;
  bool seen_passive = false;
  bool passive_only() const { return seen_passive && !seen_active; }
};

struct Service {
  int64_t id = 0;
  int64_t asset_id = 0;
  std::string address;    // denormalized for convenience in queries
  std::string transport;  // tcp | udp
  uint16_t port = 0;
  std::string state;      // open | closed | filtered
  std::string name;       // http, ssh, redis … (set by fingerprint rules)
  std::string product;
  std::string version;
  std::string cpe;
  int64_t first_seen = 0;
  int64_t last_seen = 0;
};

// One observation as the scanner made it. Append-only in the store.
struct Evidence {
  int64_t id = 0;
  int64_t scan_id = 0;
  int64_t asset_id = 0;
  int64_t service_id = 0;  // 0 for host-level evidence
  std::string kind;        // see evidence kinds in inventory/model/observation.h
  std::string data_json;   // details, schema per kind
  std::string raw;         // raw bytes, capped by the scanner (may hold NULs)
  int64_t time = 0;
};

struct LocalizedText {
  std::string zh;
  std::string en;
};

struct Finding {
  int64_t id = 0;
  std::string key;           // stable: sha256(rule|asset|service|discriminator)
  std::string rule_id;
  int rule_version = 1;
  std::string severity;      // info | low | medium | high | critical
  std::string status;        // open | acknowledged | fixed | verified | closed | reopened | accepted | false_positive
  int64_t asset_id = 0;
  int64_t service_id = 0;    // 0 = asset-level finding
  std::string address;       // denormalized for reports
  uint16_t port = 0;         // 0 = asset-level
  std::string transport;
  LocalizedText title;
  LocalizedText remediation;
  std::vector<std::string> references;  // "GB/T 28448-2019 L3-CES1-18", "CVE-…"
  std::string detail_json;   // what matched (fields and values), for the report
  std::vector<int64_t> evidence_ids;
  int64_t first_seen_scan = 0;
  int64_t last_seen_scan = 0;
  int64_t first_seen = 0;    // time
  int64_t last_seen = 0;
  int64_t due_at = 0;        // 0 = no due date yet
  std::string assignee;
};

struct FindingEvent {
  int64_t id = 0;
  int64_t finding_id = 0;
  int64_t time = 0;
  std::string actor;
  std::string from_status;
  std::string to_status;
  std::string reason;
};

struct AuditEntry {
  int64_t id = 0;
  int64_t time = 0;
  std::string actor;
  std::string command;      // "scan", "assess", …
  std::string args_digest;  // sha256 of the argument vector
  std::string outcome;      // ok | error: … 
  std::string prev_hash;
  std::string hash;         // sha256(prev_hash | time | actor | command | args_digest | outcome)
};

}  // namespace ciiscope::inventory
