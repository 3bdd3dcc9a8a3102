#pragma once
// XLSX workbook (libxlsxwriter), labels in the report language. Three sheets:
//   1. summary — label/value rows (counts as numbers) and findings by severity;
//   2. findings — one row per finding;
//   3. assets and services — one row per service, with its asset's hostnames.
// Each table has a bold header row that is frozen and carries an autofilter,
// and fixed column widths.
//
// Every cell is written with worksheet_write_string or _number, never as a
// formula: a value starting with '=' stays a string. Strings pass DisplayText
// (valid UTF-8, NUL/controls/bidi overrides shown as escapes, cut at
// kXlsxCellMaxBytes, below Excel's 32767-character cell limit).
//
// libxlsxwriter writes to a file: Render() builds the workbook in a private
// temporary directory ($TMPDIR or /tmp), copies it to `out` and removes it.
// Errors: kIo "xlsx: <reason>".

#include <ostream>
#include <string_view>

#include "core/result.h"
#include "reports/report.h"

namespace ciiscope::reports {

inline constexpr size_t kXlsxCellMaxBytes = 32000;

class XlsxRenderer : public Renderer {
 public:
  std::string_view format() const override { return "xlsx"; }
  std::string_view extension() const override { return ".xlsx"; }
  std::string_view description() const override {
    return "Excel workbook: summary, findings, assets/services sheets (no formulas)";
  }
  Status Render(const ReportModel& model, Lang lang, std::ostream& out) const override;
};

}  // namespace ciiscope::reports
