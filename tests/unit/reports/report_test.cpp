#include "reports/report.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reports/i18n/messages.h"
#include "test_model.h"

namespace ciiscope::reports {
namespace {

TEST(ParseLangTest, AcceptsChineseAndEnglishTags) {
  for (const char* text : {"zh", "zh-CN", "ZH_cn", "zh-Hans", " zh "}) {
    Result<Lang> lang = ParseLang(text);
    ASSERT_TRUE(lang.has_value()) << text;
    EXPECT_EQ(*lang, Lang::kZh) << text;
  }
  for (const char* text : {"en", "EN", "en-US", "en_GB"}) {
    Result<Lang> lang = ParseLang(text);
    ASSERT_TRUE(lang.has_value()) << text;
    EXPECT_EQ(*lang, Lang::kEn) << text;
  }
}

TEST(ParseLangTest, RejectsOthersWithOneLine) {
  for (const char* text : {"", "fr", "zhx", "english", "z"}) {
    Result<Lang> lang = ParseLang(text);
    ASSERT_FALSE(lang.has_value()) << text;
    EXPECT_EQ(lang.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(lang.error().message().find('\n'), std::string::npos);
  }
  EXPECT_EQ(LangTag(Lang::kZh), "zh-CN");
  EXPECT_EQ(LangTag(Lang::kEn), "en");
}

TEST(RendererRegistryTest, BuiltinsAreRegistered) {
  RendererRegistry registry;
  RegisterBuiltinRenderers(registry);
  EXPECT_EQ(registry.Formats(), (std::vector<std::string>{"csv", "html", "json", "md", "xlsx"}));
  ASSERT_NE(registry.Find("json"), nullptr);
  EXPECT_EQ(registry.Find("json")->extension(), ".json");
  EXPECT_EQ(registry.Find("csv")->extension(), ".csv");
  EXPECT_EQ(registry.Find("html")->extension(), ".html");
  EXPECT_EQ(registry.Find("pdf"), nullptr);
  EXPECT_EQ(registry.Find("JSON"), nullptr);
}

class FakeRenderer : public Renderer {
 public:
  explicit FakeRenderer(std::string_view ext) : ext_(ext) {}
  std::string_view format() const override { return "json"; }
  std::string_view extension() const override { return ext_; }
  Status Render(const ReportModel&, Lang, std::ostream&) const override { return Ok(); }

 private:
  std::string_view ext_;
};

TEST(RendererRegistryTest, RegisteringAFormatAgainReplacesIt) {
  RendererRegistry registry;
  RegisterBuiltinRenderers(registry);
  registry.Register(std::make_unique<FakeRenderer>(".fake"));
  EXPECT_EQ(registry.Formats().size(), 5u);
  EXPECT_EQ(registry.Find("json")->extension(), ".fake");
}

TEST(ReportModelTest, SortsFindingsBySeverityThenAddressPortRule) {
  ReportModel m;
  auto f = [](std::string sev, std::string addr, uint16_t port, std::string rule) {
    inventory::Finding x;
    x.severity = std::move(sev);
    x.address = std::move(addr);
    x.port = port;
    x.rule_id = std::move(rule);
    return x;
  };
  m.findings = {f("low", "10.0.0.1", 22, "a"),    f("critical", "10.0.0.10", 80, "b"),
                f("critical", "10.0.0.9", 443, "c"), f("critical", "10.0.0.9", 80, "z"),
                f("critical", "10.0.0.9", 80, "y"), f("weird", "10.0.0.1", 1, "w"),
                f("info", "2001:db8::1", 1, "v6"),  f("info", "10.0.0.200", 1, "v4")};
  SortReportModel(m);
  std::vector<std::string> rules;
  for (const auto& x : m.findings) rules.push_back(x.rule_id);
  EXPECT_EQ(rules, (std::vector<std::string>{"y", "z", "c", "b", "a", "v4", "v6", "w"}));
}

TEST(ReportModelTest, SummaryCountsBySeverityAndState) {
  ReportModel m = testing::HostileModel();
  m.services[0].state = "closed";
  ReportSummary s = Summarize(m);
  EXPECT_EQ(s.assets, 2);
  EXPECT_EQ(s.services, 3);
  EXPECT_EQ(s.open_services, 2);
  EXPECT_EQ(s.findings, 4);
  EXPECT_EQ(s.by_severity[4], 1);  // critical
  EXPECT_EQ(s.by_severity[3], 1);
  EXPECT_EQ(s.by_severity[2], 1);
  EXPECT_EQ(s.by_severity[1], 0);
  EXPECT_EQ(s.by_severity[0], 1);
  EXPECT_EQ(s.open_findings, 3);  // open, reopened, acknowledged; not accepted
}

TEST(MessagesTest, EveryMessageHasBothLanguages) {
  for (size_t i = 0; i < kMessageCount; ++i) {
    Msg id = static_cast<Msg>(i);
    EXPECT_FALSE(Tr(Lang::kZh, id).empty()) << i;
    EXPECT_FALSE(Tr(Lang::kEn, id).empty()) << i;
    if (id != Msg::kProduct) {
      EXPECT_NE(Tr(Lang::kZh, id), Tr(Lang::kEn, id)) << i;
    }
  }
  EXPECT_EQ(Tr(Lang::kZh, Msg::kTitleAssessment), "检测评估报告");
  EXPECT_EQ(Tr(Lang::kEn, Msg::kTitleAssessment), "Assessment report");
  EXPECT_EQ(SeverityLabel(Lang::kZh, "high"), "高危");
  EXPECT_EQ(SeverityLabel(Lang::kEn, "bogus"), "bogus");
  EXPECT_EQ(FindingStatusLabel(Lang::kEn, "false_positive"), "False positive");
  EXPECT_EQ(ScanStatusLabel(Lang::kZh, "done"), "已完成");
}

}  // namespace
}  // namespace ciiscope::reports
