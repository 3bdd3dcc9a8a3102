-- 0009_unit_rate: a unit's own scan rate (issue 3, item 4: --rate "also per
-- unit").
--
-- units.scan_rate: the most connections (probes) per second an active scan
--   may send into the unit's registered CIDRs; 0 = the unit sets no limit of
--   its own (only --rate and --unit-rate apply). Set by `ciiscope units
--   import` (the `rate` column / key); app/pipeline.cpp applies it.
ALTER TABLE units ADD COLUMN scan_rate REAL NOT NULL DEFAULT 0;
