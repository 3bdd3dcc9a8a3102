-- 0007_keyperiods: key-period baselines and their alerts, the look-back list
-- (回头看) and spot checks (飞行检查), and what the workspace configuration
-- last applied (issue 8). Portable SQL as in 0001.

-- A baseline of exposure taken when a key period starts (first command in its
-- window) or by `ciiscope keyperiod baseline NAME`. The latest baseline of a
-- (name, window_from) is the one a status or an alert compares against.
CREATE TABLE keyperiod_baselines (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  window_from  BIGINT NOT NULL,            -- Unix ms
  window_to    BIGINT NOT NULL,            -- Unix ms, exclusive
  taken_at     BIGINT NOT NULL,
  actor        TEXT NOT NULL DEFAULT '',
  trigger_kind TEXT NOT NULL DEFAULT 'auto',  -- auto | manual
  scope_json   TEXT NOT NULL DEFAULT '[]'     -- the resolved scope ([] = everything)
);
CREATE INDEX keyperiod_baselines_by_name ON keyperiod_baselines (name, window_from, id);

-- What was exposed at the baseline: open services, active findings, shadow assets.
CREATE TABLE keyperiod_items (
  baseline_id BIGINT NOT NULL REFERENCES keyperiod_baselines (id) ON DELETE CASCADE,
  kind        TEXT NOT NULL,               -- service | finding | shadow
  item_key    TEXT NOT NULL,
  severity    TEXT NOT NULL DEFAULT '',
  label       TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (baseline_id, kind, item_key)
);

-- Items already alerted in a key period (each item alerts once per period).
CREATE TABLE keyperiod_alerts (
  name        TEXT NOT NULL,
  window_from BIGINT NOT NULL,
  kind        TEXT NOT NULL,
  item_key    TEXT NOT NULL,
  raised_at   BIGINT NOT NULL,
  PRIMARY KEY (name, window_from, kind, item_key)
);

-- The look-back list (回头看): units with findings reopened in the look-back
-- window or overdue now. Recomputed after every assess, spot check and
-- `lookback list`.
CREATE TABLE lookback_units (
  unit_id     BIGINT PRIMARY KEY REFERENCES units (id) ON DELETE CASCADE,
  reopened    BIGINT NOT NULL DEFAULT 0,   -- findings reopened since `since`
  overdue     BIGINT NOT NULL DEFAULT 0,   -- counted findings past due at computed_at
  last_reopen BIGINT NOT NULL DEFAULT 0,
  since       BIGINT NOT NULL,             -- Unix ms: start of the look-back window
  computed_at BIGINT NOT NULL
);

-- Spot checks (飞行检查): who picked which units with which seed, and the scan.
CREATE TABLE spotchecks (
  id          INTEGER PRIMARY KEY,
  time        BIGINT NOT NULL,
  actor       TEXT NOT NULL DEFAULT '',
  seed        TEXT NOT NULL,               -- decimal uint64
  count       BIGINT NOT NULL,
  profile     TEXT NOT NULL DEFAULT '',
  picked_json TEXT NOT NULL DEFAULT '[]',  -- unit codes, in pick order
  scan_id     BIGINT REFERENCES scans (id),
  dry_run     BIGINT NOT NULL DEFAULT 0
);

-- Small facts the configuration application keeps (e.g. the digest of the
-- units file last imported from ciiscope.yaml).
CREATE TABLE config_state (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
