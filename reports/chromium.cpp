#include "reports/chromium.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>

extern char** environ;

namespace ciiscope::reports {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBaseFlags[] = {
    "--headless",       "--no-sandbox",          "--disable-gpu",
    "--disable-quic",   "--no-first-run",        "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
};

bool IsExecutable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string MakeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/ciiscope-chromium-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  return ::mkdtemp(buf.data()) != nullptr ? std::string(buf.data()) : std::string();
}

}  // namespace

std::optional<std::string> FindChromium() {
  if (const char* env = std::getenv("CIISCOPE_CHROMIUM"); env != nullptr && *env != '\0') {
    if (IsExecutable(env)) return std::string(env);
    return std::nullopt;
  }
  const char* path_env = std::getenv("PATH");
  std::string path = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
  for (const char* name : {"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"}) {
    std::istringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');) {
      if (dir.empty()) continue;
      std::string candidate = dir + "/" + name;
      if (IsExecutable(candidate)) return candidate;
    }
  }
  return std::nullopt;
}

Error ChromiumMissingError(std::string_view what) {
  return Error(ErrorCode::kUnsupported,
               std::string(what) +
                   " needs Chromium, and none was found (install the Debian packages chromium "
                   "and fonts-noto-cjk, or set CIISCOPE_CHROMIUM to its path)");
}

Result<ChromiumRun> RunHeadlessChromium(const std::string& chromium,
                                        const std::vector<std::string>& args, int timeout_ms,
                                        const std::string& stdout_path) {
  const std::string home = MakeTempDir();
  if (home.empty()) return Error(ErrorCode::kIo, "cannot create a temporary Chromium profile");
  const std::string log_path = home + "/stderr.log";

  // Everything the child needs is prepared before fork.
  std::vector<std::string> argv_s = {chromium};
  for (const char* f : kBaseFlags) argv_s.emplace_back(f);
  argv_s.push_back("--user-data-dir=" + home + "/profile");
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_s;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    if (kv.starts_with("HOME=") || kv.starts_with("XDG_CONFIG_HOME=") ||
        kv.starts_with("XDG_CACHE_HOME=")) {
      continue;
    }
    env_s.emplace_back(kv);
  }
  env_s.push_back("HOME=" + home);
  env_s.push_back("XDG_CONFIG_HOME=" + home + "/config");
  env_s.push_back("XDG_CACHE_HOME=" + home + "/cache");
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  const std::string out_path = stdout_path.empty() ? "/dev/null" : stdout_path;
  pid_t pid = ::fork();
  if (pid < 0) {
    std::error_code ec;
    fs::remove_all(home, ec);
    return Error(ErrorCode::kIo, "cannot start " + chromium + ": fork failed");
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execve(chromium.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from the parent: no race with the kill below

  ChromiumRun run;
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      run.timed_out = true;
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(-pid, SIGKILL);  // helpers (zygote, utility processes) of this run only
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) run.exit_code = -WTERMSIG(status);
  std::ifstream log(log_path, std::ios::binary);
  std::ostringstream ss;
  ss << log.rdbuf();
  run.log = std::move(ss).str();
  std::error_code ec;
  fs::remove_all(home, ec);
  return run;
}

}  // namespace ciiscope::reports
