#include "reports/json_renderer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "core/text.h"
#include "test_model.h"

namespace ciiscope::reports {
namespace {

using nlohmann::json;

std::string RenderJson(const ReportModel& model, Lang lang) {
  std::ostringstream out;
  EXPECT_TRUE(JsonRenderer().Render(model, lang, out).has_value());
  return out.str();
}

TEST(JsonRendererTest, ParsesBackAsValidUtf8) {
  std::string text = RenderJson(testing::HostileModel(), Lang::kEn);
  EXPECT_TRUE(core::IsValidUtf8(text));
  json doc = json::parse(text);  // throws (fails the test) if invalid
  EXPECT_EQ(doc["schema"], "ciiscope.report/1");
  EXPECT_EQ(doc["kind"], "assessment");
  EXPECT_EQ(doc["lang"], "en");
  EXPECT_EQ(doc["generated_at"], 1764380545000);
  EXPECT_EQ(doc["scan"]["id"], 7);
  EXPECT_EQ(doc["scan"]["stats"]["open"], 3);
  EXPECT_EQ(doc["summary"]["findings"], 4);
  EXPECT_EQ(doc["summary"]["by_severity"]["critical"], 1);
  EXPECT_EQ(doc["summary"]["open_services"], 3);
  ASSERT_EQ(doc["findings"].size(), 4u);
  ASSERT_EQ(doc["assets"].size(), 2u);
  ASSERT_EQ(doc["services"].size(), 3u);
}

TEST(JsonRendererTest, KeepsTheDataFaithfully) {
  json doc = json::parse(RenderJson(testing::HostileModel(), Lang::kZh));
  const json& critical = doc["findings"][0];
  EXPECT_EQ(critical["rule_id"], "redis-unauth");
  EXPECT_EQ(critical["title"]["en"], "Redis without authentication " + testing::kScriptTag);
  EXPECT_EQ(critical["references"][1], testing::kJsUrl);
  EXPECT_EQ(critical["detail"]["banner"], "-NOAUTH <script>");
  EXPECT_EQ(critical["evidence_ids"], json::array({100, 101}));
  // NUL survives as \u0000, the 100 KiB value is whole, bad bytes become U+FFFD.
  EXPECT_EQ(doc["services"][0]["version"], testing::kWithNul);
  // services: 10.0.0.9:6379, 10.0.0.10:80, 10.0.0.10:443
  EXPECT_TRUE(doc["services"][1]["product"] == testing::HugeValue());  // no 100 KiB diff output
  EXPECT_EQ(doc["services"][1]["version"], testing::kJsUrl);
  EXPECT_EQ(doc["services"][2]["product"], testing::kFormula);
  EXPECT_EQ(doc["services"][2]["version"], "bad\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD(utf8");
  // Unparsable embedded JSON is kept as a string.
  EXPECT_TRUE(doc["findings"][1]["detail"].is_string());
}

TEST(JsonRendererTest, DigestCoversTheContent) {
  std::string text = RenderJson(testing::HostileModel(), Lang::kEn);
  json doc = json::parse(text);
  ASSERT_TRUE(doc["digest"].is_string());
  EXPECT_TRUE(doc["digest"].get<std::string>().starts_with("sha256:"));
  EXPECT_EQ(doc["digest"].get<std::string>().size(), 7u + 64u);
  Result<bool> ok = CheckJsonReportDigest(text);
  ASSERT_TRUE(ok.has_value());
  EXPECT_TRUE(*ok);

  doc["findings"][0]["severity"] = "low";
  Result<bool> tampered = CheckJsonReportDigest(doc.dump(2));
  ASSERT_TRUE(tampered.has_value());
  EXPECT_FALSE(*tampered);

  EXPECT_FALSE(CheckJsonReportDigest("[1,2]").has_value());
  EXPECT_FALSE(CheckJsonReportDigest("{\"a\":1}").has_value());
  EXPECT_FALSE(CheckJsonReportDigest("not json").has_value());
}

TEST(JsonRendererTest, ChineseAndEnglishTitlesDiffer) {
  ReportModel model = testing::HostileModel();
  json zh = json::parse(RenderJson(model, Lang::kZh));
  json en = json::parse(RenderJson(model, Lang::kEn));
  EXPECT_EQ(zh["title"], "检测评估报告");
  EXPECT_EQ(en["title"], "Assessment report");
  EXPECT_EQ(zh["lang"], "zh-CN");
  EXPECT_NE(zh["digest"], en["digest"]);
}

TEST(JsonRendererTest, NoScanIsNull) {
  json doc = json::parse(RenderJson(ReportModel{}, Lang::kEn));
  EXPECT_TRUE(doc["scan"].is_null());
  EXPECT_TRUE(doc["findings"].is_array());
  EXPECT_TRUE(doc["findings"].empty());
}

}  // namespace
}  // namespace ciiscope::reports
