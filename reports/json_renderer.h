#pragma once
// JSON report, schema "ciiscope.report/1" (docs/report-json.md). The whole
// model, every string valid UTF-8, plus a "digest" over the canonical form of
// the document without the digest.

#include <ostream>
#include <string_view>

#include "core/result.h"
#include "reports/report.h"

namespace ciiscope::reports {

inline constexpr std::string_view kJsonReportSchema = "ciiscope.report/1";

class JsonRenderer : public Renderer {
 public:
  std::string_view format() const override { return "json"; }
  std::string_view extension() const override { return ".json"; }
  std::string_view description() const override {
    return "machine-readable report, schema ciiscope.report/1 (docs/report-json.md)";
  }
  Status Render(const ReportModel& model, Lang lang, std::ostream& out) const override;
};

// Recomputes the digest of a JSON report as docs/report-json.md defines it.
// true if it matches the "digest" field; kParse if the text is not a JSON
// object with a string "digest".
Result<bool> CheckJsonReportDigest(std::string_view json_text);

}  // namespace ciiscope::reports
