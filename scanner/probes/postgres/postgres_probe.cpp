#include "scanner/probes/postgres/postgres_probe.h"

#include <asio/this_coro.hpp>

#include "scanner/probes/common/dialogue.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kMaxMessage = 16 * 1024;

void PutU32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}

uint32_t GetU32(std::string_view b, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(b[at + i]);
  return v;
}

class PostgresProbe : public ServiceProbe {
 public:
  std::string_view name() const override { return "postgres"; }
  std::string_view description() const override {
    return "SSLRequest and an unauthenticated StartupMessage (no credentials)";
  }
  const std::vector<uint16_t>& port_hints() const override {
    static const std::vector<uint16_t> kPorts = {5432};
    return kPorts;
  }

  asio::awaitable<ProbeResult> Run(const ProbeContext& ctx) const override {
    ProbeResult result;
    auto conv = co_await ConnectForGreeting(ctx);  // the SSLRequest answer comes at once
    if (!conv) co_return result;
    result.connected = true;
    nlohmann::json data = nlohmann::json::object();
    std::string ssl_answer;
    ReadOutcome out;
    if (co_await SendBytes(*conv, PgSslRequest())) {
      out = co_await ReadReply(*conv, &ssl_answer, 1, [](std::string_view b) { return !b.empty(); });
    }
    NoteFirstBytes(ssl_answer, &result);
    conv->set_deadline(ctx.deadline);
    std::string raw = ssl_answer;
    bool plain = ssl_answer == "N";
    if (ssl_answer == "S" || plain) data["ssl"] = ssl_answer;
    if (ssl_answer == "S") {
      // The server wants a TLS handshake now: ask again on a fresh connection.
      conv->Close();
      conv = Conversation::Create(co_await asio::this_coro::executor, ctx.stop, ctx.deadline);
      plain = !co_await conv->Connect(ToEndpoint(ctx.target.address, ctx.port));
    }
    std::string answer;
    if (plain && co_await SendBytes(*conv, PgStartupMessage("ciiscope", "ciiscope"))) {
      out = co_await ReadReply(*conv, &answer, kMaxMessage + 5,
                               [](std::string_view b) { return ParsePgMessage(b).complete; });
      result.bytes += answer.size();
      co_await SendBytes(*conv, std::string_view("X\0\0\0\4", 5));  // Terminate
    }
    conv->Close();
    raw += answer;
    PgMessage m = ParsePgMessage(answer);
    result.recognized = ssl_answer == "S" || ssl_answer == "N" || m.well_formed;
    if (raw.empty()) co_return result;
    if (m.well_formed && m.type == 'R') {
      data["auth_code"] = m.auth_code;
      data["auth"] = std::string(PgAuthName(m.auth_code));
    } else if (m.well_formed) {
      nlohmann::json e = nlohmann::json::object();
      static constexpr std::pair<char, const char*> kNames[] = {
          {'S', "severity"}, {'C', "code"}, {'M', "message"}, {'F', "file"},
          {'L', "line"},     {'R', "routine"}};
      for (auto [key, label] : kNames) {
        auto it = m.fields.find(key);
        if (it != m.fields.end()) e[label] = EvidenceText(it->second, 1024);
      }
      data["error"] = std::move(e);
    } else if (!answer.empty()) {
      data["text"] = EvidenceText(answer, 1024);
    }
    data["timed_out"] = out.timed_out;
    data["truncated"] = out.truncated;
    RecordProbe(ctx, "postgres-startup", std::move(data), std::move(raw));
    co_return result;
  }
};

}  // namespace

std::string PgSslRequest() {
  std::string out;
  PutU32(&out, 8);
  PutU32(&out, 80877103);
  return out;
}

std::string PgStartupMessage(std::string_view user, std::string_view database) {
  std::string body;
  PutU32(&body, 196608);  // protocol 3.0
  for (std::string_view kv : {std::string_view("user"), user, std::string_view("database"),
                              database, std::string_view("application_name"),
                              std::string_view("ciiscope")}) {
    body.append(kv);
    body.push_back('\0');
  }
  body.push_back('\0');
  std::string out;
  PutU32(&out, static_cast<uint32_t>(body.size() + 4));
  return out + body;
}

std::string_view PgAuthName(int32_t code) {
  switch (code) {
    case 0: return "ok";
    case 2: return "kerberos";
    case 3: return "cleartext";
    case 5: return "md5";
    case 7: return "gss";
    case 9: return "sspi";
    case 10: return "sasl";
    default: return "other";
  }
}

PgMessage ParsePgMessage(std::string_view b) {
  PgMessage m;
  if (b.size() < 5) return m;
  m.type = b[0];
  uint32_t length = GetU32(b, 1);
  if (length < 4 || length > kMaxMessage) {
    m.complete = true;  // not PostgreSQL: stop reading
    return m;
  }
  if (b.size() < 1 + static_cast<size_t>(length)) return m;
  m.complete = true;
  std::string_view body = b.substr(5, length - 4);
  if (m.type == 'R') {
    if (body.size() < 4) return m;
    m.auth_code = static_cast<int32_t>(GetU32(body, 0));
    m.well_formed = true;
  } else if (m.type == 'E' || m.type == 'N') {
    size_t pos = 0;
    while (pos < body.size() && body[pos] != '\0') {
      char key = body[pos++];
      size_t end = body.find('\0', pos);
      if (end == std::string_view::npos) return m;
      m.fields[key] = std::string(body.substr(pos, end - pos));
      pos = end + 1;
    }
    m.well_formed = m.fields.contains('S') || m.fields.contains('M');
  }
  return m;
}

std::unique_ptr<ServiceProbe> MakePostgresProbe() { return std::make_unique<PostgresProbe>(); }

}  // namespace ciiscope::scanner
