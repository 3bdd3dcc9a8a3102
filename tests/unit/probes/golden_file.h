#pragma once
// Shared by the golden tests (udp_golden_test, tcp_golden_test): whole-file
// reads and a line diff of golden vs actual JSON for failure messages.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace ciiscope::scanner {

inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "-" / "+" lines between the golden and the actual pretty JSON.
inline std::string LineDiff(const std::string& want, const std::string& got) {
  auto lines = [](const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string l; std::getline(ss, l);) out.push_back(l);
    return out;
  };
  auto a = lines(want), b = lines(got);
  std::string out;
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    std::string x = i < a.size() ? a[i] : "", y = i < b.size() ? b[i] : "";
    if (x == y) continue;
    if (i < a.size()) out += "  line " + std::to_string(i + 1) + " - " + x + "\n";
    if (i < b.size()) out += "  line " + std::to_string(i + 1) + " + " + y + "\n";
  }
  return out;
}

// UPDATE=1 in the environment: golden files are rewritten, not compared.
inline bool UpdateGolden() {
  const char* v = std::getenv("UPDATE");
  return v != nullptr && std::string(v) == "1";
}

// Rewrites `golden` with `got` when updating; otherwise `got` must equal it.
inline void ExpectGolden(const std::filesystem::path& golden, const std::string& name, const std::string& got) {
  if (UpdateGolden()) {
    std::ofstream(golden, std::ios::binary) << got;
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(golden)) << golden << " missing (run with UPDATE=1 to create it)";
  const std::string want = ReadFile(golden);
  EXPECT_EQ(want, got) << name << " differs from " << golden << " (UPDATE=1 regenerates):\n"
                       << LineDiff(want, got);
}

}  // namespace ciiscope::scanner
