#include "scanner/probes/mongodb/mongodb_probe.h"

#include <algorithm>

#include <asio/this_coro.hpp>

#include "scanner/probes/common/collected.h"
#include "scanner/probes/common/dialogue.h"
#include "scanner/probes/common/product_version.h"
#include "scanner/probes/mongodb/bson_lite.h"

namespace ciiscope::scanner {
namespace {

constexpr size_t kMaxMessage = 1024 * 1024;
constexpr int32_t kOpMsg = 2013;
constexpr int32_t kOpReply = 1;

uint32_t GetU32(std::string_view b, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v |= uint32_t{static_cast<unsigned char>(b[at + i])} << (8 * i);
  return v;
}

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// collect: mongodb-listdatabases — names only (nameOnly: true takes no
// database locks); a server with authentication on answers code 13.
asio::awaitable<void> CollectListDatabases(const ProbeContext& ctx, Conversation& conv) {
  const HttpCollectPlan& plan = *ctx.http_collect;
  conv.set_deadline(std::chrono::steady_clock::now() + plan.request_timeout);
  std::string bytes;
  ReadOutcome out;
  if (co_await SendBytes(conv, MongoOpMsg("listDatabases", 3, "nameOnly"))) {
    out = co_await ReadReply(conv, &bytes, std::min(kMaxMessage, plan.body_cap),
                             [](std::string_view b) { return ParseMongoReply(b).complete; });
  }
  if (bytes.empty()) co_return;
  nlohmann::json fields = ListDatabasesFacts(ParseMongoReply(bytes));
  fields["truncated"] = out.truncated;
  fields["timed_out"] = out.timed_out && !out.complete;
  RecordCollect(ctx, "mongodb-listdatabases", std::move(fields), std::move(bytes));
}

class MongodbProbe : public ServiceProbe {
 public:
  std::string_view name() const override { return "mongodb"; }
  std::string_view description() const override {
    return "isMaster and buildInfo over OP_MSG (read-only, no authentication)";
  }
  const std::vector<uint16_t>& port_hints() const override {
    static const std::vector<uint16_t> kPorts = {27017, 27018};
    return kPorts;
  }

