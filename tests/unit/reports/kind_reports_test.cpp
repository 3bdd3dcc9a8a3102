// The sectioned report kinds (scorecard, diff, drill) built from a real
// store full of hostile values, rendered in every format and language.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "core/text.h"
#include "hostile_store.h"
#include "inventory/store/store.h"
#include "reports/kind_builders.h"
#include "reports/table_report.h"
#include "test_model.h"
#include "tests/unit/inventory/store_test_util.h"

namespace ciiscope::reports {
namespace {

using nlohmann::json;
using testing::Contains;
using testing::kHour;
using testing::kT0;

class KindReportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("hostile.db");
    testing::FillHostileStore(path_);
    auto store = inventory::Store::Open(path_);
    ASSERT_TRUE(store) << store.error().message();
    store_ = std::move(*store);
  }

  TableReport Kind(const std::string& kind, Lang lang) {
    Result<TableReport> r = Error(ErrorCode::kInternal, "unset");
    if (kind == "scorecard") {
      r = BuildScorecardReport(*store_, lang, {0, kT0 + 10 * kHour, 12});
    } else if (kind == "diff") {
      r = BuildDiffReport(*store_, lang, {1, 2, 0, 0});
    } else if (kind == "ledger") {
      r = BuildLedgerReport(*store_, lang, kT0 + 10 * kHour);
    } else if (kind == "notice") {
      NoticeOptions o;
      o.now = kT0 + 10 * kHour;
      o.issuer = testing::kImgBreakout;
      o.reference_prefix = testing::kFormula;
      auto sel = SelectNoticeUnits(*store_, o);
      EXPECT_TRUE(sel && sel->targets.size() == 1u);
      if (sel && !sel->targets.empty()) r = BuildNoticeReport(*store_, lang, sel->targets[0], o);
    } else {
      r = BuildDrillReport(*store_, lang, 0, kT0 + 10 * kHour);
    }
    EXPECT_TRUE(r) << r.error().message();
    return r ? std::move(*r) : TableReport{};
  }

  std::string Render(const TableReport& r, const std::string& format) {
    std::ostringstream out;
    Status s = RenderTableReport(r, format, out);
    EXPECT_TRUE(s) << s.error().message();
    return out.str();
  }

  json Json(const std::string& kind) {
    json doc = json::parse(Render(Kind(kind, Lang::kEn), "json"));
    return doc;
  }

  // Rows of a section as objects.
  static const json& Rows(const json& doc, const std::string& id) {
    for (const auto& s : doc["sections"]) {
      if (s["id"] == id) return s["rows"];
    }
    static const json kNone = json::array();
    ADD_FAILURE() << "no section " << id;
    return kNone;
  }

  inventory::testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<inventory::Store> store_;
};

TEST_F(KindReportsTest, ScorecardRanksWithinParentAndListsOverdueLookBackAndNotices) {
  json doc = Json("scorecard");
  EXPECT_EQ(doc["schema"], "ciiscope.table-report/1");
  EXPECT_EQ(doc["kind"], "scorecard");
  const json& ranking = Rows(doc, "ranking");
  ASSERT_EQ(ranking.size(), 3u);
  // Run 2: top unit first (no parent), then its children by score.
  EXPECT_EQ(ranking[0]["code"], "prov");
  EXPECT_EQ(ranking[1]["code"], core::SanitizeUtf8(testing::kInvalidUtf8));
  EXPECT_EQ(ranking[1]["rank"], 1);
  EXPECT_EQ(ranking[1]["score"], 100);
  EXPECT_EQ(ranking[2]["unit"], "../../x");
  EXPECT_EQ(ranking[2]["rank"], 2);
  EXPECT_EQ(ranking[2]["previous"], 60);
  EXPECT_EQ(ranking[2]["change"], -5);
  EXPECT_EQ(Rows(doc, "trend").size(), 2u);
  const json& overdue = Rows(doc, "overdue");
  ASSERT_EQ(overdue.size(), 1u);  // f1: due kT0+2h
  EXPECT_EQ(overdue[0]["rule"], "http-login-plain");
  EXPECT_EQ(overdue[0]["days_overdue"], 0);
  const json& lookback = Rows(doc, "lookback");
  ASSERT_EQ(lookback.size(), 1u);
  EXPECT_EQ(lookback[0]["times"], 1);
  const json& notices = Rows(doc, "notices");
  ASSERT_EQ(notices.size(), 2u);  // f1 and f3 count; f2 is verified
  EXPECT_EQ(notices[0]["unit"], "../../x (../../x)");
  ASSERT_EQ(doc["charts"].size(), 1u);
  EXPECT_EQ(doc["charts"][0]["points"].size(), 2u);
}

