#include "service/trail_policy.h"

#include <algorithm>
#include <array>

#include "core/hash.h"

namespace ciiscope::service {

namespace {

// Top-level commands that never change the store or sign anything.
constexpr std::array<std::string_view, 8> kReadOnlyTop = {
    "rules", "verify", "trail", "assets", "services", "config", "help", "scans"};
// Leaf commands that only read, under any parent.
constexpr std::array<std::string_view, 4> kReadOnlyLeaf = {"list", "show", "status", "check"};

bool Contains(auto const& set, std::string_view name) {
  return std::find(set.begin(), set.end(), name) != set.end();
}

}  // namespace

bool IsStateChanging(const std::vector<std::string>& path, bool report_signed) {
  if (path.empty()) return false;
  const std::string& top = path.front();
  if (Contains(kReadOnlyTop, top)) return false;
  if (path.size() > 1 && Contains(kReadOnlyLeaf, path.back())) return false;
  if (top == "report") return report_signed;
  // demo up/down/serve start loopback listeners; only `demo run` writes the store.
  if (top == "demo") return path.size() > 1 && path[1] == "run";
  return true;
}

std::string JoinCommand(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& p : path) {
    if (!out.empty()) out += ' ';
    out += p;
  }
  return out;
}

std::string ArgsDigest(const std::vector<std::string>& args) {
  std::string joined;
  for (const auto& a : args) {
    joined += a;
    joined += '\0';
  }
  return core::Sha256Hex(joined);
}

std::string Outcome(bool ok, int exit_code, std::string_view error_message) {
  if (!ok) {
    std::string msg(error_message.substr(0, 200));
    // Do not leave half a UTF-8 sequence at the cut.
    if (error_message.size() > 200) {
      while (!msg.empty() && (static_cast<unsigned char>(msg.back()) & 0xC0) == 0x80) msg.pop_back();
      if (!msg.empty() && (static_cast<unsigned char>(msg.back()) & 0x80)) msg.pop_back();
    }
    return "error: " + msg;
  }
  return exit_code == 0 ? "ok" : "exit " + std::to_string(exit_code);
}

}  // namespace ciiscope::service
