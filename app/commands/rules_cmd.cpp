#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/context.h"
#include "core/text.h"
#include "rulelang/rule.h"

namespace ciiscope::app {

void AddRulesCommand(CLI::App& app, Context& ctx) {
  auto* rules = app.add_subcommand("rules", "Check and test rule packs");
  rules->require_subcommand(1);
  auto dir = std::make_shared<std::string>();

  auto* lint = rules->add_subcommand("lint", "Load every rule and report errors with file:line:column");
  lint->add_option("dir", *dir, "Rule directory (default: the shipped packs)");
  lint->callback([&ctx, dir] {
    ctx.action = [&ctx, dir]() -> Status {
      std::string d = dir->empty() ? RulesDir(ctx) : *dir;
      auto set = rulelang::LoadRuleDir(d);
      for (const auto& e : set.errors) fmt::print(stderr, "{}\n", core::Printable(core::SanitizeUtf8(e.message())));
      fmt::print("rules: {} loaded, {} error(s) in {}\n", set.rules.size(), set.errors.size(), d);
      if (!set.errors.empty()) {
        return Error(ErrorCode::kParse, std::to_string(set.errors.size()) + " error(s) in rule files");
      }
      return Ok();
    };
  });

  auto* test = rules->add_subcommand("test", "Run every rule's positive and negative examples");
  test->add_option("dir", *dir, "Rule directory (default: the shipped packs)");
  test->callback([&ctx, dir] {
    ctx.action = [&ctx, dir]() -> Status {
      std::string d = dir->empty() ? RulesDir(ctx) : *dir;
      auto set = rulelang::LoadRuleDir(d);
      for (const auto& e : set.errors) fmt::print(stderr, "{}\n", core::Printable(core::SanitizeUtf8(e.message())));
      size_t passed = 0, failed = 0, untested = 0;
      for (const auto& rule : set.rules) {
        if (rule.tests.empty()) {
          ++untested;
          fmt::print(stderr, "{}: rule {} has no tests\n", rule.source.ToString(), rule.id);
        }
        for (const auto& r : rulelang::RunRuleTests(rule)) {
          if (r.passed) {
            ++passed;
          } else {
            ++failed;
            fmt::print(stderr, "{}: FAIL {} / {}: {}\n", r.pos.ToString(), r.rule_id, r.test_name,
                       r.message);
          }
        }
      }
      fmt::print("rules: {} rule(s), {} example(s) passed, {} failed, {} untested rule(s), {} load error(s)\n",
                 set.rules.size(), passed, failed, untested, set.errors.size());
      if (failed || untested || !set.errors.empty()) {
        return Error(ErrorCode::kParse, "rule tests did not all pass");
      }
      return Ok();
    };
  });
}

}  // namespace ciiscope::app
