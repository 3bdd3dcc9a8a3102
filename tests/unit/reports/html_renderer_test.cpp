#include "reports/html_renderer.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "core/text.h"
#include "reports/html_assets.h"
#include "reports/render_util.h"
#include "test_model.h"

namespace ciiscope::reports {
namespace {

using testing::Contains;

std::string RenderHtml(const ReportModel& model, Lang lang) {
  std::ostringstream out;
  Status status = HtmlRenderer().Render(model, lang, out);
  EXPECT_TRUE(status.has_value());
  return out.str();
}

// Text between the first `open` and the following `close`.
std::string Between(const std::string& s, const std::string& open, const std::string& close) {
  size_t a = s.find(open);
  if (a == std::string::npos) return "";
  a += open.size();
  size_t b = s.find(close, a);
  return b == std::string::npos ? "" : s.substr(a, b - a);
}

size_t Count(const std::string& s, const std::string& needle) {
  size_t n = 0;
  for (size_t p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
  return n;
}

TEST(CspHashTest, MatchesKnownVector) {
  // sha256("") in base64, as browsers compute it.
  EXPECT_EQ(CspHashSource(""), "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
}

TEST(HtmlRendererTest, HostileValuesAreNeverUnescaped) {
  std::string html = RenderHtml(testing::HostileModel(), Lang::kEn);
  EXPECT_FALSE(Contains(html, testing::kScriptTag));
  EXPECT_FALSE(Contains(html, "<script>alert"));
  EXPECT_FALSE(Contains(html, testing::kImgBreakout));
  EXPECT_FALSE(Contains(html, "<img"));
  EXPECT_FALSE(Contains(html, "=\"javascript:"));
  EXPECT_FALSE(Contains(html, "href="));
  EXPECT_FALSE(Contains(html, testing::kRlo));
  EXPECT_FALSE(Contains(html, std::string(1, '\0')));
  EXPECT_TRUE(core::IsValidUtf8(html));
  // Escaped forms are there: the data is shown, not dropped.
  EXPECT_TRUE(Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_TRUE(Contains(html, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_TRUE(Contains(html, "=cmd|&#39; /C calc&#39;!A0"));
  EXPECT_TRUE(Contains(html, "invoice\\u{202E}fdp.exe"));
  EXPECT_TRUE(Contains(html, "nul\\x00byte"));
  // Our own script is the only one.
  EXPECT_EQ(Count(html, "<script"), 1u);
  EXPECT_EQ(Count(html, "</script>"), 1u);
}

TEST(HtmlRendererTest, LongValuesAreTruncated) {
  std::string html = RenderHtml(testing::HostileModel(), Lang::kEn);
  // Three 100 KiB values in the model; the page stays small.
  EXPECT_LT(html.size(), 40u * 1024u);
  EXPECT_FALSE(Contains(html, std::string(kHtmlCellMaxBytes + 1, 'A')));
  EXPECT_TRUE(Contains(html, std::string(kHtmlCellMaxBytes - 8, 'A') ));
  EXPECT_TRUE(Contains(html, "A\xE2\x80\xA6"));  // "…" marks the cut
}

TEST(HtmlRendererTest, StrictCspAllowsExactlyTheInlineStyleAndScript) {
  std::string html = RenderHtml(testing::HostileModel(), Lang::kZh);
  std::string csp = Between(html, "<meta http-equiv=\"Content-Security-Policy\" content=\"", "\"");
  ASSERT_FALSE(csp.empty());
  EXPECT_TRUE(csp.starts_with("default-src 'none'"));
  EXPECT_TRUE(Contains(csp, "img-src data:"));
  EXPECT_FALSE(Contains(csp, "unsafe-eval"));
  EXPECT_FALSE(Contains(csp, "http"));
  std::string script = Between(html, "<script>", "</script>");
  std::string style = Between(html, "<style>", "</style>");
  ASSERT_FALSE(script.empty());
  ASSERT_FALSE(style.empty());
  EXPECT_TRUE(Contains(csp, "script-src " + CspHashSource(script) + ";"));
  EXPECT_TRUE(Contains(csp, "style-src " + CspHashSource(style) + ";"));
  EXPECT_FALSE(Contains(script, "innerHTML"));
  EXPECT_FALSE(Contains(script, "eval("));
  // Self-contained: nothing to fetch.
  for (const char* bad : {"<link", "<iframe", "<object", "<embed", "url(", "@import",
                          "https://", " src=\"", "style=\""}) {
    EXPECT_FALSE(Contains(html, bad)) << bad;
  }
  EXPECT_EQ(Count(html, "http://"), 1u);  // the SVG namespace only
  EXPECT_TRUE(Contains(html, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
}

TEST(HtmlRendererTest, ChineseAndEnglishPagesDiffer) {
  ReportModel model = testing::HostileModel();
  std::string zh = RenderHtml(model, Lang::kZh);
  std::string en = RenderHtml(model, Lang::kEn);
  EXPECT_TRUE(Contains(zh, "<html lang=\"zh-CN\">"));
  EXPECT_TRUE(Contains(en, "<html lang=\"en\">"));
  EXPECT_TRUE(Contains(zh, "<h1>检测评估报告</h1>"));
  EXPECT_TRUE(Contains(en, "<h1>Assessment report</h1>"));
  EXPECT_TRUE(Contains(zh, "Redis 未授权访问"));
  EXPECT_TRUE(Contains(en, "Redis without authentication"));
  EXPECT_TRUE(Contains(zh, "严重"));
  EXPECT_NE(Between(zh, "<title>", "</title>"), Between(en, "<title>", "</title>"));
  EXPECT_TRUE(Contains(zh, "ciiscope"));
}

TEST(HtmlRendererTest, SummaryChartAndTables) {
  std::string html = RenderHtml(testing::HostileModel(), Lang::kEn);
  EXPECT_TRUE(Contains(html, "<table class=\"data\" id=\"findings-table\">"));
  EXPECT_TRUE(Contains(html, "<table class=\"data\" id=\"assets-table\">"));
  EXPECT_TRUE(Contains(html, "data-filter=\"findings-table\""));
  EXPECT_EQ(Count(html, "<rect "), 5u);
  EXPECT_TRUE(Contains(html, "10.0.0.9:6379"));
  EXPECT_TRUE(Contains(html, "<td class=\"num\">6379</td>"));
  // Critical first.
  EXPECT_LT(html.find("redis-unauth"), html.find("tls-weak"));
}

TEST(HtmlRendererTest, EmptyModelRendersWithoutTables) {
  ReportModel empty;
  std::string html = RenderHtml(empty, Lang::kZh);
  EXPECT_TRUE(Contains(html, "本次扫描未发现问题"));
  EXPECT_FALSE(Contains(html, "<table"));
  EXPECT_TRUE(Contains(html, "</html>"));
}

// Not a check: leaves a sample page for people to look at when asked to.
TEST(HtmlRendererTest, WritesSampleWhenAsked) {
  const char* path = std::getenv("CIISCOPE_SAMPLE_REPORT");
  if (path == nullptr) GTEST_SKIP() << "set CIISCOPE_SAMPLE_REPORT=FILE to write a sample";
  std::ofstream(path) << RenderHtml(testing::HostileModel(), Lang::kZh);
}

}  // namespace
}  // namespace ciiscope::reports
