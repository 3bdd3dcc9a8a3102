#include "scanner/passive/passive_analyzer.h"

#include <netinet/in.h>

#include <algorithm>
#include <tuple>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "scanner/passive/monitor.h"
#include "scanner/passive/tls_hello.h"
#include "scanner/probes/http/http_parser.h"
#include "scanner/probes/tls/cert_summary.h"

namespace ciiscope::scanner::passive {

struct AppState {
  bool has_client_hello = false;
  int client_hello_dir = -1;
  ClientHelloInfo client_hello;
  bool has_server_hello = false;
  int server_hello_dir = -1;
  ServerHelloInfo server_hello;
  bool has_request = false;
  int request_dir = -1;
  HttpRequestInfo request;
  std::unique_ptr<HttpResponseParser> response;
  int response_dir = -1;
  std::string ssh_banner;
  int ssh_dir = -1;
};

void AppStateDeleter::operator()(AppState* state) const { delete state; }

namespace {

using nlohmann::json;

const IpAddr& SrcOf(const Flow& f, int d) { return d == 0 ? f.key.a : f.key.b; }
uint16_t SrcPortOf(const Flow& f, int d) { return d == 0 ? f.key.port_a : f.key.port_b; }
// Direction d carries bytes from the server.
bool IsServerDir(const Flow& f, int d) { return (d == 0) != f.client_is_a; }

std::string MacString(const std::array<uint8_t, 6>& m) {
  char buf[18];
  std::snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
                m[5]);
  return buf;
}

std::span<const std::byte> Bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

bool IsPrefixOf(std::string_view have, std::string_view want) {
  return want.substr(0, have.size()) == have.substr(0, want.size());
}

StreamProto Classify(std::string_view buf, bool complete, bool* wait) {
  *wait = false;
  auto bytes = Bytes(buf);
  if (LooksLikeTlsHandshake(bytes)) {
    if (buf.size() < 6) {
      *wait = !complete;
      return StreamProto::kNone;
    }
    const auto type = static_cast<uint8_t>(buf[5]);
    if (type == 1) return StreamProto::kTlsClient;
    if (type == 2) return StreamProto::kTlsServer;
    return StreamProto::kNone;
  }
  if (buf.starts_with("HTTP/")) return StreamProto::kHttpResponse;
  if (buf.starts_with("SSH-")) return StreamProto::kSsh;
  if (LooksLikeHttpRequest(bytes)) return StreamProto::kHttpRequest;
  if (!complete && buf.size() < 8 &&
      (IsPrefixOf(buf, "HTTP/") || IsPrefixOf(buf, "SSH-") || IsPrefixOf(buf, "OPTIONS ") ||
       IsPrefixOf(buf, "CONNECT ") || IsPrefixOf(buf, "DELETE ") || IsPrefixOf(buf, "PATCH ") ||
       IsPrefixOf(buf, "POST ") || IsPrefixOf(buf, "HEAD ") || IsPrefixOf(buf, "GET ") ||
       IsPrefixOf(buf, "PUT ") || (buf.size() < 3 && IsPrefixOf(buf, "\x16\x03")))) {
    *wait = true;
  }
  return StreamProto::kNone;
}

// Hash of the facts an observation is built from, so repeats are dropped
// before any JSON is built (most flows repeat what earlier flows showed).
class FactHash {
 public:
  FactHash& Add(std::string_view s) {
    Mix(std::hash<std::string_view>{}(s) ^ s.size());
    return *this;
  }
  FactHash& Add(uint64_t v) {
    Mix(v);
    return *this;
  }
  FactHash& Add(const IpAddr& a) {
    Mix(IpAddrHash{}(a));
    return *this;
  }
  size_t value() const { return static_cast<size_t>(h_); }

 private:
  void Mix(uint64_t v) {
    h_ ^= v + 0x9E3779B97F4A7C15ull + (h_ << 6) + (h_ >> 2);
    h_ *= 0xBF58476D1CE4E5B9ull;
  }
  uint64_t h_ = 0x243F6A8885A308D3ull;
};

}  // namespace

