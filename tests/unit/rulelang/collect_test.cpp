// collect: blocks — parsing, normalization, errors with file:line:col, and
// the union of requests handed to the scanner.

#include <gtest/gtest.h>

#include "rulelang/collect.h"
#include "rulelang/rule.h"

namespace ciiscope::rulelang {
namespace {

std::string RuleWith(const std::string& id, const std::string& collect) {
  return "id: " + id +
         "\n"
         "kind: check\n"
         "severity: high\n"
         "title: {zh: 标题, en: Title}\n"
         "remediation: {zh: 修复, en: Fix}\n"
         "when: http.paths[\"/.git/HEAD\"].status == 200\n" +
         collect;
}

TEST(CollectTest, ParsesAndNormalizes) {
  auto rule = ParseRule(RuleWith("git", "collect:\n  http:\n    - {path: /.git/HEAD, method: GET}\n"
                                        "    - path: /.git/config\n"
                                        "    - /backup.sql\n"
                                        "    - {path: /www.zip, method: HEAD}\n"),
                        "git.yaml");
  ASSERT_TRUE(rule.has_value()) << rule.error().message();
  nlohmann::json want = {{"http",
                          {{{"path", "/.git/HEAD"}, {"method", "GET"}},
                           {{"path", "/.git/config"}, {"method", "GET"}},
                           {{"path", "/backup.sql"}, {"method", "GET"}},
                           {{"path", "/www.zip"}, {"method", "HEAD"}}}}};
  EXPECT_EQ(rule->collect, want);
}

TEST(CollectTest, RuleWithoutCollectHasNone) {
  auto rule = ParseRule(RuleWith("plain", ""), "plain.yaml");
  ASSERT_TRUE(rule.has_value()) << rule.error().message();
  EXPECT_TRUE(rule->collect.is_null());
  EXPECT_TRUE(HttpCollectRequests({*rule}).empty());
}

TEST(CollectTest, UnionIsDeduplicatedAndSorted) {
  auto a = ParseRule(RuleWith("a", "collect: {http: [/z, /.git/HEAD, {path: /.git/HEAD, method: HEAD}]}\n"), "a.yaml");
  auto b = ParseRule(RuleWith("b", "collect: {http: [/.git/HEAD, /a]}\n"), "b.yaml");
  ASSERT_TRUE(a.has_value()) << a.error().message();
  ASSERT_TRUE(b.has_value()) << b.error().message();
  std::vector<HttpCollectRequest> got = HttpCollectRequests({*a, *b});
  std::vector<HttpCollectRequest> want = {
      {"/.git/HEAD", "GET"}, {"/.git/HEAD", "HEAD"}, {"/a", "GET"}, {"/z", "GET"}};
  EXPECT_EQ(got, want);
}

TEST(CollectTest, NamedRequestsAreNormalizedAndUnited) {
  auto a = ParseRule(RuleWith("a", "collect:\n  requests: [redis-info, memcached-stats, redis-info]\n"), "a.yaml");
  auto b = ParseRule(RuleWith("b", "collect: {http: [/x], requests: [elasticsearch-root]}\n"), "b.yaml");
  auto c = ParseRule(RuleWith("c", "collect: {http: [/y]}\n"), "c.yaml");
  ASSERT_TRUE(a.has_value()) << a.error().message();
  ASSERT_TRUE(b.has_value()) << b.error().message();
  ASSERT_TRUE(c.has_value()) << c.error().message();
  EXPECT_EQ(a->collect, (nlohmann::json{{"requests", {"memcached-stats", "redis-info"}}}));
  std::vector<std::string> want = {"elasticsearch-root", "memcached-stats", "redis-info"};
  EXPECT_EQ(NamedCollectRequests({*a, *b, *c}), want);
  EXPECT_TRUE(NamedCollectRequests({*c}).empty());
  EXPECT_EQ(HttpCollectRequests({*a, *b}), (std::vector<HttpCollectRequest>{{"/x", "GET"}}));
}

TEST(CollectTest, AllowListIsSortedAndNamed) {
  const auto& all = CollectRequests();
  ASSERT_GE(all.size(), 4u);
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].name, all[i].name);
  for (const auto& r : all) {
    EXPECT_EQ(FindCollectRequest(r.name), &r);
    EXPECT_FALSE(r.protocol.empty());
    EXPECT_FALSE(r.what.empty());
  }
  EXPECT_EQ(FindCollectRequest("redis-config"), nullptr);
  EXPECT_EQ(FindCollectRequest("REDIS-INFO"), nullptr);
  EXPECT_NE(CollectRequestNameList().find("redis-info"), std::string::npos);
}

// Hand-edited or stale normalized JSON never reaches the scanner with a name
// off the allow-list.
TEST(CollectTest, UnionSkipsNamesOffTheAllowList) {
  auto a = ParseRule(RuleWith("a", "collect: {requests: [redis-info]}\n"), "a.yaml");
  ASSERT_TRUE(a.has_value()) << a.error().message();
  a->collect["requests"].push_back("redis-flushall");
  a->collect["requests"].push_back(7);
  EXPECT_EQ(NamedCollectRequests({*a}), std::vector<std::string>{"redis-info"});
}

