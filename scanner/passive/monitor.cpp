#include "scanner/passive/monitor.h"

#include <netinet/in.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace ciiscope::scanner::passive {
namespace {

using nlohmann::json;

core::IpAddress ToCore(const IpAddr& a) {
  if (a.version == 4) {
    return core::IpAddress::FromV4((uint32_t{a.bytes[0]} << 24) | (uint32_t{a.bytes[1]} << 16) |
                                   (uint32_t{a.bytes[2]} << 8) | a.bytes[3]);
  }
  return core::IpAddress::FromV6(a.bytes);
}

bool AddrLess(const IpAddr& x, const IpAddr& y) {
  return std::tie(x.version, x.bytes) < std::tie(y.version, y.bytes);
}

std::string ServiceKeyText(const std::string& address, const std::string& transport,
                           uint16_t port) {
  return address + "|" + transport + "|" + std::to_string(port);
}

}  // namespace

size_t Monitor::PairKeyHash::operator()(const PairKey& k) const noexcept {
  IpAddrHash h;
  return h(k.src) * 0x9E3779B97F4A7C15ull ^ h(k.dst);
}

Monitor::Monitor(MonitorConfig config, EmitFn emit)
    : config_(std::move(config)), emit_(std::move(emit)) {
  std::sort(config_.forbidden_tcp_ports.begin(), config_.forbidden_tcp_ports.end());
}

void Monitor::AddKnownService(const std::string& address, const std::string& transport,
                              uint16_t port) {
  known_services_.insert(ServiceKeyText(address, transport, port));
}

bool Monitor::Monitored(const IpAddr& addr) const {
  if (!addr.IsHostAddress()) return false;
  if (config_.ranges.empty()) return true;
  const core::IpAddress a = ToCore(addr);
  return std::any_of(config_.ranges.begin(), config_.ranges.end(),
                     [&](const core::Cidr& c) { return c.Contains(a); });
}

void Monitor::OnPacket(const DecodedPacket& p, int64_t ms) {
  if (!p.l4_ok || p.fragment) return;
  if (p.protocol == IPPROTO_TCP) {
    const uint8_t syn_ack = tcp_flags::kSyn | tcp_flags::kAck;
    if ((p.tcp_flags & syn_ack) == tcp_flags::kSyn) {
      Touch(p.src, p.dst, p.dst_port, "tcp", ms);
    } else if ((p.tcp_flags & syn_ack) == syn_ack) {
      OnAccepted(p.src, p.src_port, p.dst, ms);
    }
  } else if (p.protocol == IPPROTO_UDP) {
    if (p.dst_port < 1024 && p.src_port >= 1024) Touch(p.src, p.dst, p.dst_port, "udp", ms);
  } else if (p.protocol == IPPROTO_ICMP || p.protocol == IPPROTO_ICMPV6) {
    const bool echo = (p.protocol == IPPROTO_ICMP && p.icmp_type == 8) ||
                      (p.protocol == IPPROTO_ICMPV6 && p.icmp_type == 128);
    if (echo) Touch(p.src, p.dst, 0, "icmp", ms);
  }
}

template <typename Map>
bool Monitor::Room(Map& map, int64_t ms) {
  if (map.size() < config_.max_tracked) return true;
  // Full: forget windows that have ended, then give up if still full.
  std::erase_if(map, [&](const auto& kv) { return ms - kv.second.start > config_.window_ms; });
  return map.size() < config_.max_tracked;
}

