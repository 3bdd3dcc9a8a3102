#include <gtest/gtest.h>

#include "rulelang/expression.h"

namespace ciiscope::rulelang {
namespace {

struct VersionCase {
  const char* a;
  const char* b;
  int want;  // sign of CompareVersions(a, b)
};

class CompareVersionsTest : public ::testing::TestWithParam<VersionCase> {};

int Sign(int v) { return v < 0 ? -1 : (v > 0 ? 1 : 0); }

TEST_P(CompareVersionsTest, Orders) {
  const VersionCase& c = GetParam();
  EXPECT_EQ(Sign(CompareVersions(c.a, c.b)), c.want) << c.a << " vs " << c.b;
  EXPECT_EQ(Sign(CompareVersions(c.b, c.a)), -c.want) << c.b << " vs " << c.a;
}

INSTANTIATE_TEST_SUITE_P(
    Table, CompareVersionsTest,
    ::testing::Values(VersionCase{"7.4p1", "7.7", -1}, VersionCase{"7.4", "7.4p1", -1},
                      VersionCase{"7.4p1", "7.4p2", -1}, VersionCase{"1.18.0", "1.20", -1},
                      VersionCase{"1.9", "1.10", -1}, VersionCase{"1.10", "1.10.0", -1},
                      VersionCase{"2.4.6", "2.4.6", 0}, VersionCase{"01.2", "1.2", 0},
                      VersionCase{"7.4p1-10+deb9u7", "7.4p1", 1}, VersionCase{"7.4p1-10+deb9u7", "7.5", -1},
                      VersionCase{"8.2p1-4ubuntu0.5", "8.2p1-4ubuntu0.11", -1},
                      VersionCase{"1.18.0-6ubuntu14", "1.18.0", 1}, VersionCase{"1.0~rc1", "1.0", -1},
                      VersionCase{"1.0rc1", "1.0", -1}, VersionCase{"1.0beta2", "1.0rc1", -1},
                      VersionCase{"1:1.0", "2.0", 1}, VersionCase{"5.0.7", "5.0.10", -1},
                      VersionCase{"1.0.1", "1.0a", 1}, VersionCase{"3.0.3", "3.0.5", -1},
                      VersionCase{"99999999999999999999", "100000000000000000000", -1},
                      VersionCase{"", "", 0}, VersionCase{"", "1", -1}));

// Distribution packages (dpkg/rpm conventions): revisions after the last '-'
// compare like dpkg, '~' sorts before everything, epochs first.
INSTANTIATE_TEST_SUITE_P(
    Distro, CompareVersionsTest,
    ::testing::Values(VersionCase{"9.2p1-2+deb12u3", "9.2p1-2+deb12u10", -1},
                      VersionCase{"9.2p1-2+deb12u3", "9.2p1-2+deb12u3", 0},
                      VersionCase{"9.2p1-2+deb12u3", "9.2p1-2", 1}, VersionCase{"9.2p1-2+deb12u3", "9.2p1", 1},
                      VersionCase{"9.2p1-2+deb12u3", "9.3", -1}, VersionCase{"9.2p1-2+deb12u3", "9.2", 1},
                      VersionCase{"9.2p1-2+deb12u3", "9.2p1-10", -1},
                      VersionCase{"1.0-1~bpo11+1", "1.0-1", -1}, VersionCase{"1.0-1~bpo11+1", "1.0-0", 1},
                      VersionCase{"1.0+dfsg-1", "1.0-1", 1}, VersionCase{"1.0~rc1-1", "1.0-1", -1},
                      VersionCase{"1.0~rc1", "1.0~rc2", -1}, VersionCase{"1.0~~", "1.0~", -1},
                      VersionCase{"1.0~", "1.0", -1}, VersionCase{"2:1.0", "1:9.9", 1},
                      VersionCase{"1:1.0-1", "1.0-1", 1}, VersionCase{"0:1.0", "1.0", 0},
                      VersionCase{"1.0.0-rc1", "1.0.0", -1}, VersionCase{"1.0.0-rc1", "1.0.0-rc2", -1},
                      VersionCase{"2.4.6-97.el7", "2.4.6-99.el7", -1},
                      VersionCase{"2.4.6-97.el7_9", "2.4.6-97.el7", 1},
                      VersionCase{"1.20.1-1.el8", "1.18.0-6ubuntu14", 1}));

}  // namespace
}  // namespace ciiscope::rulelang
