#include "app/demo/text_protocols.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace ciiscope::app::demo {

namespace {

constexpr size_t kMaxRespArgs = 64;
constexpr size_t kMaxRespBulk = 8 * 1024;

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// Reads "<prefix><digits>\r\n" at pos; advances pos past it.
enum class NumState { kIncomplete, kOk, kBad };
NumState ReadNumberLine(std::string_view buf, char prefix, size_t* pos, long* value) {
  if (*pos >= buf.size()) return NumState::kIncomplete;
  if (buf[*pos] != prefix) return NumState::kBad;
  size_t eol = buf.find("\r\n", *pos);
  if (eol == std::string_view::npos) {
    return buf.size() - *pos > 32 ? NumState::kBad : NumState::kIncomplete;
  }
  const char* first = buf.data() + *pos + 1;
  const char* last = buf.data() + eol;
  auto [ptr, ec] = std::from_chars(first, last, *value);
  if (ec != std::errc() || ptr != last) return NumState::kBad;
  *pos = eol + 2;
  return NumState::kOk;
}

}  // namespace

RespState ParseRespCommand(std::string_view buf, std::vector<std::string>* args,
                           size_t* consumed) {
  args->clear();
  if (buf.empty()) return RespState::kIncomplete;
  if (buf[0] != '*') {
    // Inline command: words separated by spaces, ended by LF.
    size_t eol = buf.find('\n');
    if (eol == std::string_view::npos) return RespState::kIncomplete;
    std::string_view line = buf.substr(0, eol);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t i = 0;
    while (i < line.size() && args->size() < kMaxRespArgs) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      size_t start = i;
      while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
      if (i > start) args->emplace_back(line.substr(start, i - start));
    }
    *consumed = eol + 1;
    return RespState::kCommand;
  }
  size_t pos = 0;
  long count = 0;
  switch (ReadNumberLine(buf, '*', &pos, &count)) {
    case NumState::kIncomplete: return RespState::kIncomplete;
    case NumState::kBad: return RespState::kMalformed;
    case NumState::kOk: break;
  }
  if (count < 0 || static_cast<size_t>(count) > kMaxRespArgs) return RespState::kMalformed;
  for (long i = 0; i < count; ++i) {
    long len = 0;
    switch (ReadNumberLine(buf, '$', &pos, &len)) {
      case NumState::kIncomplete: return RespState::kIncomplete;
      case NumState::kBad: return RespState::kMalformed;
      case NumState::kOk: break;
    }
    if (len < 0 || static_cast<size_t>(len) > kMaxRespBulk) return RespState::kMalformed;
    size_t n = static_cast<size_t>(len);
    if (buf.size() < pos + n + 2) return RespState::kIncomplete;
    if (buf.substr(pos + n, 2) != "\r\n") return RespState::kMalformed;
    args->emplace_back(buf.substr(pos, n));
    pos += n + 2;
  }
  *consumed = pos;
  return RespState::kCommand;
}

std::string RedisInfo(std::string_view section, uint16_t port) {
  const std::string s = Upper(section);
  const bool all = s.empty() || s == "ALL" || s == "DEFAULT" || s == "EVERYTHING";
  std::string out;
  auto add = [&](std::string_view name, const std::string& body) {
    if (!all && s != Upper(name)) return;
    if (!out.empty()) out += "\r\n";
    out += "# " + std::string(name) + "\r\n" + body;
  };
  add("Server",
      "redis_version:5.0.7\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\n"
      "redis_build_id:66bd629f924ac924\r\nredis_mode:standalone\r\n"
      "os:Linux 4.15.0-112-generic x86_64\r\narch_bits:64\r\nmultiplexing_api:epoll\r\n"
      "atomicvar_api:atomic-builtin\r\ngcc_version:7.4.0\r\nprocess_id:1187\r\n"
      "run_id:3f1c2e9a7b5d4c8e0f6a2b1d9c7e5a3b1f0d8c6e\r\ntcp_port:" +
          std::to_string(port) +
          "\r\nuptime_in_seconds:8640321\r\nuptime_in_days:100\r\nhz:10\r\n"
          "configured_hz:10\r\nlru_clock:14151296\r\nexecutable:/usr/bin/redis-server\r\n"
          "config_file:/etc/redis/redis.conf\r\n");
  add("Clients",
      "connected_clients:3\r\nclient_recent_max_input_buffer:2\r\n"
      "client_recent_max_output_buffer:0\r\nblocked_clients:0\r\n");
  add("Memory",
      "used_memory:2153464\r\nused_memory_human:2.05M\r\nused_memory_rss:6647808\r\n"
      "maxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:noeviction\r\n");
  add("Persistence",
      "loading:0\r\nrdb_changes_since_last_save:12\r\nrdb_bgsave_in_progress:0\r\n"
      "rdb_last_bgsave_status:ok\r\naof_enabled:0\r\n");
  add("Stats",
      "total_connections_received:48213\r\ntotal_commands_processed:1930331\r\n"
      "rejected_connections:0\r\nkeyspace_hits:802114\r\nkeyspace_misses:10231\r\n");
  add("Replication", "role:master\r\nconnected_slaves:0\r\n");
  add("CPU", "used_cpu_sys:1830.412000\r\nused_cpu_user:2711.984000\r\n");
  add("Keyspace", "db0:keys=1842,expires=311,avg_ttl=86213034\r\n");
  return out;
}

