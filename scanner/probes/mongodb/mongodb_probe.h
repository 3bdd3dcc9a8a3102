#pragma once
// MongoDB probe: two read-only OP_MSG commands that need no authentication,
// isMaster and buildInfo → `probe` evidence {"probe": "mongodb-hello",
// "ismaster": true, "max_wire_version": 21, "version": "7.0.4",
// "set_name": …, "msg": "isdbgrid" (mongos), "cpe": …}. A server that
// refuses buildInfo records "build_info_error" and, when the refusal is
// code 13 (Unauthorized), "auth_required": true. An answered buildInfo says
// nothing about authentication (MongoDB answers it without), so no
// "auth_required" then. When the rules collect `mongodb-buildinfo`, the
// buildInfo answer is also recorded as `collect` evidence (every scalar);
// `mongodb-listdatabases` sends {listDatabases: 1, nameOnly: true} after it.

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "scanner/probes/probe.h"

namespace ciiscope::scanner {

struct MongoReply {
  bool complete = false;
  bool well_formed = false;  // an OP_MSG (2013) or OP_REPLY (1) with a document
  nlohmann::json fields = nlohmann::json::object();  // the reply document's scalars
};

// An OP_MSG with one body section holding {command: 1, $db: "admin"}
// (and {true_flag: true} when given).
std::string MongoOpMsg(std::string_view command, int32_t request_id, std::string_view true_flag = {});

// Pure: the first wire message in the bytes so far (at most 1 MiB).
MongoReply ParseMongoReply(std::string_view bytes);

// Pure: a command reply as collect facts — its fields within the caps
// (BoundedJson), "auth_required" when it carries an error code (13 =
// Unauthorized), {"error": …} when it is not a MongoDB reply.
nlohmann::json MongoCommandFacts(const MongoReply& reply);
// Pure: a listDatabases reply: {"ok": 1, "databases": ["admin", "school"],
// "database_count": 2, "user_databases": 1 (not admin/config/local),
// "auth_required": false} or the error of MongoCommandFacts.
nlohmann::json ListDatabasesFacts(const MongoReply& reply);

std::unique_ptr<ServiceProbe> MakeMongodbProbe();

}  // namespace ciiscope::scanner
