// Store: evidence ingest, assets, services and evidence reads.
#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>

#include "core/clock.h"
#include "inventory/store/sqlite_util.h"
#include "inventory/store/store.h"
#include "inventory/store/store_rows.h"

namespace ciiscope::inventory {
namespace {

using sqlite::Statement;

// Per-batch view of an asset row: written back once at the end of the batch.
struct AssetState {
  int64_t id = 0;
  std::vector<std::string> hostnames;
  int64_t first_seen = 0;
  int64_t last_seen = 0;
  bool dirty = false;
};

struct ServiceState {
  int64_t id = 0;
  std::string state;
  int64_t first_seen = 0;
  int64_t last_seen = 0;
  bool dirty = false;
};

using ServiceKey = std::tuple<int64_t, std::string, uint16_t>;  // asset, transport, port

// Prepared once per RecordObservations call.
struct IngestStatements {
  Statement find_asset;
  Statement insert_asset;
  Statement update_asset;
  Statement find_service;
  Statement insert_service;
  Statement update_service;
  Statement insert_evidence;
  Statement state_recorded;
};

Result<IngestStatements> PrepareIngest(sqlite3* db, const std::string& path) {
  IngestStatements s;
  CII_ASSIGN_OR_RETURN(
      s.find_asset,
      Statement::Prepare(db, path,
                         "SELECT id, hostnames_json, first_seen, last_seen FROM assets "
                         "WHERE address = ?"));
  CII_ASSIGN_OR_RETURN(
      s.insert_asset,
      Statement::Prepare(db, path,
                         "INSERT INTO assets (address, address_sort, hostnames_json, "
                         "first_seen, last_seen) VALUES (?, ?, ?, ?, ?)"));
  CII_ASSIGN_OR_RETURN(
      s.update_asset,
      Statement::Prepare(db, path,
                         "UPDATE assets SET hostnames_json = ?, first_seen = ?, last_seen = ? "
                         "WHERE id = ?"));
  CII_ASSIGN_OR_RETURN(
      s.find_service,
      Statement::Prepare(db, path,
                         "SELECT id, state, first_seen, last_seen FROM services "
                         "WHERE asset_id = ? AND transport = ? AND port = ?"));
  CII_ASSIGN_OR_RETURN(
      s.insert_service,
      Statement::Prepare(db, path,
                         "INSERT INTO services (asset_id, transport, port, state, first_seen, "
                         "last_seen) VALUES (?, ?, ?, ?, ?, ?)"));
  CII_ASSIGN_OR_RETURN(
      s.update_service,
      Statement::Prepare(db, path,
                         "UPDATE services SET state = ?, first_seen = ?, last_seen = ? "
                         "WHERE id = ?"));
  CII_ASSIGN_OR_RETURN(
      s.insert_evidence,
      Statement::Prepare(db, path,
                         "INSERT INTO evidence (scan_id, asset_id, service_id, kind, data_json, "
                         "raw, time) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  // A resumed scan redoes the pairs finished after its last checkpoint: the
  // same state of the same port in the same scan is recorded once.
  CII_ASSIGN_OR_RETURN(
      s.state_recorded,
      Statement::Prepare(db, path,
                         "SELECT 1 FROM evidence WHERE scan_id = ? AND service_id = ? "
                         "AND kind = 'port_state' AND "
                         "CASE WHEN json_valid(data_json) THEN json_extract(data_json, '$.state') END = ? "
                         "LIMIT 1"));
  return s;
}

void Touch(int64_t time, int64_t& first_seen, int64_t& last_seen) {
  if (first_seen == 0 || time < first_seen) first_seen = time;
  if (time > last_seen) last_seen = time;
}

}  // namespace

const std::string_view kAssetColumns =
    "a.id, a.address, a.hostnames_json, a.first_seen, a.last_seen, a.role, a.criticality, "
    "a.cii_status, a.ledger_status, COALESCE(a.unit_id, 0), a.data_tags_json, a.identified_by, "
    "a.cii_decided_by, a.cii_decided_at, a.cii_reason, "
    // Which engines saw the asset (evidence_by_asset, then the scan's rowid).
    "EXISTS (SELECT 1 FROM evidence ea JOIN scans sa ON sa.id = ea.scan_id "
    "WHERE ea.asset_id = a.id AND sa.engine <> 'passive'), "
    "EXISTS (SELECT 1 FROM evidence ep JOIN scans sp ON sp.id = ep.scan_id "
    "WHERE ep.asset_id = a.id AND sp.engine = 'passive')";

Asset ReadAsset(const Statement& stmt, int first_col) {
  Asset asset;
  asset.id = stmt.Int(first_col + 0);
  asset.address = stmt.Text(first_col + 1);
  asset.hostnames = sqlite::StringsFromJson(stmt.Text(first_col + 2));
  asset.first_seen = stmt.Int(first_col + 3);
  asset.last_seen = stmt.Int(first_col + 4);
  asset.role = stmt.Text(first_col + 5);
  asset.criticality = stmt.Text(first_col + 6);
  asset.cii_status = stmt.Text(first_col + 7);
  asset.ledger_status = stmt.Text(first_col + 8);
  asset.unit_id = stmt.Int(first_col + 9);
  asset.data_tags = sqlite::StringsFromJson(stmt.Text(first_col + 10));
  asset.identified_by = stmt.Text(first_col + 11);
  asset.cii_decided_by = stmt.Text(first_col + 12);
  asset.cii_decided_at = stmt.Int(first_col + 13);
  asset.cii_reason = stmt.Text(first_col + 14);
  asset.seen_active = stmt.Int(first_col + 15) != 0;
  asset.seen_passive = stmt.Int(first_col + 16) != 0;
  static_assert(kAssetColumnCount == 17, "ReadAsset reads every column of kAssetColumns");
  return asset;
}

const std::string_view kServiceColumns =
    "s.id, s.asset_id, a.address, s.transport, s.port, s.state, s.name, s.product, s.version, "
    "s.cpe, s.first_seen, s.last_seen";

Service ReadService(const Statement& stmt) {
  Service service;
  service.id = stmt.Int(0);
  service.asset_id = stmt.Int(1);
  service.address = stmt.Text(2);
  service.transport = stmt.Text(3);
  service.port = static_cast<uint16_t>(stmt.Int(4));
  service.state = stmt.Text(5);
  service.name = stmt.Text(6);
  service.product = stmt.Text(7);
  service.version = stmt.Text(8);
  service.cpe = stmt.Text(9);
  service.first_seen = stmt.Int(10);
  service.last_seen = stmt.Int(11);
  return service;
}

namespace {

constexpr std::string_view kEvidenceColumns =
    "id, scan_id, asset_id, service_id, kind, data_json, raw, time";

Evidence ReadEvidence(const Statement& stmt) {
  Evidence evidence;
  evidence.id = stmt.Int(0);
  evidence.scan_id = stmt.Int(1);
  evidence.asset_id = stmt.Int(2);
  evidence.service_id = stmt.IsNull(3) ? 0 : stmt.Int(3);
  evidence.kind = stmt.Text(4);
  evidence.data_json = stmt.Text(5);
  evidence.raw = stmt.Blob(6);
  evidence.time = stmt.Int(7);
  return evidence;
}

}  // namespace

Status Store::RecordObservations(int64_t scan_id, const std::vector<Observation>& batch) {
  for (const auto& obs : batch) {
    if (obs.address.empty()) {
      return Error(ErrorCode::kInvalidArgument,
                   path_ + ": observation of kind '" + obs.kind + "' has no address");
    }
    if (obs.kind.empty()) {
      return Error(ErrorCode::kInvalidArgument,
                   path_ + ": observation for " + obs.address + " has no kind");
    }
  }
  if (batch.empty()) return Ok();
  CII_ASSIGN_OR_RETURN(IngestStatements s, PrepareIngest(db_, path_));
  const int64_t now = core::NowMillis();

  return Transaction([&]() -> Status {
    std::unordered_map<std::string, AssetState> assets;
    std::map<ServiceKey, ServiceState> services;

    for (const auto& obs : batch) {
      const int64_t time = obs.time != 0 ? obs.time : now;

      // Asset: find or create, merge the hostname, widen first/last seen.
      auto [asset_it, new_in_batch] = assets.try_emplace(obs.address);
      AssetState& asset = asset_it->second;
      if (new_in_batch) {
        s.find_asset.Bind(1, obs.address);
        CII_ASSIGN_OR_RETURN(bool found, s.find_asset.Step());
        if (found) {
          asset.id = s.find_asset.Int(0);
          asset.hostnames = sqlite::StringsFromJson(s.find_asset.Text(1));
          asset.first_seen = s.find_asset.Int(2);
          asset.last_seen = s.find_asset.Int(3);
        }
        s.find_asset.Reset();
        if (!found) {
          if (!obs.hostname.empty()) asset.hostnames.push_back(obs.hostname);
          asset.first_seen = asset.last_seen = time;
          s.insert_asset.Bind(1, obs.address)
              .Bind(2, sqlite::AddressSortKey(obs.address))
              .Bind(3, sqlite::ToJsonArray(asset.hostnames))
              .Bind(4, time)
              .Bind(5, time);
          CII_RETURN_IF_ERROR(s.insert_asset.Run());
          asset.id = sqlite3_last_insert_rowid(db_);
        }
      }
      if (!obs.hostname.empty() && std::find(asset.hostnames.begin(), asset.hostnames.end(),
                                             obs.hostname) == asset.hostnames.end()) {
        asset.hostnames.push_back(obs.hostname);
        asset.dirty = true;
      }
      int64_t first = asset.first_seen, last = asset.last_seen;
      Touch(time, asset.first_seen, asset.last_seen);
      if (first != asset.first_seen || last != asset.last_seen) asset.dirty = true;

      // Service: only for port-level observations.
      int64_t service_id = 0;
      bool service_created = false;  // by this observation
      if (obs.port != 0) {
        std::string transport = obs.transport.empty() ? "tcp" : obs.transport;
        const bool is_state = obs.kind == "port_state" && !obs.state.empty();
        auto [service_it, new_service] =
            services.try_emplace(ServiceKey{asset.id, transport, obs.port});
        ServiceState& service = service_it->second;
        if (new_service) {
          s.find_service.Bind(1, asset.id).Bind(2, transport).Bind(3, int64_t{obs.port});
          CII_ASSIGN_OR_RETURN(bool found, s.find_service.Step());
          if (found) {
            service.id = s.find_service.Int(0);
            service.state = s.find_service.Text(1);
            service.first_seen = s.find_service.Int(2);
            service.last_seen = s.find_service.Int(3);
          }
          s.find_service.Reset();
          if (!found) {
            // Any evidence about a port we had no row for means it answered.
            service.state = is_state ? obs.state : "open";
            service.first_seen = service.last_seen = time;
            s.insert_service.Bind(1, asset.id)
                .Bind(2, transport)
                .Bind(3, int64_t{obs.port})
                .Bind(4, service.state)
                .Bind(5, time)
                .Bind(6, time);
            CII_RETURN_IF_ERROR(s.insert_service.Run());
            service.id = sqlite3_last_insert_rowid(db_);
            service_created = true;
          }
        }
        if (is_state && service.state != obs.state) {
          service.state = obs.state;
          service.dirty = true;
        }
        first = service.first_seen;
        last = service.last_seen;
        Touch(time, service.first_seen, service.last_seen);
        if (first != service.first_seen || last != service.last_seen) service.dirty = true;
        service_id = service.id;
      }

      const std::string_view data =
          obs.data_json.empty() ? std::string_view("{}") : std::string_view(obs.data_json);
      if (obs.kind == "port_state" && !obs.state.empty() && service_id != 0 && !service_created) {
        s.state_recorded.Bind(1, scan_id).Bind(2, service_id).Bind(3, obs.state);
        CII_ASSIGN_OR_RETURN(bool recorded, s.state_recorded.Step());
        s.state_recorded.Reset();
        if (recorded) continue;
      }
      s.insert_evidence.Bind(1, scan_id)
          .Bind(2, asset.id)
          .BindId(3, service_id)
          .Bind(4, obs.kind)
          .Bind(5, data)
          .BindBlob(6, obs.raw)
          .Bind(7, time);
      CII_RETURN_IF_ERROR(s.insert_evidence.Run());
    }

    for (const auto& [address, asset] : assets) {
      if (!asset.dirty) continue;
      s.update_asset.Bind(1, sqlite::ToJsonArray(asset.hostnames))
          .Bind(2, asset.first_seen)
          .Bind(3, asset.last_seen)
          .Bind(4, asset.id);
      CII_RETURN_IF_ERROR(s.update_asset.Run());
    }
    for (const auto& [key, service] : services) {
      if (!service.dirty) continue;
      s.update_service.Bind(1, service.state)
          .Bind(2, service.first_seen)
          .Bind(3, service.last_seen)
          .Bind(4, service.id);
      CII_RETURN_IF_ERROR(s.update_service.Run());
    }
    return Ok();
  });
}

Result<std::vector<Asset>> Store::ListAssets() {
  CII_ASSIGN_OR_RETURN(Statement stmt,
                       Statement::Prepare(db_, path_,
                                          "SELECT " + std::string(kAssetColumns) +
                                              " FROM assets a ORDER BY a.address_sort, a.id"));
  std::vector<Asset> assets;
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    assets.push_back(ReadAsset(stmt));
  }
  return assets;
}

Result<std::optional<Asset>> Store::GetAsset(int64_t asset_id) {
  CII_ASSIGN_OR_RETURN(
      Statement stmt,
      Statement::Prepare(db_, path_,
                         "SELECT " + std::string(kAssetColumns) + " FROM assets a WHERE a.id = ?"));
  stmt.Bind(1, asset_id);
  CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<Asset>();
  return std::optional<Asset>(ReadAsset(stmt));
}

Result<std::vector<Service>> Store::ListServices(std::optional<int64_t> asset_id) {
  std::string sql = "SELECT " + std::string(kServiceColumns) +
                    " FROM services s JOIN assets a ON a.id = s.asset_id";
  if (asset_id) sql += " WHERE s.asset_id = ?";
  sql += " ORDER BY a.address_sort, s.port, s.transport";
  CII_ASSIGN_OR_RETURN(Statement stmt, Statement::Prepare(db_, path_, sql));
  if (asset_id) stmt.Bind(1, *asset_id);
  std::vector<Service> services;
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    services.push_back(ReadService(stmt));
  }
  return services;
}

Status Store::ForEachServiceInScan(
    int64_t scan_id,
    const std::function<Status(const Asset&, const Service&, const std::vector<Evidence>&)>& fn) {
  return ForEachServiceBatch(scan_id, 256, /*with_raw=*/true,
                             [&](const ServiceBatch& batch) -> Status {
                               for (const auto& item : batch.items) {
                                 CII_RETURN_IF_ERROR(
                                     fn(batch.assets[item.asset], item.service, item.evidence));
                               }
                               return Ok();
                             });
}

Status Store::ForEachServiceBatch(int64_t scan_id, size_t batch_size, bool with_raw,
                                  const std::function<Status(const ServiceBatch&)>& fn) {
  if (batch_size == 0) batch_size = 1;
  // Keyset pagination: each page starts after the last row of the previous
  // one, so neither the service list nor an open cursor outlives a page.
  // The leading address_sort >= ?1 lets SQLite walk assets_by_sort.
  CII_ASSIGN_OR_RETURN(
      Statement page,
      Statement::Prepare(
          db_, path_,
          "SELECT " + std::string(kServiceColumns) + ", a.address_sort, s.version_since, " +
              std::string(kAssetColumns) +
              " FROM assets a JOIN services s ON s.asset_id = a.id "
              "WHERE a.address_sort >= ?1 AND (a.address_sort, a.id, s.port, s.transport) > "
              "(?1, ?2, ?3, ?4) AND EXISTS (SELECT 1 FROM evidence e WHERE e.scan_id = ?5 AND "
              "e.service_id = s.id) "
              "ORDER BY a.address_sort, a.id, s.port, s.transport LIMIT ?6"));
  CII_ASSIGN_OR_RETURN(
      Statement evidence_stmt,
      Statement::Prepare(db_, path_,
                         std::string("SELECT id, scan_id, asset_id, service_id, kind, data_json, ") +
                             (with_raw ? "raw" : "NULL") +
                             ", time FROM evidence WHERE scan_id = ? AND service_id = ? "
                             "ORDER BY id"));
  constexpr int kSortCol = 12;  // after the 12 kServiceColumns
  constexpr int kSinceCol = 13;
  constexpr int kAssetCol = 14;
  std::string after_sort;
  int64_t after_asset = -1, after_port = -1;
  std::string after_transport;
  ServiceBatch batch;
  while (true) {
    batch.assets.clear();
    batch.items.clear();
    page.Bind(1, after_sort)
        .Bind(2, after_asset)
        .Bind(3, after_port)
        .Bind(4, after_transport)
        .Bind(5, scan_id)
        .Bind(6, static_cast<int64_t>(batch_size));
    while (true) {
      CII_ASSIGN_OR_RETURN(bool row, page.Step());
      if (!row) break;
      ServiceBatch::Item item;
      item.service = ReadService(page);
      item.version_since = page.Int(kSinceCol);
      if (batch.assets.empty() || batch.assets.back().id != item.service.asset_id) {
        batch.assets.push_back(ReadAsset(page, kAssetCol));
      }
      item.asset = batch.assets.size() - 1;
      after_sort = page.Text(kSortCol);
      after_asset = item.service.asset_id;
      after_port = item.service.port;
      after_transport = item.service.transport;
      batch.items.push_back(std::move(item));
    }
    page.Reset();
    if (batch.items.empty()) return Ok();
    for (auto& item : batch.items) {
      evidence_stmt.Bind(1, scan_id).Bind(2, item.service.id);
      while (true) {
        CII_ASSIGN_OR_RETURN(bool row, evidence_stmt.Step());
        if (!row) break;
        item.evidence.push_back(ReadEvidence(evidence_stmt));
      }
      evidence_stmt.Reset();
    }
    CII_RETURN_IF_ERROR(fn(batch));
    if (batch.items.size() < batch_size) return Ok();
  }
}

Result<std::vector<Evidence>> Store::ListEvidence(int64_t scan_id, int64_t asset_id) {
  CII_ASSIGN_OR_RETURN(Statement stmt,
                       Statement::Prepare(db_, path_,
                                          "SELECT " + std::string(kEvidenceColumns) +
                                              " FROM evidence WHERE scan_id = ? AND "
                                              "asset_id = ? ORDER BY id"));
  stmt.Bind(1, scan_id).Bind(2, asset_id);
  std::vector<Evidence> evidence;
  while (true) {
    CII_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    evidence.push_back(ReadEvidence(stmt));
  }
  return evidence;
}

Status Store::UpdateServiceIdentity(int64_t service_id, std::string_view name,
                                    std::string_view product, std::string_view version,
                                    std::string_view cpe) {
  ServiceIdentity identity;
  identity.id = service_id;
  identity.name = name;
  identity.product = product;
  identity.version = version;
  identity.cpe = cpe;
  return UpdateServiceIdentities({identity});
}

Status Store::UpdateServiceIdentities(const std::vector<ServiceIdentity>& services) {
  if (services.empty()) return Ok();
  return Transaction([&]() -> Status {
    CII_ASSIGN_OR_RETURN(
        Statement stmt,
        Statement::Prepare(db_, path_,
                           "UPDATE services SET name = ?, product = ?, version = ?, cpe = ?, "
                           "version_since = ? WHERE id = ?"));
    for (const auto& s : services) {
      stmt.Bind(1, s.name).Bind(2, s.product).Bind(3, s.version).Bind(4, s.cpe);
      stmt.Bind(5, s.version_since).Bind(6, s.id);
      CII_RETURN_IF_ERROR(stmt.Run());
      if (sqlite3_changes(db_) == 0) {
        return Error(ErrorCode::kNotFound, path_ + ": no service " + std::to_string(s.id));
      }
    }
    return Ok();
  });
}

}  // namespace ciiscope::inventory