TEST(CollectTest, PathProblems) {
  EXPECT_EQ(CollectPathProblem("/.git/HEAD"), "");
  EXPECT_EQ(CollectPathProblem("/WEB-INF/web.xml"), "");
  EXPECT_EQ(CollectPathProblem("/druid/index.html"), "");
  EXPECT_NE(CollectPathProblem(""), "");
  EXPECT_NE(CollectPathProblem("http://evil.example/x"), "");
  EXPECT_NE(CollectPathProblem("//evil.example/x"), "");
  EXPECT_NE(CollectPathProblem("/a/../../etc/passwd"), "");
  EXPECT_NE(CollectPathProblem("/a/.."), "");
  EXPECT_NE(CollectPathProblem("/./x"), "");
  EXPECT_NE(CollectPathProblem("/x?cmd=id"), "");
  EXPECT_NE(CollectPathProblem("/%2e%2e/x"), "");
  EXPECT_NE(CollectPathProblem("/a b"), "");
  EXPECT_NE(CollectPathProblem("/a\r\nX-Injected: 1"), "");
  EXPECT_NE(CollectPathProblem("/a\\b"), "");
  EXPECT_NE(CollectPathProblem("/" + std::string(kMaxCollectPathBytes, 'a')), "");
}

struct CollectErrorCase {
  std::string name;
  std::string collect;  // appended after line 6 (the when line)
  std::string prefix;   // "bad.yaml:L:C: "
  std::string needle;
};

class CollectErrorTest : public ::testing::TestWithParam<CollectErrorCase> {};

TEST_P(CollectErrorTest, NamesFileLineColumn) {
  const CollectErrorCase& c = GetParam();
  auto rule = ParseRule(RuleWith("bad", c.collect), "bad.yaml");
  ASSERT_FALSE(rule.has_value()) << c.name;
  EXPECT_EQ(rule.error().code(), ErrorCode::kParse);
  EXPECT_TRUE(rule.error().message().starts_with(c.prefix)) << c.name << ": " << rule.error().message();
  EXPECT_NE(rule.error().message().find(c.needle), std::string::npos) << c.name << ": " << rule.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    Errors, CollectErrorTest,
    ::testing::Values(
        CollectErrorCase{"not_a_mapping", "collect: [/x]\n", "bad.yaml:7:10: ", "expected collect to be a mapping"},
        CollectErrorCase{"unknown_kind", "collect: {smtp: [VRFY]}\n", "bad.yaml:7:11: ", "unknown field 'smtp'"},
        CollectErrorCase{"http_not_list", "collect: {http: /x}\n", "bad.yaml:7:17: ", "expected collect http to be a list"},
        CollectErrorCase{"post", "collect:\n  http:\n    - {path: /x, method: POST}\n", "bad.yaml:9:26: ",
                         "expected collect method GET or HEAD"},
        CollectErrorCase{"put_lowercase", "collect: {http: [{path: /x, method: get}]}\n", "bad.yaml:7:37: ",
                         "expected collect method GET or HEAD"},
        CollectErrorCase{"absolute_url", "collect:\n  http:\n    - path: \"http://10.0.0.1/x\"\n",
                         "bad.yaml:9:14: ", "expected a path starting with '/'"},
        CollectErrorCase{"traversal", "collect:\n  http:\n    - /a/../../etc/passwd\n", "bad.yaml:9:7: ",
                         "without '.' or '..' segments"},
        CollectErrorCase{"query", "collect: {http: [\"/x?cmd=id\"]}\n", "bad.yaml:7:19: ", "no query"},
        CollectErrorCase{"too_long", "collect: {http: [/" + std::string(300, 'a') + "]}\n", "bad.yaml:7:18: ",
                         "at most 256 bytes"},
        CollectErrorCase{"missing_path", "collect:\n  http:\n    - {method: GET}\n", "bad.yaml:9:7: ",
                         "expected required field 'path'"},
        CollectErrorCase{"unknown_entry_field", "collect:\n  http:\n    - {path: /x, body: a}\n", "bad.yaml:9:",
                         "unknown field 'body'"},
        CollectErrorCase{"path_not_string", "collect: {http: [{path: [a]}]}\n", "bad.yaml:7:25: ", "collect path"},
        CollectErrorCase{"too_many", "collect: {http: [/1,/2,/3,/4,/5,/6,/7,/8,/9,/10,/11,/12,/13,/14,/15,/16,/17]}\n",
                         "bad.yaml:7:17: ", "at most 16 collect http entries"},
        CollectErrorCase{"unknown_request", "collect:\n  requests: [redis-info, redis-config]\n", "bad.yaml:8:26: ",
                         "expected a read-only collect request (one of elasticsearch-root, memcached-stats, "},
        CollectErrorCase{"unknown_request_names_it", "collect: {requests: [\"FLUSHALL\"]}\n", "bad.yaml:7:23: ",
                         "got 'FLUSHALL'"},
        CollectErrorCase{"request_bytes", "collect:\n  requests:\n    - {redis: \"CONFIG GET *\"}\n", "bad.yaml:9:7: ",
                         "collect request name"},
        CollectErrorCase{"requests_not_list", "collect: {requests: redis-info}\n", "bad.yaml:7:21: ",
                         "expected collect requests to be a list"},
        CollectErrorCase{"too_many_requests",
                         "collect: {requests: [redis-info,redis-info,redis-info,redis-info,redis-info,redis-info,"
                         "redis-info,redis-info,redis-info,redis-info,redis-info,redis-info,redis-info,redis-info,"
                         "redis-info,redis-info,redis-info]}\n",
                         "bad.yaml:7:21: ", "at most 16 collect requests"}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace ciiscope::rulelang
