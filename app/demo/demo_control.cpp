// DemoUp / DemoDown / DemoStatus: run ServeDemo as a detached process
// (`exe demo serve …`) and manage it through the state directory.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "app/demo/campus.h"
#include "app/demo/demo_network.h"
#include "app/demo/state_files.h"

namespace ciiscope::app::demo {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStartTimeout = std::chrono::seconds(10);
constexpr auto kTermTimeout = std::chrono::seconds(5);
constexpr auto kPollInterval = std::chrono::milliseconds(50);

// True when a TCP connect to a loopback address:port completes within 1 s.
bool Accepts(const std::string& address, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  if (::inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1) return false;
  if ((ntohl(sa.sin_addr.s_addr) >> 24) != 127) return false;  // loopback only
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0;
  if (!ok && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, 1000) == 1) {
      int err = 0;
      socklen_t len = sizeof(err);
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      ok = err == 0;
    }
  }
  ::close(fd);
  return ok;
}

// Why a server that exited did not start: its demo.error line, else the last
// non-empty line of its log.
std::string StartFailure(const StatePaths& paths) {
  auto error = ReadSmallFile(paths.error, 4096);
  std::string text = error.has_value() ? *error : "";
  if (text.find_first_not_of(" \r\n\t") == std::string::npos) {
    auto log = ReadSmallFile(paths.log, 1 << 16);
    text = log.has_value() ? *log : "";
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  size_t nl = text.rfind('\n');
  std::string line = nl == std::string::npos ? text : text.substr(nl + 1);
  if (line.empty()) return "demo: the server exited before it was ready (see " + paths.log + ")";
  if (line.rfind("demo:", 0) != 0) line = "demo: " + line;
  return line;
}

// fork → setsid → fork → exec, so the server is re-parented at once and
// never lingers as our zombie. Returns the server's pid.
Result<int> SpawnDetached(const std::string& exe, const StatePaths& paths,
                          const std::string& base) {
  std::vector<std::string> args = {exe, "demo", "serve", "--state-dir", paths.dir, "--base", base};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int log_fd = ::open(paths.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log_fd < 0) {
    return Error(ErrorCode::kIo, "demo: cannot open " + paths.log + ": " + std::strerror(errno));
  }
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int pipe_fds[2];
  if (null_fd < 0 || ::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    return Error(ErrorCode::kIo, std::string("demo: cannot create a pipe: ") + std::strerror(errno));
  }
  pid_t child = ::fork();
  if (child < 0) {
    ::close(log_fd);
    ::close(null_fd);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return Error(ErrorCode::kIo, std::string("demo: fork failed: ") + std::strerror(errno));
  }
  if (child == 0) {
    // Only async-signal-safe calls from here to exec.
    ::setsid();
    pid_t grandchild = ::fork();
    if (grandchild != 0) {
      int32_t pid = grandchild;
      (void)!::write(pipe_fds[1], &pid, sizeof(pid));
      ::_exit(grandchild > 0 ? 0 : 1);
    }
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::signal(SIGPIPE, SIG_DFL);
    ::execv(exe.c_str(), argv.data());
    static constexpr char kMsg[] = "demo: cannot execute the ciiscope binary\n";
    (void)!::write(STDERR_FILENO, kMsg, sizeof(kMsg) - 1);
    ::_exit(127);
  }
  ::close(log_fd);
  ::close(null_fd);
  ::close(pipe_fds[1]);
  int32_t pid = 0;
  ssize_t n;
  do {
    n = ::read(pipe_fds[0], &pid, sizeof(pid));
  } while (n < 0 && errno == EINTR);
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (n != sizeof(pid) || pid <= 0) {
    return Error(ErrorCode::kIo, "demo: cannot start the server process");
  }
  return static_cast<int>(pid);
}

bool WaitForExit(int pid, Clock::duration timeout) {
  auto until = Clock::now() + timeout;
  while (Clock::now() < until) {
    if (!ProcessAlive(pid)) return true;
    std::this_thread::sleep_for(kPollInterval);
  }
  return !ProcessAlive(pid);
}

void KillAndWait(int pid) {
  ::kill(pid, SIGTERM);
  if (!WaitForExit(pid, kTermTimeout)) {
    ::kill(pid, SIGKILL);
    WaitForExit(pid, std::chrono::seconds(1));
  }
}

}  // namespace

