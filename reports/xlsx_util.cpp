#include "reports/xlsx_util.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <vector>

#include "reports/render_util.h"
#include "reports/xlsx_renderer.h"

namespace ciiscope::reports {
namespace {

namespace fs = std::filesystem;

// A private temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") +
                          "/ciiscope-xlsx-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) != nullptr) path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

Status WriteWorkbook(const std::string& title, int64_t created_ms, bool constant_memory,
                     const std::function<Status(lxw_workbook*, lxw_format* header)>& fill,
                     std::ostream& out) {
  TempDir dir;
  if (dir.path().empty()) return Error(ErrorCode::kIo, "xlsx: cannot create a temporary directory");
  const std::string path = dir.path() + "/report.xlsx";

  lxw_workbook_options options{};
  options.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE;
  std::vector<char> tmpdir(dir.path().begin(), dir.path().end());
  tmpdir.push_back('\0');
  options.tmpdir = tmpdir.data();
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  if (wb == nullptr) return Error(ErrorCode::kIo, "xlsx: cannot create the workbook");

  lxw_doc_properties props{};
  std::string title_copy = title;
  props.title = title_copy.data();
  props.created = static_cast<time_t>(created_ms / 1000);
  workbook_set_properties(wb, &props);

  lxw_format* header = workbook_add_format(wb);
  format_set_bold(header);
  format_set_bg_color(header, 0xDDE3EA);
  format_set_bottom(header, LXW_BORDER_THIN);

  Status filled = fill(wb, header);
  lxw_error closed = workbook_close(wb);
  if (!filled.has_value()) return filled;
  if (closed != LXW_NO_ERROR) {
    return Error(ErrorCode::kIo, std::string("xlsx: ") + lxw_strerror(closed));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, "xlsx: cannot read back the workbook");
  out << in.rdbuf();
  return Ok();
}

void XlsxSheet::Header(const TableRow& labels, const std::vector<double>& widths) {
  for (size_t i = 0; i < widths.size(); ++i) {
    auto col = static_cast<lxw_col_t>(i);
    Check(worksheet_set_column(ws_, col, col, widths[i], nullptr));
  }
  lxw_col_t col = 0;
  for (const TableCell& label : labels) Text(col++, label.text, header_);
  columns_ = static_cast<lxw_col_t>(std::max<size_t>(1, labels.size()));
  ++row_;
}

void XlsxSheet::Row(const TableRow& cells) {
  lxw_col_t col = 0;
  for (const TableCell& c : cells) {
    if (c.is_number) {
      Check(worksheet_write_number(ws_, row_, col, c.number, nullptr));
    } else if (!c.text.empty()) {
      Text(col, c.text, nullptr);
    }
    ++col;
  }
  ++row_;
}

Status XlsxSheet::Finish() {
  worksheet_freeze_panes(ws_, 1, 0);
  lxw_row_t last = row_ > 1 ? row_ - 1 : 0;
  Check(worksheet_autofilter(ws_, 0, 0, last, columns_ - 1));
  if (error_ != LXW_NO_ERROR) {
    return Error(ErrorCode::kInternal, std::string("xlsx: ") + lxw_strerror(error_));
  }
  return Ok();
}

void XlsxSheet::Text(lxw_col_t col, std::string_view s, lxw_format* fmt) {
  std::string text = DisplayText(s, kXlsxCellMaxBytes);
  Check(worksheet_write_string(ws_, row_, col, text.c_str(), fmt));
}

}  // namespace ciiscope::reports
