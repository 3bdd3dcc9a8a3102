#include "reports/xlsx_renderer.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <system_error>
#include <vector>

#include "reports/i18n/messages.h"
#include "reports/render_util.h"

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

// One cell: a string (always through DisplayText) or a number.
struct Cell {
  Cell(std::string_view s) : text(s) {}  // NOLINT: implicit for brace lists
  Cell(const std::string& s) : text(s) {}  // NOLINT
  Cell(const char* s) : text(s) {}  // NOLINT
  static Cell Number(double v) {
    Cell c("");
    c.is_number = true;
    c.number = v;
    return c;
  }
  std::string_view text;
  bool is_number = false;
  double number = 0;
};

// Writes rows into one worksheet; remembers the first libxlsxwriter error.
class SheetWriter {
 public:
  SheetWriter(lxw_worksheet* ws, lxw_format* header) : ws_(ws), header_(header) {}

  void Widths(std::initializer_list<double> widths) {
    lxw_col_t col = 0;
    for (double w : widths) {
      Check(worksheet_set_column(ws_, col, col, w, nullptr));
      ++col;
    }
  }
  void HeaderRow(std::initializer_list<std::string_view> labels) {
    header_row_ = row_;
    columns_ = static_cast<lxw_col_t>(labels.size());
    lxw_col_t col = 0;
    for (std::string_view l : labels) WriteString(col++, l, header_);
    ++row_;
  }
  void DataRow(std::initializer_list<Cell> cells) {
    lxw_col_t col = 0;
    for (const Cell& c : cells) {
      if (c.is_number) {
        Check(worksheet_write_number(ws_, row_, col, c.number, nullptr));
      } else if (!c.text.empty()) {
        WriteString(col, c.text, nullptr);
      }
      ++col;
    }
    ++row_;
  }
  void Skip() { ++row_; }
  // Frozen header and autofilter over the table started by HeaderRow().
  void FinishTable() {
    worksheet_freeze_panes(ws_, header_row_ + 1, 0);
    lxw_row_t last = row_ > header_row_ + 1 ? row_ - 1 : header_row_;
    Check(worksheet_autofilter(ws_, header_row_, 0, last, columns_ - 1));
  }
  lxw_error error() const { return error_; }

 private:
  void WriteString(lxw_col_t col, std::string_view s, lxw_format* fmt) {
    std::string text = DisplayText(s, kXlsxCellMaxBytes);
    Check(worksheet_write_string(ws_, row_, col, text.c_str(), fmt));
  }
  void Check(lxw_error e) {
    if (error_ == LXW_NO_ERROR) error_ = e;
  }

  lxw_worksheet* ws_;
  lxw_format* header_;
  lxw_row_t row_ = 0;
  lxw_row_t header_row_ = 0;
  lxw_col_t columns_ = 1;
  lxw_error error_ = LXW_NO_ERROR;
};

Cell PortCell(uint16_t port) { return port == 0 ? Cell("") : Cell::Number(port); }

void WriteSummary(SheetWriter& w, const ReportModel& model, Lang lang) {
  auto tr = [lang](Msg id) { return Tr(lang, id); };
  const ReportSummary sum = Summarize(model);
  w.Widths({28, 60});
  w.HeaderRow({tr(Msg::kSummary), tr(Msg::kTitleAssessment)});
  if (model.scan) {
    const inventory::Scan& s = *model.scan;
    w.DataRow({tr(Msg::kScanId), Cell::Number(static_cast<double>(s.id))});
    w.DataRow({tr(Msg::kTargets), s.targets});
    w.DataRow({tr(Msg::kProfile), s.profile});
    w.DataRow({tr(Msg::kStarted), FormatTime(s.started_at)});
    w.DataRow({tr(Msg::kFinished), FormatTime(s.finished_at)});
    w.DataRow({tr(Msg::kScanStatus), ScanStatusLabel(lang, s.status)});
  } else {
    w.DataRow({tr(Msg::kScanId), tr(Msg::kNoScan)});
  }
  w.DataRow({tr(Msg::kGeneratedAt), FormatTime(model.generated_at)});
  w.DataRow({tr(Msg::kAssetsCount), Cell::Number(sum.assets)});
  w.DataRow({tr(Msg::kServicesCount), Cell::Number(sum.services)});
  w.DataRow({tr(Msg::kOpenServicesCount), Cell::Number(sum.open_services)});
  w.DataRow({tr(Msg::kFindingsCount), Cell::Number(sum.findings)});
  w.DataRow({tr(Msg::kOpenFindingsCount), Cell::Number(sum.open_findings)});
  for (size_t i = kSeverities.size(); i-- > 0;) {
    w.DataRow({SeverityLabel(lang, kSeverities[i]), Cell::Number(sum.by_severity[i])});
  }
  w.FinishTable();
}

