#include "app/pipeline.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <spdlog/spdlog.h>

#include "app/collect_plan.h"
#include "app/config_apply.h"
#include "service/config.h"
#include "service/lookback.h"
#include "app/progress.h"
#include "app/scan_control.h"
#include "core/clock.h"
#include "core/ports.h"
#include "core/text.h"
#include "inventory/store/store.h"
#include "reports/integrity.h"
#include "reports/pdf_renderer.h"
#include "reports/report.h"
#include "reports/safe_path.h"
#include "rulelang/rule.h"
#include "scanner/connect_io.h"
#include "scanner/discovery.h"
#include "scanner/engine.h"
#include "scanner/permutation.h"
#include "scanner/rate_gate.h"
#include "scanner/targets.h"
#include "scanner/udp_engine.h"

namespace ciiscope::app {

namespace fs = std::filesystem;

namespace {

// Holds host discovery's evidence until the scan it belongs to exists.
class HeldEvidence : public inventory::EvidenceSink {
 public:
  void Record(inventory::Observation obs) override {
    std::lock_guard lock(mu_);
    held_.push_back(std::move(obs));
  }
  void Flush() override {}
  std::vector<inventory::Observation> Take() {
    std::lock_guard lock(mu_);
    return std::move(held_);
  }

 private:
  std::mutex mu_;
  std::vector<inventory::Observation> held_;
};

// The scan's targets after host discovery: a fresh scan runs discovery
// (unless -Pn or sharded: shards need the same target list on every
// machine); a resumed one keeps the hosts its first run found up.
Result<std::vector<scanner::Target>> ApplyDiscovery(Context& ctx, ScanRequest& request, bool resuming,
                                                   const scanner::Shard& shard,
                                                   std::vector<scanner::Target> targets,
                                                   HeldEvidence& evidence) {
  if (resuming) {
    if (!request.discovery_ran) return targets;
    std::vector<scanner::Target> kept;
    for (auto& t : targets) {
      if (std::find(request.discovered.begin(), request.discovered.end(), t.address.ToString()) !=
          request.discovered.end()) {
        kept.push_back(std::move(t));
      }
    }
    return kept;
  }
  if (request.no_ping || shard.count > 1) return targets;
  scanner::DiscoveryOptions options;
  options.concurrency = request.concurrency;
  options.rate = request.rate;
  options.timeout = std::chrono::milliseconds(request.connect_timeout_ms);
  CII_ASSIGN_OR_RETURN(auto found, scanner::DiscoverHosts(targets, options, evidence, *ctx.stop));
  if (ctx.stop->load()) {
    return Error(ErrorCode::kInterrupted, "interrupted during host discovery; nothing recorded");
  }
  std::vector<scanner::Target> up;
  request.discovery_ran = true;
  request.discovered.clear();
  for (size_t i = 0; i < targets.size(); ++i) {
    if (!found.up[i]) continue;
    request.discovered.push_back(targets[i].address.ToString());
    up.push_back(std::move(targets[i]));
  }
  spdlog::info("host discovery: {} of {} target(s) up (arp {}, icmp {}, tcp {}); -Pn skips discovery",
               up.size(), targets.size(), found.by_arp, found.by_icmp, found.by_tcp);
  return up;
}

// Per-unit pacing from the ledger's unit rates and --unit-rate (the rules:
// scanner::PlanUnitPacing). Returns every unit that paces some target.
Result<std::vector<ScanSummary::PacedUnit>> AssignUnitRates(inventory::Store& store, const std::vector<scanner::Target>& targets,
                                       double unit_rate, scanner::ScanOptions& options) {
  CII_ASSIGN_OR_RETURN(auto units, store.ListUnits());
  std::vector<scanner::UnitPace> paces(units.size());
  for (size_t u = 0; u < units.size(); ++u) {
    paces[u].rate = units[u].rate;
    for (const auto& text : units[u].cidrs) {
      if (auto c = core::Cidr::Parse(text)) paces[u].cidrs.push_back(*c);
    }
  }
  scanner::UnitPacing plan = scanner::PlanUnitPacing(targets, paces, unit_rate);
  std::vector<size_t> paced(units.size(), 0);
  for (int32_t u : plan.target_unit) {
    if (u >= 0) ++paced[static_cast<size_t>(u)];
  }
  std::vector<ScanSummary::PacedUnit> record;
  size_t covered = 0;
  for (size_t u = 0; u < units.size(); ++u) {
    if (paced[u] == 0) continue;
    covered += paced[u];
    record.push_back({units[u].code, plan.unit_rates[u], paced[u]});
  }
  if (!plan.target_unit.empty()) {
    spdlog::info("unit rates: {} of {} target(s) paced by {} unit(s) of the ledger (--unit-rate {}); "
                 "the others only obey --rate",
                 covered, targets.size(), record.size(), unit_rate);
  }
  options.target_unit = std::move(plan.target_unit);
  options.unit_rates = std::move(plan.unit_rates);
  return record;
}

}  // namespace

namespace {

// The UDP ports of a scan (after the TCP sweep): the UDP prober with the
// scan's concurrency, rate and retries; --timeout is the wait per attempt.
Result<scanner::UdpScanStats> RunUdpPhase(const ScanRequest& request, const core::PortList& udp_ports,
                                          const std::vector<scanner::Target>& targets,
                                          inventory::EvidenceSink& sink, const std::atomic<bool>& stop,
                                          int64_t scan_id) {
  scanner::UdpProbeRegistry probes;
  scanner::RegisterBuiltinUdpProbes(probes);
  scanner::UdpScanOptions options;
  options.ports = udp_ports.ports();
  options.concurrency = request.concurrency;
  options.rate = request.rate;
  options.retries = request.retries;
  options.wait = std::chrono::milliseconds(request.connect_timeout_ms);
  ProgressLine progress("scan " + std::to_string(scan_id) + " udp");
  auto stats = scanner::RunUdpScan(targets, options, probes, sink, stop,
                                   [&](const scanner::ScanProgress& p) {
                                     progress.Update(p.done, p.total, p.open, p.rate);
                                   });
  progress.Finish();
  return stats;
}

}  // namespace

nlohmann::json UnitRatesJson(const std::vector<ScanSummary::PacedUnit>& units) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& u : units) out.push_back({{"unit", u.unit}, {"rate", u.rate}, {"targets", u.targets}});
  return out;
}

