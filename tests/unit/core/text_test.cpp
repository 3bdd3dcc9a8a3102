#include "core/text.h"

#include <gtest/gtest.h>

#include "core/hash.h"

namespace ciiscope::core {
namespace {

TEST(TextTest, SanitizeReplacesInvalidUtf8) {
  EXPECT_EQ(SanitizeUtf8("ok"), "ok");
  EXPECT_EQ(SanitizeUtf8("a\xff" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(SanitizeUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_TRUE(IsValidUtf8("统一身份认证"));
  EXPECT_FALSE(IsValidUtf8("\xE7\xBB"));
}

TEST(TextTest, PrintableShowsControlsAndBidi) {
  EXPECT_EQ(Printable(std::string("a\0b\x1b[31m", 8)), "a\\x00b\\x1B[31m");
  EXPECT_EQ(Printable("x\xE2\x80\xAEy"), "x\\u{202E}y");
  EXPECT_EQ(Printable("line\r\n"), "line\r\n");
}

TEST(TextTest, TruncateKeepsUtf8Boundaries) {
  std::string s = "统一身份认证";  // 3 bytes each
  EXPECT_EQ(TruncateUtf8(s, 4), "统\xE2\x80\xA6");
  EXPECT_EQ(TruncateUtf8(s, 100), s);
}

TEST(TextTest, HtmlEscapeCoversAttributeContext) {
  EXPECT_EQ(HtmlEscape("\"><img src=x onerror='a'>&"),
            "&quot;&gt;&lt;img src=x onerror=&#39;a&#39;&gt;&amp;");
}

TEST(TextTest, CsvFieldNeutralizesFormulas) {
  EXPECT_EQ(CsvField("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
  EXPECT_EQ(CsvField("+1"), "'+1");
  EXPECT_EQ(CsvField("-1"), "'-1");
  EXPECT_EQ(CsvField("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvField("\tx"), "'\tx");
  EXPECT_EQ(CsvField("a,\"b\""), "\"a,\"\"b\"\"\"");
  EXPECT_EQ(CsvField("plain"), "plain");
}

TEST(HashTest, Sha256KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace ciiscope::core
