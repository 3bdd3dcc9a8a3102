#include <errno.h>
#include <liburing.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "scanner/connect_io.h"

namespace ciiscope::scanner {
namespace {

// What a completion belongs to (the low two bits of user_data).
enum Kind : uint64_t {
  kConnect = 0,
  kTimeout = 1,  // the connect's linked timeout
  kSocket = 2,   // a direct socket that could not be made (success posts nothing)
  kCleanup = 3,  // SO_LINGER / close of a direct socket (success posts nothing)
};

// user_data: generation << 32 | local << 2 | kind.
uint64_t Tag(uint32_t gen, uint32_t local, Kind kind) {
  return (uint64_t{gen} << 32) | (uint64_t{local} << 2) | kind;
}

// SOCKET_URING_OP_SETSOCKOPT (Linux 6.7): setsockopt() on a socket as an
// IORING_OP_URING_CMD. Not in the io_uring headers of older distributions.
constexpr uint32_t kSocketUringOpSetsockopt = 3;
const linger kResetLinger{1, 0};

// Two ways to run the connects:
//   direct (Linux 5.19+): each slot's socket is made by the ring itself
//     (IORING_OP_SOCKET into the slot's entry of a registered file table),
//     linked to its connect and the connect's timeout, and closed by the ring
//     (IORING_OP_CLOSE): no system call per connect, no descriptor in the
//     process's table (RLIMIT_NOFILE only bounds the table's size). Open
//     ports are reset (SO_LINGER 0 through the ring, Linux 6.7+; a plain
//     close on older kernels).
//   descriptors (fallback: no IORING_OP_SOCKET, or the table cannot be
//     registered, e.g. under a tiny RLIMIT_NOFILE): socket() per connect,
//     the connect and its timeout through the ring, close() afterwards.
class UringConnectIo : public ConnectIo {
 public:
  UringConnectIo(size_t slots, std::chrono::milliseconds timeout) : conns_(slots) {
    timeout_.tv_sec = timeout.count() / 1000;
    timeout_.tv_nsec = (timeout.count() % 1000) * 1000000;
  }
  ~UringConnectIo() override {
    // A sweep that ran out of work: the closes (resets) queued for the last
    // outcomes go out before the ring does (a stop calls CancelAll first).
    if (ready_) io_uring_submit(&ring_);
    CancelAll();
  }
  const char* name() const override { return direct_ ? "io_uring (direct sockets)" : "io_uring"; }

  Status Init() {
    // Two CQEs per connect (the connect and its timeout); the kernel keeps
    // overflowing CQEs (IORING_FEAT_NODROP), the size only avoids that path.
    // Direct sockets take three or four SQEs per connect (socket, connect,
    // timeout; close of the one before, SO_LINGER first for open ports), so
    // a whole batch fits without a submission in between.
    unsigned entries = static_cast<unsigned>(std::min<size_t>(std::max<size_t>(conns_.size() * 4, 64), 32768));
    io_uring_params params{};
    params.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN;
    params.cq_entries = static_cast<unsigned>(std::min<size_t>(conns_.size() * 2 + 64, 65536));
    int rc = io_uring_queue_init_params(entries, &ring_, &params);
    if (rc == -EINVAL) {  // older kernel: no SINGLE_ISSUER/COOP_TASKRUN
      params = {};
      params.flags = IORING_SETUP_CQSIZE;
      params.cq_entries = static_cast<unsigned>(std::min<size_t>(conns_.size() * 2 + 64, 65536));
      rc = io_uring_queue_init_params(entries, &ring_, &params);
    }
    if (rc < 0) return Error(ErrorCode::kIo, std::string("io_uring setup: ") + std::strerror(-rc));
    ready_ = true;
    if (io_uring_probe* probe = io_uring_get_probe_ring(&ring_)) {
      direct_ = io_uring_opcode_supported(probe, IORING_OP_SOCKET) &&
                io_uring_opcode_supported(probe, IORING_OP_CLOSE) &&
                io_uring_register_files_sparse(&ring_, static_cast<unsigned>(conns_.size())) == 0;
      linger_ = direct_ && io_uring_opcode_supported(probe, IORING_OP_URING_CMD);
      io_uring_free_probe(probe);
    }
    return Ok();
  }

  std::optional<int> Start(uint32_t local, const sockaddr_storage& addr, socklen_t len) override {
    if (!Reserve(3)) return EAGAIN;  // retried like a descriptor shortage
    Conn& c = conns_[local];
    c.addr = addr;
    c.socket_error = 0;
    ++c.gen;
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (direct_) {
      io_uring_prep_socket_direct(sqe, addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0, local, 0);
      sqe->flags |= IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
      io_uring_sqe_set_data64(sqe, Tag(c.gen, local, kSocket));
      sqe = io_uring_get_sqe(&ring_);
      io_uring_prep_connect(sqe, static_cast<int>(local), reinterpret_cast<const sockaddr*>(&c.addr), len);
      sqe->flags |= IOSQE_FIXED_FILE;
    } else {
      int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) return errno;
      c.fd = fd;
      io_uring_prep_connect(sqe, fd, reinterpret_cast<const sockaddr*>(&c.addr), len);
    }
    c.active = true;
    sqe->flags |= IOSQE_IO_LINK;
    io_uring_sqe_set_data64(sqe, Tag(c.gen, local, kConnect));
    sqe = io_uring_get_sqe(&ring_);
    io_uring_prep_link_timeout(sqe, &timeout_, 0);
    io_uring_sqe_set_data64(sqe, Tag(c.gen, local, kTimeout));
    return std::nullopt;
  }

