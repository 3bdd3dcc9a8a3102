#include "reports/markdown_renderer.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "core/text.h"
#include "test_model.h"

namespace ciiscope::reports {
namespace {

using testing::Contains;

std::string RenderMd(const ReportModel& model, Lang lang) {
  std::ostringstream out;
  EXPECT_TRUE(MarkdownRenderer().Render(model, lang, out).has_value());
  return out.str();
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> lines;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Cells of a table row split on unescaped pipes ("| a | b\|c |" → a, b\|c).
size_t UnescapedPipes(const std::string& line) {
  size_t n = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\') {
      ++i;
    } else if (line[i] == '|') {
      ++n;
    }
  }
  return n;
}

TEST(MarkdownEscapeTest, NeutralizesMarkup) {
  struct Case {
    std::string in, out;
  };
  const Case cases[] = {
      {"a|b", "a\\|b"},
      {"`code`", "\\`code\\`"},
      {"<script>", "&lt;script&gt;"},
      {"[x](javascript:alert(1))", "\\[x\\]\\(javascript:alert\\(1\\)\\)"},
      {"![i](x)", "\\!\\[i\\]\\(x\\)"},
      {"*b* _i_ ~s~", "\\*b\\* \\_i\\_ \\~s\\~"},
      {"line1\nline2\r\nline3", "line1<br>line2<br>line3"},
      {"a\\|b", "a\\\\\\|b"},
      {"&amp;", "&amp;amp;"},
      {"10.0.0.1:443", "10.0.0.1:443"},
      {"高危", "高危"},
  };
  for (const Case& c : cases) EXPECT_EQ(MarkdownEscape(c.in), c.out) << c.in;
}

TEST(MarkdownRendererTest, HostileValuesAreNeutralized) {
  std::string md = RenderMd(testing::HostileModel(), Lang::kEn);
  EXPECT_TRUE(core::IsValidUtf8(md));
  EXPECT_FALSE(Contains(md, std::string(1, '\0')));
  EXPECT_FALSE(Contains(md, testing::kRlo));
  EXPECT_FALSE(Contains(md, "<script"));
  EXPECT_FALSE(Contains(md, "<img"));
  EXPECT_FALSE(Contains(md, "](javascript"));
  EXPECT_FALSE(Contains(md, "`"));  // every backtick is escaped → "\`" only
  // Shown, not dropped.
  EXPECT_TRUE(Contains(md, "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"));
  EXPECT_TRUE(Contains(md, "=cmd\\|' /C calc'\\!A0"));
  EXPECT_TRUE(Contains(md, "\\\\u\\{202E\\}"));  // \\u{202E}, escaped
  EXPECT_TRUE(Contains(md, "\\x00"));
}

TEST(MarkdownRendererTest, EveryTableRowKeepsItsColumns) {
  std::string md = RenderMd(testing::HostileModel(), Lang::kZh);
  size_t table_rows = 0;
  size_t expected = 0;
  for (const std::string& line : Lines(md)) {
    if (!line.starts_with("|")) {
      expected = 0;
      continue;
    }
    size_t pipes = UnescapedPipes(line);
    if (expected == 0) expected = pipes;  // header row sets the width
    EXPECT_EQ(pipes, expected) << line.substr(0, 200);
    ++table_rows;
  }
  // severity table 1+1+5, findings 1+1+4, services 1+1+3
  EXPECT_EQ(table_rows, 7u + 6u + 5u);
}

TEST(MarkdownRendererTest, LongValuesAreCut) {
  std::string md = RenderMd(testing::HostileModel(), Lang::kEn);
  for (const std::string& line : Lines(md)) EXPECT_LT(line.size(), 16u * 1024u);
  EXPECT_LT(md.size(), 64u * 1024u);
}

TEST(MarkdownRendererTest, LabelsFollowTheLanguage) {
  std::string zh = RenderMd(testing::HostileModel(), Lang::kZh);
  std::string en = RenderMd(testing::HostileModel(), Lang::kEn);
  EXPECT_TRUE(zh.starts_with("# 检测评估报告\n"));
  EXPECT_TRUE(Contains(zh, "| 严重程度 | 规则 |"));
  EXPECT_TRUE(Contains(zh, "| 严重 | redis-unauth |"));
  EXPECT_TRUE(en.starts_with("# Assessment report\n"));
  EXPECT_TRUE(Contains(en, "| Severity | Rule |"));
}

TEST(MarkdownRendererTest, EmptyModel) {
  std::string md = RenderMd(ReportModel{}, Lang::kEn);
  EXPECT_TRUE(Contains(md, "No findings in this scan."));
  EXPECT_TRUE(Contains(md, "No services in this scan."));
}

}  // namespace
}  // namespace ciiscope::reports