std::string PassiveStatsJson(const PassiveStats& s) {
  return json{{"packets", s.packets},
              {"bytes", s.bytes},
              {"decode_errors", s.decode_errors},
              {"non_ip", s.non_ip},
              {"unsupported_link", s.unsupported_link},
              {"fragments", s.fragments},
              {"flows", s.flows},
              {"flows_evicted", s.flows_evicted},
              {"peak_flows", s.peak_flows},
              {"hosts", s.hosts},
              {"hosts_dropped", s.hosts_dropped},
              {"services", s.services},
              {"observations", s.observations},
              {"evidence_dropped", s.evidence_dropped},
              {"first_ms", s.first_ms},
              {"last_ms", s.last_ms}}
      .dump();
}

size_t PassiveAnalyzer::ServiceKeyHash::operator()(const ServiceKey& k) const noexcept {
  return IpAddrHash{}(k.addr) ^ (size_t{k.port} << 8) ^ k.protocol;
}

PassiveAnalyzer::PassiveAnalyzer(PassiveOptions options, inventory::EvidenceSink& sink)
    : options_(options),
      sink_(sink),
      flows_(options.flow_memory_cap, [this](Flow& f, bool evicted) { FinishFlow(f, evicted); }) {}

PassiveAnalyzer::~PassiveAnalyzer() = default;

void PassiveAnalyzer::OnPacket(int link_type, int64_t ts_us, std::span<const std::byte> frame) {
  ++stats_.packets;
  stats_.bytes += frame.size();
  const int64_t ms = ts_us / 1000;
  if (stats_.first_ms == 0 || ms < stats_.first_ms) stats_.first_ms = ms;
  if (ms > stats_.last_ms) stats_.last_ms = ms;
  DecodedPacket& p = packet_;
  DecodePacket(link_type, frame, p);
  switch (p.status) {
    case DecodeStatus::kOk: break;
    case DecodeStatus::kNotIp: ++stats_.non_ip; return;
    case DecodeStatus::kUnsupported: ++stats_.unsupported_link; return;
    case DecodeStatus::kTruncated:
    case DecodeStatus::kMalformed: ++stats_.decode_errors; break;
  }
  if (p.src.version == 0) return;
  // TCP packets count their host through the flow (cached host pointers).
  const bool tcp = !p.fragment && p.l4_ok && p.protocol == IPPROTO_TCP;
  if (!tcp) CountHost(HostFor(p.src, ms), p, ms);
  if (p.fragment) {
    ++stats_.fragments;
    return;
  }
  if (!p.l4_ok) return;
  if (monitor_ != nullptr) monitor_->OnPacket(p, ms);
  if (p.protocol == IPPROTO_TCP) OnTcp(p, ms);
  else if (p.protocol == IPPROTO_UDP) OnUdp(p, ms);
}

PassiveAnalyzer::HostInfo* PassiveAnalyzer::HostFor(const IpAddr& addr, int64_t ms) {
  if (!addr.IsHostAddress()) return nullptr;
  if (const uint32_t* i = host_index_.Find(addr)) return &hosts_[*i];
  if (hosts_.size() >= options_.max_hosts) return nullptr;
  host_index_.Insert(addr, static_cast<uint32_t>(hosts_.size()));
  HostInfo& h = hosts_.emplace_back();  // a deque: flows keep pointers
  h.addr = addr;
  h.first_ms = ms;
  return &h;
}

void PassiveAnalyzer::CountHost(HostInfo* h, const DecodedPacket& p, int64_t ms) {
  if (h == nullptr) {
    if (p.src.IsHostAddress()) ++stats_.hosts_dropped;
    return;
  }
  h->first_ms = std::min(h->first_ms, ms);
  h->last_ms = std::max(h->last_ms, ms);
  ++h->packets;
  h->bytes += p.ip_bytes;
  if (p.has_mac) {
    h->mac = p.src_mac;
    h->has_mac = true;
  }
}

void PassiveAnalyzer::AddService(const IpAddr& addr, uint8_t protocol, uint16_t port,
                                 const char* reason, int64_t ms) {
  if (!addr.IsHostAddress() || port == 0) return;
  const ServiceKey key{addr, protocol, port};
  auto [index, inserted] =
      service_index_.Insert(key, static_cast<uint32_t>(services_.size()));
  if (inserted) {
    services_.push_back(ServiceInfo{key, reason, ms});
    if (monitor_ != nullptr) monitor_->OnService(addr, protocol, port, reason, ms);
  } else {
    ServiceInfo& v = services_[*index];
    v.first_ms = std::min(v.first_ms, ms);
  }
}

