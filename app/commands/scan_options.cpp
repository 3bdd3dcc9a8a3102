#include "app/commands/scan_options.h"

#include <CLI/CLI.hpp>

#include "scanner/targets.h"

namespace ciiscope::app {

void AddScanFlags(CLI::App* cmd, ScanFlags& flags) {
  cmd->add_option("targets", flags.request.targets,
                  "Addresses, CIDRs, ranges (10.0.0.1-20), host names, @file");
  cmd->add_option("-p,--ports", flags.request.ports,
                  "Ports: 22,80,1000-2000, top100, default (top100 + high-risk), - (all)")
      ->capture_default_str();
  cmd->add_option("--input-list", flags.input_list, "Read targets from FILE (nmap -iL)");
  cmd->add_option("--exclude", flags.request.excludes, "Exclude targets (same syntax); applied after DNS");
  cmd->add_option("--excludefile", flags.exclude_file, "Exclude targets listed in FILE");
  cmd->add_option("--engine", flags.request.engine, "Scan engine (connect)")->capture_default_str();
  cmd->add_option("--concurrency", flags.request.concurrency, "Connections in flight")
      ->capture_default_str();
  cmd->add_option("--timeout", flags.request.connect_timeout_ms, "Connect timeout in ms")
      ->capture_default_str();
  cmd->add_option("--service-timeout", flags.request.service_timeout_ms,
                  "Deadline per service conversation in ms")
      ->capture_default_str();
  cmd->add_flag("--no-probes", flags.no_probes, "Port sweep only, no banner/HTTP/TLS probes");
}

Status FinalizeScanFlags(ScanFlags& flags) {
  if (!flags.input_list.empty()) {
    CII_ASSIGN_OR_RETURN(auto more, scanner::ReadTargetFile(flags.input_list));
    flags.request.targets.insert(flags.request.targets.end(), more.begin(), more.end());
  }
  if (!flags.exclude_file.empty()) {
    CII_ASSIGN_OR_RETURN(auto more, scanner::ReadTargetFile(flags.exclude_file));
    flags.request.excludes.insert(flags.request.excludes.end(), more.begin(), more.end());
  }
  flags.request.service_probes = !flags.no_probes;
  if (flags.request.targets.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "no targets given (e.g. `ciiscope scan 127.0.0.1 -p top100`)");
  }
  return Ok();
}

}  // namespace ciiscope::app
