#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <filesystem>

#include "app/commands/scan_options.h"
#include "app/context.h"
#include "app/demo/demo_network.h"
#include "core/ports.h"
#include "inventory/store/store.h"

namespace ciiscope::app {
namespace {

void PrintManifest(const demo::DemoManifest& m) {
  fmt::print("demo campus network up (pid {}):\n", m.pid);
  for (const auto& s : m.services) {
    fmt::print("  {:<15} {:>5}  {:<13} {:<28} {}\n", s.address, s.port, s.kind, s.hostname,
               s.description);
  }
}

}  // namespace

void AddDemoCommand(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<demo::DemoOptions>();
  opts->state_dir = demo::DefaultStateDir();
  auto* cmd = app.add_subcommand("demo", "The bundled demo campus network on loopback");
  cmd->require_subcommand(1);
  cmd->add_option("--state-dir", opts->state_dir, "Where the demo keeps its manifest and log")
      ->capture_default_str();
  cmd->add_option("--base", opts->base, "First three octets of the demo /24 (127.x.y)")
      ->capture_default_str();

  cmd->add_subcommand("up", "Start the demo network in the background")->callback([&ctx, opts] {
    ctx.action = [&ctx, opts]() -> Status {
      CII_ASSIGN_OR_RETURN(auto m, demo::DemoUp(*opts, ctx.exe_path));
      PrintManifest(m);
      return Ok();
    };
  });
  cmd->add_subcommand("down", "Stop the demo network")->callback([&ctx, opts] {
    ctx.action = [opts]() -> Status {
      CII_RETURN_IF_ERROR(demo::DemoDown(*opts));
      fmt::print("demo network stopped\n");
      return Ok();
    };
  });
  cmd->add_subcommand("status", "Is the demo network running?")->callback([&ctx, opts] {
    ctx.action = [opts]() -> Status {
      CII_ASSIGN_OR_RETURN(auto m, demo::DemoStatus(*opts));
      if (!m) {
        fmt::print("demo network is not running\n");
      } else {
        PrintManifest(*m);
      }
      return Ok();
    };
  });
  auto* serve = cmd->add_subcommand("serve", "Serve the demo network in the foreground");
  serve->group("");  // internal: what `demo up` starts
  serve->callback([&ctx, opts] {
    ctx.action = [&ctx, opts]() -> Status { return demo::ServeDemo(*opts, *ctx.stop); };
  });

  struct RunOpts {
    std::string out = "ciiscope-report";
    std::string formats = "html,json,csv";
    bool keep = false;
  };
  auto run_opts = std::make_shared<RunOpts>();
  auto* run = cmd->add_subcommand("run", "Start the demo network, audit it, print the report path");
  run->add_option("-o,--output", run_opts->out, "Report directory")->capture_default_str();
  run->add_option("--format", run_opts->formats, "Report formats")->capture_default_str();
  run->add_flag("--keep", run_opts->keep, "Leave the demo network running afterwards");
  run->callback([&ctx, opts, run_opts] {
    ctx.action = [&ctx, opts, run_opts]() -> Status {
      CII_ASSIGN_OR_RETURN(auto before, demo::DemoStatus(*opts));
      CII_ASSIGN_OR_RETURN(auto manifest, demo::DemoUp(*opts, ctx.exe_path));
      PrintManifest(manifest);
      ScanRequest request;
      request.targets = manifest.Addresses();
      request.profile = "demo";
      std::vector<uint16_t> ports = core::PortList::Parse("default")->ports();
      for (const auto& s : manifest.services) ports.push_back(s.port);
      for (const auto& c : manifest.closed) ports.push_back(c.port);
      request.ports = core::PortList::Of(ports).ToString();
      CII_ASSIGN_OR_RETURN(auto formats, ParseFormats(run_opts->formats));
      CII_ASSIGN_OR_RETURN(auto store, OpenStore(ctx));
      auto result = RunAudit(ctx, *store, request, formats, run_opts->out);
      if (!before && !run_opts->keep) (void)demo::DemoDown(*opts);
      if (!result) return std::move(result).error();
      for (const auto& p : result->reports) {
        if (p.ends_with(".html")) {
          fmt::print("\nopen the report: {}\n", std::filesystem::absolute(p).string());
        }
      }
      return Ok();
    };
  });
}

}  // namespace ciiscope::app
