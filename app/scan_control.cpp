#include "app/scan_control.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <sstream>

#include "core/clock.h"
#include "inventory/store/store.h"
#include "scanner/scope_policy.h"

namespace ciiscope::app {
namespace {

// Field 22 of /proc/PID/stat (starttime); 0 when the process does not exist.
int64_t ProcessStart(int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = stat.rfind(')');
  if (!in.good() && stat.empty()) return 0;
  if (paren == std::string::npos) return 0;
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  // Fields after "pid (comm) " start at number 3 (state); starttime is 22.
  for (int n = 3; n <= 22 && (fields >> field); ++n) {
    if (n == 3 && (field == "Z" || field == "X")) return 0;  // exited, not yet reaped
    if (n == 22) return std::strtoll(field.c_str(), nullptr, 10);
  }
  return 0;
}

}  // namespace

Status CheckScanAllowed(inventory::Store& store, const std::vector<scanner::Target>& targets,
                        bool allow_reserved) {
  if (!allow_reserved) CII_RETURN_IF_ERROR(scanner::RefuseReserved(targets));
  CII_ASSIGN_OR_RETURN(auto authorizations, store.ValidAuthorizations(core::NowMillis()));
  std::vector<scanner::AuthScope> scopes;
  for (const auto& a : authorizations) {
    auto scope = scanner::ParseAuthScope(a.scope);
    if (!scope) {
      spdlog::warn("authorization {} ({}): {}; ignored", a.id, a.reference,
                   scope.error().message());
      continue;
    }
    scopes.push_back(std::move(*scope));
  }
  std::vector<size_t> uncovered = scanner::UncoveredTargets(targets, scopes);
  if (uncovered.empty()) return Ok();
  return Error(ErrorCode::kPermission,
               "not authorized (CII Regulations Art. 31): " + std::to_string(uncovered.size()) +
                   " target(s) outside every valid authorization: " +
                   scanner::ListTargets(targets, uncovered) +
                   "; record the authorization with `ciiscope auth add` first");
}

std::string ScanOptionsJson(const ScanRequest& r, size_t target_count) {
  nlohmann::json j = {{"targets", r.targets},
                      {"excludes", r.excludes},
                      {"allow_reserved", r.allow_reserved},
                      {"concurrency", r.concurrency},
                      {"rate", r.rate},
                      {"unit_rate", r.unit_rate},
                      {"retries", r.retries},
                      {"io", r.io},
                      {"send", r.send},
                      {"connect_timeout_ms", r.connect_timeout_ms},
                      {"service_timeout_ms", r.service_timeout_ms},
                      {"service_probes", r.service_probes},
                      {"target_count", target_count}};
  if (r.discovery_ran) j["discovered"] = r.discovered;
  return j.dump();
}

Result<ResumePlan> PlanResume(inventory::Store& store, int64_t scan_id) {
  const std::string name = "scan " + std::to_string(scan_id);
  CII_ASSIGN_OR_RETURN(auto scan, store.GetScan(scan_id));
  if (!scan) return Error(ErrorCode::kNotFound, "cannot resume: no " + name + " in " + store.path());
  CII_ASSIGN_OR_RETURN(auto checkpoint, store.GetCheckpoint(scan_id));
  if (scan->status == "running") {
    if (checkpoint && RunnerAlive({checkpoint->runner_pid, checkpoint->runner_start})) {
      return Error(ErrorCode::kInvalidArgument,
                   "cannot resume " + name + ": it is still running (pid " +
                       std::to_string(checkpoint->runner_pid) + ")");
    }
  } else if (scan->status != "interrupted") {
    return Error(ErrorCode::kInvalidArgument, "cannot resume " + name + ": its status is " +
                                                  scan->status +
                                                  " (only interrupted or killed scans resume)");
  }
  auto options = nlohmann::json::parse(scan->options_json, nullptr, false);
  if (!options.is_object() || !options.contains("targets")) {
    return Error(ErrorCode::kInvalidArgument,
                 "cannot resume " + name + ": it was recorded without resume information");
  }
  ResumePlan plan;
  plan.scan = *scan;
  plan.checkpoint = std::move(checkpoint);
  ScanRequest& r = plan.request;
  try {
    r.targets = options.at("targets").get<std::vector<std::string>>();
    r.excludes = options.value("excludes", std::vector<std::string>{});
    r.allow_reserved = options.value("allow_reserved", false);
    r.concurrency = options.value("concurrency", r.concurrency);
    r.rate = options.value("rate", r.rate);
    r.unit_rate = options.value("unit_rate", r.unit_rate);
    r.retries = options.value("retries", r.retries);
    r.io = options.value("io", r.io);
    r.send = options.value("send", r.send);
    r.connect_timeout_ms = options.value("connect_timeout_ms", r.connect_timeout_ms);
    r.service_timeout_ms = options.value("service_timeout_ms", r.service_timeout_ms);
    r.service_probes = options.value("service_probes", r.service_probes);
    plan.target_count = options.value("target_count", size_t{0});
    if (options.contains("discovered")) {
      r.discovery_ran = true;
      r.discovered = options.at("discovered").get<std::vector<std::string>>();
    }
  } catch (const nlohmann::json::exception& e) {
    return Error(ErrorCode::kInvalidArgument,
                 "cannot resume " + name + ": bad options_json (" + e.what() + ")");
  }
  r.ports = scan->ports;
  r.engine = scan->engine;
  r.profile = scan->profile;
  r.seed = scan->seed;
  r.shard = scan->shard;
  r.resume_scan_id = scan_id;
  return plan;
}

RunnerId SelfRunner() {
  int64_t pid = static_cast<int64_t>(::getpid());
  return {pid, ProcessStart(pid)};
}

bool RunnerAlive(const RunnerId& runner) {
  if (runner.pid <= 0) return false;
  int64_t start = ProcessStart(runner.pid);
  return start != 0 && start == runner.start;
}

}  // namespace ciiscope::app
