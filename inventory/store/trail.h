#pragma once
// The audit trail's tamper checks and its head anchor (docs/trail.md).
//
// The chain in audit_log (Store::AppendAudit) shows edits and reorders of
// rows, and deletions in the middle (the next row's link breaks, or its id
// leaves a gap). Deleting the newest rows leaves a shorter chain that is
// still consistent, so the head (id and hash of the newest row) is also kept
// outside the table, in "<db>.trail-head", rewritten atomically inside the
// appending transaction. VerifyTrail compares the table's head with it.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "inventory/model/model.h"

namespace ciiscope::inventory {

class Store;

struct TrailCheck {
  bool ok = true;
  int64_t rows = 0;        // rows read
  int64_t bad_id = 0;      // first row that fails (or the first missing id); 0 when ok
  std::string reason;      // one line, naming the row; empty when ok
  int64_t head_id = 0;     // newest row in the table
  std::string head_hash;
  bool anchored = false;   // an anchor file exists (for on-disk databases)
  int64_t anchor_id = 0;
};

// Every row's hash, the link to its predecessor, gaps in ids (deleted rows),
// and the head against the anchor file.
Result<TrailCheck> VerifyTrail(Store& store);

// "<db>.trail-head"; empty for in-memory databases.
std::string TrailAnchorPath(const std::string& db_path);
// Temporary file, fsync, rename, fsync of the folder. No-op without a path.
Status WriteTrailAnchor(const std::string& db_path, int64_t id, std::string_view hash);
// Opens (creating) the anchor file for Store::HoldTrailAnchor; -1 for a
// database without an anchor (in memory).
Result<int> OpenTrailAnchor(const std::string& db_path);
// Rewrites the held anchor in place (one small write at offset 0, truncate, fsync).
Status RewriteTrailAnchor(int fd, const std::string& db_path, int64_t id, std::string_view hash);

// Rows with id > after_id, oldest first, at most `limit`.
Result<std::vector<AuditEntry>> AuditSince(Store& store, int64_t after_id, size_t limit);
Result<int64_t> LastAuditId(Store& store);  // 0 when the log is empty

}  // namespace ciiscope::inventory
