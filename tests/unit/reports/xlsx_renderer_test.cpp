// Unit checks of the XLSX bytes; xlsx_reader_test (label integration) opens
// the workbook with openpyxl and checks sheets, headers and cell types.
#include "reports/xlsx_renderer.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "reports/report.h"
#include "test_model.h"

namespace ciiscope::reports {
namespace {

TEST(XlsxRendererTest, WritesAZipWorkbook) {
  std::ostringstream out;
  ASSERT_TRUE(XlsxRenderer().Render(testing::HostileModel(), Lang::kZh, out).has_value());
  std::string bytes = out.str();
  ASSERT_GT(bytes.size(), 1000u);
  EXPECT_TRUE(bytes.starts_with("PK\x03\x04"));
}

TEST(XlsxRendererTest, EmptyModelRenders) {
  std::ostringstream out;
  ASSERT_TRUE(XlsxRenderer().Render(ReportModel{}, Lang::kEn, out).has_value());
  EXPECT_TRUE(out.str().starts_with("PK"));
}

TEST(XlsxRendererTest, RegisteredWithMarkdown) {
  RendererRegistry registry;
  RegisterBuiltinRenderers(registry);
  ASSERT_NE(registry.Find("xlsx"), nullptr);
  ASSERT_NE(registry.Find("md"), nullptr);
  EXPECT_EQ(registry.Find("xlsx")->extension(), ".xlsx");
  EXPECT_EQ(registry.Find("md")->extension(), ".md");
}

}  // namespace
}  // namespace ciiscope::reports
