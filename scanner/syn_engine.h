#pragma once
// The "syn" engine: half-open scanning with hand-made SYNs (needs root or
// CAP_NET_RAW). One sender thread walks the shard of the seeded permutation
// and sends batches (sendmmsg) through raw IPv4 and IPv6 sockets (the
// packets hand-made, headers included), paced by options.rate and the
// per-unit rates (scanner/rate_gate.h); a receiver thread reads SYN-ACKs and
// RSTs with libpcap.
// Validation is stateless: each probe's sequence number is a SipHash-2-4
// cookie (random key per scan) over the addresses and ports, and only
// replies acknowledging cookie + 1 count. A bitmap with one bit per
// (target, port) pair de-duplicates replies and drives the retransmissions:
// after each pass and options.connect_timeout of waiting, pairs without a
// reply are sent again, options.retries times; what never answers is
// filtered. Privileges are dropped (scanner/syn/privileges.h) right after
// the raw socket and captures are open, before any thread starts. The
// kernel answers the SYN-ACKs with a reset, as with nmap -sS.
//
// Open ports get the service probes afterwards (as the connect engine does),
// unless options.service_probes is false. Checkpoints: `next` is
// the first position of the first pass not yet sent connect_timeout ago;
// a resume re-sends from there (retransmission passes of the interrupted
// run are not repeated for earlier positions).

#include <memory>

#include "scanner/engine.h"

namespace ciiscope::scanner {

std::unique_ptr<ScanEngine> MakeSynEngine();

}  // namespace ciiscope::scanner
