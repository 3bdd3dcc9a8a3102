// Robustness: every capture under the shared corpus (about 200 of them
// crafted to break parsers) goes through the reader, decoder and extractor.
// Run in the ASan+UBSan build too. Files are read in place, never copied.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <filesystem>
#include <string>
#include <thread>

#include <unistd.h>

#include "scanner/passive/capture_file.h"
#include "test_sink.h"

namespace ciiscope::scanner::passive {
namespace {

namespace fs = std::filesystem;

TEST(PassiveCorpusTest, EveryCaptureDecodesWithoutCrashOrHang) {
  // $CIISCOPE_PCAP_CORPUS overrides the shared folder (e.g. from a git worktree).
  const char* env = std::getenv("CIISCOPE_PCAP_CORPUS");
  const fs::path root = env != nullptr && *env != '\0'
                            ? fs::path(env)
                            : fs::path(CIISCOPE_SHARED_DIR) / "corpora" / "pcap";
  if (!fs::is_directory(root)) GTEST_SKIP() << "no corpus at " << root;
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    const auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".pcap" || ext == ".pcapng" || ext == ".cap")) {
      files.push_back(e.path());
    }
  }
  ASSERT_GT(files.size(), 100u);
  size_t opened = 0, packets = 0;
  for (const auto& f : files) {
    scanner::testing::MemorySink sink;
    std::atomic<bool> stop{false};
    // Bounded in time: a watchdog sets `stop` after 20 s, and the run must
    // end well before that.
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    std::thread watchdog([&] {
      std::unique_lock lock(mu);
      if (!cv.wait_for(lock, std::chrono::seconds(20), [&] { return done; })) stop = true;
    });
    PassiveOptions opts;
    opts.flow_memory_cap = 1u << 20;
    const auto start = std::chrono::steady_clock::now();
    auto run = AnalyzeCaptureFiles({f.string()}, opts, sink, stop);
    {
      std::lock_guard lock(mu);
      done = true;
    }
    cv.notify_one();
    watchdog.join();
    const auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(secs, 10.0) << f;
    if (run) {
      ++opened;
      packets += run->stats.packets;
      EXPECT_FALSE(run->interrupted) << f;
      for (const auto& o : sink.All()) {
        EXPECT_FALSE(o.address.empty()) << f;
        EXPECT_FALSE(o.data_json.empty()) << f;
      }
    } else {
      EXPECT_NE(run.error().message().find(f.filename().string()), std::string::npos);
    }
  }
  std::printf("corpus: %zu files, %zu opened, %zu packets\n", files.size(), opened, packets);
  EXPECT_GT(opened, files.size() / 2);
  EXPECT_GT(packets, 1000u);
}

TEST(PassiveCorpusTest, CaptureTimesAreClampedNotOverflowed) {
  EXPECT_EQ(CaptureTimeMicros(timeval{1700000000, 250}), 1700000000000250);
  EXPECT_EQ(CaptureTimeMicros(timeval{-5, -1}), 0);
  EXPECT_EQ(CaptureTimeMicros(timeval{17799612968125, 5000000}), 253402300799999999);
}

TEST(PassiveCorpusTest, PcapngWithA64BitTimestampIsRead) {
  // SHB, an Ethernet IDB, and one EPB whose timestamp is 2^64-1 microseconds
  // (found by the fuzzer: seconds * 10^6 overflowed int64).
  std::string b;
  auto u32 = [&](uint32_t v) { b.append(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](uint16_t v) { b.append(reinterpret_cast<const char*>(&v), 2); };
  u32(0x0A0D0D0A); u32(28); u32(0x1A2B3C4D); u16(1); u16(0); u32(0xFFFFFFFF); u32(0xFFFFFFFF); u32(28);
  u32(1); u32(20); u16(1); u16(0); u32(65535); u32(20);
  u32(6); u32(48); u32(0); u32(0xFFFFFFFF); u32(0xFFFFFFFF); u32(14); u32(14);
  b.append(16, '\x01');
  u32(48);
  const fs::path path = fs::temp_directory_path() /
                        ("cs-ts-" + std::to_string(::getpid()) + ".pcapng");
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(b.data(), 1, b.size(), f);
    std::fclose(f);
  }
  scanner::testing::MemorySink sink;
  std::atomic<bool> stop{false};
  auto run = AnalyzeCaptureFiles({path.string()}, PassiveOptions{}, sink, stop);
  fs::remove(path);
  ASSERT_TRUE(run) << run.error().message();
  EXPECT_EQ(run->stats.packets, 1u);
}

}  // namespace
}  // namespace ciiscope::scanner::passive
