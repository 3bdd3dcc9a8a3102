#pragma once
// PDF report: the HTML report printed by headless Chromium (reports/
// chromium.h: no network, throw-away profile, timeout). CJK text needs a
// CJK font on the machine (Debian: fonts-noto-cjk; the HTML asks for
// "Noto Sans CJK SC").
//
// It needs an external program, so it is not in RegisterBuiltinRenderers:
// RegisterExternalRenderers adds it. Render() errors are one line:
// kUnsupported when Chromium is absent (ChromiumMissingError), kIo when it
// fails or times out.

#include <ostream>
#include <string_view>

#include "core/result.h"
#include "reports/report.h"

namespace ciiscope::reports {

// Seconds Chromium may take to print one report.
inline constexpr int kPdfTimeoutMs = 120'000;

class PdfRenderer : public Renderer {
 public:
  std::string_view format() const override { return "pdf"; }
  std::string_view extension() const override { return ".pdf"; }
  std::string_view description() const override {
    return "PDF printed from the HTML report by headless Chromium (needs chromium)";
  }
  Status Render(const ReportModel& model, Lang lang, std::ostream& out) const override;
};

// pdf.
void RegisterExternalRenderers(RendererRegistry& registry);

}  // namespace ciiscope::reports
