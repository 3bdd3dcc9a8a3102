#pragma once
// A monitoring event seen by passive capture (table monitor_events, 0003):
// a port scan or host sweep against monitored ranges, a connection to a
// port policy says must be closed, or a service that newly appeared.

#include <cstdint>
#include <string>

namespace ciiscope::inventory {

struct MonitorEvent {
  int64_t id = 0;
  int64_t scan_id = 0;   // the passive scan that saw it
  int64_t drill_id = 0;  // the drill running at the time; 0 = none
  int64_t time = 0;      // capture time of the packet that completed the event (Unix ms)
  std::string kind;      // port-scan | host-sweep | forbidden-port | new-service
  std::string source;    // address
  std::string target;    // address, or "first-last" for sweeps
  int64_t port = 0;
  std::string transport;  // tcp | udp | icmp | ""
  std::string detail_json = "{}";
};

}  // namespace ciiscope::inventory
