#include "scanner/syn_engine.h"

#include <linux/if_packet.h>
#include <poll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/strand.hpp>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <spdlog/spdlog.h>
#include <thread>
#include <unordered_map>

#include "scanner/evidence.h"
#include "scanner/probes/probe.h"
#include "scanner/syn/afpacket.h"
#include "scanner/syn/privileges.h"
#include "scanner/syn/syn_io.h"
#include "scanner/syn/syn_packet.h"
#include "scanner/rate_gate.h"

namespace ciiscope::scanner {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kBatch = 64;
constexpr milliseconds kPollInterval{50};
constexpr milliseconds kProgressInterval{250};
constexpr milliseconds kStopGrace{800};

int64_t ElapsedMs(Clock::time_point since) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - since).count();
}

struct SynSweep {
  const std::vector<Target>& targets;
  const ScanOptions& options;
  inventory::EvidenceSink& sink;
  const std::atomic<bool>& stop;
  Permutation order;
  uint64_t total = 0;
  uint64_t start = 0;  // first position of this run (resume)
  std::vector<uint32_t> dst, src;  // IPv4 targets (0 for IPv6 ones)
  std::unordered_map<uint32_t, uint32_t> target_of;
  std::vector<syn::Ip6> dst6, src6;  // IPv6 targets (zero for IPv4 ones)
  std::map<syn::Ip6, uint32_t> target_of6;
  // --send afpacket: the packet sockets (one per next hop) and, per target,
  // the one it goes through (-1: the raw socket).
  struct PacketLink {
    int fd = -1;
    int ifindex = 0;
    syn::Mac src{}, dst{};
  };
  std::vector<PacketLink> links;
  std::vector<int32_t> link_of;
  std::vector<int32_t> port_index = std::vector<int32_t>(65536, -1);
  std::vector<std::atomic<uint64_t>> answered;
  std::unique_ptr<std::atomic<bool>[]> host_seen;
  syn::SipKey key{};
  uint16_t sport = 0;
  std::atomic<uint64_t> open{0}, closed{0};  // include a resumed run's
  uint64_t answered_before = 0;              // open + closed of the resumed run
  std::atomic<uint64_t> sent_first_pass{0};  // positions of pass 1 sent (absolute)
  std::atomic<bool> sweep_done{false};
  Clock::time_point started = Clock::now();
  std::mutex open_mu;
  std::vector<uint64_t> open_pairs;  // guarded by open_mu

  SynSweep(const std::vector<Target>& t, const ScanOptions& o, inventory::EvidenceSink& s,
           const std::atomic<bool>& st)
      : targets(t), options(o), sink(s), stop(st),
        order(static_cast<uint64_t>(t.size()) * o.ports.size(), o.seed),
        total(ShardSize(static_cast<uint64_t>(t.size()) * o.ports.size(), o.shard)),
        answered((static_cast<uint64_t>(t.size()) * o.ports.size() + 63) / 64),
        host_seen(new std::atomic<bool>[t.size()]) {
    for (size_t i = 0; i < t.size(); ++i) host_seen[i] = false;
    const auto& ports = o.ports.ports();
    for (size_t i = 0; i < ports.size(); ++i) port_index[ports[i]] = static_cast<int32_t>(i);
  }

  // Pairs answered in this run.
  uint64_t AnsweredHere() const { return open.load() + closed.load() - answered_before; }

  bool Answered(uint64_t pair) const {
    return (answered[pair / 64].load(std::memory_order_relaxed) >> (pair % 64)) & 1;
  }
  // True when this call set the bit.
  bool MarkAnswered(uint64_t pair) {
    uint64_t bit = uint64_t{1} << (pair % 64);
    return (answered[pair / 64].fetch_or(bit, std::memory_order_relaxed) & bit) == 0;
  }

