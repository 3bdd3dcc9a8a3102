#pragma once
// `report --kind ledger|scorecard|diff|drill|notice`: the sectioned reports
// (reports/kind_builders.h) written in each format, streamed to disk.

#include <cstdint>
#include <string>
#include <vector>

#include "app/context.h"
#include "core/result.h"

namespace ciiscope::app {

struct KindReportRequest {
  std::string kind;                  // scorecard | diff | drill
  std::vector<std::string> formats;  // html, csv, md, json, xlsx, pdf
  std::string out;                   // file (one format) or directory
  std::string from, to;              // diff: scan ids or dates
  int64_t drill = 0;                 // drill: id (0 = latest)
  int64_t score_run = 0;             // scorecard: report this run instead of computing one
  // notice: the units (codes or ids; empty = every unit with counted
  // findings), issuer, reference prefix and days to reply.
  std::vector<std::string> units;
  // Empty / 0: the configuration's notice keys, else "ciiscope", CIISCOPE, 15.
  std::string issuer, reference_prefix;
  int reply_days = 0;
};

// scorecard first computes a new score run (assessor/scoring.h, audited as
// "score"). notice writes one file per unit and format into the output
// folder (names from NoticeFileStem, kept inside it), then index.FORMAT.
// Returns the paths written (each with PATH.sha256).
Result<std::vector<std::string>> WriteKindReports(Context& ctx, inventory::Store& store,
                                                  const KindReportRequest& request);

}  // namespace ciiscope::app
