#pragma once
// `ciiscope scan --pcap FILE...` and `ciiscope scan --interface IF`: the
// passive engine over capture files or a live interface, with optional drill
// monitoring (--monitor). Receives only; sends nothing.

#include <string>
#include <vector>

#include "app/context.h"
#include "app/pipeline.h"
#include "core/result.h"

namespace ciiscope::app {

struct PassiveRequest {
  std::vector<std::string> files;  // --pcap
  std::string interface;           // --interface (exclusive with files)
  std::string bpf;                 // --bpf
  std::string duration;            // --duration: "90", "90s", "15m", "2h"; "" = until stopped
  std::string user = "nobody";     // --user: privileges are dropped to this user
  // --monitor and its policy.
  bool monitor = false;
  std::vector<std::string> monitor_ranges;  // --monitor-range CIDR[,CIDR…]; none = every address
  std::string forbidden_ports = "23,135,139,445,3389,5900";  // --forbidden-ports; "none" = off
  std::string scan_window = "60s";  // --scan-window
  size_t scan_ports = 20;           // --scan-ports: distinct ports of one target
  size_t scan_hosts = 20;           // --scan-hosts: distinct targets of one source
};

// "90", "90s", "1500ms", "15m", "2h" → milliseconds (> 0).
Result<int64_t> ParseDurationMs(std::string_view text, std::string_view flag);

// Records a scan with engine "passive", feeds the files or the interface
// through the passive analyzer into the store and finishes the scan with its
// statistics (packets, bytes, decode errors, flows, evictions, kernel drops,
// monitor events …). Live capture drops privileges right after the handle
// opens (the database is opened before). Damaged or unreadable files give
// one stderr line each; the scan fails only when no file could be read.
// `request` supplies the profile; targets must be empty.
Result<ScanSummary> RunPassiveScan(Context& ctx, inventory::Store& store,
                                   const PassiveRequest& passive, const ScanRequest& request);

}  // namespace ciiscope::app
