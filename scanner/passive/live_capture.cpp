#include "scanner/passive/live_capture.h"

#include <grp.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pwd.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "core/clock.h"
#include "scanner/passive/capture_file.h"

namespace ciiscope::scanner::passive {
namespace {

struct FeedContext {
  PassiveAnalyzer* analyzer;
  int link_type;
  LiveStats* stats;
};

void OnPacket(u_char* user, const pcap_pkthdr* h, const u_char* bytes) {
  auto* c = reinterpret_cast<FeedContext*>(user);
  ++c->stats->packets;
  c->stats->bytes += h->caplen;
  const int64_t ts_us = CaptureTimeMicros(h->ts);
  c->analyzer->OnPacket(c->link_type, ts_us,
                        {reinterpret_cast<const std::byte*>(bytes), h->caplen});
}

Error Fail(const std::string& interface, const std::string& what) {
  return Error(ErrorCode::kIo, interface + ": " + what);
}

}  // namespace

LiveCapture::LiveCapture(pcap_t* handle, std::string interface)
    : handle_(handle), interface_(std::move(interface)) {}

LiveCapture::~LiveCapture() {
  if (handle_ != nullptr) pcap_close(handle_);
}

Result<std::unique_ptr<LiveCapture>> LiveCapture::Open(const LiveOptions& o) {
  if (o.interface.empty()) return Error(ErrorCode::kInvalidArgument, "--interface: empty name");
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* raw = pcap_create(o.interface.c_str(), errbuf);
  if (raw == nullptr) return Fail(o.interface, errbuf);
  std::unique_ptr<LiveCapture> cap(new LiveCapture(raw, o.interface));
  pcap_set_snaplen(raw, o.snaplen);
  pcap_set_promisc(raw, o.promiscuous ? 1 : 0);
  pcap_set_timeout(raw, o.block_timeout_ms);
  pcap_set_buffer_size(raw, o.buffer_bytes);
  const int rc = pcap_activate(raw);
  if (rc < 0) {
    std::string why = pcap_statustostr(rc);
    const char* detail = pcap_geterr(raw);
    if (detail != nullptr && *detail != '\0') why += std::string(" (") + detail + ")";
    if (rc == PCAP_ERROR_PERM_DENIED) {
      return Error(ErrorCode::kPermission,
                   o.interface + ": " + why + "; live capture needs root or CAP_NET_RAW");
    }
    return Fail(o.interface, why);
  }
  if (!o.bpf.empty()) {
    bpf_program program{};
    if (pcap_compile(raw, &program, o.bpf.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      return Error(ErrorCode::kInvalidArgument,
                   o.interface + ": bad BPF filter '" + o.bpf + "': " + pcap_geterr(raw));
    }
    const int set = pcap_setfilter(raw, &program);
    pcap_freecode(&program);
    if (set != 0) return Fail(o.interface, std::string("cannot set filter: ") + pcap_geterr(raw));
  }
  if (pcap_setnonblock(raw, 1, errbuf) != 0) return Fail(o.interface, errbuf);
  cap->link_type_ = pcap_datalink(raw);
  return cap;
}

Status LiveCapture::Run(PassiveAnalyzer& analyzer, const std::atomic<bool>& stop,
                        int64_t duration_ms, const std::function<void(int64_t)>& tick) {
  const int fd = pcap_get_selectable_fd(handle_);
  FeedContext ctx{&analyzer, link_type_, &stats_};
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto last_tick = start;
  while (!stop.load(std::memory_order_relaxed)) {
    const auto now = Clock::now();
    int wait_ms = 200;
    if (duration_ms > 0) {
      const auto left = duration_ms -
                        std::chrono::duration_cast<std::chrono::milliseconds>(now - start).count();
      if (left <= 0) break;
      if (left < wait_ms) wait_ms = static_cast<int>(left);
    }
    if (fd >= 0) {
      pollfd p{fd, POLLIN, 0};
      const int ready = ::poll(&p, 1, wait_ms);
      if (ready < 0 && errno != EINTR) return Fail(interface_, std::string("poll: ") + std::strerror(errno));
    }
    // Drain what is buffered; bounded per round so stop and ticks stay timely.
    for (int round = 0; round < 64; ++round) {
      const int n = pcap_dispatch(handle_, 4096, OnPacket, reinterpret_cast<u_char*>(&ctx));
      if (n == PCAP_ERROR) return Fail(interface_, std::string("capture failed: ") + pcap_geterr(handle_));
      if (n <= 0) break;
    }
    const auto after = Clock::now();
    if (tick && after - last_tick >= std::chrono::milliseconds(200)) {
      last_tick = after;
      tick(core::NowMillis());
    }
  }
  return Ok();
}

LiveStats LiveCapture::Stats() {
  pcap_stat ps{};
  if (pcap_stats(handle_, &ps) == 0) {
    stats_.stats_ok = true;
    stats_.kernel_received = ps.ps_recv;
    stats_.kernel_dropped = ps.ps_drop;
    stats_.interface_dropped = ps.ps_ifdrop;
  }
  return stats_;
}

Result<std::string> DropPrivileges(const std::string& user_in) {
  const std::string user = user_in.empty() ? "nobody" : user_in;
  std::string done;
  if (::geteuid() == 0 || ::getuid() == 0) {
    long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buf(size > 0 ? static_cast<size_t>(size) : 16384);
    passwd pw{};
    passwd* found = nullptr;
    if (::getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
      return Error(ErrorCode::kInvalidArgument, "--user: no such user '" + user + "'");
    }
    if (pw.pw_uid == 0) {
      return Error(ErrorCode::kInvalidArgument, "--user: '" + user + "' is root; give an unprivileged user");
    }
    if (::setgroups(0, nullptr) != 0 || ::setgid(pw.pw_gid) != 0 || ::setuid(pw.pw_uid) != 0) {
      return Error(ErrorCode::kPermission,
                   "cannot drop privileges to '" + user + "': " + std::strerror(errno));
    }
    if (::setuid(0) == 0 || ::geteuid() == 0) {
      return Error(ErrorCode::kPermission, "dropped privileges could be regained; refusing to go on");
    }
    done = "uid " + std::to_string(pw.pw_uid) + " (" + user + "), gid " + std::to_string(pw.pw_gid);
  } else {
    done = "uid " + std::to_string(::getuid()) + " (not root)";
  }
  cap_t none = cap_init();  // every set empty
  if (none == nullptr) return Error(ErrorCode::kInternal, "cap_init failed");
  const int set = cap_set_proc(none);
  cap_free(none);
  if (set != 0) return Error(ErrorCode::kPermission, std::string("cannot clear capabilities: ") + std::strerror(errno));
  // Also no ambient or bounding-set way back in through exec.
  (void)::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return Error(ErrorCode::kPermission, std::string("cannot set no_new_privs: ") + std::strerror(errno));
  }
  return done + ", capabilities cleared";
}

}  // namespace ciiscope::scanner::passive
