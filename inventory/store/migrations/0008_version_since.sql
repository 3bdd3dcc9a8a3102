-- 0008_version_since: stale assets and zombie services (issue 6, item 4).
--
-- services.version_since: when the service's current product/version was
--   first identified by an assessment (Unix ms of that scan's start; 0 = not
--   yet known). The assessor keeps it while product and version stay the
--   same; zombie-service rules read service.version_since / version_age.
-- assets_by_last_seen: the stale-asset pass selects assets not seen since a
--   cutoff.
ALTER TABLE services ADD COLUMN version_since BIGINT NOT NULL DEFAULT 0;
CREATE INDEX assets_by_last_seen ON assets (last_seen);
