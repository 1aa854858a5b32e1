-- Re-deriving published reports from raw_report (govreport backfill / rebuild, flows/backfill.py).
-- $scope is a predicate over raw_report r choosing the reports a run re-derives (all of them, or those whose
-- current fact_report.report_year is one year), substituted by warehouse/rederive.py. Three sections:

-- section: read
-- The scope in the shape transforms.decode.decode_files gives (source, sha256, n_bytes, encoding, text,
-- error), plus when the content was first and last seen, which re-publishing keeps as they were.
CREATE OR REPLACE TEMP VIEW rederive_scope AS
SELECT r.source_path AS source, r.sha256, r.n_bytes, r.encoding, r.raw_text AS text, NULL::VARCHAR AS error,
       r.first_seen, r.last_seen
FROM raw_report r
WHERE $scope;

-- section: before_publish
-- Run in the publish transaction before publish.sql (which replaces the facts of every staged report).
-- A report in scope that the current extractor rejects is not staged: drop its facts (it is quarantined
-- with the reason; its raw_report row stays, so a later extractor can take it back).
DELETE FROM fact_metric WHERE report_id IN (SELECT r.sha256 FROM raw_report r WHERE $scope)
    AND report_id NOT IN (SELECT report_id FROM stg_fact_report);

DELETE FROM fact_report WHERE report_id IN (SELECT r.sha256 FROM raw_report r WHERE $scope)
    AND report_id NOT IN (SELECT report_id FROM stg_fact_report);

-- publish.sql forgets quarantined copies of every staged content ("a file that loads now is no longer a
-- rejected one"); re-deriving read no file, so the copies found by earlier loads are still copies.
CREATE OR REPLACE TEMP TABLE rederive_copies AS
SELECT * FROM quarantine
WHERE starts_with(reason, 'duplicate: ') AND sha256 IN (SELECT sha256 FROM stg_raw_report);

-- section: after_publish
INSERT INTO quarantine BY NAME SELECT * FROM rederive_copies ON CONFLICT DO NOTHING;

-- Agencies no report names any more (the extractor now names or places them differently).
DELETE FROM dim_agency WHERE agency_id NOT IN (SELECT agency_id FROM fact_report);
