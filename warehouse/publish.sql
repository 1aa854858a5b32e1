-- Publish the staged batch (temp tables stg_*) into the star schema. Run inside one transaction by
-- warehouse/db.py, only after validation passed: readers see the whole batch or none of it.
-- Re-publishing a report replaces its rows, so re-running a load never duplicates anything.

INSERT INTO raw_report BY NAME SELECT * FROM stg_raw_report
ON CONFLICT (sha256) DO UPDATE SET source_path = excluded.source_path, last_seen = excluded.last_seen;

INSERT INTO dim_agency BY NAME SELECT * FROM stg_dim_agency
ON CONFLICT (agency_id) DO NOTHING;

DELETE FROM fact_metric WHERE report_id IN (SELECT report_id FROM stg_fact_report);

DELETE FROM fact_report WHERE report_id IN (SELECT report_id FROM stg_fact_report);

INSERT INTO fact_report BY NAME SELECT * FROM stg_fact_report;

INSERT INTO fact_metric BY NAME SELECT * FROM stg_fact_metric;

-- A file that loads now is no longer a rejected one.
DELETE FROM quarantine WHERE sha256 IN (SELECT sha256 FROM stg_raw_report);

INSERT INTO quarantine BY NAME SELECT * FROM stg_quarantine
ON CONFLICT (sha256, source_path) DO UPDATE SET reason = excluded.reason, run_id = excluded.run_id,
    quarantined_at = excluded.quarantined_at;
