#include "scanner/probes/mysql/mysql_probe.h"

#include <algorithm>

#include "scanner/probes/common/greeting_probe.h"
#include "scanner/probes/common/product_version.h"

namespace ciiscope::scanner {
namespace {

constexpr uint32_t kClientSsl = 0x800;
constexpr uint32_t kClientPluginAuth = 0x80000;

class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  bool ok() const { return ok_; }
  uint32_t U8() { return Take(1) ? Byte(pos_ - 1) : 0; }
  uint32_t U16() { return Take(2) ? Byte(pos_ - 2) | Byte(pos_ - 1) << 8 : 0; }
  uint32_t U32() { return Take(4) ? U16At(pos_ - 4) | U16At(pos_ - 2) << 16 : 0; }
  void Skip(size_t n) { Take(n); }
  std::string NulString() {
    size_t end = b_.find('\0', pos_);
    if (end == std::string_view::npos) end = b_.size();
    std::string s(b_.substr(pos_, end - pos_));
    pos_ = std::min(b_.size(), end + 1);
    return s;
  }
  std::string Rest() { return std::string(b_.substr(std::min(pos_, b_.size()))); }
  bool AtEnd() const { return pos_ >= b_.size(); }

 private:
  bool Take(size_t n) {
    if (!ok_ || b_.size() - pos_ < n) return ok_ = false;
    pos_ += n;
    return true;
  }
  uint32_t Byte(size_t i) const { return static_cast<unsigned char>(b_[i]); }
  uint32_t U16At(size_t i) const { return Byte(i) | Byte(i + 1) << 8; }
  std::string_view b_;
  size_t pos_ = 0;
  bool ok_ = true;
};

class MysqlProbe : public GreetingProbe {
 public:
  MysqlProbe()
      : GreetingProbe("mysql", "reads the MySQL/MariaDB server greeting (no login)", {3306}) {}

 protected:
  bool FirstReplyComplete(std::string_view b) const override {
    return ParseMysqlGreeting(b).complete;
  }

  asio::awaitable<void> Continue(const ProbeContext& ctx, Conversation&, FirstReply& first,
                                 ProbeResult* result) const override {
    std::string& bytes = first.bytes;
    const ReadOutcome& out = first.outcome;
    MysqlGreeting g = ParseMysqlGreeting(bytes);
    result->recognized = g.complete && g.well_formed;
    if (bytes.empty()) co_return;
    RecordGreetingBanner(ctx, bytes, out.truncated);
    nlohmann::json data = {{"timed_out", out.timed_out}, {"truncated", out.truncated}};
    if (g.well_formed && g.is_error) {
      data["error_code"] = g.error_code;
      data["error"] = EvidenceText(g.error_message, 1024);
    } else if (g.well_formed) {
      ProductVersion pv = NormalizeMysqlVersion(g.server_version);
      data["protocol"] = g.protocol;
      data["server_version"] = EvidenceText(g.server_version, 256);
      data["product"] = pv.product;
      data["version"] = EvidenceText(pv.version, 256);
      data["distro"] = EvidenceText(pv.distro, 256);
      data["cpe"] = EvidenceText(pv.cpe, 512);
      data["connection_id"] = g.connection_id;
      data["capabilities"] = g.capabilities;
      data["ssl"] = (g.capabilities & kClientSsl) != 0;
      data["charset"] = g.charset;
      data["auth_plugin"] = EvidenceText(g.auth_plugin, 128);
    } else {
      data["error"] = "not a MySQL greeting";
    }
    RecordProbe(ctx, "mysql-greeting", std::move(data), std::move(bytes));
  }
};

}  // namespace

MysqlGreeting ParseMysqlGreeting(std::string_view bytes) {
  MysqlGreeting g;
  if (bytes.size() < 4) return g;
  Reader header(bytes);
  uint32_t length = header.U16() | header.U8() << 16;
  if (bytes.size() < 4 + static_cast<size_t>(length)) return g;
  g.complete = true;
  if (static_cast<unsigned char>(bytes[3]) != 0 || length == 0) return g;
  Reader r(bytes.substr(4, length));
  uint32_t first = r.U8();
  if (first == 0xff) {
    g.is_error = true;
    g.error_code = static_cast<int>(r.U16());
    std::string rest = r.Rest();
    if (rest.starts_with("#") && rest.size() >= 6) rest = rest.substr(6);  // SQL state
    g.error_message = rest;
    g.well_formed = r.ok();
    return g;
  }
  if (first != 10 && first != 9) return g;
  g.protocol = static_cast<int>(first);
  g.server_version = r.NulString();
  g.connection_id = r.U32();
  if (first == 9) {
    g.well_formed = r.ok();
    return g;
  }
  r.Skip(8 + 1);  // auth-plugin-data part 1, filler
  g.capabilities = r.U16();
  if (!r.ok()) return g;
  g.well_formed = true;
  if (r.AtEnd()) return g;
  g.charset = static_cast<int>(r.U8());
  r.U16();  // status flags
  g.capabilities |= r.U16() << 16;
  uint32_t auth_len = r.U8();
  r.Skip(10);
  if (g.capabilities & kClientPluginAuth) {
    r.Skip(std::max<uint32_t>(13, auth_len > 8 ? auth_len - 8 : 0));
    if (r.ok()) g.auth_plugin = r.NulString();
  }
  return g;
}

std::unique_ptr<ServiceProbe> MakeMysqlProbe() { return std::make_unique<MysqlProbe>(); }

}  // namespace ciiscope::scanner
