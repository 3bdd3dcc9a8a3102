#pragma once
// IPv4/IPv6 addresses, CIDR blocks and address ranges. Parsing returns a
// Result whose error names the offending text and what was expected.

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace ciiscope::core {

class IpAddress {
 public:
  IpAddress() = default;  // 0.0.0.0
  static Result<IpAddress> Parse(std::string_view text);
  static IpAddress FromV4(uint32_t host_order);
  static IpAddress FromV6(const std::array<uint8_t, 16>& bytes);
  // From a sockaddr_in / sockaddr_in6; other families give an error.
  static Result<IpAddress> FromSockaddr(const sockaddr* sa);

  bool is_v4() const { return v4_; }
  bool is_v6() const { return !v4_; }
  uint32_t v4() const;                        // host byte order; only if is_v4()
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }  // v4 in the last 4
  std::string ToString() const;
  // Fills storage for connect()/bind(); returns the length to pass.
  socklen_t ToSockaddr(uint16_t port, sockaddr_storage* out) const;
  bool IsLoopback() const;

  // Address + n (wraps within the family); used by range/CIDR walking.
  IpAddress Plus(uint64_t n) const;

  auto operator<=>(const IpAddress&) const = default;

 private:
  std::array<uint8_t, 16> bytes_{};
  bool v4_ = true;
};

class Cidr {
 public:
  static Result<Cidr> Parse(std::string_view text);  // "10.0.0.0/8", "::1/128", bare address = /32 or /128
  Cidr(IpAddress network, int prefix);

  const IpAddress& network() const { return network_; }
  int prefix() const { return prefix_; }
  bool Contains(const IpAddress& addr) const;
  bool Contains(const Cidr& other) const;
  // Number of addresses, saturated at UINT64_MAX (IPv6 blocks are huge).
  uint64_t Size() const;
  std::string ToString() const;

 private:
  IpAddress network_;
  int prefix_ = 32;
};

// An inclusive range "10.0.0.1-10.0.0.20" or shorthand "10.0.0.1-20".
class IpRange {
 public:
  static Result<IpRange> Parse(std::string_view text);
  IpRange(IpAddress first, IpAddress last) : first_(first), last_(last) {}
  const IpAddress& first() const { return first_; }
  const IpAddress& last() const { return last_; }
  bool Contains(const IpAddress& addr) const;
  uint64_t Size() const;  // saturated
  std::string ToString() const;

 private:
  IpAddress first_;
  IpAddress last_;
};

}  // namespace ciiscope::core
