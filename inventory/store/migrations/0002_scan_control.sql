-- 0002_scan_control: the authorization gate, seeded and sharded scans, and
-- resume checkpoints (issue 3 "Scanner at scale"). Portable SQL as in 0001.

-- authorizations (授权书): document_ref is the reference, granted_by the
-- issuer, valid_from/valid_until the window in Unix ms (valid_until 0 = no
-- end). From this version `scope` holds a JSON array of entries: CIDRs,
-- addresses and host names ("*.example.edu" covers names under it).
ALTER TABLE authorizations ADD COLUMN created_by TEXT NOT NULL DEFAULT '';

-- Every workspace may scan its own loopback, so the demo and tests work.
INSERT INTO authorizations (scope, granted_by, granted_to, document_ref, valid_from,
                            valid_until, created_at, created_by)
VALUES ('["127.0.0.0/8","::1/128"]', 'ciiscope (built in)', '', 'builtin-loopback', 0, 0, 0,
        'ciiscope');

-- What a resumed scan needs to walk the same order: the permutation seed
-- (a 64-bit value stored as its two's complement) and the options that
-- shape the target list (excludes, reserved override, target count, …).
ALTER TABLE scans ADD COLUMN seed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE scans ADD COLUMN options_json TEXT NOT NULL DEFAULT '{}';

-- Checkpoint of a running scan, rewritten every few seconds and at stop.
-- Positions index the scan's shard of the permutation: everything before
-- next_position is finished except the positions in pending_json (in
-- flight when the checkpoint was taken; they are redone on resume).
CREATE TABLE scan_progress (
  scan_id        BIGINT PRIMARY KEY REFERENCES scans (id) ON DELETE CASCADE,
  next_position  BIGINT NOT NULL DEFAULT 0,
  pending_json   TEXT NOT NULL DEFAULT '[]',
  total          BIGINT NOT NULL DEFAULT 0,
  done           BIGINT NOT NULL DEFAULT 0,
  open           BIGINT NOT NULL DEFAULT 0,
  closed         BIGINT NOT NULL DEFAULT 0,
  filtered       BIGINT NOT NULL DEFAULT 0,
  runner_pid     BIGINT NOT NULL DEFAULT 0,  -- process running the scan
  runner_start   BIGINT NOT NULL DEFAULT 0,  -- its start time (clock ticks since boot)
  updated_at     BIGINT NOT NULL DEFAULT 0
);