RedisReply RedisAnswer(const std::vector<std::string>& args, uint16_t port) {
  if (args.empty()) return {"", false};  // real redis ignores empty inline lines
  const std::string cmd = Upper(args[0]);
  if (cmd == "PING") {
    if (args.size() == 1) return {"+PONG\r\n", false};
    return {"$" + std::to_string(args[1].size()) + "\r\n" + args[1] + "\r\n", false};
  }
  if (cmd == "INFO") {
    std::string info = RedisInfo(args.size() > 1 ? args[1] : "", port);
    return {"$" + std::to_string(info.size()) + "\r\n" + info + "\r\n", false};
  }
  if (cmd == "QUIT") return {"+OK\r\n", true};
  std::string shown = args[0].substr(0, 64);
  for (char& c : shown) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return {"-ERR unknown command `" + shown + "`, with args beginning with: \r\n", false};
}

FtpReply FtpAnswer(std::string_view line) {
  size_t sp = line.find(' ');
  const std::string cmd = Upper(line.substr(0, sp));
  if (cmd == "USER") return {"331 Please specify the password.\r\n", false};
  if (cmd == "PASS") return {"530 Login incorrect.\r\n", false};
  if (cmd == "QUIT") return {"221 Goodbye.\r\n", true};
  return {"530 Please login with USER and PASS.\r\n", false};
}

std::string TelnetGreeting() {
  static constexpr unsigned char kNegotiation[] = {
      0xFF, 0xFD, 0x18,  // IAC DO TERMINAL-TYPE
      0xFF, 0xFD, 0x20,  // IAC DO TERMINAL-SPEED
      0xFF, 0xFD, 0x23,  // IAC DO X-DISPLAY-LOCATION
      0xFF, 0xFD, 0x27,  // IAC DO NEW-ENVIRON
      0xFF, 0xFB, 0x01,  // IAC WILL ECHO
      0xFF, 0xFB, 0x03,  // IAC WILL SUPPRESS-GO-AHEAD
  };
  std::string out(reinterpret_cast<const char*>(kNegotiation), sizeof(kNegotiation));
  out += "\r\nDemo campus lab switch\r\nlogin: ";
  return out;
}

std::string StripTelnetCommands(std::string_view bytes) {
  std::string out;
  size_t i = 0;
  while (i < bytes.size()) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c != 0xFF) {
      if (c != 0) out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    if (i + 1 >= bytes.size()) break;
    unsigned char op = static_cast<unsigned char>(bytes[i + 1]);
    if (op == 0xFF) {  // escaped 0xFF data byte
      out.push_back(static_cast<char>(0xFF));
      i += 2;
    } else if (op >= 0xFB && op <= 0xFE) {  // WILL/WONT/DO/DONT option
      i += 3;
    } else if (op == 0xFA) {  // SB … IAC SE
      size_t se = bytes.find("\xFF\xF0", i + 2);
      i = se == std::string_view::npos ? bytes.size() : se + 2;
    } else {
      i += 2;
    }
  }
  return out;
}

std::vector<std::string> TakeLines(std::string* buffer) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t eol = buffer->find('\n'); eol != std::string::npos;
       eol = buffer->find('\n', start)) {
    std::string line = buffer->substr(start, eol - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = eol + 1;
  }
  buffer->erase(0, start);
  return lines;
}

}  // namespace ciiscope::app::demo
