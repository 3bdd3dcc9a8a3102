#pragma once
// The little BSON the MongoDB probe needs: building a flat command document
// and reading the scalar top-level fields of a reply. Bounded and
// exception-free: a malformed document yields what was read before the fault.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ciiscope::scanner {

// {name: 1 (int32), "$db": db} — e.g. {isMaster: 1, $db: "admin"}; with
// `true_flag`, {name: 1, <true_flag>: true, $db: db}.
std::string BsonCommand(std::string_view command, std::string_view db, std::string_view true_flag = {});

// Top-level fields of one BSON document: strings, numbers, booleans and null
// become JSON values; arrays become arrays (at most 64 items) of scalars and
// of the documents in them (their scalar fields); other nested documents are
// skipped. `ok` false when the document is malformed.
struct BsonFields {
  bool ok = false;
  nlohmann::json fields = nlohmann::json::object();
};
BsonFields ReadBsonTopLevel(std::string_view doc);

}  // namespace ciiscope::scanner
