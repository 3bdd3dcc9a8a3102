// Reports looked at as a person would (issue 7): the HTML report with
// hostile content in headless Chromium (no console message, no fetch, a
// screenshot under <build>/look/), the XLSX workbook in a real reader
// (python3-openpyxl), the PDF printed by Chromium with CJK fonts.
// Needs chromium, fonts-noto-cjk and python3-openpyxl (scripts/deps.sh):
// without them these tests FAIL with the package to install.

#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "hostile_store.h"
#include "inventory/store/store.h"
#include "reports/chromium.h"
#include "reports/kind_builders.h"
#include "reports/table_report.h"
#include "reports/html_renderer.h"
#include "reports/pdf_renderer.h"
#include "reports/report.h"
#include "reports/xlsx_renderer.h"
#include "test_model.h"

namespace ciiscope::reports {
namespace {

namespace fs = std::filesystem;
using testing::Contains;

const fs::path kLookDir = CIISCOPE_LOOK_DIR;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path Write(const ReportModel& model, const Renderer& r, Lang lang, const std::string& name) {
  fs::create_directories(kLookDir);
  fs::path path = kLookDir / name;
  Status s = WriteReportFile(model, r, lang, path.string());
  EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().message());
  return path;
}

std::string RequireChromium() {
  std::optional<std::string> c = FindChromium();
  if (!c) {
    ADD_FAILURE() << "chromium not found: install the Debian packages chromium and "
                     "fonts-noto-cjk (scripts/deps.sh installs them)";
    return "";
  }
  return *c;
}

// Lines of Chromium's log that are page console messages (CSP violations,
// blocked loads, script errors all land there).
std::vector<std::string> ConsoleLines(const std::string& log) {
  std::vector<std::string> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (Contains(line, ":CONSOLE")) lines.push_back(line.substr(0, 300));
  }
  return lines;
}