void PassiveAnalyzer::OnTcp(const DecodedPacket& p, int64_t ms) {
  bool from_a = true;
  const FlowKey key = MakeFlowKey(p, &from_a);
  bool created = false;
  Flow& f = flows_.Touch(key, &created);
  const int d = from_a ? 0 : 1;
  if (f.host[d] == nullptr) f.host[d] = HostFor(p.src, ms);
  CountHost(static_cast<HostInfo*>(f.host[d]), p, ms);
  if (created) {
    f.first_ms = ms;
    // Until a handshake says otherwise, the lower port is the server's.
    f.client_is_a = f.key.port_a != f.key.port_b ? f.key.port_a > f.key.port_b : from_a;
  }
  f.last_ms = std::max(f.last_ms, ms);
  const uint8_t flags = p.tcp_flags;
  Stream& s = f.dir[d];
  if ((flags & tcp_flags::kSyn) != 0) {
    f.client_is_a = (flags & tcp_flags::kAck) == 0 ? from_a : !from_a;
    f.role_known = true;
    if (!s.seq_known || s.buf.empty()) {
      s.next_seq = p.seq + 1;
      s.seq_known = true;
    }
    if ((flags & tcp_flags::kAck) != 0) {
      f.syn_ack_seen = true;
      AddService(p.src, IPPROTO_TCP, p.src_port, "syn-ack-seen", ms);
    }
  }
  if ((flags & tcp_flags::kRst) != 0) {
    flows_.Close(f);
    return;
  }
  if (!p.payload.empty() && !s.done && (flags & tcp_flags::kSyn) == 0) {
    const std::string_view fresh = AppendSegment(s, p.seq, p.payload, options_.stream_cap);
    if (!fresh.empty() || s.done) OnStreamBytes(f, d, fresh, ms);
  }
  if ((flags & tcp_flags::kFin) != 0) {
    s.fin = true;
    if (!s.parsed) OnStreamBytes(f, d, {}, ms);
    if (f.dir[1 - d].fin) {
      flows_.Close(f);
      return;
    }
  }
  flows_.Recharge(f);
}

void PassiveAnalyzer::OnStreamBytes(Flow& f, int d, std::string_view fresh, int64_t ms) {
  Stream& s = f.dir[d];
  if (s.parsed) return;
  const bool complete = s.done || s.fin || s.buf.size() >= options_.stream_cap;
  auto finish = [&s] {
    s.done = true;
    s.parsed = true;
    std::string().swap(s.buf);
  };
  if (s.proto == StreamProto::kUnknown) {
    bool wait = false;
    const StreamProto proto = Classify(s.buf, complete, &wait);
    if (wait) return;
    s.proto = proto;
    if (proto == StreamProto::kNone) return finish();
    if (!f.app) f.app.reset(new AppState);
    fresh = s.buf;  // everything so far is new to the protocol parser
  }
  AppState& app = *f.app;
  const uint16_t port = SrcPortOf(f, d);
  switch (s.proto) {
    case StreamProto::kTlsClient: {
      const TlsParse r = ParseClientHello(Bytes(s.buf), app.client_hello);
      if (r == TlsParse::kDone) {
        app.has_client_hello = true;
        app.client_hello_dir = d;
      }
      if (r != TlsParse::kNeedMore || complete) finish();
      return;
    }
    case StreamProto::kTlsServer: {
      const TlsParse r = ParseServerHello(Bytes(s.buf), complete, app.server_hello);
      if (r == TlsParse::kDone) {
        app.has_server_hello = true;
        app.server_hello_dir = d;
        AddService(SrcOf(f, d), IPPROTO_TCP, port, "server-payload-seen", ms);
      }
      if (r != TlsParse::kNeedMore || complete) finish();
      return;
    }
    case StreamProto::kHttpRequest:
      if (ParseHttpRequest(s.buf, app.request)) {
        app.has_request = true;
        app.request_dir = d;
        return finish();
      }
      if (complete) finish();
      return;
    case StreamProto::kHttpResponse: {
      if (!app.response) {
        HttpParserLimits limits;
        limits.body_cap = options_.stream_cap;
        limits.max_header_bytes = options_.stream_cap;
        app.response = std::make_unique<HttpResponseParser>(limits);
        app.response_dir = d;
        AddService(SrcOf(f, d), IPPROTO_TCP, port, "server-payload-seen", ms);
      }
      bool more = fresh.empty() || app.response->Feed(fresh);
      s.buf.clear();  // the parser keeps what it needs, bounded by its limits
      if (more && (s.done || s.fin)) {
        app.response->FinishAtEof();
        more = false;
      }
      if (!more) finish();
      return;
    }
    case StreamProto::kSsh: {
      const std::string_view banner = SshBanner(s.buf);
      if (!banner.empty()) {
        if (IsServerDir(f, d)) {
          app.ssh_banner = std::string(banner);
          app.ssh_dir = d;
          AddService(SrcOf(f, d), IPPROTO_TCP, port, "server-payload-seen", ms);
        }
        return finish();
      }
      if (complete || s.buf.size() > 255) finish();
      return;
    }
    default:
      return finish();
  }
}