Result<ScanSummary> RunScan(Context& ctx, inventory::Store& store, const ScanRequest& given) {
  ScanRequest request = given;
  std::optional<ResumePlan> resume;
  if (given.resume_scan_id != 0) {
    if (!given.targets.empty()) {
      return Error(ErrorCode::kInvalidArgument,
                   "--resume takes targets, ports and options from the scan; give no targets");
    }
    CII_ASSIGN_OR_RETURN(resume, PlanResume(store, given.resume_scan_id));
    request = resume->request;
    request.checkpoint_interval_ms = given.checkpoint_interval_ms;
  } else {
    // ciiscope.yaml exclusions apply to every new scan, like --exclude (a
    // resumed scan keeps those recorded when it started).
    auto more = ConfigExclusions(ctx);
    request.excludes.insert(request.excludes.end(), more.begin(), more.end());
  }
  if (request.targets.empty()) {
    return Error(ErrorCode::kInvalidArgument, "no targets given (expected addresses, CIDRs, ranges or host names)");
  }
  CII_ASSIGN_OR_RETURN(core::ProtocolPorts all_ports, core::ParseProtocolPorts(request.ports, request.udp));
  const core::PortList& ports = all_ports.tcp;  // the engine's; UDP ports go to the UDP prober
  if (request.concurrency < 1 || request.concurrency > 65536) {
    return Error(ErrorCode::kInvalidArgument, "--concurrency must be 1..65536");
  }
  if (request.rate < 0) return Error(ErrorCode::kInvalidArgument, "--rate must be >= 0 (0 = unlimited)");
  if (!(request.unit_rate >= 0)) {
    return Error(ErrorCode::kInvalidArgument, "--unit-rate must be >= 0 (0 = no per-unit limit)");
  }
  if (request.retries < 0 || request.retries > 10) {
    return Error(ErrorCode::kInvalidArgument, "--retries must be 0..10");
  }
  CII_RETURN_IF_ERROR(scanner::ParseConnectIoKind(request.io));
  if (request.send != "auto" && request.send != "raw" && request.send != "afpacket") {
    return Error(ErrorCode::kInvalidArgument, "--send must be auto, raw or afpacket (got '" + request.send + "')");
  }
  scanner::Shard shard;
  if (!request.shard.empty()) {
    CII_ASSIGN_OR_RETURN(shard, scanner::ParseShard(request.shard));
  }
  CII_ASSIGN_OR_RETURN(auto targets, scanner::ResolveTargets(request.targets, request.excludes,
                                                              request.max_targets));
  if (targets.empty()) {
    return Error(ErrorCode::kInvalidArgument, "every target is excluded; nothing to scan");
  }
  if (resume && resume->target_count != targets.size()) {
    return Error(ErrorCode::kInvalidArgument,
                 "cannot resume scan " + std::to_string(resume->scan.id) + ": its targets now resolve to " +
                     std::to_string(targets.size()) + " address(es), not " +
                     std::to_string(resume->target_count) + " (DNS changed?)");
  }
  // The gates: nothing is recorded or sent for a refused scan.
  CII_RETURN_IF_ERROR(CheckScanAllowed(store, targets, request.allow_reserved));
  scanner::EngineRegistry engines;
  scanner::RegisterBuiltinEngines(engines);
  auto engine = engines.Create(request.engine);
  if (!engine) {
    std::string known;
    for (const auto& n : engines.Names()) known += (known.empty() ? "" : ", ") + n;
    return Error(ErrorCode::kInvalidArgument,
                 "unknown engine '" + request.engine + "' (available: " + known + ")");
  }
  const size_t resolved_count = targets.size();
  HeldEvidence discovery_evidence;
  CII_ASSIGN_OR_RETURN(targets, ApplyDiscovery(ctx, request, resume.has_value(), shard, std::move(targets),
                                               discovery_evidence));
  const uint64_t seed = request.seed ? *request.seed : (uint64_t{std::random_device{}()} << 32) ^
                                                           std::random_device{}();

  int64_t scan_id = 0;
  if (resume) {
    scan_id = resume->scan.id;
    CII_RETURN_IF_ERROR(store.ReopenScan(scan_id));
  } else {
    inventory::Scan scan;
    scan.profile = request.profile;
    for (const auto& t : request.targets) scan.targets += (scan.targets.empty() ? "" : " ") + t;
    scan.ports = all_ports.ToString();
    scan.engine = std::string(engine->name());
    scan.operator_name = Actor(ctx);
    scan.started_at = core::NowMillis();
    scan.status = "running";
    scan.shard = scanner::FormatShard(shard);
    scan.seed = seed;
    scan.options_json = ScanOptionsJson(request, resolved_count);
    CII_ASSIGN_OR_RETURN(scan_id, store.CreateScan(scan));
  }

  scanner::ScanOptions options;
  options.ports = ports;
  options.concurrency = request.concurrency;
  options.rate = request.rate;
  CII_ASSIGN_OR_RETURN(auto unit_rates, AssignUnitRates(store, targets, request.unit_rate, options));
  options.retries = request.retries;
  options.io = request.io;
  options.send = request.send;
  options.connect_timeout = std::chrono::milliseconds(request.connect_timeout_ms);
  options.service_timeout = std::chrono::milliseconds(request.service_timeout_ms);
  options.service_probes = request.service_probes;
  if (request.service_probes && given.collect) {
    options.http_collect = given.rules != nullptr ? HttpCollectPlanFor(*given.rules)
                                                  : HttpCollectPlanFromRulesDir(ctx);
  }
  options.seed = seed;
  options.shard = shard;
  if (resume && resume->checkpoint) {
    const auto& c = *resume->checkpoint;
    options.resume = scanner::SweepCheckpoint{c.next_position, c.pending, c.done,
                                              c.open,          c.closed,  c.filtered};
  }

  inventory::StoreSink sink(store, scan_id);
  for (auto& obs : discovery_evidence.Take()) sink.Record(std::move(obs));
  const RunnerId runner = SelfRunner();
  const uint64_t pairs = static_cast<uint64_t>(targets.size()) * ports.size();
  auto save_checkpoint = [&](const scanner::SweepCheckpoint& cp) -> Status {
    inventory::ScanCheckpoint row;
    row.scan_id = scan_id;
    row.next_position = cp.next;
    row.pending = cp.pending;
    row.total = scanner::ShardSize(pairs, shard);
    row.done = cp.done;
    row.open = cp.open;
    row.closed = cp.closed;
    row.filtered = cp.filtered;
    row.runner_pid = runner.pid;
    row.runner_start = runner.start;
    return sink.WithStore([&](inventory::Store& s) { return s.SaveCheckpoint(row); });
  };
  // A first checkpoint names this process as the runner before any packet.
  CII_RETURN_IF_ERROR(save_checkpoint(options.resume.value_or(scanner::SweepCheckpoint{})));
  options.checkpoint = [&](const scanner::SweepCheckpoint& cp) {
    if (auto st = save_checkpoint(cp); !st) {
      spdlog::warn("scan {}: checkpoint not saved: {}", scan_id, st.error().message());
    }
  };
  options.checkpoint_interval = std::chrono::milliseconds(std::max(100, request.checkpoint_interval_ms));

  Result<scanner::ScanStats> result = scanner::ScanStats{};
  if (ports.size() > 0) {
    ProgressLine progress("scan " + std::to_string(scan_id));
    spdlog::debug("scan {}: {} engine starts", scan_id, engine->name());
    result = engine->Run(targets, options, sink, *ctx.stop, [&](const scanner::ScanProgress& p) {
      progress.Update(p.done, p.total, p.open, p.rate);
    });
    sink.Flush();
    progress.Finish();
    spdlog::debug("scan {}: {} engine done, evidence stored", scan_id, engine->name());
  }
  std::optional<scanner::UdpScanStats> udp;
  if (result && all_ports.udp.size() > 0 && !ctx.stop->load()) {
    CII_ASSIGN_OR_RETURN(udp, RunUdpPhase(request, all_ports.udp, targets, sink, *ctx.stop, scan_id));
    result->open += udp->open;
    result->closed += udp->closed;
    result->filtered += udp->filtered + udp->open_filtered;
    result->duration_ms += udp->duration_ms;
    result->interrupted = result->interrupted || udp->interrupted;
  }

  ScanSummary summary;
  summary.scan_id = scan_id;
  summary.hosts = targets.size();
  summary.ports = ports.size() + all_ports.udp.size();
  if (!result) {
    (void)store.FinishScan(scan_id, "failed",
                           nlohmann::json({{"error", result.error().message()}}).dump());
    return std::move(result).error();
  }
  summary.open = result->open;
  summary.closed = result->closed;
  summary.filtered = result->filtered;
  summary.duration_ms = result->duration_ms;
  summary.interrupted = result->interrupted || ctx.stop->load();
  nlohmann::json stats = {{"hosts", summary.hosts},          {"ports", summary.ports},
                          {"attempted", result->attempted}, {"open", result->open},
                          {"closed", result->closed},       {"filtered", result->filtered},
                          {"duration_ms", result->duration_ms},
                          {"seed", std::to_string(seed)},   {"shard", scanner::FormatShard(shard)},
                          {"observations", sink.recorded()}};
  if (!unit_rates.empty()) stats["unit_rates"] = UnitRatesJson(unit_rates);
  summary.unit_rates = std::move(unit_rates);
  if (udp) {
    stats["udp"] = {{"ports", all_ports.udp.size()},     {"open", udp->open},
                    {"closed", udp->closed},             {"filtered", udp->filtered},
                    {"open_filtered", udp->open_filtered}, {"skipped", udp->skipped},
                    {"datagrams_sent", udp->datagrams_sent},
                    {"datagrams_received", udp->datagrams_received},
                    {"duration_ms", udp->duration_ms}};
  }
  CII_RETURN_IF_ERROR(store.FinishScan(scan_id, summary.interrupted ? "interrupted" : "done",
                                       stats.dump()));
  CII_RETURN_IF_ERROR(sink.status());
  return summary;
}

