-- 0001_initial: the inventory schema (DESIGN.md "Data model").
--
-- Portability notes (a PostgreSQL backend comes later):
--  * "INTEGER PRIMARY KEY" is SQLite's rowid alias; PostgreSQL maps it to
--    BIGINT GENERATED ALWAYS AS IDENTITY. Every other integer is BIGINT.
--  * BLOB maps to BYTEA. List fields are JSON text (TEXT; JSONB later).
--  * Times are Unix milliseconds (UTC) as BIGINT; 0 or NULL = unknown.
--  * No SQLite-only functions, no AUTOINCREMENT, no WITHOUT ROWID.
-- The schema version is kept by the store (PRAGMA user_version on SQLite).

-- Units ledger: ministry -> province -> city/county -> school -> department.
CREATE TABLE units (
  id          INTEGER PRIMARY KEY,
  parent_id   BIGINT REFERENCES units (id),
  code        TEXT UNIQUE,                -- the unit's own identifier, if any
  name        TEXT NOT NULL,
  level       TEXT NOT NULL DEFAULT '',   -- ministry|province|city|county|school|department
  owner       TEXT NOT NULL DEFAULT '',   -- 责任人
  contact     TEXT NOT NULL DEFAULT '',
  created_at  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX units_by_parent ON units (parent_id);

-- The ranges and domains a unit registered (how assets find their owner).
CREATE TABLE unit_scopes (
  id       INTEGER PRIMARY KEY,
  unit_id  BIGINT NOT NULL REFERENCES units (id) ON DELETE CASCADE,
  kind     TEXT NOT NULL,                 -- cidr | domain
  value    TEXT NOT NULL,
  UNIQUE (unit_id, kind, value)
);
CREATE INDEX unit_scopes_by_value ON unit_scopes (kind, value);

-- Who authorized scanning what, for which window (授权书 reference).
CREATE TABLE authorizations (
  id            INTEGER PRIMARY KEY,
  unit_id       BIGINT REFERENCES units (id),
  scope         TEXT NOT NULL,            -- target specs (CIDRs, ranges, domains), space-separated
  granted_by    TEXT NOT NULL DEFAULT '',
  granted_to    TEXT NOT NULL DEFAULT '',
  document_ref  TEXT NOT NULL DEFAULT '', -- 授权书 number
  valid_from    BIGINT NOT NULL DEFAULT 0,
  valid_until   BIGINT NOT NULL DEFAULT 0,
  created_at    BIGINT NOT NULL DEFAULT 0,
  revoked_at    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX authorizations_by_window ON authorizations (valid_from, valid_until);

-- Exercise windows (攻防演练) and their timeline.
CREATE TABLE drills (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  status      TEXT NOT NULL DEFAULT 'planned',  -- planned | running | finished
  started_at  BIGINT NOT NULL DEFAULT 0,
  ended_at    BIGINT NOT NULL DEFAULT 0,
  notes       TEXT NOT NULL DEFAULT ''
);

CREATE TABLE drill_events (
  id           INTEGER PRIMARY KEY,
  drill_id     BIGINT NOT NULL REFERENCES drills (id) ON DELETE CASCADE,
  time         BIGINT NOT NULL,
  actor        TEXT NOT NULL DEFAULT '',
  kind         TEXT NOT NULL,             -- start | stop | exposure | fixed | note …
  detail_json  TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX drill_events_by_drill ON drill_events (drill_id, time);

CREATE TABLE scans (
  id             INTEGER PRIMARY KEY,
  profile        TEXT NOT NULL DEFAULT '',
  targets        TEXT NOT NULL DEFAULT '',
  ports          TEXT NOT NULL DEFAULT '',
  engine         TEXT NOT NULL DEFAULT '',
  operator_name  TEXT NOT NULL DEFAULT '',
  drill_id       BIGINT REFERENCES drills (id),
  shard          TEXT NOT NULL DEFAULT '',  -- "i/n" or ''
  started_at     BIGINT NOT NULL DEFAULT 0,
  finished_at    BIGINT NOT NULL DEFAULT 0,
  status         TEXT NOT NULL DEFAULT 'running',
  stats_json     TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE assets (
  id              INTEGER PRIMARY KEY,
  address         TEXT NOT NULL UNIQUE,      -- canonical textual IP
  address_sort    TEXT NOT NULL DEFAULT '',  -- numeric sort key (family + hex bytes)
  hostnames_json  TEXT NOT NULL DEFAULT '[]',
  unit_id         BIGINT REFERENCES units (id),
  first_seen      BIGINT NOT NULL DEFAULT 0,
  last_seen       BIGINT NOT NULL DEFAULT 0,
  role            TEXT NOT NULL DEFAULT '',
  criticality     TEXT NOT NULL DEFAULT '',  -- low | medium | high
  cii_status      TEXT NOT NULL DEFAULT '',  -- candidate | confirmed | rejected
  ledger_status   TEXT NOT NULL DEFAULT ''   -- registered | shadow | stale
);
CREATE INDEX assets_by_sort ON assets (address_sort);
CREATE INDEX assets_by_unit ON assets (unit_id);

CREATE TABLE services (
  id          INTEGER PRIMARY KEY,
  asset_id    BIGINT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
  transport   TEXT NOT NULL,               -- tcp | udp
  port        BIGINT NOT NULL,
  state       TEXT NOT NULL DEFAULT 'open',  -- open | closed | filtered
  name        TEXT NOT NULL DEFAULT '',
  product     TEXT NOT NULL DEFAULT '',
  version     TEXT NOT NULL DEFAULT '',
  cpe         TEXT NOT NULL DEFAULT '',
  first_seen  BIGINT NOT NULL DEFAULT 0,
  last_seen   BIGINT NOT NULL DEFAULT 0,
  UNIQUE (asset_id, transport, port)
);

-- Append-only: what the scanner saw. service_id NULL = host-level evidence.
CREATE TABLE evidence (
  id          INTEGER PRIMARY KEY,
  scan_id     BIGINT NOT NULL REFERENCES scans (id),
  asset_id    BIGINT NOT NULL REFERENCES assets (id),
  service_id  BIGINT REFERENCES services (id),
  kind        TEXT NOT NULL,
  data_json   TEXT NOT NULL DEFAULT '{}',
  raw         BLOB,                          -- capped by the scanner; may hold NULs
  time        BIGINT NOT NULL
);
CREATE INDEX evidence_by_scan_service ON evidence (scan_id, service_id);
CREATE INDEX evidence_by_service ON evidence (service_id);
CREATE INDEX evidence_by_asset ON evidence (asset_id);

CREATE TABLE findings (
  id                  INTEGER PRIMARY KEY,
  key                 TEXT NOT NULL UNIQUE,  -- sha256(rule|asset|service|discriminator): the dedupe
  rule_id             TEXT NOT NULL,
  rule_version        BIGINT NOT NULL DEFAULT 1,
  severity            TEXT NOT NULL,         -- info | low | medium | high | critical
  status              TEXT NOT NULL DEFAULT 'open',
  asset_id            BIGINT REFERENCES assets (id),
  service_id          BIGINT REFERENCES services (id),  -- NULL = asset-level
  address             TEXT NOT NULL DEFAULT '',
  port                BIGINT NOT NULL DEFAULT 0,
  transport           TEXT NOT NULL DEFAULT '',
  title_zh            TEXT NOT NULL DEFAULT '',
  title_en            TEXT NOT NULL DEFAULT '',
  remediation_zh      TEXT NOT NULL DEFAULT '',
  remediation_en      TEXT NOT NULL DEFAULT '',
  references_json     TEXT NOT NULL DEFAULT '[]',
  detail_json         TEXT NOT NULL DEFAULT '{}',
  evidence_ids_json   TEXT NOT NULL DEFAULT '[]',
  first_seen_scan     BIGINT REFERENCES scans (id),
  last_seen_scan      BIGINT REFERENCES scans (id),
  first_seen          BIGINT NOT NULL DEFAULT 0,
  last_seen           BIGINT NOT NULL DEFAULT 0,
  due_at              BIGINT NOT NULL DEFAULT 0,
  assignee            TEXT NOT NULL DEFAULT ''
);
CREATE INDEX findings_by_service ON findings (service_id, status);
CREATE INDEX findings_by_asset ON findings (asset_id);
CREATE INDEX findings_by_last_scan ON findings (last_seen_scan);
CREATE INDEX findings_by_status ON findings (status, severity);

-- The trail: who changed a finding's status, when and why.
CREATE TABLE finding_events (
  id           INTEGER PRIMARY KEY,
  finding_id   BIGINT NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
  time         BIGINT NOT NULL,
  actor        TEXT NOT NULL DEFAULT '',
  from_status  TEXT NOT NULL DEFAULT '',
  to_status    TEXT NOT NULL,
  reason       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX finding_events_by_finding ON finding_events (finding_id, id);

-- Every operator command, hash-chained:
-- hash = sha256(prev_hash|time|actor|command|args_digest|outcome), first prev_hash = 64 zeros.
CREATE TABLE audit_log (
  id           INTEGER PRIMARY KEY,
  time         BIGINT NOT NULL,
  actor        TEXT NOT NULL,
  command      TEXT NOT NULL,
  args_digest  TEXT NOT NULL,
  outcome      TEXT NOT NULL,
  prev_hash    TEXT NOT NULL,
  hash         TEXT NOT NULL
);
