#include "scanner/udp_engine.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "scanner/evidence.h"
#include "scanner/probes/common/dialogue.h"
#include "scanner/token_bucket.h"

namespace ciiscope::scanner {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kPollCap{50};
constexpr std::chrono::milliseconds kProgressInterval{250};
constexpr int kMaxReadsPerWake = 64;  // a flooding peer cannot hold the loop
constexpr size_t kUnknownTextCap = 1024;

enum class Outcome { kPending, kOpen, kClosed, kFiltered, kOpenFiltered };

struct Reply {
  std::string bytes;  // at most datagram_cap
  size_t size = 0;    // as sent
};

struct Flight {
  int fd = -1;
  size_t target = 0;
  uint16_t port = 0;
  std::vector<const UdpProbe*> probes;
  std::vector<std::string> requests;
  int attempts = 0;
  bool needs_send = true;
  Clock::time_point last_send{}, wait_until{}, deadline{}, linger_until{};
  std::vector<Reply> replies;
  std::optional<double> rtt_ms;
  Outcome outcome = Outcome::kPending;
};

Outcome FromErrno(int err) {
  switch (err) {
    case ECONNREFUSED: return Outcome::kClosed;  // ICMP port unreachable
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EACCES:
    case EPERM: return Outcome::kFiltered;  // other ICMP unreachable, or local policy
    default: return Outcome::kPending;
  }
}

void CloseFd(Flight& f) {
  if (f.fd >= 0) ::close(f.fd);
  f.fd = -1;
}

// Opens the connected socket; -errno on failure.
int OpenSocket(const Target& target, uint16_t port) {
  sockaddr_storage addr{};
  socklen_t len = target.address.ToSockaddr(port, &addr);
  int fd = ::socket(addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), len) != 0) {
    int err = errno;
    ::close(fd);
    return -err;
  }
  return fd;
}

class UdpRun {
 public:
  UdpRun(const std::vector<Target>& targets, const UdpScanOptions& options,
         const UdpProbeRegistry& probes, inventory::EvidenceSink& sink)
      : targets_(targets), options_(options), probes_(probes), sink_(sink),
        target_start_(targets.size()),
        total_(static_cast<uint64_t>(targets.size()) * options.ports.size()) {}

  Result<UdpScanStats> Run(const std::atomic<bool>& stop,
                           const std::function<void(const ScanProgress&)>& progress) {
    const auto started = Clock::now();
    const uint64_t total = total_;
    TokenBucket bucket(options_.rate, std::max(1.0, options_.rate / 20), started);
    auto last_progress = started;
    auto report = [&](Clock::time_point now) {
      if (!progress) return;
      ScanProgress p;
      p.done = done_;
      p.total = total;
      p.open = stats_.open;
      double secs = std::chrono::duration<double>(now - started).count();
      p.rate = secs > 0 ? static_cast<double>(done_) / secs : 0;
      progress(p);
    };
    while (true) {
      if (stop.load()) {
        stats_.interrupted = true;
        break;
      }
      auto now = Clock::now();
      CII_RETURN_IF_ERROR(StartFlights(total, bucket, now));
      for (auto& f : flights_) {
        if (f.outcome == Outcome::kPending && f.needs_send && bucket.Take(now)) Send(f, now);
      }
      Wait(bucket, now);
      now = Clock::now();
      for (auto& f : flights_) Advance(f, now);
      Retire();
      if (now - last_progress >= kProgressInterval) {
        report(now);
        last_progress = now;
      }
      if (next_ >= total && flights_.empty()) break;
    }
    for (auto& f : flights_) CloseFd(f);  // interrupted: unfinished ports are not counted
    flights_.clear();
    sink_.Flush();
    stats_.duration_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    report(Clock::now());
    return stats_;
  }

