#pragma once
// The bundled demo campus network: a handful of deliberately weak services
// (plain-HTTP login portal, self-signed HTTPS, old OpenSSH banner, Redis
// without authentication, Telnet, FTP) served in-process on loopback
// addresses BASE.10 … BASE.14, for the README quick start and integration
// tests. Network safety: only addresses inside 127.0.0.0/8 are ever bound or
// connected to; every wait is bounded in time.
//
// Files in the state directory:
//   manifest.json  what is served (DemoManifest::ToJson), written once every
//                  listener is bound; removed when the server stops
//   demo.pid       the serving process id
//   demo.log       stdout/stderr of a detached server (DemoUp)
//   demo.error     one line, written by ServeDemo when it fails to start
//   hosts          "/etc/hosts" lines for the demo hostnames

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace ciiscope::app::demo {

struct DemoOptions {
  // Where manifest.json, the pid file and the log live; DefaultStateDir()
  // when empty.
  std::string state_dir;
  // First three octets of the demo /24; must lie inside 127.0.0.0/8. Tests
  // use other bases to run in parallel.
  std::string base = "127.77.0";
};

// "/tmp/ciiscope-demo-<uid>".
std::string DefaultStateDir();

struct DemoService {
  std::string address;
  std::string hostname;
  uint16_t port = 0;  // the port actually bound (standard, or standard + 10000)
  // http-portal, http-default, https, ssh, redis, telnet, ftp
  std::string kind;
  std::string description;
};

struct DemoClosed {
  std::string address;
  uint16_t port = 0;
};

struct DemoManifest {
  std::string base;
  int pid = 0;
  std::vector<DemoService> services;  // every open port the demo serves
  // Ports on demo hosts verified closed at startup (connect refused).
  std::vector<DemoClosed> closed;
  // Rule ids an audit of the demo network should raise.
  std::vector<std::string> expected_findings;

  nlohmann::json ToJson() const;
  static Result<DemoManifest> FromJson(const nlohmann::json& json);
  std::vector<std::string> Addresses() const;  // distinct, in service order
};

// Serves in the foreground until `stop` is set (checked every 50 ms) or the
// process receives SIGTERM/SIGINT; writes the manifest (pid = getpid()) once
// every listener is bound. Returns after removing the manifest and pid file.
// Errors are one line, e.g. "demo: cannot bind 127.77.0.11:443: Address
// already in use". Used by `ciiscope demo serve` (hidden subcommand).
// Thread-safety: `stop` may be set from any thread.
Status ServeDemo(const DemoOptions& options, const std::atomic<bool>& stop);

// Starts `exe demo serve --state-dir D --base B` detached (double fork,
// setsid, exec; stdio to D/demo.log), waits up to 10 s for the manifest and
// verifies each service accepts a connection. Already running → returns the
// running manifest.
Result<DemoManifest> DemoUp(const DemoOptions& options, const std::string& exe);

// SIGTERM, wait up to 5 s, then SIGKILL; removes manifest and pid file.
// Not running → Ok.
Status DemoDown(const DemoOptions& options);

// The manifest when a demo is running (pid alive and manifest present),
// nullopt otherwise. Stale files of a dead server are left for DemoDown.
Result<std::optional<DemoManifest>> DemoStatus(const DemoOptions& options);

}  // namespace ciiscope::app::demo
