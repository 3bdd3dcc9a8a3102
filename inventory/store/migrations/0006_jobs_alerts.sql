-- 0006_jobs_alerts: the daemon's job history, the schedules' last handled
-- times (so a restart catches a missed run up once) and the alerts sent (so
-- the same finding alerts once per period, and the hourly rate limit holds
-- across restarts). docs/daemon.md. Portable SQL as in 0001.

-- One scheduled run of a profile: scan + assess + alerts + the profile's reports.
CREATE TABLE jobs (
  id             INTEGER PRIMARY KEY,
  schedule       TEXT NOT NULL DEFAULT '',
  profile        TEXT NOT NULL,
  scope          TEXT NOT NULL DEFAULT '',    -- what one-job-per-scope serialises on
  key_period     TEXT NOT NULL DEFAULT '',
  scheduled_for  BIGINT NOT NULL,             -- Unix ms of the (first missed) firing
  catch_up       INTEGER NOT NULL DEFAULT 0,  -- 1: run after downtime
  missed         BIGINT NOT NULL DEFAULT 0,   -- firings folded into this job beyond the first
  started_at     BIGINT NOT NULL DEFAULT 0,
  ended_at       BIGINT NOT NULL DEFAULT 0,   -- 0 while running
  outcome        TEXT NOT NULL DEFAULT 'running',  -- running|done|failed|interrupted|cancelled
  scan_id        BIGINT REFERENCES scans (id) ON DELETE SET NULL,
  findings_new   BIGINT NOT NULL DEFAULT 0,
  alerts_sent    BIGINT NOT NULL DEFAULT 0,
  error          TEXT NOT NULL DEFAULT '',    -- one line when not done
  runner_pid     BIGINT NOT NULL DEFAULT 0,
  runner_start   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX jobs_by_outcome ON jobs (outcome);

-- Per schedule: firings up to this time (Unix ms) were handled.
CREATE TABLE schedule_state (
  schedule       TEXT PRIMARY KEY,
  handled_until  BIGINT NOT NULL
);

-- One row per alert key and period: sent, summarised (over the rate limit)
-- or failed (every sink failed).
CREATE TABLE alerts_sent (
  id             INTEGER PRIMARY KEY,
  alert_key      TEXT NOT NULL,
  period         TEXT NOT NULL,
  time           BIGINT NOT NULL,
  kind           TEXT NOT NULL DEFAULT '',
  severity       TEXT NOT NULL DEFAULT '',
  target         TEXT NOT NULL DEFAULT '',
  job_id         BIGINT REFERENCES jobs (id) ON DELETE SET NULL,
  delivery       TEXT NOT NULL,
  UNIQUE (period, alert_key)
);
CREATE INDEX alerts_sent_by_time ON alerts_sent (time);
