#include <errno.h>
#include <liburing.h>
#include <unistd.h>

#include <cstring>

#include "scanner/connect_io.h"

namespace ciiscope::scanner {
namespace {

// user_data: generation << 32 | local << 1 | (1 for the linked timeout).
uint64_t Tag(uint32_t gen, uint32_t local, bool timeout) {
  return (uint64_t{gen} << 32) | (uint64_t{local} << 1) | (timeout ? 1 : 0);
}

class UringConnectIo : public ConnectIo {
 public:
  UringConnectIo(size_t slots, std::chrono::milliseconds timeout) : conns_(slots) {
    timeout_.tv_sec = timeout.count() / 1000;
    timeout_.tv_nsec = (timeout.count() % 1000) * 1000000;
  }
  ~UringConnectIo() override {
    if (ready_) io_uring_queue_exit(&ring_);  // cancels what is in flight
    for (auto& c : conns_) {
      if (c.fd >= 0) ::close(c.fd);
    }
  }
  const char* name() const override { return "io_uring"; }

  Status Init() {
    // Two CQEs per connect (the connect and its timeout); the kernel keeps
    // overflowing CQEs (IORING_FEAT_NODROP), the size only avoids that path.
    unsigned entries = static_cast<unsigned>(std::min<size_t>(std::max<size_t>(conns_.size(), 64), 8192));
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
    return Ok();
  }

  std::optional<int> Start(uint32_t local, const sockaddr_storage& addr, socklen_t len) override {
    if (io_uring_sq_space_left(&ring_) < 2) io_uring_submit(&ring_);
    if (io_uring_sq_space_left(&ring_) < 2) return EAGAIN;  // retried like a descriptor shortage
    int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    Conn& c = conns_[local];
    c.addr = addr;
    c.fd = fd;
    ++c.gen;
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    io_uring_prep_connect(sqe, fd, reinterpret_cast<const sockaddr*>(&c.addr), len);
    sqe->flags |= IOSQE_IO_LINK;
    io_uring_sqe_set_data64(sqe, Tag(c.gen, local, false));
    sqe = io_uring_get_sqe(&ring_);
    io_uring_prep_link_timeout(sqe, &timeout_, 0);
    io_uring_sqe_set_data64(sqe, Tag(c.gen, local, true));
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
      uint64_t tag = io_uring_cqe_get_data64(cqe);
      if (tag & 1) continue;  // the linked timeout's own completion
      uint32_t local = static_cast<uint32_t>(tag >> 1) & 0x7fffffff;
      uint32_t gen = static_cast<uint32_t>(tag >> 32);
      Conn& c = conns_[local];
      if (c.fd < 0 || c.gen != gen) continue;
      int err = cqe->res == -ECANCELED ? ETIMEDOUT : -cqe->res;
      CloseSocket(c.fd, err == 0);
      c.fd = -1;
      out.push_back({local, err});
    }
    io_uring_cq_advance(&ring_, seen);
  }

  void CancelAll() override {
    if (ready_) {
      io_uring_queue_exit(&ring_);
      ready_ = false;
    }
    for (auto& c : conns_) {
      if (c.fd >= 0) ::close(c.fd);
      c.fd = -1;
    }
  }

 private:
  struct Conn {
    sockaddr_storage addr{};  // read by the kernel until the connect completes
    int fd = -1;
    uint32_t gen = 0;
  };

  io_uring ring_{};
  bool ready_ = false;
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
