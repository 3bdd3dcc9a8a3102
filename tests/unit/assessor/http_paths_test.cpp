// Facts from http_path evidence: http.paths / http.not_found and the
// soft-404 judgement (assessor/http_paths.h).
#include <gtest/gtest.h>

#include "assessor/http_paths.h"

namespace ciiscope::assessor {
namespace {

using nlohmann::json;

json Page(const std::string& path, int status, const std::string& sha, const std::string& title = "") {
  return {{"path", path}, {"status", status}, {"body_sha256", sha}, {"title", title}};
}

TEST(CollectedPathsTest, MarksSoft404ByNotFoundCheckAndRootBody) {
  CollectedPaths paths;
  json nf = Page("/ciiscope-not-found-7f3e9c2a", 200, "aaa", "页面不存在");
  nf["not_found_check"] = true;
  paths.Add(nf);
  paths.Add(Page("/same-body", 200, "aaa"));
  paths.Add(Page("/same-title", 200, "bbb", "页面不存在"));
  paths.Add(Page("/spa", 200, "root"));
  paths.Add(Page("/.git/HEAD", 200, "ccc"));
  paths.Add(Page("/.git/HEAD", 200, "aaa"));  // the first per path wins
  paths.Add(Page("/denied", 403, "ddd"));
  json facts = {{"http", {{"status", 200}, {"body_sha256", "root"}}}};
  std::move(paths).WriteTo(facts);
  const json& p = facts["http"]["paths"];
  EXPECT_EQ(p["/same-body"]["soft404"], true);
  EXPECT_EQ(p["/same-title"]["soft404"], true);
  EXPECT_EQ(p["/spa"]["soft404"], true);
  EXPECT_EQ(p["/.git/HEAD"]["soft404"], false);
  EXPECT_EQ(p["/.git/HEAD"]["body_sha256"], "ccc");
  EXPECT_EQ(p["/denied"]["soft404"], false);
  EXPECT_EQ(facts["http"]["not_found"]["status"], 200);
  EXPECT_FALSE(p.contains("/ciiscope-not-found-7f3e9c2a"));
}

TEST(CollectedPathsTest, RealNotFoundMakesNothingSoft) {
  CollectedPaths paths;
  json nf = Page("/ciiscope-not-found-7f3e9c2a", 404, "nf", "404 Not Found");
  nf["not_found_check"] = true;
  paths.Add(nf);
  paths.Add(Page("/x", 404, "nf", "404 Not Found"));
  paths.Add(Page("/.env", 200, "env"));
  json facts = json::object();
  std::move(paths).WriteTo(facts);
  EXPECT_EQ(facts["http"]["paths"]["/x"]["soft404"], false);  // a 404 is not "soft"
  EXPECT_EQ(facts["http"]["paths"]["/.env"]["soft404"], false);
}

TEST(CollectedPathsTest, NothingCollectedLeavesFactsAlone) {
  CollectedPaths paths;
  json facts = {{"service", {{"port", 80}}}};
  std::move(paths).WriteTo(facts);
  EXPECT_FALSE(facts.contains("http"));
}

}  // namespace
}  // namespace ciiscope::assessor
