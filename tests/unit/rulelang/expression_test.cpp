#include "rulelang/expression.h"

#include <gtest/gtest.h>

namespace ciiscope::rulelang {
namespace {

using nlohmann::json;

const json& Facts() {
  static const json facts = json::parse(R"({
    "asset": {"address": "127.77.0.10", "hostnames": ["portal.demo-univ.edu.cn", "www.demo-univ.edu.cn"]},
    "service": {"transport": "tcp", "port": 80, "state": "open", "name": "http", "product": "nginx",
                "version": "1.18.0", "cpe": ""},
    "banner": "SSH-2.0-OpenSSH_7.4\r\n",
    "http": {"scheme": "http", "status": 200, "headers": {"server": "nginx/1.18.0", "x-frame-options": "DENY"},
             "title": "统一身份认证", "body": "<html><input type=\"password\"></html>", "truncated": false},
    "tls": {"version": "TLSv1.3", "cert": {"days_left": 12, "self_signed": true, "key_bits": 2048.0}},
    "probe": {"redis-info": {"text": "# Server\r\nredis_version:5.0.7\r\n"}},
    "ratio": 0.5, "empty_list": [], "ports": [22, 80, 443]
  })");
  return facts;
}

struct Case {
  const char* expr;
  json want;
};

class ExpressionTest : public ::testing::TestWithParam<Case> {};

TEST_P(ExpressionTest, Evaluates) {
  const Case& c = GetParam();
  auto e = Expression::Compile(c.expr);
  ASSERT_TRUE(e.has_value()) << c.expr << ": " << e.error().message();
  EXPECT_EQ(e->Evaluate(Facts()), c.want) << c.expr;
  EXPECT_EQ(e->text(), c.expr);
}

INSTANTIATE_TEST_SUITE_P(
    Paths, ExpressionTest,
    ::testing::Values(Case{"service.port", 80}, Case{"service.version", "1.18.0"},
                      Case{R"(http.headers["x-frame-options"])", "DENY"},
                      Case{R"(probe["redis-info"].text)", "# Server\r\nredis_version:5.0.7\r\n"},
                      Case{"asset.hostnames[0]", "portal.demo-univ.edu.cn"},
                      Case{"asset.hostnames[-1]", "www.demo-univ.edu.cn"},
                      Case{"asset.hostnames[5]", nullptr}, Case{"service.nope.deeper", nullptr},
                      Case{"service.port.x", nullptr}, Case{R"(http["headers"]['server'])", "nginx/1.18.0"},
                      Case{"tls.cert.self_signed", true}));

INSTANTIATE_TEST_SUITE_P(
    Literals, ExpressionTest,
    ::testing::Values(Case{"42", 42}, Case{"-7", -7}, Case{"1.5", 1.5}, Case{"true", true}, Case{"null", nullptr},
                      Case{R"("a\"b")", "a\"b"}, Case{R"('sq')", "sq"},
                      Case{"30d", 2592000}, Case{"12h", 43200}, Case{"15m", 900}, Case{"10s", 10},
                      Case{R"("\x41\u4e2d\t")", "A中\t"}, Case{R"("\d+\.\d")", "\\d+\\.\\d"},
                      Case{R"(["a", 1, true])", json::array({"a", 1, true})}));

INSTANTIATE_TEST_SUITE_P(
    Comparisons, ExpressionTest,
    ::testing::Values(
        Case{"service.port == 80", true}, Case{"service.port == 80.0", true}, Case{"service.port != 80", false},
        Case{"service.port < 443", true}, Case{"service.port <= 80", true}, Case{"service.port > 80", false},
        Case{"service.port >= 81", false}, Case{"ratio < 1", true}, Case{R"("abc" < "abd")", true},
        Case{R"("b" > "abc")", true}, Case{R"(service.port == "80")", false},
        Case{R"(service.port != "80")", true}, Case{R"(service.port < "90")", false},
        Case{"true == true", true}, Case{"true < false", false},
        Case{"tls.cert.key_bits == 2048", true}, Case{"len(ports) == 3", true},
        Case{"ports == [22, 80, 443]", true}));

INSTANTIATE_TEST_SUITE_P(
    NullSemantics, ExpressionTest,
    ::testing::Values(Case{"missing == null", true}, Case{"missing != null", false},
                      Case{"null == missing", true}, Case{"service.port == null", false},
                      Case{"service.port != null", true}, Case{"null == null", true},
                      Case{R"(missing == "x")", false}, Case{R"(missing != "x")", false},
                      Case{"missing < 3", false}, Case{"missing >= 3", false}, Case{"missing == missing", false},
                      Case{"!missing", true}, Case{"missing", nullptr},
                      Case{R"(missing contains "x")", false}, Case{R"(missing in ["x"])", false},
                      Case{R"(missing =~ "x")", false}, Case{R"(missing !~ "x")", false}));