  void OnReply(const syn::TcpReply& r) {
    if (r.dport != sport) return;
    int32_t pi = port_index[r.sport];
    if (pi < 0) return;
    uint32_t ti;
    uint32_t cookie;
    if (r.v6) {
      auto it = target_of6.find(r.src6);
      if (it == target_of6.end()) return;
      ti = it->second;
      if (r.dst6 != src6[ti]) return;
      cookie = syn::Cookie6(key, src6[ti], dst6[ti], sport, r.sport);
    } else {
      auto it = target_of.find(r.src);
      if (it == target_of.end()) return;
      ti = it->second;
      if (r.dst != src[ti]) return;
      cookie = syn::Cookie(key, src[ti], dst[ti], sport, r.sport);
    }
    if (r.ack != cookie + 1) return;
    bool is_open = r.syn && r.ack_flag && !r.rst;
    if (!is_open && !r.rst) return;
    uint64_t pair = uint64_t{ti} * options.ports.size() + static_cast<uint64_t>(pi);
    if (!MarkAnswered(pair)) return;
    if (!host_seen[ti].exchange(true)) {
      auto obs = MakeObservation(targets[ti], 0, "host_up");
      obs.data_json = is_open ? R"({"reason":"syn-ack"})" : R"({"reason":"reset"})";
      sink.Record(std::move(obs));
    }
    if (!is_open) {
      closed.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    open.fetch_add(1, std::memory_order_relaxed);
    auto obs = MakeObservation(targets[ti], r.sport, "port_state");
    obs.state = "open";
    obs.data_json = R"({"state":"open","reason":"syn-ack"})";
    sink.Record(std::move(obs));
    std::lock_guard lock(open_mu);
    open_pairs.push_back(pair);
  }
};

struct Capture {
  syn::PcapHandle handle;
  int linktype = 0;
};

void Receive(SynSweep& sweep, std::vector<Capture>& captures, const std::atomic<bool>& receiving) {
  std::vector<pollfd> fds;
  for (auto& c : captures) fds.push_back({pcap_get_selectable_fd(c.handle.get()), POLLIN, 0});
  auto callback = [](u_char* user, const pcap_pkthdr* h, const u_char* bytes) {
    auto* ctx = reinterpret_cast<std::pair<SynSweep*, int>*>(user);
    auto reply = syn::ParseTcpReply(
        ctx->second, std::span<const std::byte>(reinterpret_cast<const std::byte*>(bytes), h->caplen));
    if (reply) ctx->first->OnReply(*reply);
  };
  while (receiving.load()) {
    ::poll(fds.data(), fds.size(), 20);
    for (auto& c : captures) {
      std::pair<SynSweep*, int> ctx{&sweep, c.linktype};
      while (pcap_dispatch(c.handle.get(), 1024, callback, reinterpret_cast<u_char*>(&ctx)) > 0) {
      }
    }
  }
}

// Sends every unanswered position of the shard (from `first`), options.retries
// + 1 times, waiting connect_timeout after each pass. Paced by a RateGate:
// positions whose unit is out of tokens are parked (at most kMaxParked) and
// sent when it has tokens again, always before the pass ends.
// One socket's batch of SYNs for sendmmsg.
struct Batch {
  int fd = -1;
  std::vector<std::array<std::byte, syn::kSyn6PacketSize>> packets =
      std::vector<std::array<std::byte, syn::kSyn6PacketSize>>(kBatch);
  std::vector<sockaddr_storage> addrs = std::vector<sockaddr_storage>(kBatch);
  std::vector<iovec> iovs = std::vector<iovec>(kBatch);
  std::vector<mmsghdr> msgs = std::vector<mmsghdr>(kBatch);
  size_t n = 0;