 private:
  Status StartFlights(uint64_t total, TokenBucket& bucket, Clock::time_point now) {
    while (flights_.size() < static_cast<size_t>(options_.concurrency) && next_ < total) {
      // Port-major order: consecutive datagrams go to different hosts.
      const size_t t = next_ % targets_.size();
      const uint16_t port = options_.ports[next_ / targets_.size()];
      if (options_.target_timeout.count() > 0 && target_start_[t] &&
          now >= *target_start_[t] + options_.target_timeout) {
        ++next_;
        ++done_;
        ++stats_.skipped;
        continue;
      }
      if (!bucket.Take(now)) return Ok();  // the first attempt's token
      int fd = OpenSocket(targets_[t], port);
      if (fd < 0) {
        if ((-fd == EMFILE || -fd == ENFILE || -fd == ENOBUFS) && !flights_.empty()) return Ok();
        if (Outcome o = FromErrno(-fd); o != Outcome::kPending) {  // e.g. no route
          ++next_;
          ++done_;
          ++stats_.attempted;
          Count(o);
          continue;
        }
        return Error(ErrorCode::kIo, "UDP socket to " + targets_[t].address.ToString() + ":" +
                                         std::to_string(port) + ": " + std::strerror(-fd));
      }
      if (!target_start_[t]) target_start_[t] = now;
      Flight f;
      f.fd = fd;
      f.target = t;
      f.port = port;
      f.probes = probes_.ForPort(port);
      for (const UdpProbe* p : f.probes) {
        for (auto& r : p->Requests()) f.requests.push_back(std::move(r));
      }
      f.deadline = now + options_.wait * (options_.retries + 1) + options_.linger;
      if (options_.target_timeout.count() > 0) {
        f.deadline = std::min(f.deadline, *target_start_[t] + options_.target_timeout);
      }
      ++next_;
      ++stats_.attempted;
      Send(f, now);
      flights_.push_back(std::move(f));
    }
    return Ok();
  }

  void Send(Flight& f, Clock::time_point now) {
    f.needs_send = false;
    ++f.attempts;
    f.last_send = now;
    f.wait_until = std::min(now + options_.wait, f.deadline);
    for (const auto& d : f.requests) {
      ssize_t n = ::send(f.fd, d.data(), d.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (Outcome o = FromErrno(errno); o != Outcome::kPending && f.replies.empty()) {
          f.outcome = o;
          return;
        }
        continue;  // EAGAIN etc.: the datagram is lost like any other
      }
      ++stats_.datagrams_sent;
    }
  }

  // Sleeps in poll() until a socket is readable or the next timer is due.
  void Wait(TokenBucket& bucket, Clock::time_point now) {
    auto until = now + kPollCap;
    std::vector<pollfd> fds;
    fds.reserve(flights_.size());
    for (const auto& f : flights_) {
      if (f.outcome != Outcome::kPending) {
        until = now;
        continue;
      }
      fds.push_back({f.fd, POLLIN, 0});
      if (f.needs_send) {
        until = std::min(until, now + bucket.Wait(now));
      } else {
        until = std::min(until, f.replies.empty() ? f.wait_until : f.linger_until);
      }
      until = std::min(until, f.deadline);
    }
    if (next_ < total_ && flights_.size() < static_cast<size_t>(options_.concurrency)) {
      until = std::min(until, now + bucket.Wait(now));  // the next new flight's token
    }
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(until - now).count();
    if (ms < 0) ms = 0;
    if (fds.empty()) {
      ::poll(nullptr, 0, static_cast<int>(ms));
      return;
    }
    if (::poll(fds.data(), fds.size(), static_cast<int>(ms)) <= 0) return;
    size_t i = 0;
    for (auto& f : flights_) {
      if (f.outcome != Outcome::kPending) continue;
      if (fds[i++].revents != 0) Drain(f);
    }
  }

