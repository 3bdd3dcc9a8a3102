#include "reports/csv_renderer.h"

#include <initializer_list>
#include <string>

#include "core/text.h"
#include "reports/i18n/messages.h"
#include "reports/render_util.h"

namespace ciiscope::reports {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::string_view kEol = "\r\n";

void Row(std::ostream& out, std::initializer_list<std::string_view> cells) {
  bool first = true;
  for (std::string_view cell : cells) {
    if (!first) out << ',';
    first = false;
    out << core::CsvField(DisplayText(cell, kCsvCellMaxBytes));
  }
  out << kEol;
}

std::string PortText(uint16_t port) { return port == 0 ? "" : std::to_string(port); }

}  // namespace

Status CsvRenderer::Render(const ReportModel& model, Lang lang, std::ostream& out) const {
  auto tr = [lang](Msg id) { return Tr(lang, id); };
  out << kBom;

  Row(out, {tr(Msg::kColSeverity), tr(Msg::kColRule), tr(Msg::kColTitle), tr(Msg::kColAddress),
            tr(Msg::kColPort), tr(Msg::kColTransport), tr(Msg::kColStatus),
            tr(Msg::kColRemediation), tr(Msg::kColReferences), tr(Msg::kColFirstSeen),
            tr(Msg::kColLastSeen)});
  for (const inventory::Finding& f : model.findings) {
    Row(out, {SeverityLabel(lang, f.severity), f.rule_id, Localized(f.title, lang), f.address,
              PortText(f.port), f.port == 0 ? std::string_view() : f.transport,
              FindingStatusLabel(lang, f.status), Localized(f.remediation, lang),
              Join(f.references, "; "), FormatTime(f.first_seen), FormatTime(f.last_seen)});
  }

  out << kEol;
  Row(out, {tr(Msg::kColAddress), tr(Msg::kColHostnames), tr(Msg::kColTransport),
            tr(Msg::kColPort), tr(Msg::kColState), tr(Msg::kColService), tr(Msg::kColProduct),
            tr(Msg::kColVersion), tr(Msg::kColFirstSeen), tr(Msg::kColLastSeen)});
  const inventory::Service kNoService;
  for (const AssetServiceRow& row : AssetServiceRows(model)) {
    const inventory::Service& s = row.service != nullptr ? *row.service : kNoService;
    std::string address = row.asset != nullptr ? row.asset->address : s.address;
    std::string hostnames = row.asset != nullptr ? Join(row.asset->hostnames, " ") : "";
    Row(out, {address, hostnames, s.transport, PortText(s.port), s.state, s.name, s.product,
              s.version, FormatTime(s.first_seen), FormatTime(s.last_seen)});
  }
  return Ok();
}

}  // namespace ciiscope::reports