  void Flush(const std::atomic<bool>& stop) {
    size_t sent = 0;
    while (sent < n && !stop.load(std::memory_order_relaxed)) {
      int rc = ::sendmmsg(fd, msgs.data() + sent, static_cast<unsigned>(n - sent), 0);
      if (rc > 0) {
        sent += static_cast<size_t>(rc);
      } else if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      } else {
        ++sent;  // this packet cannot be sent (no route, …): it stays unanswered
      }
    }
    n = 0;
  }
  // The next packet's slot: its bytes, to be filled, and its address.
  std::byte* Add(size_t size, sockaddr_storage** addr) {
    iovs[n] = {packets[n].data(), size};
    msgs[n] = mmsghdr{};
    addrs[n] = sockaddr_storage{};
    *addr = &addrs[n];
    msgs[n].msg_hdr.msg_name = &addrs[n];
    msgs[n].msg_hdr.msg_iov = &iovs[n];
    msgs[n].msg_hdr.msg_iovlen = 1;
    return packets[n].data();
  }
  // After Add: the packet is complete; true when the batch is full.
  bool Commit(socklen_t addr_len) {
    msgs[n].msg_hdr.msg_namelen = addr_len;
    return ++n == kBatch;
  }
};

void Send(SynSweep& sweep, int raw4, int raw6) {
  constexpr size_t kMaxParked = 1 << 16;
  const auto& opts = sweep.options;
  const auto& ports = opts.ports.ports();
  RateGate gate(opts.rate, opts.unit_rates, 1.0, Clock::now());
  DeferredProbes parked;
  Batch b4, b6;
  b4.fd = raw4;
  b6.fd = raw6;
  std::vector<Batch> bl(sweep.links.size());
  for (size_t i = 0; i < bl.size(); ++i) bl[i].fd = sweep.links[i].fd;
  uint16_t ip_id = 1;
  auto flush = [&] {
    b4.Flush(sweep.stop);
    b6.Flush(sweep.stop);
    for (auto& b : bl) b.Flush(sweep.stop);
  };
  auto pair_at = [&](uint64_t k) { return sweep.order(ShardPosition(k, opts.shard)); };
  auto unit_of = [&](uint64_t pair) -> int32_t {
    if (!gate.any_unit_limited()) return -1;
    return opts.target_unit[static_cast<size_t>(pair / ports.size())];
  };
  // Queues position k's probe (its tokens already taken).
  auto queue = [&](uint64_t k) {
    uint64_t pair = pair_at(k);
    size_t ti = static_cast<size_t>(pair / ports.size());
    uint16_t port = ports[pair % ports.size()];
    sockaddr_storage* addr = nullptr;
    if (sweep.targets[ti].address.is_v6()) {
      const syn::Ip6 &src = sweep.src6[ti], &dst = sweep.dst6[ti];
      std::byte* p = b6.Add(syn::kSyn6PacketSize, &addr);
      uint32_t seq = syn::Cookie6(sweep.key, src, dst, sweep.sport, port);
      syn::BuildSyn6(std::span<std::byte, syn::kSyn6PacketSize>(p, syn::kSyn6PacketSize), src, dst,
                     sweep.sport, port, seq);
      auto* a6 = reinterpret_cast<sockaddr_in6*>(addr);
      a6->sin6_family = AF_INET6;
      std::memcpy(&a6->sin6_addr, dst.data(), 16);
      if (b6.Commit(sizeof(sockaddr_in6))) b6.Flush(sweep.stop);
    } else if (int32_t l = sweep.link_of.empty() ? -1 : sweep.link_of[ti]; l >= 0) {
      const auto& link = sweep.links[static_cast<size_t>(l)];
      Batch& b = bl[static_cast<size_t>(l)];
      std::byte* p = b.Add(syn::kEthernetHeader + syn::kSynPacketSize, &addr);
      syn::WriteEthernetHeader(reinterpret_cast<uint8_t*>(p), link.dst, link.src);
      uint32_t seq = syn::Cookie(sweep.key, sweep.src[ti], sweep.dst[ti], sweep.sport, port);
      syn::BuildSyn(std::span<std::byte, syn::kSynPacketSize>(p + syn::kEthernetHeader, syn::kSynPacketSize),
                    sweep.src[ti], sweep.dst[ti], sweep.sport, port, seq, ip_id++);
      auto* ll = reinterpret_cast<sockaddr_ll*>(addr);
      ll->sll_family = AF_PACKET;
      ll->sll_ifindex = link.ifindex;
      ll->sll_protocol = htons(0x0800);
      ll->sll_halen = 6;
      std::memcpy(ll->sll_addr, link.dst.data(), 6);
      if (b.Commit(sizeof(sockaddr_ll))) b.Flush(sweep.stop);
    } else {
      std::byte* p = b4.Add(syn::kSynPacketSize, &addr);
      uint32_t seq = syn::Cookie(sweep.key, sweep.src[ti], sweep.dst[ti], sweep.sport, port);
      syn::BuildSyn(std::span<std::byte, syn::kSynPacketSize>(p, syn::kSynPacketSize), sweep.src[ti],
                    sweep.dst[ti], sweep.sport, port, seq, ip_id++);
      auto* a4 = reinterpret_cast<sockaddr_in*>(addr);
      a4->sin_family = AF_INET;
      a4->sin_addr.s_addr = htonl(sweep.dst[ti]);
      if (b4.Commit(sizeof(sockaddr_in))) b4.Flush(sweep.stop);
    }
  };
  // Sleeps until the gate may let something through (flushing first).
  auto pause = [&](Clock::duration wait) {
    flush();
    std::this_thread::sleep_for(std::clamp(wait, Clock::duration(std::chrono::microseconds(50)),
                                           Clock::duration(milliseconds(20))));
  };
  for (int pass = 0; pass <= opts.retries && !sweep.stop.load(); ++pass) {
    uint64_t queued = 0;
    uint64_t since_mark = 0;
    for (uint64_t k = sweep.start; k < sweep.total; ++k) {
      const uint64_t pair = pair_at(k);
      if (pass > 0 && sweep.Answered(pair)) continue;
      const int32_t unit = unit_of(pair);
      ++queued;
      while (true) {
        auto now = Clock::now();
        if (!parked.empty()) parked.Release(gate, now, queue);
        if (gate.TryTake(unit, now)) {
          queue(k);
          break;
        }
        if (gate.GlobalReady(now) && parked.size() < kMaxParked) {
          parked.Push(unit, k);
          break;
        }
        pause(gate.GlobalReady(now) ? parked.Wait(gate, now) : gate.Wait(-1, now));
        if (sweep.stop.load()) return;
      }
      if (++since_mark == kBatch) {  // everything up to k is sent or parked
        since_mark = 0;
        flush();
        if (pass == 0) sweep.sent_first_pass.store(std::min(k + 1, parked.Min().value_or(k + 1)));
        if (sweep.stop.load(std::memory_order_relaxed)) return;
      }
    }
    while (!parked.empty()) {
      auto now = Clock::now();
      parked.Release(gate, now, queue);
      if (!parked.empty()) pause(parked.Wait(gate, now));
      if (sweep.stop.load()) return;
    }
    flush();
    if (pass == 0) sweep.sent_first_pass.store(sweep.total);
    spdlog::debug("syn engine: pass {} sent {} probe(s) at {} ms, {} answered so far", pass, queued,
                  ElapsedMs(sweep.started), sweep.AnsweredHere());
    // Everything answered: no retransmission, no more waiting.
    if (pass > 0 && queued == 0) break;
    // Wait for late replies up to connect_timeout, but no longer than until
    // every pair of this run has answered: nothing more can arrive then
    // (a stateless scanner that always waits out its timeout spends most of
    // a fast local sweep idle).
    const uint64_t expected = sweep.total - sweep.start;
    auto until = Clock::now() + opts.connect_timeout;
    while (Clock::now() < until && !sweep.stop.load() && sweep.AnsweredHere() < expected) {
      std::this_thread::sleep_for(milliseconds(1));
    }
    spdlog::debug("syn engine: pass {} waited until {} ms, {} of {} answered", pass, ElapsedMs(sweep.started),
                  sweep.AnsweredHere(), expected);
    if (sweep.AnsweredHere() >= expected) break;
  }
}

