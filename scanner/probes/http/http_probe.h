#pragma once
// HTTP probe: "GET / HTTP/1.1" on a plain connection → `http` evidence
// (status, lower-case headers, title, body capped, body SHA-256).

#include <memory>

#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

std::unique_ptr<ServiceProbe> MakeHttpProbe();

}  // namespace ciiscope::scanner
