#include "scanner/targets.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "scanner/engine.h"

namespace ciiscope::scanner {
namespace {

std::vector<std::string> Addresses(const std::vector<Target>& targets) {
  std::vector<std::string> out;
  for (const auto& t : targets) out.push_back(t.address.ToString());
  return out;
}

std::string TempFile(const std::string& content) {
  std::string path = ::testing::TempDir() + "/targets_" + std::to_string(getpid()) + "_" +
                     std::to_string(std::rand()) + ".txt";
  std::ofstream(path) << content;
  return path;
}

TEST(TargetsTest, AddressCidrAndRange) {
  auto r = ResolveTargets({"10.0.0.9", "192.168.1.0/30", "172.16.0.1-3", "::1"}, {});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(Addresses(*r),
            (std::vector<std::string>{"10.0.0.9", "192.168.1.0", "192.168.1.1", "192.168.1.2",
                                      "192.168.1.3", "172.16.0.1", "172.16.0.2", "172.16.0.3",
                                      "::1"}));
  EXPECT_TRUE((*r)[0].hostname.empty());
}

TEST(TargetsTest, FullRangeAndDeduplicationKeepsFirstOrder) {
  auto r = ResolveTargets({"10.0.0.2", "10.0.0.1-10.0.0.3", "10.0.0.2"}, {});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(Addresses(*r), (std::vector<std::string>{"10.0.0.2", "10.0.0.1", "10.0.0.3"}));
}

TEST(TargetsTest, HostnameLocalhostResolvesAndKeepsName) {
  auto r = ResolveTargets({"localhost"}, {});
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_FALSE(r->empty());
  bool has_v4_loopback = false;
  for (const auto& t : *r) {
    EXPECT_EQ(t.hostname, "localhost");
    EXPECT_TRUE(t.address.IsLoopback());
    if (t.address.ToString() == "127.0.0.1") has_v4_loopback = true;
  }
  EXPECT_TRUE(has_v4_loopback);
}

TEST(TargetsTest, HostnameFillsInNameOfAddressListedEarlier) {
  auto r = ResolveTargets({"127.0.0.1", "localhost"}, {});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ((*r)[0].address.ToString(), "127.0.0.1");
  EXPECT_EQ((*r)[0].hostname, "localhost");
}

TEST(TargetsTest, ExclusionsApplyAfterResolution) {
  auto r = ResolveTargets({"localhost", "127.0.0.0/29"}, {"127.0.0.1", "::1", "127.0.0.4-6"});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(Addresses(*r),
            (std::vector<std::string>{"127.0.0.0", "127.0.0.2", "127.0.0.3", "127.0.0.7"}));
  // Excluding by name removes what the name resolves to.
  auto by_name = ResolveTargets({"127.0.0.1", "127.0.0.2"}, {"localhost"});
  ASSERT_TRUE(by_name) << by_name.error().message();
  EXPECT_EQ(Addresses(*by_name), (std::vector<std::string>{"127.0.0.2"}));
}

TEST(TargetsTest, LargeBlockMostlyExcludedIsCheap) {
  auto r = ResolveTargets({"10.0.0.0/8"}, {"10.0.0.0/9", "10.128.0.0/9"}, 10);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->empty());
}

TEST(TargetsTest, MaxTargetsNamesTheCount) {
  auto r = ResolveTargets({"10.0.0.0/24"}, {}, 100);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("256"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("100"), std::string::npos) << r.error().message();
  EXPECT_TRUE(ResolveTargets({"10.0.0.0/25"}, {}, 128));
}

TEST(TargetsTest, BadSpecsNameTheSpecAndWhatWasExpected) {
  struct Case {
    std::string spec;
    std::string expect;
  };
  const Case cases[] = {
      {"10.0.0.0/33", "prefix length"},
      {"10.0.0.300", "expected an address"},
      {"10.0.0.9-2", "before its start"},
      {"10.0.0.1-300", "last octet"},
      {"bad host!", "expected an address"},
      {"::1/200", "prefix length"},
      {"@", "file name"},
  };
  for (const auto& c : cases) {
    auto r = ResolveTargets({c.spec}, {});
    ASSERT_FALSE(r) << c.spec;
    const std::string& msg = r.error().message();
    EXPECT_NE(msg.find("'" + c.spec + "'"), std::string::npos) << msg;
    EXPECT_NE(msg.find(c.expect), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
  auto bad_exclude = ResolveTargets({"10.0.0.1"}, {"10.0.0.0/40"});
  ASSERT_FALSE(bad_exclude);
  EXPECT_NE(bad_exclude.error().message().find("exclude"), std::string::npos);
  EXPECT_FALSE(ResolveTargets({}, {}));
}

TEST(TargetsTest, TargetFileCommentsAndWhitespace) {
  std::string path = TempFile("# campus core\n10.0.0.1  10.0.0.2\t# two on a line\n\n10.0.1.0/31\n");
  auto specs = ReadTargetFile(path);
  ASSERT_TRUE(specs) << specs.error().message();
  EXPECT_EQ(*specs, (std::vector<std::string>{"10.0.0.1", "10.0.0.2", "10.0.1.0/31"}));
  auto r = ResolveTargets({"@" + path, "10.0.0.1"}, {});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(Addresses(*r),
            (std::vector<std::string>{"10.0.0.1", "10.0.0.2", "10.0.1.0", "10.0.1.1"}));
  std::remove(path.c_str());
}

TEST(TargetsTest, TargetFileErrors) {
  auto missing = ReadTargetFile("/nonexistent/ciiscope/targets.txt");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message().rfind("/nonexistent/ciiscope/targets.txt: cannot read: ", 0), 0u)
      << missing.error().message();
  std::string path = TempFile("10.0.0.1\n10.0.0.0/99\n");
  auto r = ResolveTargets({"@" + path}, {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find(path), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("'10.0.0.0/99'"), std::string::npos) << r.error().message();
  std::remove(path.c_str());
}

TEST(EngineRegistryTest, BuiltinConnectAndSynEngines) {
  EngineRegistry registry;
  RegisterBuiltinEngines(registry);
  EXPECT_EQ(registry.Names(), (std::vector<std::string>{"connect", "syn"}));
  for (const char* name : {"connect", "syn"}) {
    auto engine = registry.Create(name);
    ASSERT_NE(engine, nullptr);
    EXPECT_EQ(engine->name(), name);
    EXPECT_FALSE(engine->description().empty());
  }
  EXPECT_EQ(registry.Create("udp"), nullptr);
}

}  // namespace
}  // namespace ciiscope::scanner
