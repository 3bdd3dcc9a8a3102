#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "reports/report.h"
#include "test_model.h"

namespace ciiscope::reports {
namespace {

namespace fs = std::filesystem;

class ReportFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "ciiscope-reports-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    RegisterBuiltinRenderers(registry_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::string> Entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  static std::string Slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  fs::path dir_;
  RendererRegistry registry_;
};

TEST_F(ReportFileTest, WritesAndLeavesNoTempFile) {
  ReportModel model = testing::HostileModel();
  for (const std::string& format : registry_.Formats()) {
    const Renderer* r = registry_.Find(format);
    fs::path path = dir_ / ("report" + std::string(r->extension()));
    Status s = WriteReportFile(model, *r, Lang::kZh, path.string());
    ASSERT_TRUE(s.has_value()) << s.error().message();
    std::ostringstream expected;
    ASSERT_TRUE(r->Render(model, Lang::kZh, expected).has_value());
    EXPECT_EQ(Slurp(path), expected.str()) << format;
  }
  EXPECT_EQ(Entries(), (std::vector<std::string>{"report.csv", "report.html", "report.json",
                                                "report.md", "report.xlsx"}));
}

TEST_F(ReportFileTest, ReplacesAnExistingFile) {
  fs::path path = dir_ / "r.json";
  std::ofstream(path) << "old";
  ASSERT_TRUE(WriteReportFile(ReportModel{}, *registry_.Find("json"), Lang::kEn, path.string())
                  .has_value());
  EXPECT_TRUE(Slurp(path).starts_with("{"));
  EXPECT_EQ(Entries(), std::vector<std::string>{"r.json"});
}

TEST_F(ReportFileTest, UnwritablePathsGiveOneLineError) {
  const Renderer& html = *registry_.Find("html");
  for (const std::string& path :
       {std::string("/proc/x/y"), (dir_ / "missing" / "r.html").string(), dir_.string() + "/"}) {
    Status s = WriteReportFile(testing::HostileModel(), html, Lang::kEn, path);
    ASSERT_FALSE(s.has_value()) << path;
    EXPECT_TRUE(s.error().message().starts_with("cannot write report " + path + ": "))
        << s.error().message();
    EXPECT_EQ(s.error().message().find('\n'), std::string::npos);
    EXPECT_EQ(s.error().code(), ErrorCode::kIo);
  }
  EXPECT_TRUE(Entries().empty());
}

TEST_F(ReportFileTest, RenameOntoADirectoryFailsAndCleansUp) {
  fs::create_directory(dir_ / "taken");
  fs::create_directory(dir_ / "taken" / "child");
  Status s = WriteReportFile(ReportModel{}, *registry_.Find("csv"), Lang::kEn,
                             (dir_ / "taken").string());
  ASSERT_FALSE(s.has_value());
  EXPECT_TRUE(s.error().message().starts_with("cannot write report "));
  EXPECT_EQ(Entries(), std::vector<std::string>{"taken"});
}

class FailingRenderer : public Renderer {
 public:
  std::string_view format() const override { return "broken"; }
  std::string_view extension() const override { return ".x"; }
  Status Render(const ReportModel&, Lang, std::ostream& out) const override {
    out << "partial";
    return Error(ErrorCode::kInternal, "renderer exploded");
  }
};

TEST_F(ReportFileTest, RenderErrorWritesNothing) {
  fs::path path = dir_ / "r.x";
  Status s = WriteReportFile(ReportModel{}, FailingRenderer(), Lang::kEn, path.string());
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().message(), "cannot write report " + path.string() + ": renderer exploded");
  EXPECT_TRUE(Entries().empty());
}

}  // namespace
}  // namespace ciiscope::reports
