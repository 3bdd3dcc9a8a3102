#pragma once
// The static parts of the HTML report: its one stylesheet and one script,
// inlined in the page and allowed by the Content-Security-Policy through
// their SHA-256 hashes. Internal to reports/.

#include <string>
#include <string_view>

namespace ciiscope::reports {

// The inline stylesheet (no external resources, no url()).
std::string_view HtmlReportCss();
// The inline script: sorts tables (.data) by header click, filters a table
// by an <input data-filter="TABLE-ID">. Reads and writes only textContent,
// attributes and row order; never innerHTML, eval or network.
std::string_view HtmlReportScript();

// "'sha256-BASE64'" — a CSP source expression for exactly these bytes.
std::string CspHashSource(std::string_view inline_text);

// The policy of the report page: nothing but the hashed style and script and
// data: images; no fetch, form, frame, base or plug-in.
std::string HtmlReportCsp();

// Extra stylesheet of the sectioned reports (scorecard, diff, drill):
// notices, charts, score deltas. Inlined as a second <style>.
std::string_view TableReportCss();
// HtmlReportCsp() with TableReportCss() allowed as well.
std::string TableReportCsp();

}  // namespace ciiscope::reports
