-- 0003_drills_monitor: drills with a kind, window and scope (issue 7), and
-- monitoring events written by passive capture (issue 5). Portable SQL as in 0001.

-- A drill: a key period (重保期) or an attack-defence exercise (攻防演练).
-- planned_from/planned_until are the announced window (Unix ms, 0 = open);
-- started_at/ended_at (0001) are when `drill start|stop` actually ran.
-- scope_json is a JSON array of target specs or unit codes the drill covers.
ALTER TABLE drills ADD COLUMN kind TEXT NOT NULL DEFAULT 'exercise';  -- key-period | exercise
ALTER TABLE drills ADD COLUMN scope_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE drills ADD COLUMN planned_from BIGINT NOT NULL DEFAULT 0;
ALTER TABLE drills ADD COLUMN planned_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE drills ADD COLUMN created_by TEXT NOT NULL DEFAULT '';

-- What passive monitoring saw happen: port scans against monitored ranges,
-- connections to ports policy says must be closed, services that newly
-- appeared. drill_id is the drill running at that time, if any; scan_id the
-- passive scan (capture) that saw it. detail_json holds the evidence
-- (counts, window, ports touched, first packet time, …).
CREATE TABLE monitor_events (
  id           INTEGER PRIMARY KEY,
  scan_id      BIGINT REFERENCES scans (id),
  drill_id     BIGINT REFERENCES drills (id),
  time         BIGINT NOT NULL,
  kind         TEXT NOT NULL,              -- port-scan | host-sweep | forbidden-port | new-service
  source       TEXT NOT NULL DEFAULT '',   -- address
  target       TEXT NOT NULL DEFAULT '',   -- address (or range for sweeps)
  port         BIGINT NOT NULL DEFAULT 0,
  transport    TEXT NOT NULL DEFAULT '',
  detail_json  TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX monitor_events_by_time ON monitor_events (time);
CREATE INDEX monitor_events_by_drill ON monitor_events (drill_id, time);
