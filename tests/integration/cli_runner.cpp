#include "cli_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace ciiscope::testing {

std::string MakeTempDir(const std::string& tag) {
  std::string tmpl = "/tmp/ciiscope-" + tag + "-XXXXXX";
  char* p = mkdtemp(tmpl.data());
  return p ? std::string(p) : std::string();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

int LineCount(const std::string& text) {
  int n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) ++n;
  }
  return n;
}

namespace {

// Runs the child; `should_signal(elapsed_ms)` is asked every poll until it
// says yes, then `signal` is sent once.
CliResult Run(const std::vector<std::string>& args, const std::string& cwd, int timeout_s,
              const std::function<void()>& in_child, const std::function<bool(int64_t)>& should_signal,
              int signal, int poll_ms, bool* signalled) {
  CliResult result;
  std::string dir = MakeTempDir("cli");
  std::string out_path = dir + "/out", err_path = dir + "/err";
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out, 1);
    dup2(err, 2);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(127);
    std::vector<char*> argv;
    std::string bin = CIISCOPE_BINARY;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (in_child) in_child();
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  bool interrupted = false;
  int status = 0;
  while (true) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    auto elapsed = std::chrono::steady_clock::now() - start;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
    if (should_signal && !interrupted && should_signal(ms)) {
      kill(pid, signal);
      interrupted = true;
      result.signalled_at = static_cast<double>(ms) / 1000.0;
    }
    if (ms > timeout_s * 1000LL) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
  }
  if (signalled) *signalled = interrupted;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = -WTERMSIG(status);
  }
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  rmdir(dir.c_str());
  return result;
}

}  // namespace

CliResult RunCli(const std::vector<std::string>& args, const std::string& cwd,
                 int interrupt_after_ms, int timeout_s, const std::function<void()>& in_child) {
  std::function<bool(int64_t)> after;
  if (interrupt_after_ms > 0) after = [interrupt_after_ms](int64_t ms) { return ms >= interrupt_after_ms; };
  return Run(args, cwd, timeout_s, in_child, after, SIGINT, 10, nullptr);
}

CliResult RunCliSignalWhen(const std::vector<std::string>& args, const std::function<bool()>& ready,
                           int signal, bool* signalled, int timeout_s) {
  return Run(args, "", timeout_s, {}, [&ready](int64_t) { return ready(); }, signal, 20, signalled);
}

}  // namespace ciiscope::testing
