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
#include "reports/xlsx_util.h"

namespace ciiscope::reports {
namespace {

using Cell = TableCell;

Cell PortCell(uint16_t port) { return port == 0 ? Cell("") : Cell::Number(port); }

void WriteSummary(XlsxSheet& w, const ReportModel& model, Lang lang) {
  auto tr = [lang](Msg id) { return Tr(lang, id); };
  const ReportSummary sum = Summarize(model);
  const std::vector<double> widths = {28, 60};
  w.Header({tr(Msg::kSummary), tr(Msg::kTitleAssessment)}, widths);
  if (model.scan) {
    const inventory::Scan& s = *model.scan;
    w.Row({tr(Msg::kScanId), Cell::Number(static_cast<double>(s.id))});
    w.Row({tr(Msg::kTargets), s.targets});
    w.Row({tr(Msg::kProfile), s.profile});
    w.Row({tr(Msg::kStarted), FormatTime(s.started_at)});
    w.Row({tr(Msg::kFinished), FormatTime(s.finished_at)});
    w.Row({tr(Msg::kScanStatus), ScanStatusLabel(lang, s.status)});
  } else {
    w.Row({tr(Msg::kScanId), tr(Msg::kNoScan)});
  }
  w.Row({tr(Msg::kGeneratedAt), FormatTime(model.generated_at)});
  w.Row({tr(Msg::kAssetsCount), Cell::Number(sum.assets)});
  w.Row({tr(Msg::kServicesCount), Cell::Number(sum.services)});
  w.Row({tr(Msg::kOpenServicesCount), Cell::Number(sum.open_services)});
  w.Row({tr(Msg::kFindingsCount), Cell::Number(sum.findings)});
  w.Row({tr(Msg::kOpenFindingsCount), Cell::Number(sum.open_findings)});
  for (size_t i = kSeverities.size(); i-- > 0;) {
    w.Row({SeverityLabel(lang, kSeverities[i]), Cell::Number(sum.by_severity[i])});
  }
}

void WriteFindings(XlsxSheet& w, const ReportModel& model, Lang lang) {
  auto tr = [lang](Msg id) { return Tr(lang, id); };
  const std::vector<double> widths = {10, 22, 48, 16, 8, 9, 12, 60, 36, 21, 21};
  w.Header({tr(Msg::kColSeverity), tr(Msg::kColRule), tr(Msg::kColTitle),
               tr(Msg::kColAddress), tr(Msg::kColPort), tr(Msg::kColTransport),
               tr(Msg::kColStatus), tr(Msg::kColRemediation), tr(Msg::kColReferences),
               tr(Msg::kColFirstSeen), tr(Msg::kColLastSeen)}, widths);
  for (const inventory::Finding& f : model.findings) {
    std::string refs = Join(f.references, "; ");
    std::string first = FormatTime(f.first_seen);
    std::string last = FormatTime(f.last_seen);
    w.Row({SeverityLabel(lang, f.severity), f.rule_id, Localized(f.title, lang), f.address,
               PortCell(f.port), f.port == 0 ? std::string_view() : f.transport,
               FindingStatusLabel(lang, f.status), Localized(f.remediation, lang), refs, first,
               last});
  }
}

void WriteServices(XlsxSheet& w, const ReportModel& model, Lang lang) {
  auto tr = [lang](Msg id) { return Tr(lang, id); };
  const std::vector<double> widths = {18, 30, 9, 8, 10, 14, 28, 16, 21, 21};
  w.Header({tr(Msg::kColAddress), tr(Msg::kColHostnames), tr(Msg::kColTransport),
               tr(Msg::kColPort), tr(Msg::kColState), tr(Msg::kColService),
               tr(Msg::kColProduct), tr(Msg::kColVersion), tr(Msg::kColFirstSeen),
               tr(Msg::kColLastSeen)}, widths);
  const inventory::Service kNoService;
  for (const AssetServiceRow& row : AssetServiceRows(model)) {
    const inventory::Service& s = row.service != nullptr ? *row.service : kNoService;
    std::string address = row.asset != nullptr ? row.asset->address : s.address;
    std::string hostnames = row.asset != nullptr ? Join(row.asset->hostnames, " ") : "";
    std::string first = FormatTime(s.first_seen);
    std::string last = FormatTime(s.last_seen);
    w.Row({address, hostnames, s.transport, PortCell(s.port), s.state, s.name, s.product,
               s.version, first, last});
  }
}

}  // namespace

Status XlsxRenderer::Render(const ReportModel& model, Lang lang, std::ostream& out) const {
  const std::string title(Tr(lang, Msg::kTitleAssessment));
  return WriteWorkbook(
      title, model.generated_at, /*constant_memory=*/false,
      [&](lxw_workbook* wb, lxw_format* header) -> Status {
        std::string names[] = {std::string(Tr(lang, Msg::kSummary)),
                               std::string(Tr(lang, Msg::kFindings)),
                               std::string(Tr(lang, Msg::kAssetsAndServices))};
        for (int i = 0; i < 3; ++i) {
          lxw_worksheet* ws = workbook_add_worksheet(wb, names[i].c_str());
          if (ws == nullptr) return Error(ErrorCode::kInternal, "xlsx: cannot add sheet " + names[i]);
          XlsxSheet w(ws, header);
          if (i == 0) WriteSummary(w, model, lang);
          if (i == 1) WriteFindings(w, model, lang);
          if (i == 2) WriteServices(w, model, lang);
          CII_RETURN_IF_ERROR(w.Finish());
        }
        return Ok();
      },
      out);
}

}  // namespace ciiscope::reports
