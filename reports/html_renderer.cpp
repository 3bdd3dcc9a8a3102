#include "reports/html_renderer.h"

#include <algorithm>
#include <string>

#include "core/text.h"
#include "reports/html_assets.h"
#include "reports/i18n/messages.h"
#include "reports/render_util.h"

namespace ciiscope::reports {
namespace {

// Escaped display form of a model value (attacker-controlled).
std::string H(std::string_view s) { return core::HtmlEscape(DisplayText(s, kHtmlCellMaxBytes)); }

std::string SeverityClass(std::string_view severity) {
  return SeverityRank(severity) >= 0 ? "sev-" + std::string(severity) : "sev-unknown";
}

class Page {
 public:
  Page(const ReportModel& model, Lang lang, std::ostream& out)
      : model_(model), lang_(lang), out_(out), summary_(Summarize(model)) {}

  void Write() {
    Head();
    out_ << "<body>\n";
    Header();
    out_ << "<main>\n";
    SummarySection();
    FindingsSection();
    AssetsSection();
    out_ << "</main>\n<footer>" << T(Msg::kFooterNote) << "</footer>\n";
    out_ << "<script>" << HtmlReportScript() << "</script>\n</body>\n</html>\n";
  }

 private:
  std::string T(Msg id) const { return core::HtmlEscape(Tr(lang_, id)); }

  std::string Th(Msg id, bool numeric = false) const {
    return std::string("<th scope=\"col\"") + (numeric ? " data-type=\"number\"" : "") +
           "><button type=\"button\">" + T(id) + "</button></th>";
  }

  void Head() {
    std::string title = T(Msg::kProduct) + " \xE2\x80\x94 " + T(Msg::kTitleAssessment);
    if (model_.scan.has_value()) title += " #" + std::to_string(model_.scan->id);
    out_ << "<!DOCTYPE html>\n<html lang=\"" << LangTag(lang_) << "\">\n<head>\n"
         << "<meta charset=\"utf-8\">\n"
         << "<meta http-equiv=\"Content-Security-Policy\" content=\"" << HtmlReportCsp()
         << "\">\n"
         << "<meta name=\"referrer\" content=\"no-referrer\">\n"
         << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         << "<meta name=\"generator\" content=\"ciiscope\">\n"
         << "<title>" << title << "</title>\n"
         << "<style>" << HtmlReportCss() << "</style>\n</head>\n";
  }

  void Header() {
    out_ << "<header class=\"top\"><div class=\"brand\">" << T(Msg::kProduct)
         << "</div><h1>" << T(Msg::kTitleAssessment) << "</h1><div class=\"meta\">"
         << T(Msg::kGeneratedAt) << ": " << H(FormatTime(model_.generated_at))
         << "</div></header>\n";
  }

  void Term(Msg id, const std::string& escaped_value) {
    out_ << "<dt>" << T(id) << "</dt><dd>" << escaped_value << "</dd>\n";
  }

  void Card(Msg id, int n) {
    out_ << "<div class=\"card\"><div class=\"n\">" << n << "</div><div class=\"l\">" << T(id)
         << "</div></div>\n";
  }

  void SummarySection() {
    out_ << "<section id=\"summary\"><h2>" << T(Msg::kSummary)
         << "</h2>\n<div class=\"summary\">\n<dl class=\"scan\">\n";
    if (model_.scan.has_value()) {
      const inventory::Scan& s = *model_.scan;
      Term(Msg::kScanId, std::to_string(s.id));
      Term(Msg::kTargets, H(s.targets));
      if (!s.profile.empty()) Term(Msg::kProfile, H(s.profile));
      Term(Msg::kStarted, H(FormatTime(s.started_at)));
      Term(Msg::kFinished, H(FormatTime(s.finished_at)));
      Term(Msg::kScanStatus, H(ScanStatusLabel(lang_, s.status)));
    } else {
      Term(Msg::kScanId, T(Msg::kNoScan));
    }
    out_ << "</dl>\n<div class=\"cards\">\n";
    Card(Msg::kAssetsCount, summary_.assets);
    Card(Msg::kOpenServicesCount, summary_.open_services);
    Card(Msg::kFindingsCount, summary_.findings);
    Card(Msg::kOpenFindingsCount, summary_.open_findings);
    out_ << "</div>\n";
    Chart();
    out_ << "</div>\n</section>\n";
  }

