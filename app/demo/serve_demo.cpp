// ServeDemo: bind every demo listener, verify the closed ports, write the
// manifest, and serve until asked to stop.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <optional>

#include "app/demo/campus.h"
#include "app/demo/demo_network.h"
#include "app/demo/self_signed_cert.h"
#include "app/demo/servers.h"
#include "app/demo/state_files.h"
#include "core/log.h"

namespace ciiscope::app::demo {

namespace {

using asio::ip::tcp;

struct BoundService {
  const ServiceSpec* spec = nullptr;
  std::string address;
  uint16_t port = 0;
  std::optional<tcp::acceptor> acceptor;
};

std::error_code TryBind(tcp::acceptor& acceptor, const asio::ip::address& address,
                        uint16_t port) {
  std::error_code ec;
  acceptor.open(tcp::v4(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(tcp::endpoint(address, port), ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::error_code ignored;
    acceptor.close(ignored);
  }
  return ec;
}

// The standard port, else standard + 10000 (no privilege for a low port,
// or a foreign wildcard listener holding it).
Status BindService(asio::io_context& io, BoundService* service) {
  std::error_code ec;
  asio::ip::address address = asio::ip::make_address(service->address, ec);
  if (ec) return Error(ErrorCode::kInvalidArgument, "demo: bad address " + service->address);
  const uint16_t standard = service->spec->standard_port;
  const uint16_t fallback = static_cast<uint16_t>(standard + kFallbackPortOffset);
  tcp::acceptor acceptor(io);
  std::error_code first = TryBind(acceptor, address, standard);
  if (!first) {
    service->port = standard;
  } else {
    std::error_code second = TryBind(acceptor, address, fallback);
    if (second) {
      std::string where = service->address + ":" + std::to_string(standard);
      if (first != second) {
        where += " (" + first.message() + ") or :" + std::to_string(fallback);
      } else {
        where += " or :" + std::to_string(fallback);
      }
      return Error(ErrorCode::kIo, "demo: cannot bind " + where + ": " + second.message());
    }
    service->port = fallback;
    spdlog::info("demo: {}:{} unavailable ({}), serving {} on {}", service->address, standard,
                 first.message(), ServiceKindName(service->spec->kind), fallback);
  }
  service->acceptor.emplace(std::move(acceptor));
  return Ok();
}

// True when a connect to address:port on loopback is refused within 500 ms.
bool ConnectRefused(const std::string& address, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  if (::inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1) return false;
  if ((ntohl(sa.sin_addr.s_addr) >> 24) != 127) return false;  // loopback only
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool refused = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
    if (errno == ECONNREFUSED) {
      refused = true;
    } else if (errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, 500) == 1) {
        int err = 0;
        socklen_t len = sizeof(err);
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        refused = err == ECONNREFUSED;
      }
    }
  }
  ::close(fd);
  return refused;
}

Status CheckNotRunning(const StatePaths& paths) {
  auto manifest = ReadManifest(paths.manifest);
  int pid = manifest.has_value() ? manifest->pid : ReadPidFile(paths.pid);
  if (pid != 0 && pid != ::getpid() && ProcessAlive(pid)) {
    return Error(ErrorCode::kInvalidArgument, "demo: already running (pid " + std::to_string(pid) +
                                                  ", state " + paths.dir + ")");
  }
  return Ok();
}

std::string HostsFile(const DemoManifest& manifest) {
  std::string out = "# ciiscope demo campus: append to /etc/hosts to use the names\n";
  std::string last;
  for (const DemoService& s : manifest.services) {
    if (s.address + s.hostname == last) continue;
    last = s.address + s.hostname;
    out += s.address + "\t" + s.hostname + "\n";
  }
  return out;
}

asio::awaitable<void> PollStop(const std::atomic<bool>& stop, asio::io_context& io) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!stop.load()) {
    timer.expires_after(std::chrono::milliseconds(50));
    co_await timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }
  io.stop();
}

