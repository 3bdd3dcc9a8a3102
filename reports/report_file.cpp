// WriteReportFile: render to memory, write a temp file beside the target,
// fsync, rename over the target, fsync the directory.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "reports/report.h"

namespace ciiscope::reports {
namespace {

std::string Strerror(int err) { return std::generic_category().message(err); }

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Best effort: the rename is already durable on most file systems without it.
void SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

Status WriteFileAtomicallyWith(const std::string& path,
                               const std::function<Status(std::ostream&)>& write) {
  if (path.empty() || path.back() == '/') return Error(ErrorCode::kIo, Strerror(EISDIR));
  std::string temp = path + ".tmp-XXXXXX";
  std::vector<char> name(temp.begin(), temp.end());
  name.push_back('\0');
  int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) return Error(ErrorCode::kIo, Strerror(errno));
  ::close(fd);
  temp.assign(name.data());
  auto fail = [&](Error e) {
    ::unlink(temp.c_str());
    return e;
  };
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return fail(Error(ErrorCode::kIo, Strerror(errno)));
    Status written = write(out);
    if (!written.has_value()) return fail(written.error());
    out.flush();
    if (!out) return fail(Error(ErrorCode::kIo, "write failed (disk full?)"));
  }
  fd = ::open(temp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    int err = errno;
    if (fd >= 0) ::close(fd);
    return fail(Error(ErrorCode::kIo, Strerror(err)));
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) return fail(Error(ErrorCode::kIo, Strerror(errno)));
  SyncDirectory(DirectoryOf(path));
  return Ok();
}

Status WriteFileAtomically(const std::string& path, std::string_view data) {
  return WriteFileAtomicallyWith(path, [&](std::ostream& out) -> Status {
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    return Ok();
  });
}

Status WriteReportFile(const ReportModel& model, const Renderer& renderer, Lang lang,
                       const std::string& path) {
  const std::string prefix = "cannot write report " + path + ": ";
  if (path.empty() || path.back() == '/') {
    return Error(ErrorCode::kIo, prefix + Strerror(EISDIR));
  }

  std::ostringstream rendered;
  Status status = renderer.Render(model, lang, rendered);
  if (!status.has_value()) return Error(status.error().code(), prefix + status.error().message());
  if (!rendered) return Error(ErrorCode::kInternal, prefix + "rendering failed");

  Status written = WriteFileAtomically(path, std::move(rendered).str());
  if (!written.has_value()) return Error(written.error().code(), prefix + written.error().message());
  return Ok();
}

}  // namespace ciiscope::reports