INSTANTIATE_TEST_SUITE_P(
    Logic, ExpressionTest,
    ::testing::Values(Case{"true && false", false}, Case{"true || false", true}, Case{"!true", false},
                      Case{"!!service.port", true}, Case{"!(1 == 2)", true},
                      Case{"1 == 2 || 2 == 2 && 3 == 4", false}, Case{"(1 == 2 || 2 == 2) && 3 == 3", true},
                      Case{"missing.x && len(missing) > 0", false},      // short-circuit
                      Case{"service.port == 80 || missing.y", true},     // short-circuit
                      Case{R"("" || 0 || [] || empty_list)", false},    // falsy values
                      Case{R"("x" && 1 && ports)", true}));

INSTANTIATE_TEST_SUITE_P(
    StringOps, ExpressionTest,
    ::testing::Values(
        Case{R"(http.headers.server =~ "^nginx/\d+\.\d+")", true}, Case{R"(banner =~ "(?i)openssh")", true},
        Case{R"(banner !~ "Dropbear")", true}, Case{R"(service.port =~ "80")", false},
        Case{R"(banner startswith "SSH-2.0")", true}, Case{R"(banner endswith "\r\n")", true},
        Case{R"(http.body contains "type=\"password\"")", true}, Case{R"(http.title contains "身份")", true},
        Case{R"(ports contains 443)", true}, Case{R"(http.headers contains "server")", true},
        Case{R"(http.headers contains "x-powered-by")", false}, Case{R"(service.name in ["http", "https"])", true},
        Case{R"(22 in ports)", true}, Case{R"(23 in ports)", false}, Case{R"("server" in http.headers)", true},
        Case{R"(service.port startswith "8")", false}));

INSTANTIATE_TEST_SUITE_P(
    Functions, ExpressionTest,
    ::testing::Values(
        Case{"len(http.title)", 6}, Case{"len(asset.hostnames)", 2}, Case{"len(service.port)", nullptr},
        Case{R"(lower("NgInX/1.0"))", "nginx/1.0"}, Case{R"(upper("tlsv1"))", "TLSV1"},
        Case{"lower(service.port)", nullptr}, Case{"exists(tls.cert)", true}, Case{"exists(tls.nope)", false},
        Case{"!exists(banner2)", true}, Case{R"(version(service.version) < "1.20")", true},
        Case{R"(version(service.version) >= "1.18")", true}, Case{R"(version("7.4p1") < "7.7")", true},
        Case{R"(version("7.4p1-10+deb9u7") < "7.4p2")", true}, Case{R"(version("1.18.0") == "1.18")", false},
        Case{R"(version(missing) < "1.0")", false}, Case{R"(version("8.0") > 7)", true},
        Case{R"(version(service.version))", "1.18.0"},
        Case{R"(any(asset.hostnames, it endswith ".edu.cn"))", true},
        Case{R"(any(asset.hostnames, it == "x"))", false}, Case{R"(any(ports, it > 400))", true},
        Case{R"(all(ports, it > 20))", true}, Case{R"(all(ports, it > 80))", false},
        Case{R"(any(service.port, true))", false}, Case{"all(empty_list, false)", true},
        Case{R"(any([["a","b"],["c"]], any(it, it == "c")))", true},
        Case{R"(any(asset.hostnames, lower(it)[0] == nope))", false}));

