#pragma once
// Version normalization (issue 4 item 5): a product name, a clean upstream
// version, the distribution's patch suffix kept apart (needed later to avoid
// backport false positives), and a CPE 2.3 name where one is known.

#include <string>
#include <string_view>

namespace ciiscope::scanner {

struct ProductVersion {
  std::string product;  // "OpenSSH"
  std::string version;  // "9.2p1"
  std::string distro;   // "Debian-2+deb12u3" (distribution package suffix), or ""
  std::string cpe;      // "cpe:2.3:a:openbsd:openssh:9.2p1:*:*:*:*:*:*:*", or ""
};

// SSH software version and comment (RFC 4253 §4.2), e.g. ("OpenSSH_9.2p1",
// "Debian-2+deb12u3") or ("dropbear_2022.83", "").
ProductVersion NormalizeSshSoftware(std::string_view software, std::string_view comment);

// "8.0.36-0+deb12u1" → version "8.0.36", distro "0+deb12u1";
// "5.5.5-10.11.6-MariaDB-0+deb12u1" → MariaDB 10.11.6, distro "0+deb12u1".
ProductVersion NormalizeMysqlVersion(std::string_view server_version);

// CPE 2.3 formatted string for a known product (case-insensitive name), with
// the version escaped; "" when the product is not in the table or the version
// is empty.
std::string CpeFor(std::string_view product, std::string_view version);

}  // namespace ciiscope::scanner
