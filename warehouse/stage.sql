-- The staged run as temp views over its Parquet batches (warehouse/staging.py stage_dir fills in $<table> with
-- a read_parquet(...) or an empty table). validate and publish.sql read only these stg_* views.

-- One row per staged content: the first copy (lowest batch, then path) is the report; later copies, and
-- copies of unchanged files an earlier load already published (stg_prior, batch -1), are duplicates.
-- Copies inside one batch never get here as reports: the batch's own extraction made them duplicate records
-- (transforms.extract.mark_duplicates: no text written twice), so (sha256, batch) names one file below.
CREATE OR REPLACE TEMP TABLE stg_copies AS
SELECT sha256, batch, source_path,
       first_value(source_path) OVER w AS original_path,
       row_number() OVER w AS copy_no
FROM (
    SELECT sha256, batch, source_path FROM $raw_report
    UNION ALL
    SELECT sha256, -1 AS batch, path AS source_path FROM stg_prior WHERE sha256 IS NOT NULL
)
WINDOW w AS (PARTITION BY sha256 ORDER BY batch, source_path);

CREATE OR REPLACE TEMP VIEW stg_raw_report AS
SELECT r.* EXCLUDE (batch)
FROM $raw_report r JOIN stg_copies c ON c.sha256 = r.sha256 AND c.batch = r.batch AND c.copy_no = 1;

CREATE OR REPLACE TEMP VIEW stg_fact_report AS
SELECT f.* EXCLUDE (batch)
FROM $fact_report f JOIN stg_copies c ON c.sha256 = f.report_id AND c.batch = f.batch AND c.copy_no = 1;

-- With the batch it came in: validation reads the facts in parts, by runs of batches.
CREATE OR REPLACE TEMP VIEW stg_fact_metric_batched AS
SELECT m.*
FROM $fact_metric m JOIN stg_copies c ON c.sha256 = m.report_id AND c.batch = m.batch AND c.copy_no = 1;

CREATE OR REPLACE TEMP VIEW stg_fact_metric AS SELECT * EXCLUDE (batch) FROM stg_fact_metric_batched;

-- Batches extracted in parallel each name the agencies they met; an agency_id is the same body everywhere.
CREATE OR REPLACE TEMP VIEW stg_dim_agency AS
SELECT * EXCLUDE (batch) FROM $dim_agency
QUALIFY row_number() OVER (PARTITION BY agency_id ORDER BY batch) = 1;

CREATE OR REPLACE TEMP VIEW stg_quarantine AS
SELECT * EXCLUDE (batch) FROM $quarantine
UNION ALL
SELECT c.sha256, c.source_path, 'duplicate: same content as ' || c.original_path AS reason, f.run_id,
       r.last_seen AS quarantined_at
FROM stg_copies c
JOIN $raw_report r ON r.sha256 = c.sha256 AND r.batch = c.batch
JOIN $fact_report f ON f.report_id = c.sha256 AND f.batch = c.batch
WHERE c.copy_no > 1 AND c.batch >= 0;

CREATE OR REPLACE TEMP VIEW stg_source_file AS
SELECT s.* EXCLUDE (batch, outcome),
       CASE WHEN c.copy_no > 1 THEN 'rejected' ELSE s.outcome END AS outcome
FROM $source_file s
LEFT JOIN stg_copies c ON c.sha256 = s.sha256 AND c.batch = s.batch AND s.outcome = 'loaded'
QUALIFY row_number() OVER (PARTITION BY s.path ORDER BY s.batch DESC) = 1;