asio::awaitable<void> ProbeWorker(SynSweep& sweep, const ProbeRegistry& probes, std::atomic<size_t>& next) {
  const auto& ports = sweep.options.ports.ports();
  while (!sweep.stop.load()) {
    size_t i = next.fetch_add(1);
    uint64_t pair;
    {
      std::lock_guard lock(sweep.open_mu);
      if (i >= sweep.open_pairs.size()) co_return;
      pair = sweep.open_pairs[i];
    }
    ProbeContext ctx;
    ctx.target = sweep.targets[static_cast<size_t>(pair / ports.size())];
    ctx.port = ports[pair % ports.size()];
    ctx.deadline = Clock::now() + sweep.options.service_timeout;
    ctx.banner_cap = sweep.options.banner_cap;
    ctx.body_cap = sweep.options.body_cap;
    ctx.stop = &sweep.stop;
    ctx.sink = &sweep.sink;
    if (!sweep.options.http_collect.empty()) ctx.http_collect = &sweep.options.http_collect;
    try {
      co_await ProbeService(probes, ctx);
    } catch (const std::exception& e) {
      spdlog::error("service probes {}:{}: {}", ctx.target.address.ToString(), ctx.port, e.what());
    }
  }
}

// --send afpacket, before the privileges go: one packet socket per
// (Ethernet device, next hop) of the IPv4 targets. Returns the next hop
// index of every target (-1: raw socket) and the next hops' addresses.
struct PacketPlan {
  std::vector<int32_t> hop_of;
  std::vector<uint32_t> hop_addr;
  std::vector<std::string> hop_device;
};