Result<std::vector<rulelang::Rule>> LoadRules(const Context& ctx) {
  const std::string dir = RulesDir(ctx);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Error(ErrorCode::kNotFound, "rules directory " + dir + " does not exist");
  }
  rulelang::RuleSet set = rulelang::LoadRuleDir(dir);
  if (!set.errors.empty() && !ctx.global.strict_rules && !set.rules.empty()) {
    for (const auto& e : set.errors) {
      std::fprintf(stderr, "ciiscope: warning: %s (rule skipped; --strict makes this fatal)\n",
                   core::Printable(core::SanitizeUtf8(e.message())).c_str());
    }
  } else if (!set.errors.empty()) {  // --strict, or nothing loaded at all
    std::string msg = set.errors.front().message();
    if (set.errors.size() > 1) {
      msg += " (and " + std::to_string(set.errors.size() - 1) + " more; see `ciiscope rules lint`)";
    }
    return Error(ErrorCode::kParse, msg);
  }
  if (set.rules.empty()) {
    return Error(ErrorCode::kNotFound, "no rule files (*.yaml) under " + dir);
  }
  return std::move(set.rules);
}

int StaleDays(const Context& ctx, std::optional<int> given) {
  if (given) return *given;
  if (ctx.config != nullptr && ctx.config->stale_days) return *ctx.config->stale_days;
  return assessor::kDefaultStaleDays;
}

