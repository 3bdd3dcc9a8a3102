#pragma once
// Runs the real ciiscope binary (CIISCOPE_BINARY) as a child process and
// captures its exit code, stdout and stderr. Test-only.

#include <functional>
#include <string>
#include <vector>

namespace ciiscope::testing {

struct CliResult {
  int exit_code = -1;      // -signal when killed by a signal
  std::string out;
  std::string err;
  double seconds = 0;
  double signalled_at = -1;  // seconds from the start when the signal was sent (-1: never)
};

// Runs `ciiscope args...` in `cwd` (empty = inherit). If interrupt_after_ms
// > 0, sends SIGINT after that long. Kills the child after timeout_s.
// `in_child`, if set, runs in the child just before exec (e.g. to install a
// seccomp filter the CLI inherits).
CliResult RunCli(const std::vector<std::string>& args, const std::string& cwd = "",
                 int interrupt_after_ms = 0, int timeout_s = 120,
                 const std::function<void()>& in_child = {});

// Like RunCli, but sends `signal` the first time `ready()` returns true
// (polled every 20 ms) instead of after a fixed time: a test that must stop
// a command mid-way waits for the state it needs (say, a first checkpoint)
// rather than guessing how long a loaded machine takes to reach it.
// `signalled` tells whether the signal was sent.
CliResult RunCliSignalWhen(const std::vector<std::string>& args, const std::function<bool()>& ready,
                           int signal, bool* signalled, int timeout_s = 120);

std::string MakeTempDir(const std::string& tag);
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);
// Number of non-empty lines.
int LineCount(const std::string& text);

}  // namespace ciiscope::testing
