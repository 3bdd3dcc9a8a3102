-- 0004_asset_identity: what identify rules concluded about an asset (issue 6)
-- and the operator's CII decision. role/criticality/cii_status are in 0001.
--
-- data_tags_json: JSON array of data categories the asset holds, for
--   data-security governance (student-records, finance, identity, …).
-- identified_by: id of the identify rule that gave the role ('' = none).
-- cii_decided_by/_at/_reason: who confirmed or rejected CII candidacy, when
--   (Unix ms) and why; an assessment never overwrites a decision.
ALTER TABLE assets ADD COLUMN data_tags_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE assets ADD COLUMN identified_by TEXT NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN cii_decided_by TEXT NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN cii_decided_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE assets ADD COLUMN cii_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX assets_by_cii ON assets (cii_status);
