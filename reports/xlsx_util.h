#pragma once
// Internal to reports/: a libxlsxwriter workbook written in a private
// temporary directory and streamed back, shared by the XLSX renderers.

#include <xlsxwriter.h>

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

#include "core/result.h"
#include "reports/table_report.h"

namespace ciiscope::reports {

// Creates a workbook (document title, creation time = created_ms, so the same
// model gives the same properties) in a fresh temp dir, adds a bold header
// format, runs fill, closes it and copies the file to out; the temp dir is
// removed. constant_memory: rows must be written in order, and are flushed
// to disk as they go (memory flat in the number of rows).
Status WriteWorkbook(const std::string& title, int64_t created_ms, bool constant_memory,
                     const std::function<Status(lxw_workbook*, lxw_format* header)>& fill,
                     std::ostream& out);

// Writes one table into a worksheet: a bold header row (frozen, with an
// autofilter over the table), then rows of text (through DisplayText, cut at
// kXlsxCellMaxBytes, stored as strings: never a formula) or numbers.
// Remembers the first libxlsxwriter error.
class XlsxSheet {
 public:
  // Rows per sheet (Excel's limit, header included).
  static constexpr lxw_row_t kMaxRows = 1'048'576;

  XlsxSheet(lxw_worksheet* ws, lxw_format* header) : ws_(ws), header_(header) {}
  void Header(const TableRow& labels, const std::vector<double>& widths);
  void Row(const TableRow& cells);
  bool full() const { return row_ >= kMaxRows; }
  // Freezes the header row and sets the autofilter; returns the first error.
  Status Finish();

 private:
  void Text(lxw_col_t col, std::string_view s, lxw_format* fmt);
  void Check(lxw_error e) {
    if (error_ == LXW_NO_ERROR) error_ = e;
  }

  lxw_worksheet* ws_;
  lxw_format* header_;
  lxw_row_t row_ = 0;
  lxw_col_t columns_ = 1;
  lxw_error error_ = LXW_NO_ERROR;
};

}  // namespace ciiscope::reports