TEST_F(KindReportsTest, DiffFindsNewAndGoneServicesAndNewAndFixedFindings) {
  json doc = Json("diff");
  EXPECT_EQ(Rows(doc, "new_assets").size(), 1u);
  EXPECT_EQ(Rows(doc, "new_assets")[0]["address"], "10.1.0.3");
  EXPECT_EQ(Rows(doc, "gone_assets").size(), 0u);
  ASSERT_EQ(Rows(doc, "new_services").size(), 1u);
  EXPECT_EQ(Rows(doc, "new_services")[0]["port"], 6379);
  ASSERT_EQ(Rows(doc, "gone_services").size(), 1u);
  EXPECT_EQ(Rows(doc, "gone_services")[0]["port"], 23);
  ASSERT_EQ(Rows(doc, "new_findings").size(), 1u);
  EXPECT_EQ(Rows(doc, "new_findings")[0]["target"], "10.1.0.3:6379");
  ASSERT_EQ(Rows(doc, "fixed_findings").size(), 1u);
  EXPECT_EQ(Rows(doc, "fixed_findings")[0]["rule"], "telnet-exposed");
  // By dates: the scans finished by each date.
  auto by_date = BuildDiffReport(*store_, Lang::kEn, {0, 0, kT0 + 2 * kHour, kT0 + 9 * kHour});
  ASSERT_TRUE(by_date) << by_date.error().message();
  EXPECT_NE(by_date->facts[0].second.find("#1"), std::string::npos);
  EXPECT_NE(by_date->facts[1].second.find("#2"), std::string::npos);
  auto none = BuildDiffReport(*store_, Lang::kEn, {0, 0, kT0 - kHour, kT0});
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message().find("two scans"), std::string::npos);
}

TEST_F(KindReportsTest, DrillHasWindowExposureOpenedClosedTimeToFixAndEvents) {
  json doc = Json("drill");
  EXPECT_EQ(Rows(doc, "opened").size(), 3u);
  const json& closed = Rows(doc, "closed");
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0]["hours_to_fix"], 2);
  const json& ttf = Rows(doc, "time_to_fix");
  ASSERT_EQ(ttf.size(), 1u);
  EXPECT_EQ(ttf[0]["closed"], 1);
  EXPECT_EQ(ttf[0]["median_hours"], 2);
  // 3 drill events and 2 monitor events (one claimed, one in the window).
  EXPECT_EQ(Rows(doc, "events").size(), 5u);
  const json& exposure = Rows(doc, "exposure");
  ASSERT_EQ(exposure.size(), 5u);
  EXPECT_TRUE(exposure[0]["before"].is_null());  // no scan finished by the start
  EXPECT_EQ(exposure[0]["after"], 2);
  EXPECT_EQ(exposure[2]["after"], 2);  // open services in scan 2: 80 and 6379
  bool timeline = false;
  for (const auto& c : doc["charts"]) {
    if (c["kind"] == "timeline") {
      timeline = true;
      EXPECT_EQ(c["from"], kT0);
      EXPECT_EQ(c["until"], kT0 + 4 * kHour);
      EXPECT_GE(c["points"].size(), 8u);
    }
  }
  EXPECT_TRUE(timeline);
}

TEST_F(KindReportsTest, LedgerAndNoticeCarryTheHostileValuesEscaped) {
  json ledger = Json("ledger");
  const json& rows = Rows(ledger, "ledger");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["address"], "10.1.0.1");  // confirmed CII first in unit "../../x"
  EXPECT_EQ(rows[0]["unit"], "../../x");
  EXPECT_EQ(rows[0]["cii_status"], "confirmed");
  EXPECT_TRUE(Contains(rows[0]["cii_basis"].get<std::string>(), testing::kScriptTag));
  EXPECT_EQ(rows[0]["findings_high"], 1);
  EXPECT_EQ(rows[1]["findings_critical"], 1);
  json notice = Json("notice");
  EXPECT_EQ(Rows(notice, "items").size(), 2u);
}