void PassiveAnalyzer::FinishFlow(Flow& f, bool evicted) {
  if (evicted) ++stats_.flows_evicted;
  for (int d = 0; d < 2; ++d) {
    if (!f.dir[d].parsed && f.dir[d].proto != StreamProto::kUnknown) {
      f.dir[d].done = true;
      OnStreamBytes(f, d, {}, f.last_ms);
    } else if (!f.dir[d].parsed && !f.dir[d].buf.empty()) {
      f.dir[d].done = true;
      OnStreamBytes(f, d, {}, f.last_ms);
    }
  }
  if (!f.app) return;
  const AppState& app = *f.app;
  if (app.has_client_hello || app.has_server_hello) EmitTls(f);
  if (app.has_request || app.response) EmitHttp(f);
  if (!app.ssh_banner.empty()) EmitSsh(f);
}

void PassiveAnalyzer::EmitTls(const Flow& f) {
  const AppState& app = *f.app;
  const int sd = app.has_server_hello ? app.server_hello_dir : 1 - app.client_hello_dir;
  FactHash fh;
  fh.Add("tls").Add(SrcOf(f, sd)).Add(SrcPortOf(f, sd));
  if (app.has_server_hello) {
    const ServerHelloInfo& sh = app.server_hello;
    fh.Add(1).Add(sh.version).Add(sh.cipher).Add(sh.ja3s).Add(sh.cert_der);
  }
  if (app.has_client_hello) fh.Add(2).Add(app.client_hello.sni).Add(app.client_hello.ja3);
  if (!IsNew(fh.value())) return;
  inventory::Observation obs;
  obs.address = SrcOf(f, sd).ToString();
  obs.transport = "tcp";
  obs.port = SrcPortOf(f, sd);
  obs.kind = "tls";
  obs.time = f.last_ms;
  json j = {{"passive", true}};
  if (app.has_server_hello) {
    const ServerHelloInfo& sh = app.server_hello;
    j["version"] = TlsVersionName(sh.version);
    j["cipher"] = TlsCipherName(sh.cipher);
    j["ja3s"] = sh.ja3s;
    j["ja3s_md5"] = sh.ja3s_md5;
    if (!sh.cert_der.empty()) {
      auto summary = SummarizeCertificateDer(Bytes(sh.cert_der), f.last_ms);
      if (summary) {
        j["cert"] = json::parse(CertSummaryJson(*summary), nullptr, false);
      } else {
        j["cert_error"] = summary.error().message();
      }
    }
  }
  if (app.has_client_hello) {
    const ClientHelloInfo& ch = app.client_hello;
    j["sni"] = SafeText(ch.sni, 255);
    j["ja3"] = ch.ja3;
    j["ja3_md5"] = ch.ja3_md5;
  }
  if (!app.has_server_hello) j["reason"] = "client-hello-only";
  obs.data_json = j.dump();
  Emit(std::move(obs));
}

