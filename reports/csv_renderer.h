#pragma once
// CSV report for spreadsheets: UTF-8 with a BOM, CRLF line ends (RFC 4180),
// labels and severities in the report language. Two sections in one file,
// separated by an empty line, each with its own header row:
//   1. findings — one row per finding;
//   2. services — one row per service, with its asset's hostnames.
// Every cell goes through core::CsvField (quoted as needed; a leading
// = + - @ TAB CR is neutralized with an apostrophe), after core::Printable
// (NUL, controls, bidi overrides shown as escapes) and a cut at
// kCsvCellMaxBytes.

#include <ostream>
#include <string_view>

#include "core/result.h"
#include "reports/report.h"

namespace ciiscope::reports {

class CsvRenderer : public Renderer {
 public:
  std::string_view format() const override { return "csv"; }
  std::string_view extension() const override { return ".csv"; }
  std::string_view description() const override {
    return "spreadsheet: findings, then services (UTF-8 with BOM, formula-safe)";
  }
  Status Render(const ReportModel& model, Lang lang, std::ostream& out) const override;
};

}  // namespace ciiscope::reports
