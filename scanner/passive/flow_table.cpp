#include "scanner/passive/flow_table.h"

#include <cstring>
#include <new>

namespace ciiscope::scanner::passive {
namespace {

bool EndpointLess(const IpAddr& x, uint16_t px, const IpAddr& y, uint16_t py) {
  if (x.version != y.version) return x.version < y.version;
  const int c = std::memcmp(x.bytes.data(), y.bytes.data(), x.bytes.size());
  if (c != 0) return c < 0;
  return px < py;
}

// The slot, its index entry (at load ≤ 1/2: two) and the free-list entry.
constexpr size_t kEntryOverhead = sizeof(Flow) + 2 * (sizeof(FlowKey) + 8) + 4;

}  // namespace

size_t FlowKeyHash::operator()(const FlowKey& k) const noexcept {
  IpAddrHash h;
  uint64_t v = h(k.a) * 31 + h(k.b);
  v ^= (uint64_t{k.port_a} << 24) ^ (uint64_t{k.port_b} << 8) ^ k.protocol;
  v *= 0x9E3779B97F4A7C15ull;
  return static_cast<size_t>(v ^ (v >> 29));
}

FlowKey MakeFlowKey(const DecodedPacket& p, bool* from_a) {
  FlowKey k;
  k.protocol = p.protocol;
  if (EndpointLess(p.dst, p.dst_port, p.src, p.src_port)) {
    k.a = p.dst;
    k.port_a = p.dst_port;
    k.b = p.src;
    k.port_b = p.src_port;
    *from_a = false;
  } else {
    k.a = p.src;
    k.port_a = p.src_port;
    k.b = p.dst;
    k.port_b = p.dst_port;
    *from_a = true;
  }
  return k;
}

size_t FlowFootprint(const Flow& f) {
  return kEntryOverhead + f.dir[0].buf.capacity() + f.dir[1].buf.capacity() +
         (f.app ? 1024 : 0);
}

FlowTable::FlowTable(size_t memory_cap, FinishFn on_finish)
    : cap_(memory_cap), on_finish_(std::move(on_finish)) {}

void FlowTable::Unlink(Flow& f) {
  if (f.newer != kNil) slots_[f.newer].older = f.older;
  else newest_ = f.older;
  if (f.older != kNil) slots_[f.older].newer = f.newer;
  else oldest_ = f.newer;
}

void FlowTable::LinkNewest(Flow& f) {
  f.newer = kNil;
  f.older = newest_;
  if (newest_ != kNil) slots_[newest_].newer = f.slot;
  newest_ = f.slot;
  if (oldest_ == kNil) oldest_ = f.slot;
}

Flow& FlowTable::Touch(const FlowKey& key, bool* created) {
  if (const uint32_t* slot = index_.Find(key)) {
    *created = false;
    Flow& f = slots_[*slot];
    if (newest_ != f.slot) {
      Unlink(f);
      LinkNewest(f);
    }
    return f;
  }
  *created = true;
  ++created_;
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Flow& f = slots_[slot];
  f.key = key;
  f.slot = slot;
  LinkNewest(f);
  index_.Insert(key, slot);
  f.accounted = FlowFootprint(f);
  memory_ += f.accounted;
  if (index_.size() > peak_flows_) peak_flows_ = index_.size();
  EvictWhileOver(&f);
  return f;
}

void FlowTable::Recharge(Flow& flow) {
  const size_t now = FlowFootprint(flow);
  memory_ = memory_ - flow.accounted + now;
  flow.accounted = now;
  EvictWhileOver(&flow);
}

void FlowTable::Remove(Flow& f, bool evicted) {
  on_finish_(f, evicted);
  memory_ -= f.accounted;
  index_.Erase(f.key);
  Unlink(f);
  const uint32_t slot = f.slot;
  // A fresh flow in the slot: buffers and app state are freed now.
  f.~Flow();
  new (&f) Flow();
  free_.push_back(slot);
}

void FlowTable::Close(Flow& flow) {
  const uint32_t* slot = index_.Find(flow.key);
  if (slot == nullptr || &slots_[*slot] != &flow) return;
  Remove(flow, false);
}

void FlowTable::EvictWhileOver(const Flow* keep) {
  while (memory_ > cap_ && oldest_ != kNil) {
    Flow& victim = slots_[oldest_];
    if (&victim == keep) break;
    Remove(victim, true);
    ++evicted_;
  }
}

void FlowTable::FinishAll() {
  // Oldest first, so evidence comes out in the order flows began.
  while (oldest_ != kNil) Remove(slots_[oldest_], false);
  memory_ = 0;
}

std::string_view AppendSegment(Stream& s, uint32_t seq, std::span<const std::byte> payload,
                               size_t cap) {
  if (s.done || payload.empty()) return {};
  if (!s.seq_known) {
    s.next_seq = seq;
    s.seq_known = true;
  }
  const auto diff = static_cast<int32_t>(seq - s.next_seq);
  if (diff > 0) {  // a hole: bytes are missing, stop collecting this direction
    s.done = true;
    return {};
  }
  const size_t skip = static_cast<size_t>(-static_cast<int64_t>(diff));
  if (skip >= payload.size()) return {};  // a retransmission
  payload = payload.subspan(skip);
  s.next_seq += static_cast<uint32_t>(payload.size());
  const size_t room = cap > s.buf.size() ? cap - s.buf.size() : 0;
  const size_t n = payload.size() < room ? payload.size() : room;
  const size_t before = s.buf.size();
  s.buf.append(reinterpret_cast<const char*>(payload.data()), n);
  return std::string_view(s.buf).substr(before);
}

}  // namespace ciiscope::scanner::passive
