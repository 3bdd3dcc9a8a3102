#include <gtest/gtest.h>

#include "rulelang/expression.h"
#include "rulelang/rule.h"

namespace ciiscope::rulelang {
namespace {

std::vector<std::string> Roots(const char* text) {
  auto e = Expression::Compile(text);
  EXPECT_TRUE(e.has_value()) << text;
  return e ? e->required_roots() : std::vector<std::string>{};
}

using V = std::vector<std::string>;

TEST(PrefilterTest, RequiredRootsFollowNullSemantics) {
  EXPECT_EQ(Roots(R"(http.title contains "x")"), V{"http"});
  EXPECT_EQ(Roots(R"(http.title contains "x" || http.body contains "y")"), V{"http"});
  EXPECT_EQ(Roots(R"(http.title contains "x" || banner =~ "y")"), V{});
  EXPECT_EQ(Roots(R"(service.port == 443 && tls.version == "TLSv1.0")"), (V{"service", "tls"}));
  EXPECT_EQ(Roots(R"(!(tls.version == "TLSv1.3"))"), V{});  // true without TLS
  EXPECT_EQ(Roots(R"(tls == null)"), V{});
  EXPECT_EQ(Roots(R"(tls != null)"), V{"tls"});
  EXPECT_EQ(Roots(R"(exists(probe["redis-info"].text))"), V{"probe"});
  EXPECT_EQ(Roots(R"(any(tls.cert.sans, it endswith ".edu.cn"))"), V{"tls"});
  EXPECT_EQ(Roots(R"(len(banner) > 3)"), V{"banner"});
  EXPECT_EQ(Roots(R"(version(service.version) < "1.2")"), V{"service"});
  EXPECT_EQ(Roots(R"(banner !~ "x")"), V{"banner"});  // non-string left side: false for !~ too
  EXPECT_EQ(Roots(R"("x" in http.headers)"), V{"http"});
  EXPECT_EQ(Roots(R"(true)"), V{});
}

TEST(PrefilterTest, MatchesSkipsOnlyWhatCannotMatch) {
  auto e = Expression::Compile(R"(http.title contains "x" && banner == null)");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->required_roots(), V{"http"});
  EXPECT_FALSE(e->Matches({{"banner", "x"}}));
  EXPECT_TRUE(e->Matches({{"http", {{"title", "xyz"}}}}));
  EXPECT_FALSE(e->Matches({{"http", {{"title", "xyz"}}}, {"banner", "b"}}));
}

}  // namespace
}  // namespace ciiscope::rulelang

namespace ciiscope::rulelang {
namespace {

bool Truthy(const nlohmann::json& j) {
  if (j.is_null()) return false;
  if (j.is_boolean()) return j.get<bool>();
  if (j.is_number()) return j.get<double>() != 0;
  if (j.is_string() || j.is_array() || j.is_object()) return !j.empty();
  return false;
}

// Every shipped rule over every shipped test's facts: the pre-filtered
// Matches() agrees with the plain evaluation.
TEST(PrefilterTest, AgreesWithFullEvaluationOnTheShippedPacks) {
  RuleSet set = LoadRuleDir(std::string(CIISCOPE_SOURCE_DIR) + "/rules");
  ASSERT_TRUE(set.errors.empty()) << set.errors.front().message();
  std::vector<nlohmann::json> corpus;
  for (const Rule& rule : set.rules) {
    for (const RuleTest& t : rule.tests) corpus.push_back(t.facts);
  }
  size_t checked = 0, skipped = 0;
  for (const Rule& rule : set.rules) {
    for (const auto& facts : corpus) {
      bool full = Truthy(rule.when.Evaluate(facts));
      ASSERT_EQ(rule.when.Matches(facts), full) << rule.id << " on " << facts.dump();
      ++checked;
      for (const auto& root : rule.when.required_roots()) {
        if (!facts.contains(root)) {
          ++skipped;
          break;
        }
      }
    }
  }
  EXPECT_GT(checked, 10000u);
  EXPECT_GT(skipped, checked / 10);  // the filter does work on real packs
}

}  // namespace
}  // namespace ciiscope::rulelang
