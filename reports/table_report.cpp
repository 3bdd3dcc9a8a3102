// TableReport: dispatch, numbers, streamed file writing, CSV and Markdown.

#include "reports/table_report.h"

#include <cmath>
#include <cstdio>

#include "core/text.h"
#include "reports/markdown_renderer.h"
#include "reports/render_util.h"

namespace ciiscope::reports {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::string_view kEol = "\r\n";

void CsvLine(std::ostream& out, const TableRow& row) {
  for (size_t i = 0; i < row.size(); ++i) {
    if (i > 0) out << ',';
    // Numbers are ours (never data); text is neutralized and quoted.
    out << (row[i].is_number ? row[i].text
                             : core::CsvField(DisplayText(row[i].text, kCsvCellMaxBytes)));
  }
  out << kEol;
}

std::string MdCell(std::string_view text) {
  return MarkdownEscape(DisplayText(text, kMarkdownCellMaxBytes));
}

void MdLine(std::ostream& out, const TableRow& row) {
  out << '|';
  for (const TableCell& c : row) out << ' ' << MdCell(c.text) << " |";
  out << '\n';
}

TableRow Labels(const TableSection& s) {
  TableRow row;
  for (const TableColumn& c : s.columns) row.emplace_back(c.label);
  return row;
}

}  // namespace

TableCell TableCell::Number(double v, int decimals) {
  if (!std::isfinite(v)) v = 0;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  TableCell c{std::string(buf)};
  c.is_number = true;
  c.number = std::strtod(buf, nullptr);
  return c;
}

std::string_view TableReportExtension(std::string_view format) {
  if (format == "html") return ".html";
  if (format == "csv") return ".csv";
  if (format == "md") return ".md";
  if (format == "json") return ".json";
  if (format == "xlsx") return ".xlsx";
  if (format == "pdf") return ".pdf";
  return "";
}

Status RenderTableReport(const TableReport& report, std::string_view format, std::ostream& out) {
  if (format == "html") return RenderTableHtml(report, out);
  if (format == "csv") return RenderTableCsv(report, out);
  if (format == "md") return RenderTableMarkdown(report, out);
  if (format == "json") return RenderTableJson(report, out);
  if (format == "xlsx") return RenderTableXlsx(report, out);
  if (format == "pdf") return RenderTablePdf(report, out);
  return Error(ErrorCode::kInvalidArgument, "unknown report format '" +
                                                core::Printable(core::TruncateUtf8(format, 32)) +
                                                "' (use html, csv, md, json, xlsx or pdf)");
}

Status WriteTableReportFile(const TableReport& report, std::string_view format,
                            const std::string& path) {
  Status s = WriteFileAtomicallyWith(
      path, [&](std::ostream& out) { return RenderTableReport(report, format, out); });
  if (!s.has_value()) {
    return Error(s.error().code(), "cannot write report " + path + ": " + s.error().message());
  }
  return Ok();
}

// CSV: one block per section (a title line, a header line, the rows), blank
// line between blocks; UTF-8 with BOM, CRLF, formula-injection safe.
Status RenderTableCsv(const TableReport& report, std::ostream& out) {
  out << kBom;
  CsvLine(out, {report.title});
  for (const auto& [label, value] : report.facts) CsvLine(out, {label, value});
  for (const TableSection& s : report.sections) {
    out << kEol;
    CsvLine(out, {s.title});
    CsvLine(out, Labels(s));
    CII_RETURN_IF_ERROR(s.rows([&](const TableRow& row) -> Status {
      CsvLine(out, row);
      return out ? Ok() : Error(ErrorCode::kIo, "write failed");
    }));
  }
  return Ok();
}

Status RenderTableMarkdown(const TableReport& report, std::ostream& out) {
  out << "# " << MdCell(report.title) << "\n\n";
  for (const auto& [label, value] : report.facts) {
    out << "- **" << MdCell(label) << "**: " << MdCell(value) << '\n';
  }
  out << '\n';
  for (const TableSection& s : report.sections) {
    out << "## " << MdCell(s.title) << "\n\n";
    if (!s.intro.empty()) out << MdCell(s.intro) << "\n\n";
    TableRow header = Labels(s);
    bool any = false;
    std::string group;
    auto start_table = [&] {
      MdLine(out, header);
      out << '|';
      for (size_t i = 0; i < header.size(); ++i) out << " --- |";
      out << '\n';
    };
    CII_RETURN_IF_ERROR(s.rows([&](const TableRow& row) -> Status {
      bool new_group = s.group_by >= 0 && (!any || row[static_cast<size_t>(s.group_by)].text != group);
      if (new_group) {
        group = row[static_cast<size_t>(s.group_by)].text;
        if (any) out << '\n';
        out << "### " << MdCell(s.group_heading ? s.group_heading(row) : group) << "\n\n";
        if (s.group_text) out << MdCell(s.group_text(row)) << "\n\n";
        start_table();
      } else if (!any) {
        start_table();
      }
      any = true;
      MdLine(out, row);
      return out ? Ok() : Error(ErrorCode::kIo, "write failed");
    }));
    if (!any) out << MdCell(s.empty_text) << '\n';
    out << '\n';
  }
  return Ok();
}

}  // namespace ciiscope::reports
