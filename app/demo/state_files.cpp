#include "app/demo/state_files.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ciiscope::app::demo {

StatePaths PathsFor(const DemoOptions& options) {
  StatePaths paths;
  paths.dir = options.state_dir.empty() ? DefaultStateDir() : options.state_dir;
  paths.manifest = paths.dir + "/manifest.json";
  paths.pid = paths.dir + "/demo.pid";
  paths.log = paths.dir + "/demo.log";
  paths.error = paths.dir + "/demo.error";
  paths.hosts = paths.dir + "/hosts";
  return paths;
}

Status EnsureStateDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Error(ErrorCode::kIo, "demo: cannot create state directory " + dir + ": " + ec.message());
  }
  ::chmod(dir.c_str(), 0700);
  return Ok();
}

Status WriteFileAtomic(const std::string& path, std::string_view content) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error(ErrorCode::kIo, "demo: cannot write " + tmp + ": " + std::strerror(errno));
  }
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return Error(ErrorCode::kIo, "demo: cannot write " + tmp + ": " + why);
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return Error(ErrorCode::kIo, "demo: cannot rename " + tmp + " to " + path + ": " + why);
  }
  return Ok();
}

Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kNotFound, "demo: cannot read " + path);
  std::string data(max_bytes, '\0');
  in.read(data.data(), static_cast<std::streamsize>(max_bytes));
  data.resize(static_cast<size_t>(in.gcount()));
  return data;
}

void RemoveFile(const std::string& path) { ::unlink(path.c_str()); }

Result<DemoManifest> ReadManifest(const std::string& path) {
  CII_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path));
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return Error(ErrorCode::kParse, "demo: " + path + " is not valid JSON");
  }
  return DemoManifest::FromJson(json);
}

int ReadPidFile(const std::string& path) {
  auto text = ReadSmallFile(path, 64);
  if (!text.has_value()) return 0;
  try {
    int pid = std::stoi(*text);
    return pid > 0 ? pid : 0;
  } catch (...) {
    return 0;
  }
}

bool ProcessAlive(int pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0 && errno != EPERM) return false;
  // A zombie still answers kill(0); /proc tells it apart.
  auto stat = ReadSmallFile("/proc/" + std::to_string(pid) + "/stat", 4096);
  if (!stat.has_value()) return true;
  size_t paren = stat->rfind(')');
  if (paren != std::string::npos && paren + 2 < stat->size()) {
    char state = (*stat)[paren + 2];
    if (state == 'Z' || state == 'X') return false;
  }
  return true;
}

}  // namespace ciiscope::app::demo
