#pragma once
// The TCP/UDP flow table: one entry per 5-tuple (both directions), in-order
// payload reassembly per direction up to a byte cap, and a memory cap
// enforced by evicting the least recently used flow. Not thread-safe: one
// analyzer thread owns it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "scanner/passive/flat_index.h"
#include "scanner/passive/packet_decoder.h"

namespace ciiscope::scanner::passive {

struct FlowKey {
  IpAddr a, b;  // normalized: (a, port_a) <= (b, port_b)
  uint16_t port_a = 0, port_b = 0;
  uint8_t protocol = 0;
  bool operator==(const FlowKey&) const = default;
};

struct FlowKeyHash {
  size_t operator()(const FlowKey& k) const noexcept;
};

// Builds the normalized key; `*from_a` says whether src is side a.
FlowKey MakeFlowKey(const DecodedPacket& p, bool* from_a);

enum class StreamProto : uint8_t { kUnknown, kNone, kTlsClient, kTlsServer, kHttpRequest,
                                   kHttpResponse, kSsh };

// One direction of a TCP conversation.
struct Stream {
  uint32_t next_seq = 0;
  bool seq_known = false;
  bool done = false;    // nothing more is collected (parsed, capped, gap or not interesting)
  bool parsed = false;  // the analyzer has finished with this direction
  bool fin = false;
  StreamProto proto = StreamProto::kUnknown;
  std::string buf;  // in-order bytes, at most the per-direction cap
};

struct AppState;  // what the analyzer extracted so far (passive_analyzer.cpp)
struct AppStateDeleter {
  void operator()(AppState* state) const;  // defined with AppState
};

struct Flow {
  FlowKey key;
  // Side a is the client (SYN sender). Meaningful when role_known.
  bool client_is_a = true;
  bool role_known = false;
  bool syn_ack_seen = false;
  std::array<Stream, 2> dir;  // [0] a→b, [1] b→a
  std::unique_ptr<AppState, AppStateDeleter> app;
  void* host[2] = {nullptr, nullptr};  // the analyzer's per-source host entries (not owned)
  int64_t first_ms = 0, last_ms = 0;
  size_t accounted = 0;  // bytes charged to the table's memory budget
  // The table's bookkeeping: slot number and LRU neighbours (slot numbers).
  uint32_t slot = 0, newer = 0, older = 0;
};

class FlowTable {
 public:
  using FinishFn = std::function<void(Flow&, bool evicted)>;

  // `memory_cap`: approximate bytes for entries and buffers together.
  // `on_finish` is called for every flow leaving the table (closed, evicted
  // or at FinishAll) before it is destroyed.
  FlowTable(size_t memory_cap, FinishFn on_finish);

  // The flow for this key, created (and the LRU trimmed) if new; moved to
  // the front of the LRU. `*created` tells which.
  Flow& Touch(const FlowKey& key, bool* created);
  // Re-charges the flow's buffers to the budget after they changed, then
  // evicts least recently used flows (never `flow` itself) while over the cap.
  void Recharge(Flow& flow);
  // Finishes and removes the flow.
  void Close(Flow& flow);
  void FinishAll();

  size_t size() const { return index_.size(); }
  size_t memory() const { return memory_; }
  uint64_t created() const { return created_; }
  uint64_t evicted() const { return evicted_; }
  size_t peak_flows() const { return peak_flows_; }

 private:
  static constexpr uint32_t kNil = UINT32_MAX;
  void EvictWhileOver(const Flow* keep);
  void Unlink(Flow& f);
  void LinkNewest(Flow& f);
  // Finishes the flow (on_finish), forgets it and recycles its slot.
  void Remove(Flow& f, bool evicted);

  size_t cap_;
  FinishFn on_finish_;
  // Flows live in slots_ (a deque: addresses stay put while it grows);
  // free slots are reused, so no allocation per flow once warm. The LRU is
  // a list threaded through the flows by slot number.
  std::deque<Flow> slots_;
  std::vector<uint32_t> free_;
  uint32_t newest_ = kNil, oldest_ = kNil;
  FlatIndex<FlowKey, FlowKeyHash> index_;
  size_t memory_ = 0;
  uint64_t created_ = 0, evicted_ = 0;
  size_t peak_flows_ = 0;
};

// Bytes a flow costs: the entry, its index slot and its buffers.
size_t FlowFootprint(const Flow& flow);

// Appends the segment to the stream in order (RFC 793 arithmetic, wrap-safe).
// Bytes already seen are skipped, a gap ends collection (done = true), and
// at most `cap` bytes are kept. Returns the bytes newly appended to `buf`
// (a view into it), empty when nothing was added.
std::string_view AppendSegment(Stream& s, uint32_t seq, std::span<const std::byte> payload,
                               size_t cap);

}  // namespace ciiscope::scanner::passive