void Monitor::Touch(const IpAddr& src, const IpAddr& dst, uint16_t port, const char* transport,
                    int64_t ms) {
  if (!src.IsHostAddress() || src == dst || !Monitored(dst)) return;
  // Ports of one target.
  if (port != 0) {
    auto it = pairs_.find(PairKey{src, dst});
    if (it == pairs_.end()) {
      if (!Room(pairs_, ms)) {
        ++stats_.untracked;
      } else {
        it = pairs_.emplace(PairKey{src, dst}, Window{}).first;
        it->second.start = it->second.first = ms;
      }
    }
    if (it != pairs_.end()) {
      Window& w = it->second;
      if (ms - w.start > config_.window_ms || ms < w.start) w = Window{ms, ms, {}, {}, 0, false};
      ++w.touches;
      if (!w.reported && std::find(w.ports.begin(), w.ports.end(), port) == w.ports.end()) {
        w.ports.push_back(port);
        if (w.ports.size() >= config_.port_threshold) {
          w.reported = true;
          std::vector<uint16_t> sorted = w.ports;
          std::sort(sorted.begin(), sorted.end());
          inventory::MonitorEvent e;
          e.time = ms;
          e.kind = "port-scan";
          e.source = src.ToString();
          e.target = dst.ToString();
          e.transport = transport;
          e.detail_json = json{{"ports", sorted.size()},
                               {"ports_seen", sorted},
                               {"touches", w.touches},
                               {"first_ms", w.first},
                               {"window_ms", config_.window_ms},
                               {"threshold", config_.port_threshold}}
                              .dump();
          Emit(std::move(e));
        }
      }
    }
  }
  // Targets of one source.
  auto it = sources_.find(src);
  if (it == sources_.end()) {
    if (!Room(sources_, ms)) {
      ++stats_.untracked;
      return;
    }
    it = sources_.emplace(src, Window{}).first;
    it->second.start = it->second.first = ms;
  }
  Window& w = it->second;
  if (ms - w.start > config_.window_ms || ms < w.start) w = Window{ms, ms, {}, {}, 0, false};
  ++w.touches;
  if (w.reported || std::find(w.targets.begin(), w.targets.end(), dst) != w.targets.end()) return;
  w.targets.push_back(dst);
  if (w.targets.size() < config_.host_threshold) return;
  w.reported = true;
  std::vector<IpAddr> sorted = w.targets;
  std::sort(sorted.begin(), sorted.end(), AddrLess);
  json sample = json::array();
  for (size_t i = 0; i < sorted.size() && i < 32; ++i) sample.push_back(sorted[i].ToString());
  inventory::MonitorEvent e;
  e.time = ms;
  e.kind = "host-sweep";
  e.source = src.ToString();
  e.target = sorted.front().ToString() + "-" + sorted.back().ToString();
  e.port = port;
  e.transport = transport;
  e.detail_json = json{{"hosts", sorted.size()},
                       {"hosts_seen", sample},
                       {"touches", w.touches},
                       {"first_ms", w.first},
                       {"window_ms", config_.window_ms},
                       {"threshold", config_.host_threshold}}
                      .dump();
  Emit(std::move(e));
}

bool Monitor::Remember(std::unordered_set<std::string>& set, std::string key) {
  if (set.count(key) != 0) return false;
  if (set.size() >= config_.max_tracked) {
    ++stats_.untracked;
    return false;
  }
  set.insert(std::move(key));
  return true;
}

void Monitor::OnAccepted(const IpAddr& server, uint16_t port, const IpAddr& client, int64_t ms) {
  if (!std::binary_search(config_.forbidden_tcp_ports.begin(), config_.forbidden_tcp_ports.end(),
                          port) ||
      !Monitored(server)) {
    return;
  }
  const std::string s = server.ToString(), c = client.ToString();
  if (!Remember(reported_, "f|" + c + "|" + s + "|" + std::to_string(port))) return;
  inventory::MonitorEvent e;
  e.time = ms;
  e.kind = "forbidden-port";
  e.source = c;
  e.target = s;
  e.port = port;
  e.transport = "tcp";
  e.detail_json =
      json{{"reason", "syn-ack-seen"}, {"policy", "port must be closed"}, {"client", c}}.dump();
  Emit(std::move(e));
}

void Monitor::OnService(const IpAddr& addr, uint8_t protocol, uint16_t port, const char* reason,
                        int64_t ms) {
  if (!config_.new_services || !Monitored(addr)) return;
  const std::string a = addr.ToString();
  const std::string transport = protocol == IPPROTO_TCP ? "tcp" : "udp";
  std::string key = ServiceKeyText(a, transport, port);
  if (known_services_.count(key) != 0) return;
  if (!Remember(reported_, "n|" + key)) return;
  inventory::MonitorEvent e;
  e.time = ms;
  e.kind = "new-service";
  e.source = a;
  e.target = a;
  e.port = port;
  e.transport = transport;
  e.detail_json = json{{"reason", reason}, {"known_services", known_services_.size()}}.dump();
  Emit(std::move(e));
}

void Monitor::Emit(inventory::MonitorEvent e) {
  ++stats_.events;
  emit_(std::move(e));
}

Result<std::vector<core::Cidr>> ParseRanges(const std::vector<std::string>& specs) {
  std::vector<core::Cidr> out;
  for (const auto& spec : specs) {
    size_t start = 0;
    while (start <= spec.size()) {
      const size_t comma = std::min(spec.find(',', start), spec.size());
      const std::string_view item = std::string_view(spec).substr(start, comma - start);
      if (!item.empty()) {
        auto c = core::Cidr::Parse(item);
        if (!c) {
          return Error(ErrorCode::kInvalidArgument,
                       "--monitor-range '" + std::string(item) + "': " + c.error().message());
        }
        out.push_back(*c);
      }
      start = comma + 1;
    }
  }
  return out;
}

}  // namespace ciiscope::scanner::passive
