#include "reports/csv_renderer.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "core/text.h"
#include "test_model.h"

namespace ciiscope::reports {
namespace {

using testing::Contains;
using Table = std::vector<std::vector<std::string>>;

std::string RenderCsv(const ReportModel& model, Lang lang) {
  std::ostringstream out;
  EXPECT_TRUE(CsvRenderer().Render(model, lang, out).has_value());
  return out.str();
}

// RFC 4180 reader: quoted fields with "" escapes, CRLF records.
Table ParseCsv(std::string_view s) {
  Table rows(1, std::vector<std::string>(1));
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
        rows.back().back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        rows.back().back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().emplace_back();
    } else if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
      rows.emplace_back(1);
      ++i;
    } else {
      rows.back().back() += c;
    }
  }
  if (rows.back().size() == 1 && rows.back()[0].empty()) rows.pop_back();
  return rows;
}

TEST(CsvRendererTest, HasBomAndValidUtf8) {
  std::string csv = RenderCsv(testing::HostileModel(), Lang::kZh);
  ASSERT_TRUE(csv.starts_with("\xEF\xBB\xBF"));
  EXPECT_TRUE(core::IsValidUtf8(csv));
  EXPECT_FALSE(Contains(csv, std::string(1, '\0')));
  EXPECT_FALSE(Contains(csv, testing::kRlo));
}

TEST(CsvRendererTest, EveryCellIsNeutralized) {
  std::string csv = RenderCsv(testing::HostileModel(), Lang::kEn);
  Table rows = ParseCsv(std::string_view(csv).substr(3));
  ASSERT_GE(rows.size(), 10u);
  for (const auto& row : rows) {
    for (const std::string& cell : row) {
      if (cell.empty()) continue;
      EXPECT_EQ(std::string("=+-@\t\r").find(cell[0]), std::string::npos) << cell;
      EXPECT_LE(cell.size(), 32000u + 3u);
    }
  }
  EXPECT_TRUE(Contains(csv, "'=cmd|' /C calc'!A0"));
}

TEST(CsvRendererTest, FindingsThenServicesSections) {
  std::string csv = RenderCsv(testing::HostileModel(), Lang::kEn);
  Table rows = ParseCsv(std::string_view(csv).substr(3));
  // header + 4 findings, empty line, header + 3 services
  ASSERT_EQ(rows.size(), 1u + 4u + 1u + 1u + 3u);
  EXPECT_EQ(rows[0][0], "Severity");
  EXPECT_EQ(rows[0].size(), 11u);
  EXPECT_EQ(rows[1][0], "Critical");
  EXPECT_EQ(rows[1][1], "redis-unauth");
  EXPECT_EQ(rows[1][3], "10.0.0.9");
  EXPECT_EQ(rows[1][4], "6379");
  EXPECT_EQ(rows[1][8], "GB/T 28448-2019 L3-CES1-06; javascript:alert(1); \"><img src=x onerror=alert(1)>");
  EXPECT_EQ(rows[5], std::vector<std::string>{""});
  EXPECT_EQ(rows[6][0], "Address");
  EXPECT_EQ(rows[6].size(), 10u);
  EXPECT_EQ(rows[7][0], "10.0.0.9");
  EXPECT_EQ(rows[7][3], "6379");
  EXPECT_EQ(rows[7][1], "\"><img src=x onerror=alert(1)> nul\\x00byte");
}

TEST(CsvRendererTest, LabelsFollowTheLanguage) {
  ReportModel model = testing::HostileModel();
  std::string zh = RenderCsv(model, Lang::kZh);
  std::string en = RenderCsv(model, Lang::kEn);
  EXPECT_NE(zh, en);
  EXPECT_TRUE(Contains(zh, "严重程度"));
  EXPECT_TRUE(Contains(zh, "Redis 未授权访问"));
  EXPECT_TRUE(Contains(en, "Redis without authentication"));
}

}  // namespace
}  // namespace ciiscope::reports
