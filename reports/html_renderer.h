#pragma once
// HTML report: ONE self-contained file. Inline CSS and one inline script,
// both allowed by a strict Content-Security-Policy meta tag through their
// SHA-256 hashes (default-src 'none'; no fetch of any kind); an inline SVG
// bar chart of findings by severity; tables sortable by header click and
// filterable by a text box.
//
// Every value from the model passes DisplayText (valid UTF-8, NUL/controls/
// bidi overrides shown as escapes, cut at kHtmlCellMaxBytes) and then
// core::HtmlEscape. No value from the model is ever written into a URL,
// script, style or event-handler context, and there are no links.

#include <ostream>
#include <string_view>

#include "core/result.h"
#include "reports/report.h"

namespace ciiscope::reports {

class HtmlRenderer : public Renderer {
 public:
  std::string_view format() const override { return "html"; }
  std::string_view extension() const override { return ".html"; }
  std::string_view description() const override {
    return "self-contained page: summary, severity chart, sortable tables (strict CSP)";
  }
  Status Render(const ReportModel& model, Lang lang, std::ostream& out) const override;
};

}  // namespace ciiscope::reports