Result<assessor::AssessStats> RunAssess(Context& ctx, inventory::Store& store,
                                        std::optional<int64_t> scan_id,
                                        const std::vector<rulelang::Rule>& rules,
                                        std::optional<int> stale_days) {
  if (!scan_id) {
    CII_ASSIGN_OR_RETURN(auto latest, store.LatestScan());
    if (!latest) {
      return Error(ErrorCode::kNotFound, "no scan in " + ctx.global.db + "; run `ciiscope scan` first");
    }
    scan_id = latest->id;
  }
  assessor::AssessOptions options;
  options.scan_id = *scan_id;
  options.actor = Actor(ctx);
  options.stale_days = StaleDays(ctx, stale_days);
  CII_ASSIGN_OR_RETURN(options.due_at, AssessDuePolicy(ctx, store));
  CII_ASSIGN_OR_RETURN(auto stats, assessor::Assess(store, rules, options));
  CII_RETURN_IF_ERROR(service::RefreshLookback(store, core::NowMillis()));
  return stats;
}

Result<std::vector<std::string>> ParseFormats(const std::string& spec) {
  reports::RendererRegistry registry;
  reports::RegisterBuiltinRenderers(registry);
  reports::RegisterExternalRenderers(registry);
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string f = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!f.empty()) {
      if (!registry.Find(f)) {
        std::string known;
        for (const auto& n : registry.Formats()) known += (known.empty() ? "" : ", ") + n;
        return Error(ErrorCode::kInvalidArgument,
                     "unknown report format '" + f + "' (available: " + known + ")");
      }
      out.push_back(f);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (out.empty()) return Error(ErrorCode::kInvalidArgument, "no report format given");
  return out;
}