  asio::awaitable<ProbeResult> Run(const ProbeContext& ctx) const override {
    ProbeResult result;
    auto conv = co_await ConnectForGreeting(ctx);
    if (!conv) co_return result;
    result.connected = true;
    const size_t cap = std::min(kMaxMessage, ctx.body_cap);
    auto done = [](std::string_view b) { return ParseMongoReply(b).complete; };
    std::string hello_bytes;
    ReadOutcome out;
    if (co_await SendBytes(*conv, MongoOpMsg("isMaster", 1))) {
      out = co_await ReadReply(*conv, &hello_bytes, cap, done);
    }
    NoteFirstBytes(hello_bytes, &result);
    MongoReply hello = ParseMongoReply(hello_bytes);
    result.recognized = hello.well_formed;
    std::string raw = hello_bytes;
    nlohmann::json data = {{"timed_out", out.timed_out}, {"truncated", out.truncated}};
    if (hello.well_formed) {
      conv->set_deadline(ctx.deadline);
      const auto& f = hello.fields;
      auto copy = [&](const char* from, const char* to) {
        if (f.contains(from)) data[to] = f[from];
      };
      copy("ismaster", "ismaster");
      copy("isWritablePrimary", "ismaster");
      copy("maxWireVersion", "max_wire_version");
      copy("minWireVersion", "min_wire_version");
      copy("setName", "set_name");
      copy("msg", "msg");
      copy("readOnly", "read_only");
      std::string build_bytes;
      if (co_await SendBytes(*conv, MongoOpMsg("buildInfo", 2))) {
        co_await ReadReply(*conv, &build_bytes, cap, done);
      }
      MongoReply build = ParseMongoReply(build_bytes);
      raw += build_bytes;
      const auto& b = build.fields;
      if (b.contains("version") && b["version"].is_string()) {
        std::string version = b["version"].get<std::string>();
        data["version"] = EvidenceText(version, 128);
        data["cpe"] = CpeFor("mongodb", version);
        // No auth_required here: MongoDB answers buildInfo without
        // authentication even when authentication is on, so an answer
        // proves nothing (collect: mongodb-listdatabases does).
      } else if (b.contains("errmsg") && b["errmsg"].is_string()) {
        data["build_info_error"] = EvidenceText(b["errmsg"].get<std::string>(), 512);
        if (b.value("code", 0) == 13) data["auth_required"] = true;  // Unauthorized
      }
      if (b.contains("gitVersion") && b["gitVersion"].is_string()) {
        data["git_version"] = EvidenceText(b["gitVersion"].get<std::string>(), 64);
      }
      // collect: mongodb-buildinfo is this very answer, all its scalars.
      if (!build_bytes.empty() && WantsCollect(ctx, "mongodb-buildinfo")) {
        RecordCollect(ctx, "mongodb-buildinfo", MongoCommandFacts(build), build_bytes.substr(0, ctx.body_cap));
      }
      if (WantsCollect(ctx, "mongodb-listdatabases") && !ctx.stop->load(std::memory_order_relaxed)) {
        co_await CollectListDatabases(ctx, *conv);
      }
    } else if (!hello_bytes.empty()) {
      data["error"] = "not a MongoDB reply";
      data["text"] = EvidenceText(hello_bytes, 1024);
    }
    conv->Close();
    if (raw.empty()) co_return result;
    RecordProbe(ctx, "mongodb-hello", std::move(data), std::move(raw));
    co_return result;
  }
};

}  // namespace

std::string MongoOpMsg(std::string_view command, int32_t request_id, std::string_view true_flag) {
  std::string doc = BsonCommand(command, "admin", true_flag);
  std::string msg;
  PutU32(&msg, static_cast<uint32_t>(16 + 4 + 1 + doc.size()));
  PutU32(&msg, static_cast<uint32_t>(request_id));
  PutU32(&msg, 0);  // responseTo
  PutU32(&msg, kOpMsg);
  PutU32(&msg, 0);  // flagBits
  msg.push_back('\0');  // section kind 0: body
  return msg + doc;
}

MongoReply ParseMongoReply(std::string_view b) {
  MongoReply r;
  if (b.size() < 16) return r;
  uint32_t length = GetU32(b, 0);
  if (length < 16 || length > kMaxMessage) {
    r.complete = true;  // not MongoDB: stop reading
    return r;
  }
  if (b.size() < length) return r;
  r.complete = true;
  std::string_view msg = b.substr(0, length);
  auto opcode = static_cast<int32_t>(GetU32(msg, 12));
  std::string_view doc;
  if (opcode == kOpMsg && msg.size() >= 21 && msg[20] == '\0') {
    doc = msg.substr(21);
  } else if (opcode == kOpReply && msg.size() >= 36) {
    doc = msg.substr(36);  // flags, cursorID, startingFrom, numberReturned
  } else {
    return r;
  }
  BsonFields fields = ReadBsonTopLevel(doc);
  r.well_formed = fields.ok;
  r.fields = std::move(fields.fields);
  return r;
}

nlohmann::json MongoCommandFacts(const MongoReply& reply) {
  if (!reply.well_formed) return {{"error", "not a MongoDB reply"}};
  nlohmann::json fields = BoundedJson(reply.fields);
  if (fields.contains("code")) fields["auth_required"] = fields["code"] == 13;  // Unauthorized
  return fields;
}

nlohmann::json ListDatabasesFacts(const MongoReply& reply) {
  nlohmann::json fields = MongoCommandFacts(reply);
  if (!fields.contains("databases")) return fields;
  nlohmann::json names = nlohmann::json::array();
  int user = 0;
  for (const nlohmann::json& db : fields["databases"]) {
    if (!db.is_object() || !db.contains("name") || !db["name"].is_string()) continue;
    const std::string& name = db["name"].get_ref<const std::string&>();
    if (name != "admin" && name != "config" && name != "local") ++user;
    names.push_back(name);
  }
  fields["databases"] = std::move(names);
  fields["database_count"] = fields["databases"].size();
  fields["user_databases"] = user;
  if (!fields.contains("auth_required")) fields["auth_required"] = false;
  return fields;
}

std::unique_ptr<ServiceProbe> MakeMongodbProbe() { return std::make_unique<MongodbProbe>(); }

}  // namespace ciiscope::scanner
