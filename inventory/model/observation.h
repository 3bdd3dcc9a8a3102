#pragma once
// What the scanner hands over: one observation about one address (and
// optionally one port). The scanner never opens the store; app/ connects an
// EvidenceSink to it (DESIGN.md principle 1).
//
// Evidence kinds and their data_json schema (all strings valid UTF-8; raw
// bytes go in `raw`, capped):
//   host_up      {"reason": "tcp-connect"}
//   port_state   {"state": "open"|"closed"|"filtered", "reason": "syn-ack"|"rst"|"timeout"|…, "rtt_ms": 1.2}
//   banner       {"text": "...", "bytes": N, "truncated": bool, "timed_out": bool}
//   http         {"scheme": "http"|"https", "url": "...", "status": 200, "reason": "OK",
//                 "headers": {"server": "nginx", …lower-case names…}, "title": "...",
//                 "body": "first 64 KiB as UTF-8", "body_bytes": N, "body_sha256": "…",
//                 "truncated": bool, "timed_out": bool, "error": "..."?}
//   tls          {"version": "TLSv1.3", "cipher": "...", "cert": {"subject": "...",
//                 "issuer": "...", "sans": [...], "not_before": "ISO", "not_after": "ISO",
//                 "days_left": N, "self_signed": bool, "key_type": "RSA", "key_bits": 2048,
//                 "sig_alg": "sha256WithRSAEncryption", "sha256": "hex"}}
//   probe        {"probe": "redis-info", "text": "...", "truncated": bool, "timed_out": bool}
//   dns          {"name": "mail.example.edu", "type": "A"|"AAAA", "address": "...", "server": "resolver IP"}
//                (address = the answered address, hostname = the name; from DNS responses seen)
//   dhcp         {"hostname": "lab-pc-07", "mac": "aa:bb:…", "message_type": 3}
// Passive evidence (`scan --pcap`, scanner/passive/) adds "passive": true to
// every data object, and: host_up {"reason": "passive", "mac", "first_seen",
// "last_seen", "packets", "bytes"} (counters of packets the host sent);
// port_state reason "syn-ack-seen" | "server-payload-seen" | "dns-response-seen";
// tls {"sni", "ja3", "ja3_md5", "ja3s", "ja3s_md5"} besides version/cipher/cert;
// http {"method", "host", "user_agent"} besides url/status/headers/title.

#include <cstdint>
#include <string>

namespace ciiscope::inventory {

struct Observation {
  std::string address;    // canonical textual IP
  std::string hostname;   // the name it was targeted by, if any
  std::string transport;  // "tcp" | "udp" | "" (host-level)
  uint16_t port = 0;      // 0 for host-level
  std::string kind;       // host_up | port_state | banner | http | tls | probe
  std::string state;      // for port_state: open | closed | filtered
  std::string data_json;  // schema above
  std::string raw;        // raw bytes (capped by the producer)
  int64_t time = 0;       // Unix ms
};

// Receives observations. Contract: Record() may be called from any thread,
// concurrently; implementations serialize internally. An observation is
// owned by the sink once passed. Flush() makes everything recorded so far
// durable (called at the end of a scan and on interruption).
class EvidenceSink {
 public:
  virtual ~EvidenceSink() = default;
  virtual void Record(Observation obs) = 0;
  virtual void Flush() = 0;
};

}  // namespace ciiscope::inventory
