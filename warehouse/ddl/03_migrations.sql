-- Columns added after the first release, for warehouse files created before them (no-ops otherwise).
ALTER TABLE fact_report ADD COLUMN IF NOT EXISTS is_current BOOLEAN;
COMMENT ON COLUMN fact_report.is_current IS 'True for the latest published version of an agency''s report for a year; older revisions stay reachable with false.';
