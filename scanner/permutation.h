#pragma once
// The order of a sweep: a seedable pseudo-random permutation of [0, n) with
// O(1) memory and random access, so (address, port) pairs are visited spread
// over hosts and subnets, a scan can be split into disjoint shards, and a
// stopped scan can resume from a position.
//
// Construction: a balanced 4-round Feistel network over the smallest even
// bit width 2h with 2^(2h) >= n, with round keys derived from the seed, and
// cycle-walking (apply again until the value is < n). The Feistel network
// is a bijection of [0, 2^(2h)), so cycle-walking restricted to [0, n) is a
// bijection of [0, n); since 2^(2h) < 4n, a lookup takes < 4 rounds of the
// network on average. Pure and thread-safe (const).

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace ciiscope::scanner {

class Permutation {
 public:
  Permutation(uint64_t size, uint64_t seed);

  uint64_t size() const { return size_; }
  // The index-th element; index must be < size(). Equal seeds and sizes
  // give equal orders on every machine.
  uint64_t operator()(uint64_t index) const;

 private:
  uint64_t Feistel(uint64_t x) const;

  uint64_t size_;
  int half_bits_ = 0;
  uint64_t mask_ = 0;
  uint64_t keys_[4] = {};
};

// Shard `index` of `count` (0-based index): the permutation positions
// p with p % count == index. Shards 0..count-1 are disjoint and together
// cover [0, n).
struct Shard {
  uint32_t index = 0;
  uint32_t count = 1;
};

// "I/N" as the operator writes it, 1-based: "1/4" … "4/4" (Shard index 0..3).
// Error: "bad --shard '0/4' (expected I/N with 1 <= I <= N, e.g. 1/4)".
Result<Shard> ParseShard(std::string_view text);
std::string FormatShard(const Shard& shard);  // "1/4", "" for 1/1

// Number of positions of [0, n) that belong to the shard.
uint64_t ShardSize(uint64_t n, const Shard& shard);
// The k-th position of the shard (k < ShardSize).
inline uint64_t ShardPosition(uint64_t k, const Shard& shard) {
  return shard.index + k * shard.count;
}

}  // namespace ciiscope::scanner
