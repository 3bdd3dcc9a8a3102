#pragma once
// How a connect sweeper talks to the kernel: start non-blocking connects and
// collect their outcomes. Two backends: io_uring (connects with a linked
// timeout, submitted and reaped in batches; no per-socket epoll_ctl or
// getsockopt) and epoll (the fallback where io_uring is unavailable, e.g.
// disabled by kernel.io_uring_disabled or a seccomp filter).
//
// Threads: a ConnectIo belongs to one sweeper thread.

#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace ciiscope::scanner {

struct ConnectOutcome {
  uint32_t local = 0;  // the sweeper's slot index
  int error = 0;       // 0 = connected; ECONNREFUSED, ETIMEDOUT (our timeout), EHOSTUNREACH, …
};

class ConnectIo {
 public:
  virtual ~ConnectIo() = default;
  virtual const char* name() const = 0;
  // Starts a connect for `local` (which has nothing in flight). Returns
  // nullopt when it is in flight (its outcome comes from Poll), or the
  // immediate outcome as an errno value (0 = connected; EMFILE and the like
  // when no socket could be made). The socket is closed by the backend
  // (with a reset when it had connected).
  virtual std::optional<int> Start(uint32_t local, const sockaddr_storage& addr, socklen_t len) = 0;
  // Waits up to `wait` for outcomes (submitting what Start queued first) and
  // appends them to `out`; connects older than the timeout end as ETIMEDOUT.
  virtual void Poll(std::chrono::milliseconds wait, std::vector<ConnectOutcome>& out) = 0;
  // Closes every socket still in flight; no outcomes follow.
  virtual void CancelAll() = 0;
};

enum class ConnectIoKind { kAuto, kUring, kEpoll };

// "auto" | "uring" | "epoll".
Result<ConnectIoKind> ParseConnectIoKind(const std::string& text);

// `slots` = most connects in flight at once on this backend.
Result<std::unique_ptr<ConnectIo>> MakeEpollConnectIo(size_t slots, std::chrono::milliseconds timeout);
Result<std::unique_ptr<ConnectIo>> MakeUringConnectIo(size_t slots, std::chrono::milliseconds timeout);
// kAuto: io_uring when it can be set up, else epoll.
Result<std::unique_ptr<ConnectIo>> MakeConnectIo(ConnectIoKind kind, size_t slots,
                                                 std::chrono::milliseconds timeout);

// Closes a TCP socket; with `reset` an established connection is reset
// (SO_LINGER 0) instead of lingering in TIME_WAIT on the scanner.
void CloseSocket(int fd, bool reset);

}  // namespace ciiscope::scanner
