#pragma once
// Headless Chromium as a local renderer: PDF from the HTML report, and the
// "look at it as a person would" tests. Always run with networking off
// (kChromiumBaseFlags), a throw-away profile, and a timeout.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ciiscope::reports {

// $CIISCOPE_CHROMIUM if set (must be executable), else the first of
// chromium, chromium-browser, google-chrome-stable, google-chrome on $PATH.
std::optional<std::string> FindChromium();

// The one-line error when no Chromium is found (kUnsupported).
Error ChromiumMissingError(std::string_view what);

struct ChromiumRun {
  int exit_code = -1;      // -signal when killed by a signal
  bool timed_out = false;
  std::string log;         // stderr (Chromium's log with --enable-logging=stderr)
};

// Runs `chromium --headless --no-sandbox --disable-gpu --disable-quic
// --no-first-run --disable-background-networking --disable-component-update
// --disable-sync --user-data-dir=<fresh temp dir> args...` via fork/exec in
// its own process group, with HOME and XDG dirs in the temp dir. stdout goes
// to stdout_path ("" = discarded). After timeout_ms the whole group is
// killed. The group is also killed once the main process exits, and the
// temp dir removed. Errors: kIo when the process cannot be started.
Result<ChromiumRun> RunHeadlessChromium(const std::string& chromium,
                                        const std::vector<std::string>& args, int timeout_ms,
                                        const std::string& stdout_path = "");

}  // namespace ciiscope::reports
