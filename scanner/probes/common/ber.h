#pragma once
// Minimal BER (X.690) reading and writing for the LDAP and SNMP probes:
// single-byte tags, definite lengths of at most four bytes. Pure functions
// over bytes; nothing reads past the view. Internal to the scanner library.

#include <cstdint>
#include <string>
#include <string_view>

namespace ciiscope::scanner {

enum class BerStatus { kOk, kNeedMore, kBad };

struct BerTlv {
  uint8_t tag = 0;
  std::string_view value;  // the contents octets
  size_t total = 0;        // header + contents
};

// Reads the TLV at the front of `bytes`. kNeedMore: a prefix of a valid TLV;
// kBad: not BER this parser accepts (indefinite or over-long length, high tag).
BerStatus ReadBer(std::string_view bytes, BerTlv* out);

// Reads TLVs one after another out of a constructed value.
class BerReader {
 public:
  explicit BerReader(std::string_view bytes) : rest_(bytes) {}
  // Next TLV; false at the end or on malformed contents (then ok() is false).
  bool Next(BerTlv* out);
  bool ok() const { return ok_; }
  bool empty() const { return rest_.empty(); }

 private:
  std::string_view rest_;
  bool ok_ = true;
};

// Two's-complement INTEGER/ENUMERATED contents → value (up to 8 bytes).
bool BerInteger(std::string_view contents, int64_t* out);
// OBJECT IDENTIFIER contents → dotted text ("" when malformed).
std::string BerOid(std::string_view contents);

std::string BerEncode(uint8_t tag, std::string_view contents);
std::string BerEncodeInteger(uint8_t tag, int64_t value);
// Dotted text → OBJECT IDENTIFIER TLV (tag 0x06).
std::string BerEncodeOid(std::string_view dotted);

}  // namespace ciiscope::scanner
