// The sweep order: a bijection of [0, n) for every size and seed, stable
// for a seed, and shards that are disjoint and cover everything.
#include "scanner/permutation.h"

#include <gtest/gtest.h>

#include <vector>

namespace ciiscope::scanner {
namespace {

void ExpectBijection(uint64_t n, uint64_t seed) {
  Permutation perm(n, seed);
  std::vector<bool> seen(n, false);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t v = perm(i);
    ASSERT_LT(v, n) << "n=" << n << " seed=" << seed << " i=" << i;
    ASSERT_FALSE(seen[v]) << "n=" << n << " seed=" << seed << " value " << v << " twice";
    seen[v] = true;
  }
}

TEST(PermutationTest, VisitsEveryIndexExactlyOnce) {
  for (uint64_t n : {1ull, 2ull, 3ull, 5ull, 7ull, 16ull, 17ull, 255ull, 256ull, 257ull, 1000ull,
                     4095ull, 65536ull, 65537ull}) {
    for (uint64_t seed : {0ull, 1ull, 42ull, 0xDEADBEEFull, ~0ull}) ExpectBijection(n, seed);
  }
  for (uint64_t seed : {0ull, 7ull, 123456789ull}) ExpectBijection(1000000, seed);
}

TEST(PermutationTest, SameSeedSameOrderOtherSeedOtherOrder) {
  Permutation a(10000, 5), b(10000, 5), c(10000, 6);
  int differ = 0;
  for (uint64_t i = 0; i < 10000; ++i) {
    EXPECT_EQ(a(i), b(i));
    differ += a(i) != c(i);
  }
  EXPECT_GT(differ, 9000);
}

TEST(PermutationTest, SpreadsNeighbours) {
  // 256 hosts x 4 ports: consecutive positions rarely hit the same host.
  Permutation perm(1024, 3);
  int same_host = 0;
  for (uint64_t i = 1; i < 1024; ++i) same_host += perm(i) / 4 == perm(i - 1) / 4;
  EXPECT_LT(same_host, 30);
  int identity = 0;
  for (uint64_t i = 0; i < 1024; ++i) identity += perm(i) == i;
  EXPECT_LT(identity, 30);
}

TEST(PermutationTest, LargeSizesStayInRange) {
  for (uint64_t n : {(1ull << 40) + 3, (1ull << 63) + 5, ~0ull}) {
    Permutation perm(n, 9);
    for (uint64_t i : std::vector<uint64_t>{0, 1, n / 2, n - 1}) EXPECT_LT(perm(i), n);
  }
}

TEST(ShardTest, ShardsAreDisjointAndComplete) {
  for (uint64_t n : {1ull, 2ull, 3ull, 10ull, 1000ull, 65536ull}) {
    for (uint32_t count : {1u, 2u, 3u, 7u, 16u}) {
      Permutation perm(n, 11);
      std::vector<int> hits(n, 0);
      uint64_t sum = 0;
      for (uint32_t index = 0; index < count; ++index) {
        Shard shard{index, count};
        uint64_t size = ShardSize(n, shard);
        sum += size;
        for (uint64_t k = 0; k < size; ++k) {
          uint64_t position = ShardPosition(k, shard);
          ASSERT_LT(position, n);
          ++hits[perm(position)];
        }
      }
      EXPECT_EQ(sum, n);
      for (uint64_t v = 0; v < n; ++v) ASSERT_EQ(hits[v], 1) << "n=" << n << " count=" << count;
    }
  }
}

TEST(ShardTest, ParsesOneBasedIOfN) {
  auto s = ParseShard("2/4");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->index, 1u);
  EXPECT_EQ(s->count, 4u);
  EXPECT_EQ(FormatShard(*s), "2/4");
  EXPECT_EQ(FormatShard(Shard{}), "");
  for (const char* bad : {"0/4", "5/4", "1/0", "1", "a/b", "1/4x", "-1/4", "/4", "1/"}) {
    auto r = ParseShard(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message().find(bad), std::string::npos);
  }
}

}  // namespace
}  // namespace ciiscope::scanner