// Loads file_url; returns the run, with the DOM in *dom when given.
ChromiumRun Look(const std::string& chromium, const std::string& file_url,
                 std::vector<std::string> extra, std::string* dom = nullptr) {
  std::vector<std::string> args = {"--enable-logging=stderr", "--v=0",
                                   "--host-resolver-rules=MAP * ~NOTFOUND"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(file_url);
  // Per process: ctest runs the cases of this file in parallel.
  fs::path dom_path = kLookDir / ("dom-" + std::to_string(::getpid()) + ".tmp");
  Result<ChromiumRun> run =
      RunHeadlessChromium(chromium, args, 120'000, dom != nullptr ? dom_path.string() : "");
  EXPECT_TRUE(run.has_value());
  if (!run) return {};
  EXPECT_FALSE(run->timed_out);
  EXPECT_EQ(run->exit_code, 0) << run->log.substr(0, 2000);
  if (dom != nullptr) {
    *dom = Slurp(dom_path);
    fs::remove(dom_path);
  }
  return *run;
}

// What the browser built: hostile values are text, nothing fetches.
void CheckCleanDom(const std::string& dom, const std::string& tag) {
  ASSERT_TRUE(Contains(dom, "<table")) << tag << ": page did not render";
  EXPECT_FALSE(Contains(dom, "<img")) << tag;
  EXPECT_FALSE(Contains(dom, "<script>alert")) << tag;
  EXPECT_FALSE(Contains(dom, " src=\"")) << tag;  // attributes; "src=x" in text is fine
  EXPECT_FALSE(Contains(dom, " href=\"")) << tag;
  EXPECT_FALSE(Contains(dom, "url(")) << tag;
  // No URL but the SVG namespace name (an identifier, never fetched).
  std::string rest = dom;
  const std::string kSvgNs = "xmlns=\"http://www.w3.org/2000/svg\"";
  for (size_t p; (p = rest.find(kSvgNs)) != std::string::npos;) rest.erase(p, kSvgNs.size());
  EXPECT_FALSE(Contains(rest, "http://") || Contains(rest, "https://")) << tag;
  EXPECT_TRUE(Contains(dom, "default-src 'none'")) << tag;
}

// Loads the page twice: DOM (no console message, clean) and a screenshot.
void LookAtPage(const std::string& chromium, const fs::path& html, const std::string& tag,
                std::string* dom_out = nullptr) {
  std::string dom;
  ChromiumRun run = Look(chromium, "file://" + html.string(), {"--dump-dom"}, &dom);
  EXPECT_EQ(ConsoleLines(run.log), std::vector<std::string>{}) << tag;
  CheckCleanDom(dom, tag);
  fs::path png = html;
  png.replace_extension(".png");
  fs::remove(png);
  ChromiumRun shot = Look(chromium, "file://" + html.string(),
                          {"--hide-scrollbars", "--window-size=1280,1800",
                           "--screenshot=" + png.string()});
  EXPECT_EQ(ConsoleLines(shot.log), std::vector<std::string>{}) << tag;
  ASSERT_TRUE(fs::exists(png)) << "no screenshot " << png;
  EXPECT_GT(fs::file_size(png), 20'000u) << "blank screenshot? " << png;
  if (dom_out != nullptr) *dom_out = std::move(dom);
}

TEST(ReportLookTest, ConsoleDetectorSeesACspViolation) {
  // Control: the detector below must notice a page that tries to fetch.
  std::string chromium = RequireChromium();
  if (chromium.empty()) return;
  fs::create_directories(kLookDir);
  fs::path bad = kLookDir / "csp-control.html";
  std::ofstream(bad) << "<!doctype html><meta http-equiv=\"Content-Security-Policy\" "
                        "content=\"default-src 'none'\"><img src=\"http://example.invalid/x.png\">";
  ChromiumRun run = Look(chromium, "file://" + bad.string(), {"--dump-dom"}, nullptr);
  EXPECT_FALSE(ConsoleLines(run.log).empty()) << "Chromium's console log format changed?";
}

TEST(ReportLookTest, HostileHtmlRendersCleanlyInChromium) {
  std::string chromium = RequireChromium();
  if (chromium.empty()) return;
  for (Lang lang : {Lang::kZh, Lang::kEn}) {
    std::string tag(LangTag(lang));
    fs::path html = Write(testing::HostileModel(), HtmlRenderer(), lang, "hostile-" + tag + ".html");
    std::string dom;
    LookAtPage(chromium, html, tag, &dom);
    EXPECT_TRUE(Contains(dom, "&lt;script&gt;alert(1)&lt;/script&gt;")) << tag;
  }
}

TEST(ReportLookTest, PdfIsPrintedWithCjkFonts) {
  if (RequireChromium().empty()) return;
  fs::path pdf = Write(testing::HostileModel(), PdfRenderer(), Lang::kZh, "hostile-zh-CN.pdf");
  std::string bytes = Slurp(pdf);
  ASSERT_TRUE(bytes.starts_with("%PDF-"));
  EXPECT_GT(bytes.size(), 20'000u);
  EXPECT_TRUE(Contains(bytes, "CJK")) << "no CJK font embedded: install fonts-noto-cjk";
}

TEST(ReportLookTest, PdfWithoutChromiumIsOneClearLine) {
  const char* old = std::getenv("CIISCOPE_CHROMIUM");
  std::string saved = old != nullptr ? old : "";
  ::setenv("CIISCOPE_CHROMIUM", "/nonexistent/chromium", 1);
  std::ostringstream out;
  Status s = PdfRenderer().Render(testing::HostileModel(), Lang::kEn, out);
  if (old != nullptr) {
    ::setenv("CIISCOPE_CHROMIUM", saved.c_str(), 1);
  } else {
    ::unsetenv("CIISCOPE_CHROMIUM");
  }
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code(), ErrorCode::kUnsupported);
  EXPECT_TRUE(Contains(s.error().message(), "needs Chromium")) << s.error().message();
  EXPECT_EQ(s.error().message().find('\n'), std::string::npos);
}

// A Python with openpyxl: $CIISCOPE_PYTHON3, /usr/bin/python3 (Debian's
// python3-openpyxl), python3 on PATH.
std::string PythonWithOpenpyxl() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("CIISCOPE_PYTHON3")) candidates.emplace_back(env);
  candidates.insert(candidates.end(), {"/usr/bin/python3", "python3"});
  for (const std::string& py : candidates) {
    std::string cmd = py + " -c 'import openpyxl' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) == 0) return py;
  }
  return "";
}

std::string RunShell(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof(buf), p)) > 0;) out.append(buf, n);
  ::pclose(p);
  return out;
}

