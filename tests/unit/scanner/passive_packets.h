#pragma once
// Test-only packet crafting for the passive engine: headers, TLS hellos,
// DNS/DHCP messages, a self-signed certificate, and a pcap writer built on
// libpcap's pcap_open_dead + pcap_dump. Nothing is sent anywhere.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ciiscope::scanner::passive::testing {

std::span<const std::byte> AsBytes(const std::string& s);

std::string Ipv4(std::string_view src, std::string_view dst, uint8_t proto, const std::string& l4,
                 uint16_t frag_field = 0);
std::string Ipv6(std::string_view src, std::string_view dst, uint8_t next, const std::string& rest);
std::string Tcp(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                std::string_view payload = {});
std::string Udp(uint16_t sport, uint16_t dport, std::string_view payload);
// Ethernet frame; `vlans` 802.1Q tags (outer first, 0x88a8 for the first when qinq).
std::string Ether(const std::string& l3, bool v6 = false, std::vector<uint16_t> vlans = {},
                  uint8_t src_mac_last = 0x01, bool qinq = false);

std::string ClientHello(std::string_view sni);
// ServerHello (+ Certificate + ServerHelloDone when cert_der is not empty).
std::string ServerHello(uint16_t version, uint16_t cipher, const std::string& cert_der);
std::string DnsResponse(std::string_view name, std::string_view ipv4);
std::string DhcpRequest(std::string_view hostname, std::string_view requested_ip);
// A fresh self-signed EC P-256 certificate for `cn` (with a DNS SAN), valid
// from `not_before` to `not_after` ("YYYYMMDDHHMMSSZ"; null: now, now + 30 days),
// and its private key, both DER.
struct TestCert {
  std::string der;
  std::string key_der;
};
TestCert SelfSignedCert(const std::string& cn, const char* not_before = nullptr,
                        const char* not_after = nullptr);
// DER of SelfSignedCert(cn).
std::string SelfSignedCertDer(const std::string& cn);

// A TCP conversation client:cport ↔ server:sport (Ethernet/IPv4) as frames:
// handshake, the client's bytes, the server's bytes, FIN both ways.
std::vector<std::string> TcpConversation(std::string_view client, uint16_t cport,
                                         std::string_view server, uint16_t sport,
                                         const std::string& client_data,
                                         const std::string& server_data,
                                         size_t segment = 1400);

// Writes frames with libpcap; timestamps start at 1.7e9 s and step 1 ms.
class PcapFile {
 public:
  PcapFile(std::string path, int link_type);
  ~PcapFile();
  void Add(const std::string& frame);
  void AddAll(const std::vector<std::string>& frames);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  void* dead_ = nullptr;
  void* dumper_ = nullptr;
  int64_t ts_us_ = 1700000000LL * 1000000;
};

}  // namespace ciiscope::scanner::passive::testing