Result<std::vector<std::string>> WriteReports(Context& ctx, inventory::Store& store,
                                              std::optional<int64_t> scan_id,
                                              const std::vector<std::string>& formats,
                                              const std::string& out) {
  reports::RendererRegistry registry;
  reports::RegisterBuiltinRenderers(registry);
  reports::RegisterExternalRenderers(registry);
  CII_ASSIGN_OR_RETURN(reports::Lang lang, reports::ParseLang(Lang(ctx)));
  CII_ASSIGN_OR_RETURN(reports::ReportModel model, reports::BuildAssessmentReport(store, scan_id));
  const int64_t id = model.scan ? model.scan->id : 0;

  std::error_code ec;
  bool to_dir = formats.size() > 1 || fs::is_directory(out, ec) || out.ends_with("/");
  if (to_dir && !fs::is_directory(out, ec)) {
    fs::create_directories(out, ec);
    if (ec) return Error(ErrorCode::kIo, "cannot write report " + out + ": " + ec.message());
  }
  std::vector<std::string> written;
  for (const auto& format : formats) {
    const reports::Renderer* renderer = registry.Find(format);
    std::string path = to_dir ? reports::PathInDir(out, "scan-" + std::to_string(id) +
                                                        std::string(renderer->extension()))
                              : out;
    CII_RETURN_IF_ERROR(reports::WriteReportFile(model, *renderer, lang, path));
    CII_RETURN_IF_ERROR(reports::WriteDigestFile(path));  // PATH.sha256
    written.push_back(path);
  }
  return written;
}

