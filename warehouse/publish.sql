-- Publish the staged batch (temp tables stg_*) into the star schema. Run inside one transaction by
-- warehouse/publish.py, only after validation passed: readers see the whole batch or none of it.
-- Re-publishing a report replaces its rows, so re-running a load never duplicates anything.

-- Content already published is only seen again; new content is inserted (not one upsert: DuckDB's ON CONFLICT
-- path took 3x as long as a plain insert of 100k texts).
UPDATE raw_report AS r SET source_path = s.source_path, last_seen = s.last_seen
FROM stg_raw_report AS s WHERE s.sha256 = r.sha256;

INSERT INTO raw_report BY NAME SELECT * FROM stg_raw_report WHERE sha256 NOT IN (SELECT sha256 FROM raw_report);

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

-- What the next load may skip: these files as read now (an unpublished run records nothing, so its files
-- are read again next time).
INSERT INTO source_file BY NAME SELECT * FROM stg_source_file
ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, sha256 = excluded.sha256,
    outcome = excluded.outcome, run_id = excluded.run_id, last_seen = excluded.last_seen;

-- Where the content came from: the manifests under the run's source (stg_provenance, by absolute path), for
-- the files read now and the unchanged ones alike (a manifest that arrives after its files still counts).
-- The same bytes retrieved twice (from two URLs, or again on a later night) keep the earliest retrieval: the
-- first place and time the report was seen published. A retrieval of unknown time never replaces a known one;
-- content with no provenance yet takes any.
UPDATE raw_report AS r SET source_url = p.source_url, final_url = p.final_url, retrieved_at = p.retrieved_at,
    http_status = p.http_status, publisher = p.publisher
FROM (
    SELECT f.sha256, p.* EXCLUDE (path)
    FROM stg_provenance p JOIN source_file f ON f.path = p.path
    WHERE f.sha256 IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY f.sha256 ORDER BY p.retrieved_at NULLS LAST, p.source_url) = 1
) AS p
WHERE p.sha256 = r.sha256
  AND (r.source_url IS NULL OR p.retrieved_at < r.retrieved_at
       OR (r.retrieved_at IS NULL AND p.retrieved_at IS NOT NULL));

-- Revisions: an agency may publish its report for a year twice. Every version stays in fact_report and
-- fact_metric; the latest published one is current (ties: later signing date, then a fixed order).
UPDATE fact_report AS f SET is_current = (c.rn = 1)
FROM (
    SELECT r.report_id, row_number() OVER (
        PARTITION BY CASE WHEN r.report_year IS NULL OR a.agency_name = '(unknown)' THEN r.report_id
                          ELSE r.agency_id || '|' || r.report_year END
        ORDER BY r.published_on DESC NULLS LAST, r.signed_on DESC NULLS LAST, r.report_id) AS rn
    FROM fact_report r JOIN dim_agency a USING (agency_id)
) AS c
WHERE c.report_id = f.report_id AND f.is_current IS DISTINCT FROM (c.rn = 1);
