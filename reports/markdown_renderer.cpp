#include "reports/markdown_renderer.h"

#include <initializer_list>
#include <string>

#include "reports/i18n/messages.h"
#include "reports/render_util.h"

namespace ciiscope::reports {
namespace {

std::string Cell(std::string_view value) {
  return MarkdownEscape(DisplayText(value, kMarkdownCellMaxBytes));
}

void Row(std::ostream& out, std::initializer_list<std::string_view> cells) {
  out << '|';
  for (std::string_view c : cells) out << ' ' << Cell(c) << " |";
  out << '\n';
}

void Header(std::ostream& out, std::initializer_list<std::string_view> cells) {
  Row(out, cells);
  out << '|';
  for (size_t i = 0; i < cells.size(); ++i) out << " --- |";
  out << '\n';
}

std::string PortText(uint16_t port) { return port == 0 ? "" : std::to_string(port); }

void Item(std::ostream& out, std::string_view label, std::string_view value) {
  out << "- **" << Cell(label) << "**: " << Cell(value) << '\n';
}

}  // namespace

std::string MarkdownEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\t': out += ' '; break;
      case '\r':
        if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        out += "<br>";
        break;
      case '\n': out += "<br>"; break;
      case '\\': case '`': case '*': case '_': case '[': case ']': case '(': case ')':
      case '|': case '~': case '!': case '#': case '{': case '}':
        out += '\\';
        out += c;
        break;
      default: out += c;
    }
  }
  return out;
}

Status MarkdownRenderer::Render(const ReportModel& model, Lang lang, std::ostream& out) const {
  auto tr = [lang](Msg id) { return Tr(lang, id); };
  const ReportSummary sum = Summarize(model);

  out << "# " << Cell(tr(Msg::kTitleAssessment)) << "\n\n";
  out << "## " << Cell(tr(Msg::kSummary)) << "\n\n";
  if (model.scan) {
    const inventory::Scan& s = *model.scan;
    Item(out, tr(Msg::kScanId), std::to_string(s.id));
    Item(out, tr(Msg::kTargets), s.targets);
    Item(out, tr(Msg::kProfile), s.profile);
    Item(out, tr(Msg::kStarted), FormatTime(s.started_at));
    Item(out, tr(Msg::kFinished), FormatTime(s.finished_at));
    Item(out, tr(Msg::kScanStatus), ScanStatusLabel(lang, s.status));
  } else {
    Item(out, tr(Msg::kScanId), tr(Msg::kNoScan));
  }
  Item(out, tr(Msg::kGeneratedAt), FormatTime(model.generated_at));
  Item(out, tr(Msg::kAssetsCount), std::to_string(sum.assets));
  Item(out, tr(Msg::kServicesCount), std::to_string(sum.services));
  Item(out, tr(Msg::kOpenServicesCount), std::to_string(sum.open_services));
  Item(out, tr(Msg::kFindingsCount), std::to_string(sum.findings));
  Item(out, tr(Msg::kOpenFindingsCount), std::to_string(sum.open_findings));
  out << '\n';

  out << "### " << Cell(tr(Msg::kFindingsBySeverity)) << "\n\n";
  Header(out, {tr(Msg::kColSeverity), tr(Msg::kFindingsCount)});
  for (size_t i = kSeverities.size(); i-- > 0;) {
    Row(out, {SeverityLabel(lang, kSeverities[i]), std::to_string(sum.by_severity[i])});
  }
  out << '\n';

  out << "## " << Cell(tr(Msg::kFindings)) << "\n\n";
  if (model.findings.empty()) {
    out << Cell(tr(Msg::kNoFindings)) << "\n\n";
  } else {
    Header(out, {tr(Msg::kColSeverity), tr(Msg::kColRule), tr(Msg::kColTitle),
                 tr(Msg::kColTarget), tr(Msg::kColStatus), tr(Msg::kColRemediation),
                 tr(Msg::kColReferences), tr(Msg::kColLastSeen)});
    for (const inventory::Finding& f : model.findings) {
      Row(out, {SeverityLabel(lang, f.severity), f.rule_id, Localized(f.title, lang),
                Endpoint(f.address, f.port), FindingStatusLabel(lang, f.status),
                Localized(f.remediation, lang), Join(f.references, "; "),
                FormatTime(f.last_seen)});
    }
    out << '\n';
  }

  out << "## " << Cell(tr(Msg::kAssetsAndServices)) << "\n\n";
  std::vector<AssetServiceRow> rows = AssetServiceRows(model);
  if (rows.empty()) {
    out << Cell(tr(Msg::kNoServices)) << "\n\n";
  } else {
    Header(out, {tr(Msg::kColAddress), tr(Msg::kColHostnames), tr(Msg::kColTransport),
                 tr(Msg::kColPort), tr(Msg::kColState), tr(Msg::kColService),
                 tr(Msg::kColProduct), tr(Msg::kColVersion), tr(Msg::kColLastSeen)});
    const inventory::Service kNoService;
    for (const AssetServiceRow& row : rows) {
      const inventory::Service& s = row.service != nullptr ? *row.service : kNoService;
      std::string address = row.asset != nullptr ? row.asset->address : s.address;
      std::string hostnames = row.asset != nullptr ? Join(row.asset->hostnames, " ") : "";
      Row(out, {address, hostnames, s.transport, PortText(s.port), s.state, s.name, s.product,
                s.version, FormatTime(s.last_seen)});
    }
    out << '\n';
  }
  out << "---\n\n" << Cell(tr(Msg::kFooterNote)) << '\n';
  return Ok();
}

}  // namespace ciiscope::reports