void WriteFindings(SheetWriter& w, const ReportModel& model, Lang lang) {
  auto tr = [lang](Msg id) { return Tr(lang, id); };
  w.Widths({10, 22, 48, 16, 8, 9, 12, 60, 36, 21, 21});
  w.HeaderRow({tr(Msg::kColSeverity), tr(Msg::kColRule), tr(Msg::kColTitle),
               tr(Msg::kColAddress), tr(Msg::kColPort), tr(Msg::kColTransport),
               tr(Msg::kColStatus), tr(Msg::kColRemediation), tr(Msg::kColReferences),
               tr(Msg::kColFirstSeen), tr(Msg::kColLastSeen)});
  for (const inventory::Finding& f : model.findings) {
    std::string refs = Join(f.references, "; ");
    std::string first = FormatTime(f.first_seen);
    std::string last = FormatTime(f.last_seen);
    w.DataRow({SeverityLabel(lang, f.severity), f.rule_id, Localized(f.title, lang), f.address,
               PortCell(f.port), f.port == 0 ? std::string_view() : f.transport,
               FindingStatusLabel(lang, f.status), Localized(f.remediation, lang), refs, first,
               last});
  }
  w.FinishTable();
}

void WriteServices(SheetWriter& w, const ReportModel& model, Lang lang) {
  auto tr = [lang](Msg id) { return Tr(lang, id); };
  w.Widths({18, 30, 9, 8, 10, 14, 28, 16, 21, 21});
  w.HeaderRow({tr(Msg::kColAddress), tr(Msg::kColHostnames), tr(Msg::kColTransport),
               tr(Msg::kColPort), tr(Msg::kColState), tr(Msg::kColService),
               tr(Msg::kColProduct), tr(Msg::kColVersion), tr(Msg::kColFirstSeen),
               tr(Msg::kColLastSeen)});
  const inventory::Service kNoService;
  for (const AssetServiceRow& row : AssetServiceRows(model)) {
    const inventory::Service& s = row.service != nullptr ? *row.service : kNoService;
    std::string address = row.asset != nullptr ? row.asset->address : s.address;
    std::string hostnames = row.asset != nullptr ? Join(row.asset->hostnames, " ") : "";
    std::string first = FormatTime(s.first_seen);
    std::string last = FormatTime(s.last_seen);
    w.DataRow({address, hostnames, s.transport, PortCell(s.port), s.state, s.name, s.product,
               s.version, first, last});
  }
  w.FinishTable();
}

}  // namespace

Status XlsxRenderer::Render(const ReportModel& model, Lang lang, std::ostream& out) const {
  TempDir dir;
  if (dir.path().empty()) return Error(ErrorCode::kIo, "xlsx: cannot create a temporary directory");
  const std::string path = dir.path() + "/report.xlsx";

  lxw_workbook_options options{};
  options.constant_memory = LXW_FALSE;
  std::vector<char> tmpdir(dir.path().begin(), dir.path().end());
  tmpdir.push_back('\0');
  options.tmpdir = tmpdir.data();
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  if (wb == nullptr) return Error(ErrorCode::kIo, "xlsx: cannot create the workbook");

  // Fixed creation time: the same model gives the same document properties.
  lxw_doc_properties props{};
  std::string title(Tr(lang, Msg::kTitleAssessment));
  props.title = title.data();
  props.created = static_cast<time_t>(model.generated_at / 1000);
  workbook_set_properties(wb, &props);

  lxw_format* header = workbook_add_format(wb);
  format_set_bold(header);
  format_set_bg_color(header, 0xDDE3EA);
  format_set_bottom(header, LXW_BORDER_THIN);

  std::string names[] = {std::string(Tr(lang, Msg::kSummary)),
                         std::string(Tr(lang, Msg::kFindings)),
                         std::string(Tr(lang, Msg::kAssetsAndServices))};
  lxw_error first_error = LXW_NO_ERROR;
  for (int i = 0; i < 3; ++i) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, names[i].c_str());
    if (ws == nullptr) {
      workbook_close(wb);
      return Error(ErrorCode::kInternal, "xlsx: cannot add sheet " + names[i]);
    }
    SheetWriter w(ws, header);
    if (i == 0) WriteSummary(w, model, lang);
    if (i == 1) WriteFindings(w, model, lang);
    if (i == 2) WriteServices(w, model, lang);
    if (first_error == LXW_NO_ERROR) first_error = w.error();
  }
  lxw_error closed = workbook_close(wb);
  if (first_error != LXW_NO_ERROR) {
    return Error(ErrorCode::kInternal, std::string("xlsx: ") + lxw_strerror(first_error));
  }
  if (closed != LXW_NO_ERROR) {
    return Error(ErrorCode::kIo, std::string("xlsx: ") + lxw_strerror(closed));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, "xlsx: cannot read back the workbook");
  out << in.rdbuf();
  return Ok();
}

}  // namespace ciiscope::reports
