#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cstring>
#include <deque>

#include "scanner/connect_io.h"

namespace ciiscope::scanner {
namespace {

using Clock = std::chrono::steady_clock;

class EpollConnectIo : public ConnectIo {
 public:
  EpollConnectIo(int epfd, size_t slots, std::chrono::milliseconds timeout)
      : epfd_(epfd), timeout_(timeout), conns_(slots), events_(std::min<size_t>(slots, 1024)) {}
  ~EpollConnectIo() override {
    CancelAll();
    ::close(epfd_);
  }
  const char* name() const override { return "epoll"; }

  std::optional<int> Start(uint32_t local, const sockaddr_storage& addr, socklen_t len) override {
    int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), len) == 0) {
      CloseSocket(fd, true);
      return 0;
    }
    int err = errno;
    if (err != EINPROGRESS) {
      ::close(fd);
      return err;
    }
    Conn& c = conns_[local];
    ++c.gen;
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.u64 = (uint64_t{c.gen} << 32) | local;
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      err = errno;
      ::close(fd);
      return err;
    }
    c.fd = fd;
    deadlines_.push_back({Clock::now() + timeout_, local, c.gen});
    return std::nullopt;
  }

  void Poll(std::chrono::milliseconds wait, std::vector<ConnectOutcome>& out) override {
    if (!deadlines_.empty()) {
      auto until_first = std::chrono::ceil<std::chrono::milliseconds>(deadlines_.front().at - Clock::now());
      wait = std::max(std::chrono::milliseconds(0), std::min(wait, until_first));
    }
    int n = ::epoll_wait(epfd_, events_.data(), static_cast<int>(events_.size()),
                         static_cast<int>(wait.count()));
    for (int i = 0; i < n; ++i) {
      uint32_t local = static_cast<uint32_t>(events_[i].data.u64);
      uint32_t gen = static_cast<uint32_t>(events_[i].data.u64 >> 32);
      Conn& c = conns_[local];
      if (c.fd < 0 || c.gen != gen) continue;
      int err = 0;
      socklen_t elen = sizeof(err);
      if (::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0) err = errno;
      CloseSocket(c.fd, err == 0);
      c.fd = -1;
      out.push_back({local, err});
    }
    // Constant timeout: deadlines are queued in order; stale entries (the
    // connect finished, or the slot moved on) are skipped.
    auto now = Clock::now();
    while (!deadlines_.empty() && deadlines_.front().at <= now) {
      Deadline d = deadlines_.front();
      deadlines_.pop_front();
      Conn& c = conns_[d.local];
      if (c.fd < 0 || c.gen != d.gen) continue;
      ::close(c.fd);
      c.fd = -1;
      out.push_back({d.local, ETIMEDOUT});
    }
    while (!deadlines_.empty() && conns_[deadlines_.front().local].gen != deadlines_.front().gen) {
      deadlines_.pop_front();
    }
  }

  void CancelAll() override {
    for (auto& c : conns_) {
      if (c.fd >= 0) ::close(c.fd);
      c.fd = -1;
    }
    deadlines_.clear();
  }

 private:
  struct Conn {
    int fd = -1;
    uint32_t gen = 0;
  };
  struct Deadline {
    Clock::time_point at;
    uint32_t local;
    uint32_t gen;
  };
  int epfd_;
  std::chrono::milliseconds timeout_;
  std::vector<Conn> conns_;
  std::deque<Deadline> deadlines_;
  std::vector<epoll_event> events_;
};

}  // namespace

void CloseSocket(int fd, bool reset) {
  if (reset) {
    linger lg{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
  }
  ::close(fd);
}

Result<std::unique_ptr<ConnectIo>> MakeEpollConnectIo(size_t slots, std::chrono::milliseconds timeout) {
  int epfd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) {
    return Error(ErrorCode::kIo, std::string("epoll_create1: ") + std::strerror(errno));
  }
  return std::unique_ptr<ConnectIo>(new EpollConnectIo(epfd, std::max<size_t>(slots, 1), timeout));
}

Result<ConnectIoKind> ParseConnectIoKind(const std::string& text) {
  if (text == "auto") return ConnectIoKind::kAuto;
  if (text == "uring" || text == "io_uring") return ConnectIoKind::kUring;
  if (text == "epoll") return ConnectIoKind::kEpoll;
  return Error(ErrorCode::kInvalidArgument, "bad --io '" + text + "' (expected auto, uring or epoll)");
}

Result<std::unique_ptr<ConnectIo>> MakeConnectIo(ConnectIoKind kind, size_t slots,
                                                 std::chrono::milliseconds timeout) {
  if (kind == ConnectIoKind::kEpoll) return MakeEpollConnectIo(slots, timeout);
  auto uring = MakeUringConnectIo(slots, timeout);
  if (uring || kind == ConnectIoKind::kUring) return uring;
  return MakeEpollConnectIo(slots, timeout);
}

}  // namespace ciiscope::scanner
