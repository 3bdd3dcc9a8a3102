// libFuzzer target for the passive engine (build with -DCIISCOPE_FUZZ=ON and
// clang). The first input byte picks the mode:
//   even: the rest is one frame of a link type chosen by the second byte,
//         decoded and fed to an analyzer (flows, reassembly, extraction);
//   odd:  the rest is a whole capture file (pcap/pcapng) read through
//         libpcap and the analyzer, as `scan --pcap` does.
// Crashes, sanitizer reports, leaks and hangs are findings.
#include <pcap/pcap.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>

#include "inventory/model/observation.h"
#include "scanner/passive/capture_file.h"
#include "scanner/passive/monitor.h"
#include "scanner/passive/packet_decoder.h"
#include "scanner/passive/passive_analyzer.h"

namespace {

namespace passive = ciiscope::scanner::passive;

class NullSink : public ciiscope::inventory::EvidenceSink {
 public:
  void Record(ciiscope::inventory::Observation obs) override {
    // Touch what a store would read.
    sum_ += obs.address.size() + obs.data_json.size() + obs.hostname.size();
  }
  void Flush() override {}

 private:
  size_t sum_ = 0;
};

constexpr std::array<int, 11> kLinkTypes = {
    passive::kLinkNull,   passive::kLinkEthernet, passive::kLinkRaw,  passive::kLinkRawBsd,
    passive::kLinkRawFile, passive::kLinkLoop,    passive::kLinkSll,  passive::kLinkIpv4,
    passive::kLinkIpv6,   passive::kLinkSll2,     147 /* unsupported */};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  NullSink sink;
  passive::PassiveOptions options;
  options.flow_memory_cap = 64 * 1024;
  options.stream_cap = 4096;
  passive::MonitorConfig mc;
  mc.port_threshold = 2;
  mc.host_threshold = 2;
  mc.forbidden_tcp_ports = {22, 80, 443};
  mc.max_tracked = 64;
  passive::Monitor monitor(mc, [](ciiscope::inventory::MonitorEvent) {});
  if ((data[0] & 1) == 0) {
    passive::PassiveAnalyzer analyzer(options, sink);
    analyzer.SetMonitor(&monitor);
    const int link = kLinkTypes[data[1] % kLinkTypes.size()];
    // The frame twice and then split in two, so flows see more than one segment.
    const auto* bytes = reinterpret_cast<const std::byte*>(data + 2);
    const size_t n = size - 2;
    analyzer.OnPacket(link, 1'700'000'000'000'000, {bytes, n});
    analyzer.OnPacket(link, 1'700'000'000'000'001, {bytes, n});
    analyzer.OnPacket(link, 1'700'000'000'000'002, {bytes, n / 2});
    analyzer.Finish();
    return 0;
  }
  FILE* f = fmemopen(const_cast<uint8_t*>(data + 1), size - 1, "rb");
  if (f == nullptr) return 0;
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_fopen_offline(f, errbuf);  // owns f from here
  if (p == nullptr) {
    fclose(f);
    return 0;
  }
  passive::PassiveAnalyzer analyzer(options, sink);
  analyzer.SetMonitor(&monitor);
  const int link = pcap_datalink(p);
  pcap_pkthdr* h = nullptr;
  const u_char* pkt = nullptr;
  for (int i = 0; i < 10000 && pcap_next_ex(p, &h, &pkt) == 1; ++i) {
    analyzer.OnPacket(link, passive::CaptureTimeMicros(h->ts),
                      {reinterpret_cast<const std::byte*>(pkt), h->caplen});
  }
  pcap_close(p);
  analyzer.Finish();
  return 0;
}
