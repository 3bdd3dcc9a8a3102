#include <gtest/gtest.h>

#include "core/text.h"
#include "service/trail_policy.h"

namespace ciiscope::service {
namespace {

TEST(TrailPolicy, StateChangingCommands) {
  for (auto path : std::vector<std::vector<std::string>>{
           {"scan"}, {"assess"}, {"audit"}, {"init"}, {"import", "nmap-xml"}, {"findings", "ack"},
           {"units", "import"}, {"auth", "add"}, {"drill", "start"}, {"drill", "stop"},
           {"keygen"}, {"demo", "run"}, {"daemon"}, {"spotcheck"}, {"something-new"}}) {
    EXPECT_TRUE(IsStateChanging(path, false)) << JoinCommand(path);
  }
  EXPECT_TRUE(IsStateChanging({"report"}, true));
}

TEST(TrailPolicy, ReadOnlyCommands) {
  for (auto path : std::vector<std::vector<std::string>>{
           {"findings", "list"}, {"findings", "show"}, {"units", "list"}, {"auth", "list"},
           {"drill", "status"}, {"rules", "lint"}, {"verify"}, {"trail", "verify"},
           {"config", "check"}, {"assets", "list"}, {"demo", "up"}, {"report"}, {}}) {
    EXPECT_FALSE(IsStateChanging(path, false)) << JoinCommand(path);
  }
}

TEST(TrailPolicy, DigestAndOutcome) {
  EXPECT_NE(ArgsDigest({"a b"}), ArgsDigest({"a", "b"}));
  EXPECT_EQ(ArgsDigest({"x"}).size(), 64u);
  EXPECT_EQ(Outcome(true, 0, ""), "ok");
  EXPECT_EQ(Outcome(true, 1, ""), "exit 1");
  EXPECT_EQ(Outcome(false, 0, "refused"), "error: refused");
  std::string longmsg(150, 'a');
  for (int i = 0; i < 40; ++i) longmsg += "中";
  std::string out = Outcome(false, 0, longmsg);
  EXPECT_LE(out.size(), 207u);
  EXPECT_EQ(core::SanitizeUtf8(out), out);  // not cut inside a character
  EXPECT_TRUE(out.ends_with("中"));
}

}  // namespace
}  // namespace ciiscope::service
