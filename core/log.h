#pragma once
// Logging facade over spdlog. Logs are English and go to stderr (and
// optionally a file); user-facing messages do not go through here.

#include <spdlog/spdlog.h>

#include <string>

#include "core/result.h"

namespace ciiscope::core {

// level: trace, debug, info, warn, error, critical, off.
// file: empty for stderr only. Safe to call more than once (replaces sinks).
Status InitLogging(std::string_view level, const std::string& file = "");

}  // namespace ciiscope::core
