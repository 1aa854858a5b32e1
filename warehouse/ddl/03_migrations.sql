-- Columns added after the first release, for warehouse files created before them (no-ops otherwise).
ALTER TABLE fact_report ADD COLUMN IF NOT EXISTS is_current BOOLEAN;
COMMENT ON COLUMN fact_report.is_current IS 'True for the latest published version of an agency''s report for a year; older revisions stay reachable with false.';
ALTER TABLE load_audit ADD COLUMN IF NOT EXISTS files_skipped INTEGER;
COMMENT ON COLUMN load_audit.files_skipped IS 'Files left out because a published load already read them unchanged (same path, size and mtime).';
ALTER TABLE load_audit ADD COLUMN IF NOT EXISTS quality_issues JSON;
COMMENT ON COLUMN load_audit.quality_issues IS 'v_quality_issues rows of the reports this run published, counted by check_name (also GX warnings).';
ALTER TABLE load_audit ADD COLUMN IF NOT EXISTS stage_seconds JSON;
COMMENT ON COLUMN load_audit.stage_seconds IS 'Seconds spent per stage (decode, normalize, extract, write, stage, validate, publish), summed over batches; transforms_cpu: the CPU seconds of decode to write, which on a busy machine take less than their wall seconds; quality: the v_quality_issues warnings, run inside publish (publish: the rest of it, recorded in the returned audit only).';
ALTER TABLE load_audit ADD COLUMN IF NOT EXISTS extractor_version VARCHAR;
COMMENT ON COLUMN load_audit.extractor_version IS 'Hash of the extraction code and vocabularies the run used (transforms/*.py, transforms/vocab/*.csv, metric_catalog.csv, agency aliases): a backfill redoes the years whose backfill ran with another version.';
ALTER TABLE fact_metric ADD COLUMN IF NOT EXISTS rule VARCHAR;
COMMENT ON COLUMN fact_metric.rule IS 'The rule or parser that produced the figure (table3:row, prose:proactive.total, zero:requests.received); null for rows loaded before rules were recorded.';
ALTER TABLE fact_metric ADD COLUMN IF NOT EXISTS page INTEGER;
COMMENT ON COLUMN fact_metric.page IS '1-based page of a PDF or Word report the figure stands on; null for text and HTML reports.';
-- Provenance (govreport fetch, manifest.csv) and the page's metadata block; their comments live here, after the
-- columns exist in a warehouse made before them (01_tables.sql runs first).
ALTER TABLE raw_report ADD COLUMN IF NOT EXISTS source_url VARCHAR;
COMMENT ON COLUMN raw_report.source_url IS 'URL the content was retrieved from (manifest.csv beside the file, written by govreport fetch); null for files from disk. Of two retrievals of the same bytes the earliest is kept.';
ALTER TABLE raw_report ADD COLUMN IF NOT EXISTS final_url VARCHAR;
COMMENT ON COLUMN raw_report.final_url IS 'URL the content was finally served from, after redirects; null for files from disk.';
ALTER TABLE raw_report ADD COLUMN IF NOT EXISTS retrieved_at TIMESTAMP;
COMMENT ON COLUMN raw_report.retrieved_at IS 'When the content was retrieved (UTC, from the manifest); null when unknown.';
ALTER TABLE raw_report ADD COLUMN IF NOT EXISTS http_status INTEGER;
COMMENT ON COLUMN raw_report.http_status IS 'HTTP status of the retrieval (200); null for files from disk or a manifest that does not say.';
ALTER TABLE raw_report ADD COLUMN IF NOT EXISTS publisher VARCHAR;
COMMENT ON COLUMN raw_report.publisher IS 'Publisher the manifest names for the file (the portal or body it came from); null when none.';
ALTER TABLE fact_report ADD COLUMN IF NOT EXISTS page_index_no VARCHAR;
COMMENT ON COLUMN fact_report.page_index_no IS 'The page''s 索引号 (catalogue number, e.g. 014314799/2024-00002) from its metadata block; null when the page has none.';
ALTER TABLE fact_report ADD COLUMN IF NOT EXISTS page_publisher VARCHAR;
COMMENT ON COLUMN fact_report.page_publisher IS 'The page''s 发布机构 as written (simplified); null when absent. Not resolved like agency_id.';
ALTER TABLE fact_report ADD COLUMN IF NOT EXISTS page_disclosed_on DATE;
COMMENT ON COLUMN fact_report.page_disclosed_on IS 'The page''s 公开日期 (date made public); null when absent.';
ALTER TABLE fact_report ADD COLUMN IF NOT EXISTS page_document_no VARCHAR;
COMMENT ON COLUMN fact_report.page_document_no IS 'The page''s 文号 (document number); null when absent or empty, as it mostly is for annual reports.';
ALTER TABLE load_audit ADD COLUMN IF NOT EXISTS status VARCHAR;
COMMENT ON COLUMN load_audit.status IS 'How the run ended: published; not_published (a critical expectation failed); publish_deferred (readers held the file past GOVREPORT_PUBLISH_WAIT: the validated run was kept and the next run published it and wrote this row); crashed (the run died, of an exception or SIGKILL: written by the next run, message says how); stopped (Ctrl-C or SIGTERM: written by the next run); null for rows from before this column.';
-- Division codes through time (transforms/division_history.py).
ALTER TABLE fact_report ADD COLUMN IF NOT EXISTS division_code_in_year VARCHAR;
COMMENT ON COLUMN fact_report.division_code_in_year IS 'Division code (6 digits) the agency''s division had in the report year, from the recorded code changes (郫县 510124 in 2012, where dim_agency.division_code is today''s 郫都区 510117); null when the year is unknown or a merger the agency''s name does not tell apart (flag division_code_in_year_unknown). Join year-keyed statistics on this one.';
ALTER TABLE dim_agency ADD COLUMN IF NOT EXISTS former_division_codes VARCHAR[];
COMMENT ON COLUMN dim_agency.former_division_codes IS 'Earlier codes of the agency''s division since 2000, newest first (renamed, upgraded or recoded into division_code, which is today''s code, or merged into it where the canonical agency_name names the division merged in); empty when it never changed.';