void PassiveAnalyzer::EmitHttp(const Flow& f) {
  const AppState& app = *f.app;
  const int sd = app.response ? app.response_dir : 1 - app.request_dir;
  FactHash fh;
  fh.Add("http").Add(SrcOf(f, sd)).Add(SrcPortOf(f, sd));
  if (app.has_request) {
    const HttpRequestInfo& q = app.request;
    fh.Add(1).Add(q.method).Add(q.uri).Add(q.host).Add(q.user_agent);
  }
  if (app.response) {
    const HttpResponse& r = app.response->response();
    fh.Add(2).Add(static_cast<uint64_t>(r.status)).Add(r.reason).Add(r.body);
    fh.Add(r.body_bytes).Add(r.truncated ? 1 : 0);
    for (const char* name : {"server", "content-type", "x-powered-by", "location"}) {
      const std::string* v = r.Header(name);
      fh.Add(v ? std::string_view(*v) : std::string_view("\x01none"));
    }
  }
  if (!IsNew(fh.value())) return;
  inventory::Observation obs;
  obs.address = SrcOf(f, sd).ToString();
  obs.transport = "tcp";
  obs.port = SrcPortOf(f, sd);
  obs.kind = "http";
  obs.time = f.last_ms;
  json j = {{"passive", true}, {"scheme", "http"}};
  if (app.has_request) {
    const std::string host = app.request.host.empty() ? obs.address : app.request.host;
    j["url"] = "http://" + host + app.request.uri;
    j["method"] = app.request.method;
    j["host"] = app.request.host;
    j["user_agent"] = app.request.user_agent;
    obs.hostname = app.request.host.substr(0, app.request.host.find(':'));
  }
  if (app.response) {
    const HttpResponse& r = app.response->response();
    if (r.status != 0) {
      j["status"] = r.status;
      j["reason"] = SafeText(r.reason, 128);
      json headers = json::object();
      for (const char* name : {"server", "content-type", "x-powered-by", "location"}) {
        if (const std::string* v = r.Header(name)) headers[name] = SafeText(*v, 512);
      }
      j["headers"] = headers;
      const std::string title = ExtractHtmlTitle(r.body);
      if (!title.empty()) j["title"] = title;
      j["body_bytes"] = r.body_bytes;
      j["truncated"] = r.truncated;
    }
  }
  obs.data_json = j.dump();
  Emit(std::move(obs));
}

void PassiveAnalyzer::EmitSsh(const Flow& f) {
  const AppState& app = *f.app;
  const IpAddr& server = SrcOf(f, app.ssh_dir);
  const uint16_t port = SrcPortOf(f, app.ssh_dir);
  if (!IsNew(FactHash().Add("banner").Add(server).Add(port).Add(app.ssh_banner).value())) return;
  inventory::Observation obs;
  obs.address = server.ToString();
  obs.transport = "tcp";
  obs.port = port;
  obs.kind = "banner";
  obs.time = f.last_ms;
  obs.data_json = json{{"text", SafeText(app.ssh_banner, 255)},
                       {"bytes", app.ssh_banner.size()},
                       {"truncated", false},
                       {"timed_out", false},
                       {"protocol", "ssh"},
                       {"passive", true}}
                      .dump();
  Emit(std::move(obs));
}

