// StoreSink: concurrent Record() from scanner threads.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "inventory/store/store.h"
#include "store_test_util.h"

namespace ciiscope::inventory {
namespace {

using testing::Obs;
using testing::OpenOrDie;
using testing::RawDb;
using testing::TempDir;

TEST(StoreSinkTest, FourThreadsRecordEverything) {
  TempDir dir;
  const std::string path = dir.File("sink.db");
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  const int64_t scan = testing::NewScan(*store);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 1500;
  {
    StoreSink sink(*store, scan, 64);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&sink, t] {
        for (int i = 0; i < kPerThread; ++i) {
          // Threads overlap on addresses and ports, so upserts race.
          std::string address = "10.0." + std::to_string(i % 7) + "." + std::to_string(i % 50);
          uint16_t port = static_cast<uint16_t>(i % 2 == 0 ? 80 : 8000 + t);
          Observation obs = Obs(address, port, i % 3 == 0 ? "port_state" : "banner",
                                i % 3 == 0 ? "open" : "", 1000 + i);
          obs.raw = std::string("t") + std::to_string(t) + '\0' + std::to_string(i);
          sink.Record(std::move(obs));
        }
      });
    }
    for (auto& thread : threads) thread.join();
    sink.Flush();
    ASSERT_TRUE(sink.status()) << sink.status().error().message();
    EXPECT_EQ(sink.recorded(), static_cast<uint64_t>(kThreads * kPerThread));
  }
  // Every banner is kept; a port's state is recorded once per scan (the
  // same open port seen again adds no row).
  int64_t banners = 0;
  std::set<std::pair<std::string, uint16_t>> states;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      if (i % 3 != 0) {
        ++banners;
        continue;
      }
      states.emplace("10.0." + std::to_string(i % 7) + "." + std::to_string(i % 50),
                     static_cast<uint16_t>(i % 2 == 0 ? 80 : 8000 + t));
    }
  }
  RawDb raw(path);
  EXPECT_EQ(raw.Int("SELECT COUNT(*) FROM evidence WHERE kind = 'banner'"), banners);
  EXPECT_EQ(raw.Int("SELECT COUNT(*) FROM evidence WHERE kind = 'port_state'"),
            static_cast<int64_t>(states.size()));
  EXPECT_EQ(raw.Int("SELECT COUNT(DISTINCT raw) FROM evidence"), raw.Int("SELECT COUNT(*) FROM evidence"));
  EXPECT_EQ(raw.Int("SELECT COUNT(*) FROM assets"), 350);  // (i % 7, i % 50): lcm 350
  // No duplicate services despite the races: unique (asset, transport, port).
  EXPECT_EQ(raw.Int("SELECT COUNT(*) FROM (SELECT asset_id, transport, port FROM services "
                    "GROUP BY asset_id, transport, port HAVING COUNT(*) > 1)"),
            0);
}

TEST(StoreSinkTest, DestructorFlushesAndBadObservationsKeepFirstError) {
  TempDir dir;
  const std::string path = dir.File("sink2.db");
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  const int64_t scan = testing::NewScan(*store);
  {
    StoreSink sink(*store, scan, 1000);
    sink.Record(Obs("10.9.9.9", 22, "port_state", "open"));
    sink.Record(Obs("", 22, "banner"));           // first error
    sink.Record(Obs("10.9.9.9", 0, ""));          // second error, not kept
    sink.Record(Obs("10.9.9.9", 22, "banner"));
    ASSERT_FALSE(sink.status());
    EXPECT_EQ(sink.status().error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(sink.status().error().message().find("address"), std::string::npos);
    EXPECT_EQ(sink.recorded(), 0u);  // still pending
  }
  RawDb raw(path);
  EXPECT_EQ(raw.Int("SELECT COUNT(*) FROM evidence"), 2);
}

TEST(StoreSinkTest, WriteErrorsAreKeptAndLaterBatchesStillTried) {
  TempDir dir;
  const std::string path = dir.File("sink3.db");
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  StoreSink sink(*store, /*scan_id=*/31337, 1);  // no such scan: foreign key fails
  sink.Record(Obs("10.1.1.1", 80, "banner"));
  sink.Record(Obs("10.1.1.2", 80, "banner"));
  ASSERT_FALSE(sink.status());
  EXPECT_EQ(sink.status().error().code(), ErrorCode::kDatabase);
  EXPECT_EQ(sink.recorded(), 0u);
}

}  // namespace
}  // namespace ciiscope::inventory