// A scanner opens hundreds of connections at once: lift the soft fd limit
// towards the hard one (at most 8192).
void RaiseFdLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 8192) {
    limit.rlim_cur = limit.rlim_max < 8192 ? limit.rlim_max : 8192;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

Status Serve(const DemoOptions& options, const StatePaths& paths,
             const std::atomic<bool>& stop) {
  CII_RETURN_IF_ERROR(ValidateBase(options.base));
  CII_RETURN_IF_ERROR(CheckNotRunning(paths));
  RaiseFdLimit();

  CII_ASSIGN_OR_RETURN(PemCertificate pem,
                       MakeSelfSignedCertificate("www.demo-univ.edu.cn", "示范大学"));
  asio::ssl::context tls(asio::ssl::context::tls_server);
  std::error_code ec;
  tls.use_certificate_chain(asio::buffer(pem.certificate_pem), ec);
  if (!ec) tls.use_private_key(asio::buffer(pem.private_key_pem), asio::ssl::context::pem, ec);
  if (ec) return Error(ErrorCode::kInternal, "demo: cannot load the TLS key: " + ec.message());

  // Sessions reference `shared` and `tls`: declared before `io`, so the
  // io_context (and every pending coroutine frame) is destroyed first.
  ServeShared shared;
  shared.tls = &tls;
  asio::io_context io(1);

  std::vector<BoundService> bound;
  for (const ServiceSpec& spec : CampusServices()) {
    BoundService service;
    service.spec = &spec;
    service.address = HostAddress(options.base, spec.host_octet);
    CII_RETURN_IF_ERROR(BindService(io, &service));
    bound.push_back(std::move(service));
  }

  DemoManifest manifest;
  manifest.base = options.base;
  manifest.pid = static_cast<int>(::getpid());
  for (BoundService& b : bound) {
    manifest.services.push_back({b.address, b.spec->hostname, b.port,
                                 std::string(ServiceKindName(b.spec->kind)),
                                 b.spec->description});
  }
  for (const ClosedSpec& closed : CampusClosedCandidates()) {
    std::string address = HostAddress(options.base, closed.host_octet);
    if (ConnectRefused(address, closed.port)) {
      manifest.closed.push_back({address, closed.port});
    } else {
      spdlog::info("demo: {}:{} is not refused; left out of the closed list", address, closed.port);
    }
  }
  manifest.expected_findings = CampusExpectedFindings();

  for (BoundService& b : bound) {
    StartService(std::move(*b.acceptor), b.spec->kind, b.port, &shared);
  }
  asio::co_spawn(io, PollStop(stop, io), asio::detached);
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&io](const std::error_code& error, int signal_number) {
    if (!error) {
      spdlog::info("demo: signal {} received, stopping", signal_number);
      io.stop();
    }
  });

  // Listeners are bound and listening (the kernel queues connections from
  // here on), so the manifest can announce them.
  CII_RETURN_IF_ERROR(WriteFileAtomic(paths.pid, std::to_string(manifest.pid) + "\n"));
  CII_RETURN_IF_ERROR(WriteFileAtomic(paths.hosts, HostsFile(manifest)));
  CII_RETURN_IF_ERROR(WriteFileAtomic(paths.manifest, manifest.ToJson().dump(2) + "\n"));
  spdlog::info("demo: serving {} services on {}.10-14 (pid {})", manifest.services.size(),
               options.base, manifest.pid);

  io.run();
  spdlog::info("demo: stopped after {} connections", shared.accepted);
  return Ok();
}

}  // namespace

Status ServeDemo(const DemoOptions& options, const std::atomic<bool>& stop) {
  StatePaths paths = PathsFor(options);
  CII_RETURN_IF_ERROR(EnsureStateDir(paths.dir));
  RemoveFile(paths.error);
  Status status = Serve(options, paths, stop);
  // Remove only files that announce this process.
  auto manifest = ReadManifest(paths.manifest);
  if (manifest.has_value() && manifest->pid == static_cast<int>(::getpid())) {
    RemoveFile(paths.manifest);
  }
  if (ReadPidFile(paths.pid) == static_cast<int>(::getpid())) RemoveFile(paths.pid);
  if (!status.has_value()) {
    (void)WriteFileAtomic(paths.error, status.error().message() + "\n");
  }
  return status;
}

}  // namespace ciiscope::app::demo
