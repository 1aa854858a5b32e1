-- Which files stand behind a failed critical expectation (warehouse/audit.py files_behind): each staged table's
-- rows with the file they came from (`file`), filtered there on the failing column's example values; and, for
-- the SQL and Python checks, whose example rows name a report, a content hash or an agency, those keys' files.

-- section: raw_report
SELECT source_path AS file, * FROM stg_raw_report

-- section: fact_report
SELECT source_path AS file, * FROM stg_fact_report

-- section: fact_metric
-- A fact whose report is not staged (metric_report_exists) still names something: its report_id.
SELECT coalesce(r.source_path, 'report ' || m.report_id) AS file, m.*
FROM stg_fact_metric AS m LEFT JOIN stg_fact_report AS r ON r.report_id = m.report_id

-- section: dim_agency
-- An agency row is no file's own: the files of the reports that name it.
SELECT r.source_path AS file, a.*
FROM stg_dim_agency AS a LEFT JOIN stg_fact_report AS r ON r.agency_id = a.agency_id

-- section: quarantine
SELECT source_path AS file, * FROM stg_quarantine

-- section: by_key
SELECT report_id AS key, source_path AS file FROM stg_fact_report
UNION ALL SELECT agency_id, source_path FROM stg_fact_report
UNION ALL SELECT sha256, source_path FROM stg_raw_report
UNION ALL SELECT sha256, source_path FROM stg_quarantine