void PassiveAnalyzer::OnUdp(const DecodedPacket& p, int64_t ms) {
  if ((p.src_port == 53 || p.src_port == 5353) && !p.payload.empty()) {
    dns_answers_.clear();
    if (ParseDnsAnswers(p.payload, dns_answers_)) {
      if (p.src_port == 53) AddService(p.src, IPPROTO_UDP, 53, "dns-response-seen", ms);
      std::string server;
      for (const DnsAnswer& a : dns_answers_) {
        if (!a.address.IsHostAddress()) continue;
        if (!IsNew(FactHash().Add("dns").Add(a.address).Add(a.name).Add(p.src).value())) continue;
        if (server.empty()) server = p.src.ToString();
        inventory::Observation obs;
        obs.address = a.address.ToString();
        obs.hostname = SafeText(a.name, 255);
        obs.kind = "dns";
        obs.time = ms;
        obs.data_json = json{{"name", obs.hostname},
                             {"type", a.address.version == 4 ? "A" : "AAAA"},
                             {"address", obs.address},
                             {"server", server},
                             {"passive", true}}
                            .dump();
        Emit(std::move(obs));
      }
    }
    return;
  }
  if ((p.src_port == 67 || p.src_port == 68) && (p.dst_port == 67 || p.dst_port == 68)) {
    DhcpInfo info;
    if (!ParseDhcp(p.payload, info) || info.hostname.empty() || info.client.version == 0) return;
    FactHash fh;
    fh.Add("dhcp").Add(info.client).Add(info.hostname).Add(info.message_type);
    fh.Add(std::string_view(reinterpret_cast<const char*>(info.mac.data()), info.mac.size()));
    if (!IsNew(fh.value())) return;
    inventory::Observation obs;
    obs.address = info.client.ToString();
    obs.hostname = info.hostname;
    obs.kind = "dhcp";
    obs.time = ms;
    obs.data_json = json{{"hostname", info.hostname},
                         {"mac", MacString(info.mac)},
                         {"message_type", info.message_type},
                         {"passive", true}}
                        .dump();
    Emit(std::move(obs));
  }
}

bool PassiveAnalyzer::IsNew(size_t fact_hash) {
  if (seen_evidence_.Find(fact_hash) != nullptr) return false;
  if (seen_evidence_.size() >= options_.max_evidence) {
    ++stats_.evidence_dropped;
    return false;
  }
  seen_evidence_.Insert(fact_hash, 0);
  return true;
}

void PassiveAnalyzer::Emit(inventory::Observation obs) {
  ++stats_.observations;
  sink_.Record(std::move(obs));
}

void PassiveAnalyzer::Finish() {
  if (finished_) return;
  finished_ = true;
  flows_.FinishAll();
  stats_.flows = flows_.created();
  stats_.peak_flows = flows_.peak_flows();

  std::vector<const HostInfo*> hosts;
  hosts.reserve(hosts_.size());
  for (const HostInfo& info : hosts_) hosts.push_back(&info);
  auto addr_less = [](const IpAddr& x, const IpAddr& y) {
    return std::tie(x.version, x.bytes) < std::tie(y.version, y.bytes);
  };
  std::sort(hosts.begin(), hosts.end(),
            [&](const HostInfo* x, const HostInfo* y) { return addr_less(x->addr, y->addr); });
  for (const HostInfo* h : hosts) {
    inventory::Observation obs;
    obs.address = h->addr.ToString();
    obs.kind = "host_up";
    obs.time = h->last_ms;
    json j = {{"reason", "passive"},          {"passive", true},
              {"first_seen", h->first_ms},    {"last_seen", h->last_ms},
              {"packets", h->packets},        {"bytes", h->bytes}};
    if (h->has_mac) j["mac"] = MacString(h->mac);
    obs.data_json = j.dump();
    ++stats_.observations;
    sink_.Record(std::move(obs));
  }
  stats_.hosts = hosts_.size();

  std::sort(services_.begin(), services_.end(), [&](const ServiceInfo& x, const ServiceInfo& y) {
    if (!(x.key.addr == y.key.addr)) return addr_less(x.key.addr, y.key.addr);
    return std::tie(x.key.protocol, x.key.port) < std::tie(y.key.protocol, y.key.port);
  });
  for (const ServiceInfo& service : services_) {
    const ServiceKey& k = service.key;
    const ServiceInfo* v = &service;
    inventory::Observation obs;
    obs.address = k.addr.ToString();
    obs.transport = k.protocol == IPPROTO_TCP ? "tcp" : "udp";
    obs.port = k.port;
    obs.kind = "port_state";
    obs.state = "open";
    obs.time = v->first_ms;
    obs.data_json =
        json{{"state", "open"}, {"reason", v->reason}, {"passive", true}, {"first_seen", v->first_ms}}
            .dump();
    ++stats_.observations;
    sink_.Record(std::move(obs));
  }
  stats_.services = services_.size();
  sink_.Flush();
}

}  // namespace ciiscope::scanner::passive