TEST_F(KindReportsTest, EveryFormatAndLanguageEscapesHostileValues) {
  for (const std::string kind : {"scorecard", "diff", "drill", "ledger", "notice"}) {
    for (Lang lang : {Lang::kZh, Lang::kEn}) {
      TableReport report = Kind(kind, lang);
      SCOPED_TRACE(kind + (lang == Lang::kZh ? " zh" : " en"));
      std::string html = Render(report, "html");
      EXPECT_TRUE(core::IsValidUtf8(html));
      EXPECT_FALSE(Contains(html, testing::kScriptTag));
      EXPECT_FALSE(Contains(html, "<img"));
      EXPECT_FALSE(Contains(html, testing::kRlo));
      EXPECT_FALSE(Contains(html, std::string(1, '\0')));
      EXPECT_TRUE(Contains(html, "Content-Security-Policy"));
      EXPECT_TRUE(Contains(html, "default-src 'none'"));
      EXPECT_LT(html.size(), 400'000u);  // 100 KB values are cut
      EXPECT_TRUE(Contains(html, lang == Lang::kZh ? "lang=\"zh-CN\"" : "lang=\"en\""));

      std::string csv = Render(report, "csv");
      EXPECT_TRUE(csv.starts_with("\xEF\xBB\xBF"));
      EXPECT_TRUE(core::IsValidUtf8(csv));
      EXPECT_FALSE(Contains(csv, std::string(1, '\0')));
      EXPECT_FALSE(Contains(csv, testing::kRlo));
      EXPECT_TRUE(Contains(csv, "'=cmd"));
      // No cell starts with a formula character (after an optional quote).
      for (const char* bad : {",=", "\n=", ",\"=", "\n\"=", ",@", ",+", "\n+", "\n@"}) {
        EXPECT_FALSE(Contains(csv, bad)) << bad;
      }

      std::string md = Render(report, "md");
      EXPECT_TRUE(core::IsValidUtf8(md));
      EXPECT_FALSE(Contains(md, testing::kScriptTag));
      EXPECT_FALSE(Contains(md, "<img"));

      std::string js = Render(report, "json");
      json doc = json::parse(js, nullptr, false);
      ASSERT_FALSE(doc.is_discarded());
      EXPECT_EQ(doc["lang"], lang == Lang::kZh ? "zh-CN" : "en");
      EXPECT_LT(js.size(), 600'000u);

      std::string xlsx = Render(report, "xlsx");
      EXPECT_TRUE(xlsx.starts_with("PK\x03\x04"));
    }
  }
}

TEST_F(KindReportsTest, WriteTableReportFileStreamsAndReplacesAtomically) {
  TableReport report = Kind("scorecard", Lang::kZh);
  std::string out = dir_.File("s.html");
  ASSERT_TRUE(WriteTableReportFile(report, "html", out));
  std::string html = inventory::testing::ReadBytes(out);
  EXPECT_TRUE(Contains(html, "整改通知书"));
  // An error while rendering leaves the old file and no temp file behind.
  report.sections[0].rows = [](const RowSink&) -> Status {
    return Error(ErrorCode::kDatabase, "disk on fire");
  };
  Status s = WriteTableReportFile(report, "html", out);
  ASSERT_FALSE(s);
  EXPECT_TRUE(Contains(s.error().message(), "cannot write report"));
  EXPECT_TRUE(Contains(s.error().message(), "disk on fire"));
  EXPECT_EQ(inventory::testing::ReadBytes(out), html);
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
    files += e.path().string().find(".tmp-") != std::string::npos;
  }
  EXPECT_EQ(files, 0);
  EXPECT_FALSE(RenderTableReport(report, "docx", std::cout));
}

TEST_F(KindReportsTest, ScorecardWithoutScoreRunIsOneClearError) {
  inventory::testing::TempDir other;
  auto empty = inventory::Store::Open(other.File("e.db"));
  ASSERT_TRUE(empty);
  auto r = BuildScorecardReport(**empty, Lang::kEn, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
  auto d = BuildDrillReport(**empty, Lang::kEn, 0, kT0);
  ASSERT_FALSE(d);
  EXPECT_TRUE(Contains(d.error().message(), "drill start"));
}

}  // namespace
}  // namespace ciiscope::reports
