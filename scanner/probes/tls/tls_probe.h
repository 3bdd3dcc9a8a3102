#pragma once
// TLS probe: OpenSSL handshake (SNI = the target's hostname when known,
// certificate verification off, legacy protocols allowed so old servers are
// still seen) → `tls` evidence (version, cipher, leaf certificate summary;
// the leaf's DER in `raw`), then GET / through the same TLS connection →
// `http` evidence with scheme https.

#include <memory>

#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

std::unique_ptr<ServiceProbe> MakeTlsProbe();

}  // namespace ciiscope::scanner
