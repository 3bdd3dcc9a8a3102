#pragma once
// A self-signed certificate generated at startup with OpenSSL: EC P-256 key,
// valid from one hour ago for 365 days, CN and SAN set to the hostname.

#include <string>

#include "core/result.h"

namespace ciiscope::app::demo {

struct PemCertificate {
  std::string certificate_pem;
  std::string private_key_pem;
};

Result<PemCertificate> MakeSelfSignedCertificate(const std::string& hostname,
                                                 const std::string& organization);

}  // namespace ciiscope::app::demo
