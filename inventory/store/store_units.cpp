// Store: the units ledger (units, unit_scopes) and asset ownership.
#include <sqlite3.h>

#include <map>
#include <string>

#include "core/clock.h"
#include "inventory/store/sqlite_util.h"
#include "inventory/store/store.h"

namespace ciiscope::inventory {

using sqlite::Statement;

Status Store::ImportUnits(const std::vector<Unit>& units) {
  return Transaction([&]() -> Status {
    CII_ASSIGN_OR_RETURN(
        Statement upsert,
        Statement::Prepare(db_, path_,
                           "INSERT INTO units (code, name, level, owner, contact, created_at, scan_rate) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET "
                           "name = excluded.name, level = excluded.level, "
                           "owner = excluded.owner, contact = excluded.contact, "
                           "scan_rate = excluded.scan_rate"));
    CII_ASSIGN_OR_RETURN(Statement find,
                         Statement::Prepare(db_, path_, "SELECT id FROM units WHERE code = ?"));
    CII_ASSIGN_OR_RETURN(
        Statement set_parent,
        Statement::Prepare(db_, path_, "UPDATE units SET parent_id = ? WHERE id = ?"));
    CII_ASSIGN_OR_RETURN(Statement clear_scopes,
                         Statement::Prepare(db_, path_, "DELETE FROM unit_scopes WHERE unit_id = ?"));
    CII_ASSIGN_OR_RETURN(
        Statement add_scope,
        Statement::Prepare(db_, path_,
                           "INSERT INTO unit_scopes (unit_id, kind, value) VALUES (?, ?, ?) "
                           "ON CONFLICT (unit_id, kind, value) DO NOTHING"));
    auto id_of = [&](const std::string& code) -> Result<int64_t> {
      find.Bind(1, code);
      CII_ASSIGN_OR_RETURN(bool row, find.Step());
      int64_t id = row ? find.Int(0) : 0;
      find.Reset();
      return id;
    };
    const int64_t now = core::NowMillis();
    std::map<std::string, int64_t> ids;
    for (const auto& u : units) {
      upsert.Bind(1, u.code).Bind(2, u.name).Bind(3, u.level).Bind(4, u.owner).Bind(5, u.contact);
      upsert.Bind(6, now).BindDouble(7, u.rate);
      CII_RETURN_IF_ERROR(upsert.Run());
      CII_ASSIGN_OR_RETURN(ids[u.code], id_of(u.code));
    }
    for (const auto& u : units) {
      int64_t parent = 0;
      if (!u.parent_code.empty()) {
        CII_ASSIGN_OR_RETURN(parent, id_of(u.parent_code));
        if (parent == 0) {
          return Error(ErrorCode::kNotFound,
                       "unit " + u.code + ": parent " + u.parent_code + " is not in the ledger");
        }
      }
      set_parent.BindId(1, parent).Bind(2, ids[u.code]);
      CII_RETURN_IF_ERROR(set_parent.Run());
      clear_scopes.Bind(1, ids[u.code]);
      CII_RETURN_IF_ERROR(clear_scopes.Run());
      for (const auto& c : u.cidrs) {
        add_scope.Bind(1, ids[u.code]).Bind(2, std::string_view("cidr")).Bind(3, c);
        CII_RETURN_IF_ERROR(add_scope.Run());
      }
      for (const auto& d : u.domains) {
        add_scope.Bind(1, ids[u.code]).Bind(2, std::string_view("domain")).Bind(3, d);
        CII_RETURN_IF_ERROR(add_scope.Run());
      }
    }
    return Ok();
  });
}

Result<std::vector<Unit>> Store::ListUnits() {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "SELECT u.id, COALESCE(u.code, ''), COALESCE(p.code, ''), "
                         "COALESCE(u.parent_id, 0), u.name, u.level, u.owner, u.contact, u.scan_rate "
                         "FROM units u LEFT JOIN units p ON p.id = u.parent_id ORDER BY u.id"));
  std::vector<Unit> units;
  std::map<int64_t, size_t> index;
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    Unit u;
    u.id = stmt.Int(0);
    u.code = stmt.Text(1);
    u.parent_code = stmt.Text(2);
    u.parent_id = stmt.Int(3);
    u.name = stmt.Text(4);
    u.level = stmt.Text(5);
    u.owner = stmt.Text(6);
    u.contact = stmt.Text(7);
    u.rate = stmt.Double(8);
    index[u.id] = units.size();
    units.push_back(std::move(u));
  }
  CII_ASSIGN_OR_RETURN(
      Statement scopes,
      Statement::Prepare(db_, path_, "SELECT unit_id, kind, value FROM unit_scopes ORDER BY id"));
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, scopes.Step());
    if (!row) break;
    auto it = index.find(scopes.Int(0));
    if (it == index.end()) continue;
    Unit& u = units[it->second];
    (scopes.Text(1) == "cidr" ? u.cidrs : u.domains).push_back(scopes.Text(2));
  }
  return units;
}

Status Store::SetAssetUnit(int64_t asset_id, int64_t unit_id, std::string_view ledger_status) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "UPDATE assets SET unit_id = ?, ledger_status = ? WHERE id = ?"));
  stmt.BindId(1, unit_id).Bind(2, ledger_status).Bind(3, asset_id);
  return stmt.Run();
}

}  // namespace ciiscope::inventory
