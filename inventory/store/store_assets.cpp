// Asset identity (identify rules) and operator CII decisions.

#include "inventory/store/sqlite_util.h"
#include "inventory/store/store.h"

namespace ciiscope::inventory {

using sqlite::Statement;

Status Store::SetAssetIdentity(int64_t asset_id, std::string_view role, std::string_view criticality,
                               bool cii_candidate, const std::vector<std::string>& data_tags,
                               std::string_view identified_by) {
  CII_ASSIGN_OR_RETURN(
      auto stmt,
      Statement::Prepare(db_, path_,
                         "UPDATE assets SET role = ?, criticality = ?, data_tags_json = ?, "
                         "identified_by = ?, cii_status = CASE WHEN cii_status IN "
                         "('confirmed', 'rejected') THEN cii_status ELSE ? END WHERE id = ?"));
  stmt.Bind(1, role)
      .Bind(2, criticality)
      .Bind(3, sqlite::ToJsonArray(data_tags))
      .Bind(4, identified_by)
      .Bind(5, cii_candidate ? std::string_view("candidate") : std::string_view(""))
      .Bind(6, asset_id);
  return stmt.Run();
}

Status Store::DecideAssetCii(int64_t asset_id, std::string_view status, std::string_view actor,
                             std::string_view reason, int64_t at_millis) {
  if (status != "confirmed" && status != "rejected") {
    return Error(ErrorCode::kInvalidArgument,
                 "expected CII decision confirmed or rejected, got '" + std::string(status) + "'");
  }
  if (reason.empty()) return Error(ErrorCode::kInvalidArgument, "a CII decision needs a --reason");
  CII_ASSIGN_OR_RETURN(
      auto stmt, Statement::Prepare(db_, path_,
                                    "UPDATE assets SET cii_status = ?, cii_decided_by = ?, "
                                    "cii_decided_at = ?, cii_reason = ? WHERE id = ?"));
  stmt.Bind(1, status).Bind(2, actor).Bind(3, at_millis).Bind(4, reason).Bind(5, asset_id);
  CII_RETURN_IF_ERROR(stmt.Run());
  if (sqlite3_changes(db_) == 0) {
    return Error(ErrorCode::kNotFound, "no asset " + std::to_string(asset_id));
  }
  return Ok();
}

}  // namespace ciiscope::inventory
