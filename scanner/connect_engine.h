#pragma once
// The "connect" engine: no privileges, plain non-blocking connect(). Sweeps
// (target × port) in the seeded permutation of scanner/permutation.h (only
// the options' shard) on two sweeper threads (scanner/connect_sweeper.h),
// each batching its connects through io_uring (epoll where io_uring is
// unavailable, or with options.io = "epoll"), with at most `concurrency`
// connections in flight in all, paced by options.rate. Each open port is
// handed to the service probes (scanner/probes/, standalone Asio on one more
// thread) in the same slot, so the bound covers probe connections too.
//
// Evidence: `port_state` for open ports only and `host_up` once per host that
// answered (a connection or a reset); closed and filtered ports are counted in
// ScanStats. Running out of file descriptors (EMFILE/ENFILE) or local ports
// backs off and retries instead of failing. Checkpoints (ScanOptions) are
// exact: a pair is pending until its evidence went to the sink.

#include <memory>

#include "scanner/engine.h"

namespace ciiscope::scanner {

std::unique_ptr<ScanEngine> MakeConnectEngine();

}  // namespace ciiscope::scanner