  void Poll(std::chrono::milliseconds wait, std::vector<ConnectOutcome>& out) override {
    __kernel_timespec ts{};
    ts.tv_sec = wait.count() / 1000;
    ts.tv_nsec = (wait.count() % 1000) * 1000000;
    io_uring_cqe* cqe = nullptr;
    if (io_uring_cq_ready(&ring_) == 0) {
      io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
    } else {
      io_uring_submit(&ring_);
    }
    unsigned seen = 0;
    unsigned head;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      ++seen;
      const uint64_t tag = io_uring_cqe_get_data64(cqe);
      const auto kind = static_cast<Kind>(tag & 3);
      const uint32_t local = static_cast<uint32_t>(tag >> 2) & 0x3fffffff;
      const uint32_t gen = static_cast<uint32_t>(tag >> 32);
      if (kind == kTimeout) continue;
      if (kind == kCleanup) {
        // Only failures are posted: SO_LINGER through the ring needs Linux
        // 6.7; without it open ports are closed plainly from now on.
        if (cqe->res == -EOPNOTSUPP || cqe->res == -EINVAL) linger_ = false;
        continue;
      }
      Conn& c = conns_[local];
      if (!c.active || c.gen != gen) continue;
      if (kind == kSocket) {  // posted before the connect it cancels
        c.socket_error = -cqe->res;
        continue;
      }
      int err = -cqe->res;
      if (cqe->res == -ECANCELED) err = c.socket_error != 0 ? c.socket_error : ETIMEDOUT;
      c.active = false;
      Close(local, /*reset=*/err == 0, /*made=*/c.socket_error == 0);
      out.push_back({local, err});
    }
    io_uring_cq_advance(&ring_, seen);
  }

  void CancelAll() override {
    if (ready_) {
      io_uring_queue_exit(&ring_);  // cancels what is in flight, closes the direct sockets
      ready_ = false;
    }
    for (auto& c : conns_) {
      if (c.fd >= 0) ::close(c.fd);
      c.fd = -1;
      c.active = false;
    }
  }

 private:
  struct Conn {
    sockaddr_storage addr{};  // read by the kernel until the connect completes
    int fd = -1;              // descriptors mode
    uint32_t gen = 0;
    bool active = false;      // a connect is in flight
    int socket_error = 0;     // direct mode: the socket could not be made
  };

  // Room for `n` more SQEs (submitting what is queued if needed).
  bool Reserve(unsigned n) {
    if (io_uring_sq_space_left(&ring_) < n) io_uring_submit(&ring_);
    return io_uring_sq_space_left(&ring_) >= n;
  }

  // Closes the slot's socket after its outcome. Direct sockets are closed
  // by the ring, queued before any later socket for the same slot (SQEs
  // without links run in order when submitted).
  void Close(uint32_t local, bool reset, bool made) {
    if (!direct_) {
      CloseSocket(conns_[local].fd, reset);
      conns_[local].fd = -1;
      return;
    }
    // Without room (the ring's submission failed) the socket stays in its
    // slot until the slot's next socket replaces it, or the ring goes.
    if (!made || !Reserve(2)) return;
    const uint64_t tag = Tag(conns_[local].gen, local, kCleanup);
    if (reset && linger_) {
      io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
      io_uring_prep_rw(IORING_OP_URING_CMD, sqe, static_cast<int>(local), nullptr, 0, 0);
      sqe->cmd_op = kSocketUringOpSetsockopt;
      // level and optname share the address field; optlen the file index
      // field; the option's address is addr3 (struct io_uring_sqe, 6.7+).
      sqe->addr = uint64_t{SOL_SOCKET} | (uint64_t{SO_LINGER} << 32);
      sqe->splice_fd_in = static_cast<int32_t>(sizeof(kResetLinger));
      sqe->addr3 = reinterpret_cast<uintptr_t>(&kResetLinger);
      sqe->flags |= IOSQE_FIXED_FILE | IOSQE_CQE_SKIP_SUCCESS;
      io_uring_sqe_set_data64(sqe, tag);
    }
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    io_uring_prep_close_direct(sqe, local);
    sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
    io_uring_sqe_set_data64(sqe, tag);
  }

  io_uring ring_{};
  bool ready_ = false;
  bool direct_ = false;
  bool linger_ = false;
  __kernel_timespec timeout_{};
  std::vector<Conn> conns_;
};

}  // namespace

Result<std::unique_ptr<ConnectIo>> MakeUringConnectIo(size_t slots, std::chrono::milliseconds timeout) {
  auto io = std::make_unique<UringConnectIo>(std::max<size_t>(slots, 1), timeout);
  CII_RETURN_IF_ERROR(io->Init());
  return std::unique_ptr<ConnectIo>(std::move(io));
}

}  // namespace ciiscope::scanner
