#include "passive_packets.h"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pcap/pcap.h>

#include <stdexcept>

namespace ciiscope::scanner::passive::testing {
namespace {

void Put16(std::string& s, uint16_t v) {
  s += static_cast<char>(v >> 8);
  s += static_cast<char>(v & 0xFF);
}
void Put24(std::string& s, uint32_t v) {
  s += static_cast<char>((v >> 16) & 0xFF);
  Put16(s, static_cast<uint16_t>(v & 0xFFFF));
}
void Put32(std::string& s, uint32_t v) {
  Put16(s, static_cast<uint16_t>(v >> 16));
  Put16(s, static_cast<uint16_t>(v & 0xFFFF));
}
std::string Addr(std::string_view text, int family) {
  unsigned char buf[16];
  if (inet_pton(family, std::string(text).c_str(), buf) != 1) throw std::runtime_error("addr");
  return std::string(reinterpret_cast<char*>(buf), family == AF_INET ? 4 : 16);
}
std::string Record(uint8_t type, const std::string& body) {
  std::string r;
  r += static_cast<char>(type);
  Put16(r, 0x0303);
  Put16(r, static_cast<uint16_t>(body.size()));
  return r + body;
}
std::string Handshake(uint8_t type, const std::string& body) {
  std::string h;
  h += static_cast<char>(type);
  Put24(h, static_cast<uint32_t>(body.size()));
  return h + body;
}
std::string Ext(uint16_t type, const std::string& body) {
  std::string e;
  Put16(e, type);
  Put16(e, static_cast<uint16_t>(body.size()));
  return e + body;
}

}  // namespace

std::span<const std::byte> AsBytes(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

std::string Ipv4(std::string_view src, std::string_view dst, uint8_t proto, const std::string& l4,
                 uint16_t frag_field) {
  std::string h;
  h += '\x45';
  h += '\0';
  Put16(h, static_cast<uint16_t>(20 + l4.size()));
  Put16(h, 0x1234);
  Put16(h, frag_field);
  h += '\x40';
  h += static_cast<char>(proto);
  Put16(h, 0);
  h += Addr(src, AF_INET) + Addr(dst, AF_INET);
  return h + l4;
}

std::string Ipv6(std::string_view src, std::string_view dst, uint8_t next, const std::string& rest) {
  std::string h;
  Put32(h, 0x60000000);
  Put16(h, static_cast<uint16_t>(rest.size()));
  h += static_cast<char>(next);
  h += '\x40';
  h += Addr(src, AF_INET6) + Addr(dst, AF_INET6);
  return h + rest;
}

std::string Tcp(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                std::string_view payload) {
  std::string t;
  Put16(t, sport);
  Put16(t, dport);
  Put32(t, seq);
  Put32(t, ack);
  t += '\x50';
  t += static_cast<char>(flags);
  Put16(t, 65535);
  Put16(t, 0);
  Put16(t, 0);
  return t + std::string(payload);
}

std::string Udp(uint16_t sport, uint16_t dport, std::string_view payload) {
  std::string u;
  Put16(u, sport);
  Put16(u, dport);
  Put16(u, static_cast<uint16_t>(8 + payload.size()));
  Put16(u, 0);
  return u + std::string(payload);
}

std::string Ether(const std::string& l3, bool v6, std::vector<uint16_t> vlans, uint8_t src_mac_last,
                  bool qinq) {
  std::string e("\x02\x00\x00\x00\x00\xfe", 6);
  e += std::string("\x02\x00\x00\x00\x00", 5) + static_cast<char>(src_mac_last);
  for (size_t i = 0; i < vlans.size(); ++i) {
    Put16(e, (qinq && i == 0) ? 0x88A8 : 0x8100);
    Put16(e, vlans[i]);
  }
  Put16(e, v6 ? 0x86DD : 0x0800);
  return e + l3;
}

std::string ClientHello(std::string_view sni) {
  std::string body;
  Put16(body, 0x0303);
  body += std::string(32, '\x11');
  body += '\0';  // session id
  std::string ciphers;
  for (uint16_t c : {0x0A0A, 0x1301, 0x1302, 0xC02F}) Put16(ciphers, c);
  Put16(body, static_cast<uint16_t>(ciphers.size()));
  body += ciphers;
  body += '\x01';
  body += '\0';  // compression: null
  std::string exts;
  std::string name_list;
  name_list += '\0';
  Put16(name_list, static_cast<uint16_t>(sni.size()));
  name_list += sni;
  std::string sn;
  Put16(sn, static_cast<uint16_t>(name_list.size()));
  exts += Ext(0x1A1A, "");  // GREASE
  exts += Ext(0, sn + name_list);
  std::string groups;
  Put16(groups, 4);
  Put16(groups, 29);
  Put16(groups, 23);
  exts += Ext(10, groups);
  exts += Ext(11, std::string("\x01\x00", 2));
  Put16(body, static_cast<uint16_t>(exts.size()));
  body += exts;
  return Record(22, Handshake(1, body));
}

std::string ServerHello(uint16_t version, uint16_t cipher, const std::string& cert_der) {
  std::string body;
  Put16(body, version >= 0x0304 ? 0x0303 : version);
  body += std::string(32, '\x22');
  body += '\0';
  Put16(body, cipher);
  body += '\0';
  std::string exts = Ext(0xFF01, std::string("\0", 1));
  if (version >= 0x0304) {
    std::string v;
    Put16(v, version);
    exts += Ext(43, v);
  }
  Put16(body, static_cast<uint16_t>(exts.size()));
  body += exts;
  std::string msgs = Handshake(2, body);
  if (!cert_der.empty()) {
    std::string list;
    Put24(list, static_cast<uint32_t>(cert_der.size()));
    list += cert_der;
    std::string cert;
    Put24(cert, static_cast<uint32_t>(list.size()));
    cert += list;
    msgs += Handshake(11, cert);
    msgs += Handshake(14, "");
  }
  // Split over two records, like real servers often do.
  const size_t half = msgs.size() / 2;
  return Record(22, msgs.substr(0, half)) + Record(22, msgs.substr(half));
}

std::string DnsResponse(std::string_view name, std::string_view ipv4) {
  std::string m;
  Put16(m, 0xBEEF);
  Put16(m, 0x8180);
  Put16(m, 1);
  Put16(m, 1);
  Put16(m, 0);
  Put16(m, 0);
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    m += static_cast<char>(dot - start);
    m += name.substr(start, dot - start);
    start = dot + 1;
  }
  m += '\0';
  Put16(m, 1);
  Put16(m, 1);
  Put16(m, 0xC00C);  // pointer to the question name
  Put16(m, 1);
  Put16(m, 1);
  Put32(m, 300);
  Put16(m, 4);
  m += Addr(ipv4, AF_INET);
  return m;
}

std::string DhcpRequest(std::string_view hostname, std::string_view requested_ip) {
  std::string m(236, '\0');
  m[0] = 1;
  m[1] = 1;
  m[2] = 6;
  const std::string mac("\x02\x00\x00\x00\x00\x07", 6);
  m.replace(28, 6, mac);
  m += std::string("\x63\x82\x53\x63", 4);
  m += std::string("\x35\x01\x03", 3);
  m += '\x32';
  m += '\x04';
  m += Addr(requested_ip, AF_INET);
  m += '\x0c';
  m += static_cast<char>(hostname.size());
  m += hostname;
  m += '\xff';
  return m;
}

TestCert SelfSignedCert(const std::string& cn, const char* not_before, const char* not_after) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
  if (not_before) ASN1_TIME_set_string(X509_getm_notBefore(x), not_before);
  else X509_gmtime_adj(X509_getm_notBefore(x), 0);
  if (not_after) ASN1_TIME_set_string(X509_getm_notAfter(x), not_after);
  else X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, x, x, nullptr, nullptr, 0);
  const std::string san = "DNS:" + cn;
  if (X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, san.c_str())) {
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(x, key, EVP_sha256());
  // i2d_* allocate the DER and set the pointer; an empty string on failure.
  auto take = [](int len, unsigned char* der) {
    std::string out;
    if (len > 0 && der != nullptr) out.assign(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
    OPENSSL_free(der);
    return out;
  };
  TestCert cert;
  unsigned char* der = nullptr;
  int len = i2d_X509(x, &der);
  cert.der = take(len, der);
  der = nullptr;
  len = i2d_PrivateKey(key, &der);
  cert.key_der = take(len, der);
  X509_free(x);
  EVP_PKEY_free(key);
  return cert;
}

std::string SelfSignedCertDer(const std::string& cn) { return SelfSignedCert(cn).der; }

std::vector<std::string> TcpConversation(std::string_view client, uint16_t cport,
                                         std::string_view server, uint16_t sport,
                                         const std::string& client_data,
                                         const std::string& server_data, size_t segment) {
  std::vector<std::string> out;
  uint32_t cseq = 1000, sseq = 5000;
  auto c2s = [&](uint8_t flags, std::string_view data) {
    out.push_back(Ether(Ipv4(client, server, 6, Tcp(cport, sport, cseq, sseq, flags, data)), false,
                        {}, 0x01));
  };
  auto s2c = [&](uint8_t flags, std::string_view data) {
    out.push_back(Ether(Ipv4(server, client, 6, Tcp(sport, cport, sseq, cseq, flags, data)), false,
                        {}, 0x02));
  };
  c2s(0x02, {});
  ++cseq;
  s2c(0x12, {});
  ++sseq;
  c2s(0x10, {});
  for (size_t i = 0; i < client_data.size(); i += segment) {
    const std::string_view part = std::string_view(client_data).substr(i, segment);
    c2s(0x18, part);
    cseq += static_cast<uint32_t>(part.size());
  }
  for (size_t i = 0; i < server_data.size(); i += segment) {
    const std::string_view part = std::string_view(server_data).substr(i, segment);
    s2c(0x18, part);
    sseq += static_cast<uint32_t>(part.size());
  }
  c2s(0x11, {});
  ++cseq;
  s2c(0x11, {});
  return out;
}

PcapFile::PcapFile(std::string path, int link_type) : path_(std::move(path)) {
  pcap_t* dead = pcap_open_dead(link_type, 65535);
  dead_ = dead;
  dumper_ = pcap_dump_open(dead, path_.c_str());
  if (!dumper_) throw std::runtime_error("pcap_dump_open " + path_);
}

PcapFile::~PcapFile() {
  if (dumper_) pcap_dump_close(static_cast<pcap_dumper_t*>(dumper_));
  if (dead_) pcap_close(static_cast<pcap_t*>(dead_));
}

void PcapFile::Add(const std::string& frame) {
  pcap_pkthdr h{};
  h.ts.tv_sec = ts_us_ / 1000000;
  h.ts.tv_usec = ts_us_ % 1000000;
  h.caplen = h.len = static_cast<bpf_u_int32>(frame.size());
  pcap_dump(static_cast<u_char*>(dumper_), &h, reinterpret_cast<const u_char*>(frame.data()));
  ts_us_ += 1000;
}

void PcapFile::AddAll(const std::vector<std::string>& frames) {
  for (const auto& f : frames) Add(f);
}

}  // namespace ciiscope::scanner::passive::testing
