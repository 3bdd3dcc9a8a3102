#include "scanner/permutation.h"

#include <charconv>

namespace ciiscope::scanner {
namespace {

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

int BitWidth(uint64_t x) {
  int bits = 0;
  while (x != 0) {
    ++bits;
    x >>= 1;
  }
  return bits;
}

}  // namespace

Permutation::Permutation(uint64_t size, uint64_t seed) : size_(size) {
  int bits = size > 1 ? BitWidth(size - 1) : 0;
  half_bits_ = (bits + 1) / 2;
  mask_ = half_bits_ == 0 ? 0 : (half_bits_ >= 64 ? ~0ull : (1ull << half_bits_) - 1);
  uint64_t state = SplitMix64(seed ^ 0xC11C0FEEull);
  for (auto& key : keys_) {
    state = SplitMix64(state);
    key = state;
  }
}

uint64_t Permutation::Feistel(uint64_t x) const {
  uint64_t left = x >> half_bits_;
  uint64_t right = x & mask_;
  for (uint64_t key : keys_) {
    uint64_t next_right = left ^ (SplitMix64(right ^ key) & mask_);
    left = right;
    right = next_right;
  }
  return (left << half_bits_) | right;
}

uint64_t Permutation::operator()(uint64_t index) const {
  if (half_bits_ == 0) return index;
  uint64_t x = index;
  do {
    x = Feistel(x);
  } while (x >= size_);
  return x;
}

Result<Shard> ParseShard(std::string_view text) {
  auto bad = [&] {
    return Error(ErrorCode::kInvalidArgument,
                 "bad --shard '" + std::string(text) +
                     "' (expected I/N with 1 <= I <= N, e.g. 1/4)");
  };
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return bad();
  uint32_t i = 0, n = 0;
  auto a = std::from_chars(text.data(), text.data() + slash, i);
  auto b = std::from_chars(text.data() + slash + 1, text.data() + text.size(), n);
  if (a.ec != std::errc() || a.ptr != text.data() + slash || b.ec != std::errc() ||
      b.ptr != text.data() + text.size() || n == 0 || i == 0 || i > n) {
    return bad();
  }
  return Shard{i - 1, n};
}

std::string FormatShard(const Shard& shard) {
  if (shard.count <= 1) return "";
  return std::to_string(shard.index + 1) + "/" + std::to_string(shard.count);
}

uint64_t ShardSize(uint64_t n, const Shard& shard) {
  if (shard.count == 0 || shard.index >= n) return 0;
  return (n - shard.index + shard.count - 1) / shard.count;
}

}  // namespace ciiscope::scanner