Result<std::optional<DemoManifest>> DemoStatus(const DemoOptions& options) {
  StatePaths paths = PathsFor(options);
  auto manifest = ReadManifest(paths.manifest);
  if (!manifest.has_value()) {
    if (manifest.error().code() == ErrorCode::kNotFound) return std::optional<DemoManifest>();
    return manifest.error();
  }
  if (!ProcessAlive(manifest->pid)) return std::optional<DemoManifest>();
  return std::optional<DemoManifest>(std::move(*manifest));
}

Result<DemoManifest> DemoUp(const DemoOptions& options, const std::string& exe) {
  CII_RETURN_IF_ERROR(ValidateBase(options.base));
  StatePaths paths = PathsFor(options);
  // A manifest that cannot be read is treated as stale and replaced.
  auto status = DemoStatus(options);
  if (status.has_value() && status->has_value()) return std::move(**status);
  int stale = ReadPidFile(paths.pid);
  if (stale != 0 && ProcessAlive(stale)) {
    // Started but not yet ready (another `demo up` racing us): wait for it.
    auto until = Clock::now() + kStartTimeout;
    while (Clock::now() < until && ProcessAlive(stale)) {
      status = DemoStatus(options);
      if (status.has_value() && status->has_value()) return std::move(**status);
      std::this_thread::sleep_for(kPollInterval);
    }
  }
  if (::access(exe.c_str(), X_OK) != 0) {
    return Error(ErrorCode::kNotFound, "demo: cannot execute " + exe);
  }
  CII_RETURN_IF_ERROR(EnsureStateDir(paths.dir));
  RemoveFile(paths.manifest);
  RemoveFile(paths.pid);
  RemoveFile(paths.error);

  CII_ASSIGN_OR_RETURN(int pid, SpawnDetached(exe, paths, options.base));
  auto until = Clock::now() + kStartTimeout;
  std::optional<DemoManifest> ready;
  while (Clock::now() < until) {
    auto manifest = ReadManifest(paths.manifest);
    if (manifest.has_value() && manifest->pid == pid) {
      ready = std::move(*manifest);
      break;
    }
    if (!ProcessAlive(pid)) return Error(ErrorCode::kIo, StartFailure(paths));
    std::this_thread::sleep_for(kPollInterval);
  }
  if (!ready.has_value()) {
    KillAndWait(pid);
    return Error(ErrorCode::kIo, "demo: the server was not ready within 10 s (see " + paths.log + ")");
  }
  for (const DemoService& s : ready->services) {
    if (!Accepts(s.address, s.port)) {
      KillAndWait(pid);
      RemoveFile(paths.manifest);
      RemoveFile(paths.pid);
      return Error(ErrorCode::kIo, "demo: " + s.kind + " at " + s.address + ":" +
                                       std::to_string(s.port) + " does not accept connections");
    }
  }
  return std::move(*ready);
}

Status DemoDown(const DemoOptions& options) {
  StatePaths paths = PathsFor(options);
  auto manifest = ReadManifest(paths.manifest);
  int pid = manifest.has_value() ? manifest->pid : ReadPidFile(paths.pid);
  if (pid != 0 && pid != static_cast<int>(::getpid()) && ProcessAlive(pid)) KillAndWait(pid);
  if (pid != 0 && pid != static_cast<int>(::getpid()) && ProcessAlive(pid)) {
    return Error(ErrorCode::kIo, "demo: process " + std::to_string(pid) + " did not stop");
  }
  RemoveFile(paths.manifest);
  RemoveFile(paths.pid);
  return Ok();
}

}  // namespace ciiscope::app::demo