TEST(ReportLookTest, XlsxOpensInOpenpyxlWithoutFormulas) {
  std::string py = PythonWithOpenpyxl();
  ASSERT_FALSE(py.empty()) << "python3-openpyxl not installed: apt-get install python3-openpyxl "
                              "(scripts/deps.sh installs it)";
  struct Expect {
    Lang lang;
    std::string sheets, findings_header, services_header;
  };
  const Expect cases[] = {
      {Lang::kZh, "概要|问题清单|资产与服务", "严重程度|规则|标题|地址|端口",
       "地址|主机名|协议|端口|端口状态"},
      {Lang::kEn, "Summary|Findings|Assets and services", "Severity|Rule|Title|Address|Port",
       "Address|Hostnames|Transport|Port|State"},
  };
  const std::string script = std::string(CIISCOPE_SOURCE_DIR) + "/tests/integration/xlsx_check.py";
  for (const Expect& e : cases) {
    std::string tag(LangTag(e.lang));
    fs::path xlsx = Write(testing::HostileModel(), XlsxRenderer(), e.lang, "hostile-" + tag + ".xlsx");
    std::string out = RunShell(py + " " + script + " " + xlsx.string() + " 2>&1");
    // xlsx_check.py prints key=value lines.
    EXPECT_TRUE(Contains(out, "sheets=" + e.sheets + "\n")) << out;
    EXPECT_TRUE(Contains(out, "header1=" + e.findings_header)) << out;
    EXPECT_TRUE(Contains(out, "header2=" + e.services_header)) << out;
    EXPECT_TRUE(Contains(out, "formulas=0\n")) << out;
    EXPECT_TRUE(Contains(out, "frozen=A2|A2|A2\n")) << out;
    EXPECT_TRUE(Contains(out, "autofilter=yes|yes|yes\n")) << out;
    EXPECT_TRUE(Contains(out, "rows1=5\n")) << out;  // header + 4 findings
    EXPECT_TRUE(Contains(out, "rows2=4\n")) << out;  // header + 3 services
    EXPECT_TRUE(Contains(out, "formula_text_kept=yes\n")) << out;
    EXPECT_TRUE(Contains(out, "port_is_number=yes\n")) << out;
    EXPECT_TRUE(Contains(out, "max_cell_len_ok=yes\n")) << out;
  }
}

// The sectioned kinds from a real store full of hostile values.
class KindLookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(kLookDir);
    // One database per case: ctest runs the cases in parallel processes.
    db_ = kLookDir / (std::string("hostile-kinds-") +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
    fs::remove(db_);
    testing::FillHostileStore(db_.string());
    auto store = inventory::Store::Open(db_.string());
    ASSERT_TRUE(store) << store.error().message();
    store_ = std::move(*store);
  }
  TableReport Kind(const std::string& kind, Lang lang) {
    constexpr int64_t kNow = testing::kT0 + 10 * testing::kHour;
    Result<TableReport> r = Error(ErrorCode::kInternal, "unset");
    if (kind == "scorecard") r = BuildScorecardReport(*store_, lang, {0, kNow, 12});
    if (kind == "diff") r = BuildDiffReport(*store_, lang, {1, 2, 0, 0});
    if (kind == "drill") r = BuildDrillReport(*store_, lang, 0, kNow);
    if (kind == "ledger") r = BuildLedgerReport(*store_, lang, kNow);
    if (kind == "notice") {
      // The notice of unit "../../x" (2), the one with findings to fix.
      NoticeOptions o;
      o.now = kNow;
      o.issuer = testing::kScriptTag;
      auto sel = SelectNoticeUnits(*store_, o);
      EXPECT_TRUE(sel && sel->targets.size() == 1u);
      if (sel && !sel->targets.empty()) r = BuildNoticeReport(*store_, lang, sel->targets[0], o);
    }
    EXPECT_TRUE(r) << r.error().message();
    return r ? std::move(*r) : TableReport{};
  }
  fs::path WriteKind(const std::string& kind, Lang lang, const std::string& format) {
    fs::path path = kLookDir / (kind + "-" + std::string(LangTag(lang)) + "." + format);
    Status s = WriteTableReportFile(Kind(kind, lang), format, path.string());
    EXPECT_TRUE(s) << s.error().message();
    return path;
  }
  fs::path db_;
  std::unique_ptr<inventory::Store> store_;
};

