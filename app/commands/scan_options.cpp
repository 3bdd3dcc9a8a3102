#include "app/commands/scan_options.h"

#include <CLI/CLI.hpp>

#include <charconv>

#include "scanner/permutation.h"
#include "scanner/targets.h"

namespace ciiscope::app {

void AddScanFlags(CLI::App* cmd, ScanFlags& flags) {
  cmd->add_option("targets", flags.request.targets,
                  "Addresses, CIDRs, ranges (10.0.0.1-20), host names, @file");
  cmd->add_option("-p,--ports", flags.request.ports,
                  "Ports: 22,80,1000-2000, top100, default (top100 + high-risk), - (all); "
                  "U:53,161,123 for UDP (T: back to TCP)")
      ->capture_default_str();
  cmd->add_flag("--udp", flags.request.udp,
                "-sU: ports without a T:/U: prefix are UDP (default/top100 = the top UDP ports)");
  cmd->add_option("--input-list", flags.input_list, "Read targets from FILE (nmap -iL)");
  cmd->add_option("--exclude", flags.request.excludes, "Exclude targets (same syntax); applied after DNS");
  cmd->add_option("--excludefile", flags.exclude_file, "Exclude targets listed in FILE");
  cmd->add_option("--engine", flags.request.engine, "Scan engine (connect)")->capture_default_str();
  cmd->add_option("--concurrency", flags.request.concurrency, "Connections in flight")
      ->capture_default_str();
  cmd->add_option("--timeout", flags.request.connect_timeout_ms, "Connect timeout in ms")
      ->capture_default_str();
  cmd->add_option("--rate", flags.request.rate, "Probes per second over all threads (0 = unlimited)")
      ->capture_default_str();
  cmd->add_option("--unit-rate", flags.request.unit_rate,
                  "Probes per second into any one unit's ranges (its most specific registered CIDR; "
                  "0 = no per-unit limit); --rate still holds")
      ->capture_default_str();
  cmd->add_option("--retries", flags.request.retries,
                  "Extra attempts for a port that did not answer within --timeout")
      ->capture_default_str();
  cmd->add_option("--io", flags.request.io, "Connect engine kernel interface: auto, uring, epoll")
      ->capture_default_str();
  cmd->add_option("--send", flags.request.send,
                  "Syn engine sender: raw (IP raw socket), afpacket (Ethernet frames on a packet socket, "
                  "raw socket on loopback), auto (= raw)")
      ->capture_default_str();
  cmd->add_option("--service-timeout", flags.request.service_timeout_ms,
                  "Deadline per service conversation in ms")
      ->capture_default_str();
  cmd->add_flag("--no-probes", flags.no_probes, "Port sweep only, no banner/HTTP/TLS probes");
  cmd->add_flag("--no-ping", flags.request.no_ping,
                "-Pn: skip host discovery (ARP, ICMP echo, TCP ping) and sweep every target");
  cmd->add_flag("--no-collect", flags.no_collect,
                "Gather nothing the rules' collect: blocks ask for (no extra HTTP paths, "
                "no named protocol requests)");
  cmd->add_flag("--allow-reserved", flags.request.allow_reserved,
                "Also scan reserved ranges (multicast, 0/8, 240/4, link-local, metadata)");
  cmd->add_option("--seed", flags.seed,
                  "Seed of the pseudo-random sweep order (default: random; recorded in the scan)");
  cmd->add_option("--shard", flags.request.shard,
                  "Scan only shard I of N (1-based, e.g. 2/4); same --seed on every machine");
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
  flags.request.collect = !flags.no_collect;
  if (!flags.seed.empty()) {
    uint64_t seed = 0;
    auto [end, ec] = std::from_chars(flags.seed.data(), flags.seed.data() + flags.seed.size(), seed);
    if (ec != std::errc() || end != flags.seed.data() + flags.seed.size()) {
      return Error(ErrorCode::kInvalidArgument,
                   "bad --seed '" + flags.seed + "' (expected a number 0..18446744073709551615)");
    }
    flags.request.seed = seed;
  }
  if (!flags.request.shard.empty()) CII_RETURN_IF_ERROR(scanner::ParseShard(flags.request.shard));
  if (flags.request.targets.empty() && flags.request.resume_scan_id == 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "no targets given (e.g. `ciiscope scan 127.0.0.1 -p top100`)");
  }
  return Ok();
}

}  // namespace ciiscope::app
