#pragma once
// FlatIndex: Key → uint32_t in one array (open addressing, linear probing,
// power-of-two size, backward-shift deletion, load ≤ 1/2). The passive
// engine's per-packet lookups (flows, hosts, seen facts) were node-based
// std::unordered_maps: a 64-bit division and a pointer chase (a cache miss)
// per lookup and a malloc per entry. Here a lookup is a mask and, mostly,
// one cache line. Grows, never shrinks (the callers' caps bound it).

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace ciiscope::scanner::passive {

template <class Key, class Hash>
class FlatIndex {
 public:
  explicit FlatIndex(size_t initial = 1024) { Reset(RoundUp(initial)); }

  // The value of `key`, nullptr if absent. Valid until the next insert or erase.
  uint32_t* Find(const Key& key) {
    const uint32_t tag = TagOf(Hash{}(key));
    for (size_t i = tag & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.tag == 0) return nullptr;
      if (s.tag == tag && s.key == key) return &s.value;
    }
  }

  // Inserts key → value unless present; returns the stored value's address
  // and whether it was inserted.
  std::pair<uint32_t*, bool> Insert(const Key& key, uint32_t value) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    const uint32_t tag = TagOf(Hash{}(key));
    for (size_t i = tag & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.tag == 0) {
        s.tag = tag;
        s.key = key;
        s.value = value;
        ++size_;
        return {&s.value, true};
      }
      if (s.tag == tag && s.key == key) return {&s.value, false};
    }
  }

  bool Erase(const Key& key) {
    const uint32_t tag = TagOf(Hash{}(key));
    size_t i = tag & mask_;
    for (;; i = (i + 1) & mask_) {
      if (slots_[i].tag == 0) return false;
      if (slots_[i].tag == tag && slots_[i].key == key) break;
    }
    // Backward shift: pull later members of the probe run into the hole.
    for (size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      Slot& s = slots_[j];
      if (s.tag == 0) break;
      const size_t home = s.tag & mask_;
      // s may move to i if i lies cyclically in [home, j).
      if (((j - home) & mask_) >= ((j - i) & mask_)) {
        slots_[i] = s;
        i = j;
      }
    }
    slots_[i].tag = 0;
    --size_;
    return true;
  }

  size_t size() const { return size_; }
  // Bytes held by the array.
  size_t memory() const { return slots_.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    Key key{};
    uint32_t value = 0;
    uint32_t tag = 0;  // 0 = empty
  };

  // High hash bits, never 0; the low bits of the tag pick the home slot.
  static uint32_t TagOf(size_t h) {
    const uint64_t x = static_cast<uint64_t>(h) * 0x9E3779B97F4A7C15ull;
    const auto t = static_cast<uint32_t>(x >> 32);
    return t == 0 ? 1 : t;
  }
  static size_t RoundUp(size_t n) {
    size_t p = 16;
    while (p < n) p <<= 1;
    return p;
  }
  void Reset(size_t n) {
    slots_.assign(n, Slot{});
    mask_ = n - 1;
    size_ = 0;
  }
  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    Reset(old.size() * 2);
    for (const Slot& s : old) {
      if (s.tag == 0) continue;
      for (size_t i = s.tag & mask_;; i = (i + 1) & mask_) {
        if (slots_[i].tag == 0) {
          slots_[i] = s;
          break;
        }
      }
      ++size_;
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace ciiscope::scanner::passive