Result<AuditResult> RunAudit(Context& ctx, inventory::Store& store, const ScanRequest& request,
                             const std::vector<std::string>& formats, const std::string& out_dir) {
  AuditResult out;
  // Rules and formats are checked before a packet is sent.
  CII_ASSIGN_OR_RETURN(auto rules, LoadRules(ctx));
  ScanRequest with_rules = request;
  with_rules.rules = &rules;
  CII_ASSIGN_OR_RETURN(out.scan, RunScan(ctx, store, with_rules));
  std::printf("%s\n", DescribeScanLine(out.scan).c_str());
  if (out.scan.interrupted) {
    return Error(ErrorCode::kInterrupted,
                 "scan " + std::to_string(out.scan.scan_id) + " interrupted; " +
                     std::to_string(out.scan.open) + " open port(s) kept in " + ctx.global.db +
                     " (assess and report it with `ciiscope assess --scan " +
                     std::to_string(out.scan.scan_id) + "`)");
  }
  CII_ASSIGN_OR_RETURN(out.assess, RunAssess(ctx, store, out.scan.scan_id, rules));
  std::printf("assess: %llu service(s), %llu finding(s) matched, %llu new, %llu verified fixed\n",
              static_cast<unsigned long long>(out.assess.services),
              static_cast<unsigned long long>(out.assess.findings_seen),
              static_cast<unsigned long long>(out.assess.findings_new),
              static_cast<unsigned long long>(out.assess.findings_verified));
  std::string dir = out_dir.empty() ? "ciiscope-report" : out_dir;
  if (!dir.ends_with("/")) dir += "/";
  CII_ASSIGN_OR_RETURN(out.reports, WriteReports(ctx, store, out.scan.scan_id, formats, dir));
  for (const auto& p : out.reports) std::printf("report: %s\n", p.c_str());
  std::fflush(stdout);
  return out;
}

std::string DescribeScanLine(const ScanSummary& s) {
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                "scan %lld %s: %zu host(s) x %zu port(s), %llu open, %llu closed, %llu filtered (%.1f s)",
                static_cast<long long>(s.scan_id), s.interrupted ? "interrupted" : "done", s.hosts,
                s.ports, static_cast<unsigned long long>(s.open),
                static_cast<unsigned long long>(s.closed),
                static_cast<unsigned long long>(s.filtered),
                static_cast<double>(s.duration_ms) / 1000.0);
  return buf;
}

Result<int> FailOnCode(inventory::Store& store, const std::string& severity, int64_t scan_id) {
  inventory::FindingFilter filter;
  filter.scan_id = scan_id;
  filter.min_severity = severity;
  filter.statuses = {"open", "acknowledged", "reopened"};
  CII_ASSIGN_OR_RETURN(auto findings, store.ListFindings(filter));
  return findings.empty() ? kExitOk : kExitFindings;
}

}  // namespace ciiscope::app