Result<PacketPlan> OpenPacketLinks(SynSweep& sweep) {
  PacketPlan plan;
  plan.hop_of.assign(sweep.targets.size(), -1);
  const auto routes = syn::ParseRouteTable(syn::ReadProcFile("/proc/net/route"));
  std::map<std::pair<std::string, uint32_t>, int32_t> hops;
  std::map<std::string, std::optional<syn::Link>> devices;
  for (size_t i = 0; i < sweep.targets.size(); ++i) {
    if (!sweep.targets[i].address.is_v4()) continue;
    auto hop = syn::LookupRoute(routes, sweep.dst[i]);
    if (!hop) continue;
    auto dev = devices.find(hop->device);
    if (dev == devices.end()) {
      auto link = syn::LinkOf(hop->device);
      std::optional<syn::Link> usable;
      if (link && link->ethernet) usable = *link;
      dev = devices.emplace(hop->device, usable).first;
    }
    if (!dev->second) continue;  // loopback, tunnels, …: the raw socket
    auto [it, fresh] = hops.emplace(std::pair{hop->device, hop->addr}, static_cast<int32_t>(sweep.links.size()));
    if (fresh) {
      CII_ASSIGN_OR_RETURN(int fd, syn::OpenPacketSender(dev->second->ifindex));
      sweep.links.push_back({fd, dev->second->ifindex, dev->second->mac, {}});
      plan.hop_addr.push_back(hop->addr);
      plan.hop_device.push_back(hop->device);
    }
    plan.hop_of[i] = it->second;
  }
  return plan;
}

