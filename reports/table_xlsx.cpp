// TableReport as XLSX: a summary sheet, then one sheet per section with a
// frozen, filtered header row. Every cell a string or a number, never a
// formula (libxlsxwriter's write_string stores text as text). Constant-
// memory mode: rows go to disk as they stream in.

#include <xlsxwriter.h>

#include <memory>
#include <set>
#include <string>

#include "core/text.h"
#include "reports/i18n/messages.h"
#include "reports/render_util.h"
#include "reports/table_report.h"
#include "reports/xlsx_renderer.h"
#include "reports/xlsx_util.h"

namespace ciiscope::reports {
namespace {

// A unique sheet name of at most 31 characters without []:*?/\ .
std::string SheetName(std::string_view title, std::set<std::string>& used) {
  std::string base;
  size_t chars = 0;
  for (size_t i = 0; i < title.size() && chars < 31;) {
    unsigned char c = static_cast<unsigned char>(title[i]);
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    std::string ch(title.substr(i, len));
    if (ch.size() == 1 && std::string_view("[]:*?/\\'").find(ch[0]) != std::string_view::npos) {
      ch = "_";
    }
    base += ch;
    i += len;
    ++chars;
  }
  base = core::SanitizeUtf8(base);
  while (!base.empty() && base.back() == ' ') base.pop_back();
  if (base.empty()) base = "Sheet";
  std::string name = base;
  for (int n = 2; !used.insert(name).second; ++n) {
    // Room for the suffix: cut the base to 27 characters.
    name = core::TruncateUtf8(base, 27) + " " + std::to_string(n);
  }
  return name;
}


}  // namespace

Status RenderTableXlsx(const TableReport& report, std::ostream& out) {
  return WriteWorkbook(
      report.title, report.generated_at, /*constant_memory=*/true,
      [&](lxw_workbook* wb, lxw_format* header) -> Status {
        std::set<std::string> used;
        auto add = [&](std::string_view title) -> lxw_worksheet* {
          return workbook_add_worksheet(wb, SheetName(title, used).c_str());
        };
        lxw_worksheet* summary = add(Tr(report.lang, Msg::kSummary));
        if (summary == nullptr) return Error(ErrorCode::kInternal, "xlsx: cannot add a sheet");
        XlsxSheet s(summary, header);
        s.Header({Tr(report.lang, Msg::kSummary), report.title}, {28, 60});
        for (const auto& [l, v] : report.facts) s.Row({l, v});
        CII_RETURN_IF_ERROR(s.Finish());
        for (const TableSection& section : report.sections) {
          lxw_worksheet* ws = add(section.title);
          if (ws == nullptr) return Error(ErrorCode::kInternal, "xlsx: cannot add a sheet");
          // A section longer than a sheet continues on "TITLE 2", "TITLE 3" …
          TableRow labels;
          std::vector<double> widths;
          for (const TableColumn& c : section.columns) {
            labels.emplace_back(c.label);
            widths.push_back(c.width);
          }
          auto sheet = std::make_unique<XlsxSheet>(ws, header);
          sheet->Header(labels, widths);
          CII_RETURN_IF_ERROR(section.rows([&](const TableRow& row) -> Status {
            if (sheet->full()) {
              CII_RETURN_IF_ERROR(sheet->Finish());
              lxw_worksheet* next = add(section.title);
              if (next == nullptr) return Error(ErrorCode::kInternal, "xlsx: cannot add a sheet");
              sheet = std::make_unique<XlsxSheet>(next, header);
              sheet->Header(labels, widths);
            }
            sheet->Row(row);
            return Ok();
          }));
          CII_RETURN_IF_ERROR(sheet->Finish());
        }
        return Ok();
      },
      out);
}

}  // namespace ciiscope::reports
