#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "inventory/store/store.h"
#include "reports/json_renderer.h"
#include "reports/report.h"

namespace ciiscope::reports {
namespace {

namespace fs = std::filesystem;
using inventory::Observation;

class AssessmentBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "ciiscope-builder-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto store = inventory::Store::Open((dir_ / "ciiscope.db").string());
    ASSERT_TRUE(store.has_value()) << store.error().message();
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  int64_t NewScan(int64_t started_at) {
    inventory::Scan scan;
    scan.profile = "default";
    scan.targets = "10.0.0.0/30";
    scan.ports = "22,80,6379";
    scan.engine = "connect";
    scan.operator_name = "tester";
    scan.started_at = started_at;
    scan.status = "running";
    auto id = store_->CreateScan(scan);
    EXPECT_TRUE(id.has_value());
    return id.value_or(0);
  }

  static Observation Open(std::string address, uint16_t port, int64_t time) {
    Observation o;
    o.address = std::move(address);
    o.hostname = "host-" + o.address;
    o.transport = "tcp";
    o.port = port;
    o.kind = "port_state";
    o.state = "open";
    o.data_json = R"({"state":"open","reason":"syn-ack"})";
    o.time = time;
    return o;
  }

  void Finding(int64_t scan_id, std::string rule, std::string severity, std::string address,
               uint16_t port) {
    inventory::Finding f;
    f.key = rule + "|" + address + "|" + std::to_string(port);
    f.rule_id = std::move(rule);
    f.severity = std::move(severity);
    f.address = address;
    f.port = port;
    f.transport = "tcp";
    f.title = {"标题 " + f.rule_id, "Title " + f.rule_id};
    f.remediation = {"整改", "Fix it"};
    f.references = {"GB/T 28448-2019 L3-CES1-18"};
    f.detail_json = "{}";
    auto assets = store_->ListAssets();
    ASSERT_TRUE(assets.has_value());
    for (const auto& a : *assets) {
      if (a.address == address) f.asset_id = a.id;
    }
    auto services = store_->ListServices(f.asset_id);
    ASSERT_TRUE(services.has_value());
    for (const auto& s : *services) {
      if (s.port == port) f.service_id = s.id;
    }
    auto upserted = store_->UpsertFinding(f, scan_id, "tester");
    ASSERT_TRUE(upserted.has_value()) << upserted.error().message();
  }

  fs::path dir_;
  std::unique_ptr<inventory::Store> store_;
};

TEST_F(AssessmentBuilderTest, EmptyStoreSaysRunAScanFirst) {
  Result<ReportModel> model = BuildAssessmentReport(*store_, std::nullopt);
  ASSERT_FALSE(model.has_value());
  EXPECT_EQ(model.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(model.error().message(), "no scan in DB; run `ciiscope scan` first");
}

TEST_F(AssessmentBuilderTest, UnknownScanIsNotFound) {
  NewScan(1000);
  Result<ReportModel> model = BuildAssessmentReport(*store_, 99);
  ASSERT_FALSE(model.has_value());
  EXPECT_EQ(model.error().message(), "scan 99 not found");
}

TEST_F(AssessmentBuilderTest, BuildsTheLatestScanFromTheStore) {
  int64_t first = NewScan(1000);
  ASSERT_TRUE(store_->RecordObservations(first, {Open("10.0.0.1", 22, 1100)}).has_value());
  Finding(first, "old-rule", "low", "10.0.0.1", 22);
  ASSERT_TRUE(store_->FinishScan(first, "done", "{}").has_value());

  int64_t second = NewScan(2000);
  ASSERT_TRUE(store_
                  ->RecordObservations(second, {Open("10.0.0.10", 80, 2100),
                                                Open("10.0.0.2", 6379, 2200),
                                                Open("10.0.0.2", 22, 2300)})
                  .has_value());
  Finding(second, "redis-unauth", "critical", "10.0.0.2", 6379);
  Finding(second, "http-login", "high", "10.0.0.10", 80);
  Finding(second, "ssh-old", "high", "10.0.0.2", 22);
  ASSERT_TRUE(store_->FinishScan(second, "done", R"({"open":3})").has_value());

  Result<ReportModel> built = BuildAssessmentReport(*store_, std::nullopt);
  ASSERT_TRUE(built.has_value()) << built.error().message();
  const ReportModel& m = *built;
  ASSERT_TRUE(m.scan.has_value());
  EXPECT_EQ(m.scan->id, second);
  EXPECT_EQ(m.scan->status, "done");
  EXPECT_GT(m.generated_at, 0);
  ASSERT_EQ(m.assets.size(), 2u);
  EXPECT_EQ(m.assets[0].address, "10.0.0.2");  // numeric order
  EXPECT_EQ(m.assets[1].address, "10.0.0.10");
  ASSERT_EQ(m.services.size(), 3u);
  EXPECT_EQ(m.services[0].port, 22);
  ASSERT_EQ(m.findings.size(), 3u);
  EXPECT_EQ(m.findings[0].rule_id, "redis-unauth");
  EXPECT_EQ(m.findings[1].rule_id, "ssh-old");     // high, 10.0.0.2
  EXPECT_EQ(m.findings[2].rule_id, "http-login");  // high, 10.0.0.10
  EXPECT_EQ(m.findings[0].title.zh, "标题 redis-unauth");
  ReportSummary s = Summarize(m);
  EXPECT_EQ(s.open_services, 3);
  EXPECT_EQ(s.by_severity[4], 1);
  EXPECT_EQ(s.by_severity[3], 2);

  Result<ReportModel> older = BuildAssessmentReport(*store_, first);
  ASSERT_TRUE(older.has_value());
  ASSERT_EQ(older->findings.size(), 1u);
  EXPECT_EQ(older->findings[0].rule_id, "old-rule");
  ASSERT_EQ(older->assets.size(), 1u);

  RendererRegistry registry;
  RegisterBuiltinRenderers(registry);
  for (const std::string& format : registry.Formats()) {
    const Renderer& r = *registry.Find(format);
    std::string path = (dir_ / ("report" + std::string(r.extension()))).string();
    Status written = WriteReportFile(m, r, Lang::kZh, path);
    EXPECT_TRUE(written.has_value()) << format;
  }
}

}  // namespace
}  // namespace ciiscope::reports