// After the drop: the next hops' MACs from the neighbour table. A next hop
// the kernel has not resolved gets one real probe (the first port of its
// first target) through the raw socket, which makes the kernel resolve it;
// the table is read again for up to a second. Targets behind next hops still
// unresolved keep the raw socket.
void ResolvePacketLinks(SynSweep& sweep, const PacketPlan& plan, int raw4) {
  if (sweep.links.empty()) return;
  const auto& ports = sweep.options.ports.ports();
  std::vector<bool> known(sweep.links.size(), false);
  auto read_table = [&] {
    std::string table = syn::ReadProcFile("/proc/net/arp");
    size_t missing = 0;
    for (size_t h = 0; h < sweep.links.size(); ++h) {
      if (known[h]) continue;
      if (auto mac = syn::ParseArpTable(table, plan.hop_addr[h], plan.hop_device[h])) {
        sweep.links[h].dst = *mac;
        known[h] = true;
      } else {
        ++missing;
      }
    }
    return missing;
  };
  if (read_table() > 0 && raw4 >= 0) {
    std::vector<bool> nudged(sweep.links.size(), false);
    for (size_t i = 0; i < plan.hop_of.size(); ++i) {
      int32_t h = plan.hop_of[i];
      if (h < 0 || known[static_cast<size_t>(h)] || nudged[static_cast<size_t>(h)]) continue;
      nudged[static_cast<size_t>(h)] = true;
      std::array<std::byte, syn::kSynPacketSize> pkt{};
      uint32_t seq = syn::Cookie(sweep.key, sweep.src[i], sweep.dst[i], sweep.sport, ports[0]);
      syn::BuildSyn(pkt, sweep.src[i], sweep.dst[i], sweep.sport, ports[0], seq, 0);
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_addr.s_addr = htonl(sweep.dst[i]);
      (void)::sendto(raw4, pkt.data(), pkt.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
    }
    auto until = Clock::now() + std::chrono::seconds(1);
    while (read_table() > 0 && Clock::now() < until && !sweep.stop.load()) {
      std::this_thread::sleep_for(milliseconds(20));
    }
  }
  sweep.link_of.assign(plan.hop_of.size(), -1);
  size_t through = 0;
  for (size_t i = 0; i < plan.hop_of.size(); ++i) {
    int32_t h = plan.hop_of[i];
    if (h >= 0 && known[static_cast<size_t>(h)]) {
      sweep.link_of[i] = h;
      ++through;
    }
  }
  for (size_t h = 0; h < known.size(); ++h) {
    if (!known[h]) spdlog::warn("syn engine: next hop on {} not resolved; its targets use the raw socket", plan.hop_device[h]);
  }
  spdlog::info("syn engine: {} of {} target(s) sent through AF_PACKET ({} next hop(s))", through,
               sweep.targets.size(), sweep.links.size());
}

class SynEngine : public ScanEngine {
 public:
  std::string_view name() const override { return "syn"; }
  std::string_view description() const override {
    return "TCP SYN (half-open) sweep: raw socket + libpcap, stateless cookies, needs root or CAP_NET_RAW";
  }

  Result<ScanStats> Run(const std::vector<Target>& targets, const ScanOptions& options,
                        inventory::EvidenceSink& sink, const std::atomic<bool>& stop,
                        const std::function<void(const ScanProgress&)>& progress) override {
    CII_RETURN_IF_ERROR(ValidateScanOptions(options));
    CII_RETURN_IF_ERROR(ValidateUnitRates(options.target_unit, options.unit_rates, targets.size()));
    auto started = Clock::now();
    SynSweep sweep(targets, options, sink, stop);
    // Routes and interfaces first (no privilege needed), then the handles.
    std::vector<std::string> devices;
    sweep.dst.reserve(targets.size());
    sweep.src.reserve(targets.size());
    bool any_v4 = false, any_v6 = false;
    auto add_device = [&](const std::string& dev) {
      if (std::find(devices.begin(), devices.end(), dev) == devices.end()) devices.push_back(dev);
    };
    for (size_t i = 0; i < targets.size(); ++i) {
      if (targets[i].address.is_v6()) {
        if (!any_v6) {
          sweep.dst6.resize(targets.size());
          sweep.src6.resize(targets.size());
        }
        any_v6 = true;
        const syn::Ip6& d = targets[i].address.bytes();
        CII_ASSIGN_OR_RETURN(syn::Ip6 s, syn::SourceFor6(d));
        sweep.dst.push_back(0);
        sweep.src.push_back(0);
        sweep.dst6[i] = d;
        sweep.src6[i] = s;
        sweep.target_of6.emplace(d, static_cast<uint32_t>(i));
        if (i == 0 || s != sweep.src6[i - 1]) {
          CII_ASSIGN_OR_RETURN(std::string dev, syn::InterfaceOf6(s));
          add_device(dev);
        }
        continue;
      }
      any_v4 = true;
      uint32_t d = targets[i].address.v4();
      CII_ASSIGN_OR_RETURN(uint32_t s, syn::SourceFor(d));
      sweep.dst.push_back(d);
      sweep.src.push_back(s);
      sweep.target_of.emplace(d, static_cast<uint32_t>(i));
      if (i == 0 || s != sweep.src[i - 1]) {
        CII_ASSIGN_OR_RETURN(std::string dev, syn::InterfaceOf(s));
        add_device(dev);
      }
    }
    std::random_device rd;
    sweep.key = {(uint64_t{rd()} << 32) | rd(), (uint64_t{rd()} << 32) | rd()};
    sweep.sport = static_cast<uint16_t>(40000 + rd() % 20000);

    struct FdCloser {
      int fd = -1;
      ~FdCloser() {
        if (fd >= 0) ::close(fd);
      }
    } raw4, raw6;
    if (any_v4) {
      CII_ASSIGN_OR_RETURN(raw4.fd, syn::OpenRawSocket());
    }
    if (any_v6) {
      CII_ASSIGN_OR_RETURN(raw6.fd, syn::OpenRawSocket6());
    }
    std::vector<Capture> captures;
    for (const auto& dev : devices) {
      CII_ASSIGN_OR_RETURN(auto handle, syn::OpenCapture(dev, sweep.sport));
      int linktype = pcap_datalink(handle.get());
      captures.push_back({std::move(handle), linktype});
    }
    if (options.send != "raw" && options.send != "afpacket" && options.send != "auto") {
      return Error(ErrorCode::kInvalidArgument, "--send must be raw, afpacket or auto (got '" + options.send + "')");
    }
    struct LinkCloser {
      std::vector<SynSweep::PacketLink>& links;
      ~LinkCloser() {
        for (auto& l : links) ::close(l.fd);
      }
    } link_closer{sweep.links};
    PacketPlan packet_plan;
    // auto = raw: in bench/scan the packet socket was not consistently
    // faster on veth (1.12x and 0.99x in two runs), and it bypasses the
    // host's netfilter rules, which a user may not expect.
    if (options.send == "afpacket" && any_v4) {
      CII_ASSIGN_OR_RETURN(packet_plan, OpenPacketLinks(sweep));
    }
    syn::DropTarget drop = syn::ChooseDropTarget();
    CII_RETURN_IF_ERROR(syn::DropPrivileges(drop));
    ResolvePacketLinks(sweep, packet_plan, raw4.fd);
    std::string device_list;
    for (const auto& d : devices) device_list += (device_list.empty() ? "" : ",") + d;
    spdlog::info("syn engine: raw socket and capture on {} open; now running as {}", device_list,
                 drop.who);

    if (options.resume) {
      sweep.start = std::min(options.resume->next, sweep.total);
      sweep.open = options.resume->open;
      sweep.closed = options.resume->closed;
      sweep.answered_before = options.resume->open + options.resume->closed;
    }
    sweep.sent_first_pass = sweep.start;
    const uint64_t resumed_done = sweep.start;

    // Positions of the first pass sent connect_timeout ago are finished.
    std::deque<std::pair<Clock::time_point, uint64_t>> samples;
    uint64_t last_safe = sweep.start;
    auto finished = [&](Clock::time_point now) -> uint64_t {
      if (sweep.sweep_done.load()) return sweep.total;
      samples.emplace_back(now, sweep.sent_first_pass.load());
      while (!samples.empty() && samples.front().first + options.connect_timeout <= now) {
        last_safe = std::max(last_safe, samples.front().second);
        samples.pop_front();
      }
      return last_safe;
    };
    auto checkpoint_of = [&](uint64_t next) {
      SweepCheckpoint cp;
      cp.next = next;
      cp.done = next;
      cp.open = sweep.open.load();
      cp.closed = sweep.closed.load();
      uint64_t answered = cp.open + cp.closed;
      cp.filtered = cp.done > answered ? cp.done - answered : 0;
      return cp;
    };
    auto report = [&](uint64_t done) {
      if (!progress) return;
      ScanProgress p;
      p.done = done;
      p.total = sweep.total;
      p.open = sweep.open.load();
      double seconds = std::chrono::duration<double>(Clock::now() - started).count();
      p.rate = seconds > 0 ? static_cast<double>(done - resumed_done) / seconds : 0;
      progress(p);
    };

    std::atomic<bool> receiving{true};
    std::thread receiver([&] { Receive(sweep, captures, receiving); });
    std::thread sender([&] {
      Send(sweep, raw4.fd, raw6.fd);
      if (!stop.load()) sweep.sweep_done = true;
    });
    auto last_report = Clock::now();
    auto last_checkpoint = last_report;
    while (!sweep.sweep_done.load() && !stop.load()) {
      std::this_thread::sleep_for(kPollInterval);
      auto now = Clock::now();
      uint64_t next = finished(now);
      if (now - last_report >= kProgressInterval) {
        report(std::max(next, sweep.sent_first_pass.load()));
        last_report = now;
      }
      if (options.checkpoint && now - last_checkpoint >= options.checkpoint_interval) {
        SweepCheckpoint cp = checkpoint_of(next);
        sink.Flush();
        options.checkpoint(cp);
        last_checkpoint = now;
      }
    }
    sender.join();
    receiving = false;
    receiver.join();
    captures.clear();
    const bool interrupted = stop.load();
    uint64_t next = interrupted ? finished(Clock::now()) : sweep.total;

    if (!interrupted && options.service_probes && !sweep.open_pairs.empty()) {
      RunProbes(sweep, options, stop);
    }
    SweepCheckpoint final_cp = checkpoint_of(next);
    report(next);
    sink.Flush();
    if (options.checkpoint) options.checkpoint(final_cp);

    ScanStats stats;
    stats.open = final_cp.open;
    stats.closed = final_cp.closed;
    stats.filtered = final_cp.filtered;
    stats.attempted = stats.open + stats.closed + stats.filtered;
    stats.interrupted = interrupted || stop.load();
    stats.duration_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - started).count();
    return stats;
  }

 private:
  static void RunProbes(SynSweep& sweep, const ScanOptions& options, const std::atomic<bool>& stop) {
    ProbeRegistry probes;
    RegisterBuiltinProbes(probes);
    asio::io_context io(1);
    std::atomic<size_t> next{0};
    size_t workers = std::min<size_t>(static_cast<size_t>(std::max(1, options.concurrency)),
                                      sweep.open_pairs.size());
    for (size_t w = 0; w < workers; ++w) {
      asio::co_spawn(asio::make_strand(io), ProbeWorker(sweep, probes, next), asio::detached);
    }
    std::atomic<bool> finished{false};
    std::thread runner([&] {
      io.run();
      finished = true;
    });
    std::optional<Clock::time_point> stop_seen;
    while (!finished.load()) {
      std::this_thread::sleep_for(kPollInterval);
      if (!stop_seen && stop.load()) stop_seen = Clock::now();
      if (stop_seen && Clock::now() - *stop_seen > kStopGrace) io.stop();
    }
    runner.join();
  }
};

}  // namespace

std::unique_ptr<ScanEngine> MakeSynEngine() { return std::make_unique<SynEngine>(); }

}  // namespace ciiscope::scanner
