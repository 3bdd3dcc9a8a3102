#pragma once
// Markdown report (GitHub-flavoured tables): a title, a summary list, the
// findings table and the assets-and-services table, labels in the report
// language.
//
// Every value from the model passes DisplayText (valid UTF-8, NUL/controls/
// bidi overrides shown as escapes, cut at kMarkdownCellMaxBytes) and then
// MarkdownEscape, so it is shown as literal text: no table break, no code
// span, no raw HTML, no link or image, no emphasis.

#include <ostream>
#include <string>
#include <string_view>

#include "core/result.h"
#include "reports/report.h"

namespace ciiscope::reports {

// Bytes kept of one value in a Markdown table cell.
inline constexpr size_t kMarkdownCellMaxBytes = 512;

// Inline Markdown text that renders as exactly the characters given:
// & < > become entities; \ ` * _ [ ] ( ) | ~ ! # { } escaped with a
// backslash; CR/LF become <br> (one row stays one row); TAB a space.
// Expects valid UTF-8 (DisplayText output).
std::string MarkdownEscape(std::string_view s);

class MarkdownRenderer : public Renderer {
 public:
  std::string_view format() const override { return "md"; }
  std::string_view extension() const override { return ".md"; }
  std::string_view description() const override {
    return "Markdown: summary and tables (every value escaped)";
  }
  Status Render(const ReportModel& model, Lang lang, std::ostream& out) const override;
};

}  // namespace ciiscope::reports