  void Drain(Flight& f) {
    std::string buf(options_.datagram_cap, '\0');
    for (int reads = 0; reads < kMaxReadsPerWake; ++reads) {
      ssize_t n = ::recv(f.fd, buf.data(), buf.size(), MSG_TRUNC | MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EINTR) continue;
        Outcome o = FromErrno(errno);
        if (o != Outcome::kPending && f.replies.empty()) f.outcome = o;
        if (o == Outcome::kPending) return;  // EAGAIN: drained
        continue;  // an ICMP error after an answer: keep reading
      }
      ++stats_.datagrams_received;
      const auto now = Clock::now();
      if (f.replies.empty()) {
        f.rtt_ms = std::chrono::duration<double, std::milli>(now - f.last_send).count();
        f.linger_until = std::min(now + options_.linger, f.deadline);
      }
      if (f.replies.size() < options_.max_datagrams) {
        const auto size = static_cast<size_t>(n);
        f.replies.push_back({buf.substr(0, std::min(size, buf.size())), size});
      }
    }
  }

  void Advance(Flight& f, Clock::time_point now) {
    if (f.outcome != Outcome::kPending) return;
    if (!f.replies.empty()) {
      if (now >= f.linger_until || f.replies.size() >= f.requests.size()) f.outcome = Outcome::kOpen;
      return;
    }
    if (f.attempts > 0 && now >= f.deadline) {
      f.outcome = Outcome::kOpenFiltered;
    } else if (f.attempts > 0 && !f.needs_send && now >= f.wait_until) {
      if (f.attempts <= options_.retries) {
        f.needs_send = true;
      } else {
        f.outcome = Outcome::kOpenFiltered;
      }
    }
  }

  void Retire() {
    auto finished = [](const Flight& f) { return f.outcome != Outcome::kPending; };
    for (auto& f : flights_) {
      if (!finished(f)) continue;
      CloseFd(f);
      ++done_;
      Count(f.outcome);
      if (f.outcome == Outcome::kOpen) RecordOpen(f);
    }
    flights_.erase(std::remove_if(flights_.begin(), flights_.end(), finished), flights_.end());
  }

  void Count(Outcome o) {
    switch (o) {
      case Outcome::kOpen: ++stats_.open; break;
      case Outcome::kClosed: ++stats_.closed; break;
      case Outcome::kFiltered: ++stats_.filtered; break;
      case Outcome::kOpenFiltered: ++stats_.open_filtered; break;
      case Outcome::kPending: break;
    }
  }

  inventory::Observation Observe(const Flight& f, std::string_view kind) const {
    auto obs = MakeObservation(targets_[f.target], f.port, kind);
    obs.transport = "udp";
    return obs;
  }

  void RecordOpen(const Flight& f) {
    auto state = Observe(f, "port_state");
    state.state = "open";
    nlohmann::json sd = {{"state", "open"}, {"reason", "udp-response"}};
    if (f.rtt_ms) sd["rtt_ms"] = *f.rtt_ms;
    state.data_json = sd.dump();
    sink_.Record(std::move(state));
    std::set<std::string> seen;
    for (const auto& reply : f.replies) {
      for (const UdpProbe* p : f.probes) {
        auto finding = p->Interpret(reply.bytes);
        if (!finding || !seen.insert(finding->probe).second) continue;
        finding->data["truncated"] = reply.size > reply.bytes.size();
        Record(f, finding->probe, std::move(finding->data), reply.bytes);
      }
    }
    if (!seen.empty()) return;
    const Reply& first = f.replies.front();
    nlohmann::json data = {{"text", EvidenceText(first.bytes, kUnknownTextCap)},
                           {"bytes", first.size},
                           {"datagrams", f.replies.size()},
                           {"truncated", first.size > first.bytes.size()}};
    Record(f, "udp-response", std::move(data), first.bytes);
  }

  void Record(const Flight& f, std::string_view probe, nlohmann::json data, std::string raw) {
    data["probe"] = probe;
    data["transport"] = "udp";
    auto obs = Observe(f, "probe");
    obs.data_json = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    obs.raw = std::move(raw);
    sink_.Record(std::move(obs));
  }

  const std::vector<Target>& targets_;
  const UdpScanOptions& options_;
  const UdpProbeRegistry& probes_;
  inventory::EvidenceSink& sink_;
  std::vector<std::optional<Clock::time_point>> target_start_;
  std::vector<Flight> flights_;
  const uint64_t total_;
  uint64_t next_ = 0, done_ = 0;
  UdpScanStats stats_;
};

}  // namespace

Result<UdpScanStats> RunUdpScan(const std::vector<Target>& targets, const UdpScanOptions& options,
                                const UdpProbeRegistry& probes, inventory::EvidenceSink& sink,
                                const std::atomic<bool>& stop,
                                const std::function<void(const ScanProgress&)>& progress) {
  if (options.ports.empty()) return Error(ErrorCode::kInvalidArgument, "no UDP ports to scan");
  if (options.concurrency < 1 || options.wait.count() <= 0 || options.linger.count() < 0 ||
      options.target_timeout.count() < 0 || options.datagram_cap == 0 || options.max_datagrams == 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "bad UDP options (expected concurrency >= 1, a positive wait, caps >= 1)");
  }
  if (options.rate < 0 || options.retries < 0 || options.retries > 10) {
    return Error(ErrorCode::kInvalidArgument, "--rate must be >= 0 and --retries 0..10");
  }
  UdpScanStats empty;
  if (targets.empty()) {
    sink.Flush();
    return empty;
  }
  UdpRun run(targets, options, probes, sink);
  return run.Run(stop, progress);
}

}  // namespace ciiscope::scanner
