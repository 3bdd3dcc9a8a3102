#include "reports/safe_path.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "test_model.h"

namespace ciiscope::reports {
namespace {

namespace fs = std::filesystem;

TEST(SafeFileNameTest, TableOfNames) {
  struct Case {
    std::string in, out;
  };
  const Case cases[] = {
      {"scan-7.html", "scan-7.html"},
      {"../../x", "_._.._x"},
      {"..", "_."},
      {".", "_"},
      {"", "report"},
      {"/etc/passwd", "_etc_passwd"},
      {"a\\b", "a_b"},
      {std::string("nul\0x", 5), "nul_x"},
      {"a\nb", "a_b"},
      {"某某大学 教务处", "某某大学_教务处"},
      {testing::kRloName, "invoice_fdp.exe"},
      {"bad\xFF", "bad_"},
      {".hidden", "_hidden"},
  };
  for (const Case& c : cases) EXPECT_EQ(SafeFileName(c.in), c.out) << c.in;
}

TEST(SafeFileNameTest, LongNamesAreCutOnACharacterBoundary) {
  std::string name;
  for (int i = 0; i < 100; ++i) name += "教";
  std::string safe = SafeFileName(name, 100);
  EXPECT_LE(safe.size(), 100u);
  EXPECT_EQ(safe.size() % 3, 0u);
  EXPECT_EQ(SafeFileName(testing::HugeValue()).size(), 100u);
}

TEST(PathInDirTest, HostileNamesStayInTheFolder) {
  const fs::path dir = "/tmp/out";
  for (const std::string& name :
       {std::string("../../x"), std::string("../"), std::string("/abs"), std::string("a/../../b"),
        std::string(".."), testing::kScriptTag, testing::kImgBreakout, testing::kWithNul,
        testing::kInvalidUtf8, testing::HugeValue()}) {
    fs::path p = PathInDir(dir.string(), name);
    EXPECT_EQ(p.parent_path(), dir) << name.substr(0, 40);
    EXPECT_EQ(p.lexically_normal().parent_path(), dir) << name.substr(0, 40);
    std::string file = p.filename().string();
    EXPECT_NE(file, "..");
    EXPECT_NE(file, ".");
    EXPECT_EQ(file.find('/'), std::string::npos);
  }
  EXPECT_EQ(PathInDir("/tmp/out/", "../../x"), "/tmp/out/_._.._x");
}

}  // namespace
}  // namespace ciiscope::reports
