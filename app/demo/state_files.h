#pragma once
// The demo's state directory: paths, atomic writes, and process liveness.
// Plain POSIX; no network.

#include <string>
#include <string_view>

#include "app/demo/demo_network.h"
#include "core/result.h"

namespace ciiscope::app::demo {

struct StatePaths {
  std::string dir;
  std::string manifest;  // manifest.json
  std::string pid;       // demo.pid
  std::string log;       // demo.log
  std::string error;     // demo.error
  std::string hosts;     // hosts
};

StatePaths PathsFor(const DemoOptions& options);

// Creates the directory (mode 0700) if missing.
Status EnsureStateDir(const std::string& dir);
// Writes to a temporary file in the same directory and renames it.
Status WriteFileAtomic(const std::string& path, std::string_view content);
Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes = 1 << 20);
// Removes a file; a missing file is fine.
void RemoveFile(const std::string& path);

Result<DemoManifest> ReadManifest(const std::string& path);
// The pid in the pid file, or 0 when missing or unreadable.
int ReadPidFile(const std::string& path);

// True when `pid` names a live (not zombie) process.
bool ProcessAlive(int pid);

}  // namespace ciiscope::app::demo
