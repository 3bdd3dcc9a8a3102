#pragma once
// Sectioned reports whose rows stream from the store while a renderer writes
// them: scorecard, diff and drill (DESIGN.md "Reports"). A builder (store →
// TableReport) fills labels from the catalog and leaves each section's rows
// as a callback that queries the store again for every renderer, so memory
// does not grow with the number of rows. Renderers: html, csv, md, json,
// xlsx (and pdf via Chromium), all escaping as the assessment renderers do
// (every cell passes DisplayText, then the format's escaping).
//
// JSON: schema "ciiscope.table-report/1", documented in docs/report-json.md.

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "reports/report.h"

namespace ciiscope::reports {

inline constexpr std::string_view kTableReportSchema = "ciiscope.table-report/1";

struct TableColumn {
  std::string key;      // JSON member name: [a-z_]+
  std::string label;    // localized header
  bool numeric = false; // cells are numbers (sorted as numbers)
  double width = 16;    // XLSX column width
};

// A cell: text (untrusted, escaped by the renderer) or a number.
struct TableCell {
  TableCell(std::string t) : text(std::move(t)) {}   // NOLINT: implicit for brace lists
  TableCell(std::string_view t) : text(t) {}         // NOLINT
  TableCell(const char* t) : text(t) {}              // NOLINT
  static TableCell Number(double v, int decimals = 0);
  // An empty cell in a numeric column (no value).
  static TableCell Blank() { return TableCell(std::string()); }
  std::string text;         // for numbers: the formatted value
  bool is_number = false;
  double number = 0;
  std::string css;          // HTML only: "sev-high" … (never from data)
};
using TableRow = std::vector<TableCell>;
using RowSink = std::function<Status(const TableRow&)>;

struct TableSection {
  std::string id;     // [a-z_]+: JSON member, HTML id, XLSX sheet order
  std::string title;
  std::string intro;  // optional paragraph above the table
  std::vector<TableColumn> columns;
  // Streams the rows (each row has columns.size() cells); called once per
  // renderer; an error stops the rendering.
  std::function<Status(const RowSink&)> rows;
  std::string empty_text;  // shown when there are no rows
  // Grouped sections (rectification notices): a new group starts whenever
  // cell `group_by` changes; HTML and Markdown show group_heading(row) and
  // group_text(row) above the group's rows. -1 = not grouped.
  int group_by = -1;
  std::function<std::string(const TableRow&)> group_heading;
  std::function<std::string(const TableRow&)> group_text;
};

// A chart drawn as inline SVG in HTML (numbers and labels only); other
// formats carry the same numbers in a section.
struct TableChart {
  enum class Kind { kLine, kBars, kTimeline };
  Kind kind = Kind::kLine;
  std::string title;
  // kLine / kBars: (label, value). kTimeline: label = event text, value =
  // time (Unix ms), series = lane index.
  struct Point {
    std::string label;
    double value = 0;
    int series = 0;
  };
  std::vector<Point> points;
  std::vector<std::string> series_names;  // kTimeline lanes
  double y_max = 0;                        // 0 = from the data
  int64_t x_from = 0, x_until = 0;         // kTimeline window
};

struct TableReport {
  std::string kind;   // scorecard | diff | drill
  std::string title;
  Lang lang = Lang::kZh;
  int64_t generated_at = 0;
  std::vector<std::pair<std::string, std::string>> facts;  // summary: label, value
  std::vector<TableChart> charts;
  std::vector<TableSection> sections;
};

// "html", "csv", "md", "json", "xlsx", "pdf". kInvalidArgument otherwise.
Status RenderTableReport(const TableReport& report, std::string_view format, std::ostream& out);
// Extension with the dot: ".html" …
std::string_view TableReportExtension(std::string_view format);

// Renders straight into PATH.tmp-XXXXXX (mode 0600) — not into memory —,
// fsyncs it and renames it over PATH. Errors: "cannot write report PATH: …".
Status WriteTableReportFile(const TableReport& report, std::string_view format,
                            const std::string& path);

// Per-format renderers (table_*.cpp).
Status RenderTableHtml(const TableReport& report, std::ostream& out);
Status RenderTableCsv(const TableReport& report, std::ostream& out);
Status RenderTableMarkdown(const TableReport& report, std::ostream& out);
Status RenderTableJson(const TableReport& report, std::ostream& out);
Status RenderTableXlsx(const TableReport& report, std::ostream& out);
Status RenderTablePdf(const TableReport& report, std::ostream& out);

}  // namespace ciiscope::reports
