#include "reports/pdf_renderer.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "core/text.h"
#include "reports/chromium.h"
#include "reports/html_renderer.h"
#include "reports/table_report.h"

namespace ciiscope::reports {
namespace {

namespace fs = std::filesystem;

std::string LastLine(const std::string& log) {
  std::string last;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (!core::TrimSpace(line).empty()) last = line;
  }
  return core::Printable(core::TruncateUtf8(core::SanitizeUtf8(last), 200));
}

// Writes the HTML from write_html to a temp file, prints it with Chromium
// and copies the PDF to out.
Status PrintHtmlToPdf(const std::function<Status(std::ostream&)>& write_html, std::ostream& out) {
  std::optional<std::string> chromium = FindChromium();
  if (!chromium) return ChromiumMissingError("PDF");

  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/ciiscope-pdf-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    return Error(ErrorCode::kIo, "PDF: cannot create a temporary directory");
  }
  const std::string dir = buf.data();
  struct RemoveDir {
    const std::string& path;
    ~RemoveDir() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  } cleanup{dir};

  const std::string html_path = dir + "/report.html";
  const std::string pdf_path = dir + "/report.pdf";
  {
    std::ofstream html(html_path, std::ios::binary);
    CII_RETURN_IF_ERROR(write_html(html));
    if (!html.flush()) return Error(ErrorCode::kIo, "PDF: cannot write the HTML to print");
  }
  CII_ASSIGN_OR_RETURN(
      ChromiumRun run,
      RunHeadlessChromium(*chromium,
                          {"--no-pdf-header-footer", "--print-to-pdf=" + pdf_path,
                           "file://" + html_path},
                          kPdfTimeoutMs));
  if (run.timed_out) {
    return Error(ErrorCode::kIo, "PDF: " + *chromium + " timed out after " +
                                     std::to_string(kPdfTimeoutMs / 1000) + " s");
  }
  std::ifstream pdf(pdf_path, std::ios::binary);
  std::string head(5, '\0');
  if (run.exit_code != 0 || !pdf || !pdf.read(head.data(), 5) || head != "%PDF-") {
    return Error(ErrorCode::kIo, "PDF: " + *chromium + " failed (exit " +
                                     std::to_string(run.exit_code) + "): " + LastLine(run.log));
  }
  pdf.seekg(0);
  out << pdf.rdbuf();
  return Ok();
}

}  // namespace

Status PdfRenderer::Render(const ReportModel& model, Lang lang, std::ostream& out) const {
  return PrintHtmlToPdf(
      [&](std::ostream& html) { return HtmlRenderer().Render(model, lang, html); }, out);
}

Status RenderTablePdf(const TableReport& report, std::ostream& out) {
  return PrintHtmlToPdf([&](std::ostream& html) { return RenderTableHtml(report, html); }, out);
}

void RegisterExternalRenderers(RendererRegistry& registry) {
  registry.Register(std::make_unique<PdfRenderer>());
}

}  // namespace ciiscope::reports
