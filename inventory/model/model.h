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
};

struct Asset {
  int64_t id = 0;
  std::string address;                 // canonical textual IP
  std::vector<std::string> hostnames;  // names it was scanned by
  int64_t first_seen = 0;
  int64_t last_seen = 0;
  std::string role;                    // set by identify rules (later)
  std::string criticality;             // "", low, medium, high
  std::string cii_status;              // "", candidate, confirmed, rejected
  std::string ledger_status;           // "", registered, shadow, stale
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