TEST_F(KindLookTest, EveryKindRendersCleanlyInChromium) {
  std::string chromium = RequireChromium();
  if (chromium.empty()) return;
  for (const std::string kind : {"scorecard", "diff", "drill", "ledger", "notice"}) {
    for (Lang lang : {Lang::kZh, Lang::kEn}) {
      std::string tag = kind + "-" + std::string(LangTag(lang));
      std::string dom;
      LookAtPage(chromium, WriteKind(kind, lang, "html"), tag, &dom);
      if (kind != "notice") {
        EXPECT_TRUE(Contains(dom, "<svg")) << tag << ": no chart";
      }
      EXPECT_TRUE(Contains(dom, "&lt;script&gt;")) << tag << ": hostile text missing";
      if (kind == "scorecard") {
        EXPECT_TRUE(Contains(dom, "class=\"notice\"")) << tag;
        EXPECT_TRUE(Contains(dom, lang == Lang::kZh ? "整改通知书" : "Rectification notice"));
      }
      if (kind == "ledger") {
        EXPECT_TRUE(Contains(dom, lang == Lang::kZh ? "资产台账" : "Asset ledger")) << tag;
        EXPECT_TRUE(Contains(dom, "10.1.0.1")) << tag;
      }
      if (kind == "notice") {
        EXPECT_TRUE(Contains(dom, lang == Lang::kZh ? "整改事项" : "What to fix")) << tag;
      }
    }
  }
}

TEST_F(KindLookTest, EveryKindPrintsToPdf) {
  if (RequireChromium().empty()) return;
  for (const std::string kind : {"scorecard", "drill", "ledger", "notice"}) {
    std::string bytes = Slurp(WriteKind(kind, Lang::kZh, "pdf"));
    ASSERT_TRUE(bytes.starts_with("%PDF-")) << kind;
    EXPECT_TRUE(Contains(bytes, "CJK")) << kind;
  }
}

TEST_F(KindLookTest, EveryKindOpensInOpenpyxlWithoutFormulas) {
  std::string py = PythonWithOpenpyxl();
  ASSERT_FALSE(py.empty()) << "python3-openpyxl not installed";
  const std::string script = std::string(CIISCOPE_SOURCE_DIR) + "/tests/integration/xlsx_check.py";
  struct Expect {
    std::string kind, sheets_en, header1_en;
    int sheets;
  };
  const Expect cases[] = {
      {"scorecard", "Summary|Units ranked within each parent|Score trend (mean of top-level|"
                    "Overdue list|Look-back list (回头看)|Rectification notices (整改通知书)",
       "Parent|Rank|Unit|Unit code|Level|Score", 6},
      {"diff", "Summary|Scan coverage|New assets|Gone assets|Assets not covered by the later|"
               "New services|Gone services|Services not covered by the lat|New findings|"
               "Fixed findings|Findings the later scan did not", "Aspect|Earlier scan|Later scan",
       11},
      {"ledger", "Summary|Ledger entries",
       "Unit|Unit code|Unit path|Responsible|Contact|Address|Hostnames|Role|Criticality|CII status", 2},
      {"notice", "Summary|What to fix", "No.|Severity|Rule|Title|Asset|Status", 2},
      {"drill", "Summary|Exposure_ at start and at end|Findings opened in the window|"
                "Findings closed in the window|Time to fix per unit|Drill and monitoring events",
       "Measure|At start|At end|Change", 6},
  };
  for (const Expect& e : cases) {
    for (Lang lang : {Lang::kZh, Lang::kEn}) {
      std::string tag = e.kind + "-" + std::string(LangTag(lang));
      fs::path xlsx = WriteKind(e.kind, lang, "xlsx");
      std::string out = RunShell(py + " " + script + " " + xlsx.string() + " 2>&1");
      EXPECT_TRUE(Contains(out, "formulas=0\n")) << tag << out;
      std::string frozen = "A2", filters = "yes";
      for (int i = 1; i < e.sheets; ++i) {
        frozen += "|A2";
        filters += "|yes";
      }
      EXPECT_TRUE(Contains(out, "frozen=" + frozen + "\n")) << tag << out;
      EXPECT_TRUE(Contains(out, "autofilter=" + filters + "\n")) << tag << out;
      EXPECT_TRUE(Contains(out, "max_cell_len_ok=yes\n")) << tag << out;
      if (lang == Lang::kEn) {
        EXPECT_TRUE(Contains(out, "sheets=" + e.sheets_en + "\n")) << tag << out;
        EXPECT_TRUE(Contains(out, "header1=" + e.header1_en)) << tag << out;
      }
    }
  }
}

}  // namespace
}  // namespace ciiscope::reports