TEST(ExpressionTest, SingleQuotedStrings) {
  auto e = Expression::Compile(R"('it\'s' == "it's")");
  ASSERT_TRUE(e.has_value()) << e.error().message();
  EXPECT_TRUE(e->Matches(json::object()));
}

TEST(ExpressionTest, EmptyExpressionNeverMatches) {
  Expression e;
  EXPECT_FALSE(e.Matches(Facts()));
  EXPECT_TRUE(e.Evaluate(Facts()).is_null());
  EXPECT_EQ(e.text(), "");
}

TEST(ExpressionTest, CopiesShareTheCompiledTree) {
  auto e = Expression::Compile("service.port == 80");
  ASSERT_TRUE(e.has_value());
  Expression copy = *e;
  EXPECT_TRUE(copy.Matches(Facts()));
  EXPECT_FALSE(copy.Matches(json::array()));   // facts that are not an object
  EXPECT_FALSE(copy.Matches(json("string")));
}

struct ErrorCase {
  const char* expr;
  const char* prefix;   // position
  const char* needle;   // part of the message
};

class ExpressionErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ExpressionErrorTest, ReportsPosition) {
  const ErrorCase& c = GetParam();
  auto e = Expression::Compile(c.expr, SourcePos{"r.yaml", 7, 9});
  ASSERT_FALSE(e.has_value()) << c.expr;
  EXPECT_EQ(e.error().code(), ErrorCode::kParse);
  EXPECT_TRUE(e.error().message().starts_with(c.prefix)) << c.expr << " → " << e.error().message();
  EXPECT_NE(e.error().message().find(c.needle), std::string::npos) << c.expr << " → " << e.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    Errors, ExpressionErrorTest,
    ::testing::Values(
        ErrorCase{"service.port ==", "r.yaml:7:24: ", "expected a field"},
        ErrorCase{"(a == 1", "r.yaml:7:16: ", "expected ')'"},
        ErrorCase{"a = 1", "r.yaml:7:11: ", "expected '==' or '=~'"},
        ErrorCase{"a & b", "r.yaml:7:11: ", "expected '&&'"},
        ErrorCase{R"(banner =~ "([a-z")", "r.yaml:7:19: ", "expected a valid RE2 regex"},
        ErrorCase{"banner =~ other", "r.yaml:7:19: ", "expected a string literal regex"},
        ErrorCase{"a ==\n  \"x", "r.yaml:8:11: ", "expected a closing \""},
        ErrorCase{"a == 1\n  && b ==\n  )", "r.yaml:9:11: ", "expected a field"},
        ErrorCase{"1 < a < 3", "r.yaml:7:15: ", "do not chain"},
        ErrorCase{"frobnicate(a)", "r.yaml:7:9: ", "expected a function"},
        ErrorCase{"len(a, b)", "r.yaml:7:14: ", "expected 1 argument"},
        ErrorCase{"any(a)", "r.yaml:7:14: ", "expected 2 arguments"},
        ErrorCase{"exists(\"a\")", "r.yaml:7:16: ", "expected a field path"},
        ErrorCase{"it == 1", "r.yaml:7:9: ", "inside any()"},
        ErrorCase{"version(a) < 1.18.0", "r.yaml:7:22: ", "quote version strings"},
        ErrorCase{"age > 30days", "r.yaml:7:15: ", "duration"},
        ErrorCase{"a == 1 b", "r.yaml:7:16: ", "end of expression"},
        ErrorCase{"a.", "r.yaml:7:11: ", "expected a field name"},
        ErrorCase{"a[1", "r.yaml:7:12: ", "expected ']'"},
        ErrorCase{"[1, 2", "r.yaml:7:14: ", "expected ',' or ']'"},
        ErrorCase{"in == 1", "r.yaml:7:9: ", "expected a field"},
        ErrorCase{"a == \"\\x4\"", "r.yaml:7:15: ", "hex digits"},
        ErrorCase{"a == $", "r.yaml:7:14: ", "got '$'"},
        ErrorCase{"", "r.yaml:7:9: ", "end of expression"}));

TEST(ExpressionLimitsTest, RejectsDeepNesting) {
  std::string deep(200, '(');
  deep += "1";
  deep += std::string(200, ')');
  auto e = Expression::Compile(deep);
  ASSERT_FALSE(e.has_value());
  EXPECT_NE(e.error().message().find("levels of nesting"), std::string::npos) << e.error().message();
  std::string nots(500, '!');
  EXPECT_FALSE(Expression::Compile(nots + "true").has_value());
  std::string deep_ok(60, '(');
  EXPECT_TRUE(Expression::Compile(deep_ok + "1" + std::string(60, ')')).has_value());
}

TEST(ExpressionLimitsTest, RejectsLongText) {
  std::string long_text = "a == \"" + std::string(kMaxExpressionBytes, 'x') + "\"";
  auto e = Expression::Compile(long_text, SourcePos{"f.yaml", 3, 7});
  ASSERT_FALSE(e.has_value());
  EXPECT_TRUE(e.error().message().starts_with("f.yaml:3:7: expected an expression of at most 8192 bytes"))
      << e.error().message();
}

TEST(ExpressionLimitsTest, LongFlatChainsEvaluate) {
  std::string chain = "false";
  for (int i = 0; i < 500; ++i) chain += " || false";
  chain += " || true";
  auto e = Expression::Compile(chain);
  ASSERT_TRUE(e.has_value()) << e.error().message();
  EXPECT_TRUE(e->Matches(json::object()));
}

TEST(ExpressionTest, PositionsWithoutAFile) {
  auto e = Expression::Compile("a ==");
  ASSERT_FALSE(e.has_value());
  EXPECT_TRUE(e.error().message().starts_with("<expr>:1:5: ")) << e.error().message();
}

}  // namespace
}  // namespace ciiscope::rulelang
