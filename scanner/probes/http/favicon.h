#pragma once
// Favicon hashes as the public fingerprint lists compute them (DOMAIN.md):
// mmh3 = MurmurHash3 x86_32 (seed 0, as a signed 32-bit integer) of the
// favicon bytes base64-encoded with a newline after every 76 characters and
// at the end (Python's base64.encodebytes, as Shodan and FOFA use), plus the
// MD5 of the raw bytes.

#include <cstdint>
#include <string>
#include <string_view>

namespace ciiscope::scanner {

uint32_t MurmurHash3X86_32(std::string_view data, uint32_t seed = 0);

// base64 with "\n" after every 76 output characters and a final "\n"
// (empty input → "").
std::string Base64Mime(std::string_view data);

// Signed mmh3 of Base64Mime(icon), e.g. -808437027 for Hikvision's.
int32_t FaviconMmh3(std::string_view icon);

std::string Md5Hex(std::string_view data);

}  // namespace ciiscope::scanner
