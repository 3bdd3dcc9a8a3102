-- 0005_scores: unit scores (issue 6 item 6, docs/scoring.md) kept per run, so
-- a scorecard can show each unit's trend. Portable SQL as in 0001.

-- One computation of every unit's score from the scoring table in effect.
CREATE TABLE score_runs (
  id             INTEGER PRIMARY KEY,
  time           BIGINT NOT NULL,            -- Unix ms: the "now" overdue is judged at
  actor          TEXT NOT NULL DEFAULT '',
  table_source   TEXT NOT NULL DEFAULT '',   -- scoring file used
  table_version  BIGINT NOT NULL DEFAULT 1,
  assets         BIGINT NOT NULL DEFAULT 0,
  findings       BIGINT NOT NULL DEFAULT 0,  -- findings that counted
  unowned_assets BIGINT NOT NULL DEFAULT 0,  -- assets no unit owns or is charged with
  unowned_score  DOUBLE PRECISION NOT NULL DEFAULT 0
);

-- A unit's score in a run. score = own assets and every unit below it,
-- own_score = own assets only; counts are the unit's own (not the subtree's).
CREATE TABLE unit_scores (
  run_id         BIGINT NOT NULL REFERENCES score_runs (id) ON DELETE CASCADE,
  unit_id        BIGINT NOT NULL REFERENCES units (id) ON DELETE CASCADE,
  parent_id      BIGINT,                     -- parent at scoring time (NULL = top)
  score          DOUBLE PRECISION NOT NULL,
  own_score      DOUBLE PRECISION NOT NULL,
  assets         BIGINT NOT NULL DEFAULT 0,  -- own assets (with shadow assets charged here)
  subtree_assets BIGINT NOT NULL DEFAULT 0,
  findings       BIGINT NOT NULL DEFAULT 0,
  overdue        BIGINT NOT NULL DEFAULT 0,
  repeat_count   BIGINT NOT NULL DEFAULT 0,
  shadow         BIGINT NOT NULL DEFAULT 0,
  critical_high  BIGINT NOT NULL DEFAULT 0,
  points         DOUBLE PRECISION NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, unit_id)
);
CREATE INDEX unit_scores_by_unit ON unit_scores (unit_id, run_id);
CREATE INDEX unit_scores_by_parent ON unit_scores (run_id, parent_id, score);