  // Horizontal bars, critical first. Only numbers and catalog text inside.
  void Chart() {
    constexpr int kLabelWidth = 90, kBarMax = 300, kRowHeight = 30, kWidth = 440;
    constexpr const char* kColors[] = {"#1565c0", "#f9a825", "#ef6c00", "#c62828", "#7f1d1d"};
    int max = std::max(1, *std::max_element(summary_.by_severity.begin(),
                                            summary_.by_severity.end()));
    int height = kRowHeight * static_cast<int>(kSeverities.size()) + 4;
    std::string label = T(Msg::kFindingsBySeverity);
    out_ << "<div class=\"chart\"><h3>" << label << "</h3>\n"
         << "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"" << label
         << "\" width=\"" << kWidth << "\" height=\"" << height << "\" viewBox=\"0 0 " << kWidth
         << ' ' << height << "\">\n<title>" << label << "</title>\n";
    for (size_t i = 0; i < kSeverities.size(); ++i) {
      size_t rank = kSeverities.size() - 1 - i;
      int n = summary_.by_severity[rank];
      int y = static_cast<int>(i) * kRowHeight + 4;
      int w = n == 0 ? 0 : std::max(2, n * kBarMax / max);
      out_ << "<text x=\"0\" y=\"" << y + 16 << "\" font-size=\"13\" fill=\"#1f2933\">"
           << core::HtmlEscape(SeverityLabel(lang_, kSeverities[rank])) << "</text>"
           << "<rect x=\"" << kLabelWidth << "\" y=\"" << y << "\" width=\"" << w
           << "\" height=\"22\" rx=\"3\" fill=\"" << kColors[rank] << "\"/>"
           << "<text x=\"" << kLabelWidth + w + 6 << "\" y=\"" << y + 16
           << "\" font-size=\"13\" font-weight=\"600\" fill=\"#1f2933\">" << n << "</text>\n";
    }
    out_ << "</svg></div>\n";
  }

  void FilterBox(std::string_view table_id) {
    out_ << "<div class=\"tools\"><input type=\"search\" hidden data-filter=\"" << table_id
         << "\" placeholder=\"" << T(Msg::kFilterPlaceholder) << "\" aria-label=\""
         << T(Msg::kFilterPlaceholder) << "\"><span class=\"count\" id=\"" << table_id
         << "-count\"></span></div>\n";
  }

  void FindingsSection() {
    out_ << "<section id=\"findings\"><h2>" << T(Msg::kFindings) << "</h2>\n";
    if (model_.findings.empty()) {
      out_ << "<p class=\"empty\">" << T(Msg::kNoFindings) << "</p></section>\n";
      return;
    }
    FilterBox("findings-table");
    out_ << "<div class=\"scroll\"><table class=\"data\" id=\"findings-table\">\n<thead><tr>"
         << Th(Msg::kColSeverity, true) << Th(Msg::kColRule) << Th(Msg::kColTitle)
         << Th(Msg::kColTarget) << Th(Msg::kColStatus) << Th(Msg::kColRemediation)
         << Th(Msg::kColReferences) << Th(Msg::kColFirstSeen) << Th(Msg::kColLastSeen)
         << "</tr></thead>\n<tbody>\n";
    for (const inventory::Finding& f : model_.findings) {
      out_ << "<tr><td class=\"sevcell\" data-sort=\"" << SeverityRank(f.severity)
           << "\"><span class=\"sev "
           << SeverityClass(f.severity) << "\">" << H(SeverityLabel(lang_, f.severity))
           << "</span></td><td class=\"rule\"><code>" << H(f.rule_id) << "</code></td><td>"
           << H(Localized(f.title, lang_)) << "</td><td class=\"addr\">"
           << H(Endpoint(f.address, f.port))
           << "</td><td>" << H(FindingStatusLabel(lang_, f.status)) << "</td><td>"
           << H(Localized(f.remediation, lang_)) << "</td><td>" << H(Join(f.references, "\n"))
           << "</td><td class=\"time\">" << H(FormatTime(f.first_seen))
           << "</td><td class=\"time\">" << H(FormatTime(f.last_seen)) << "</td></tr>\n";
    }
    out_ << "</tbody></table></div>\n</section>\n";
  }

  void AssetsSection() {
    out_ << "<section id=\"assets\"><h2>" << T(Msg::kAssetsAndServices) << "</h2>\n";
    std::vector<AssetServiceRow> rows = AssetServiceRows(model_);
    if (rows.empty()) {
      out_ << "<p class=\"empty\">" << T(Msg::kNoServices) << "</p></section>\n";
      return;
    }
    FilterBox("assets-table");
    out_ << "<div class=\"scroll\"><table class=\"data\" id=\"assets-table\">\n<thead><tr>"
         << Th(Msg::kColAddress) << Th(Msg::kColHostnames) << Th(Msg::kColPort, true)
         << Th(Msg::kColTransport) << Th(Msg::kColState) << Th(Msg::kColService)
         << Th(Msg::kColProduct) << Th(Msg::kColVersion) << "</tr></thead>\n<tbody>\n";
    const inventory::Service kNoService;
    for (const AssetServiceRow& row : rows) {
      const inventory::Service& s = row.service != nullptr ? *row.service : kNoService;
      std::string address = row.asset != nullptr ? row.asset->address : s.address;
      std::string hostnames = row.asset != nullptr ? Join(row.asset->hostnames, "\n") : "";
      out_ << "<tr><td class=\"addr\">" << H(address) << "</td><td>" << H(hostnames) << "</td><td class=\"num\">"
           << (s.port == 0 ? std::string() : std::to_string(s.port)) << "</td><td>"
           << H(s.transport) << "</td><td>" << H(s.state) << "</td><td>" << H(s.name)
           << "</td><td>" << H(s.product) << "</td><td>" << H(s.version) << "</td></tr>\n";
    }
    out_ << "</tbody></table></div>\n</section>\n";
  }

  const ReportModel& model_;
  Lang lang_;
  std::ostream& out_;
  ReportSummary summary_;
};

}  // namespace

Status HtmlRenderer::Render(const ReportModel& model, Lang lang, std::ostream& out) const {
  Page(model, lang, out).Write();
  return Ok();
}

}  // namespace ciiscope::reports
