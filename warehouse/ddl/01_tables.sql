-- Published star schema. Applied idempotently on every connection (CREATE ... IF NOT EXISTS).
-- Names are part of the interface: SQL users and the views rely on them.

CREATE TABLE IF NOT EXISTS raw_report (
    sha256       VARCHAR PRIMARY KEY,
    source_path  VARCHAR NOT NULL,
    n_bytes      BIGINT NOT NULL,
    encoding     VARCHAR NOT NULL,
    raw_text     VARCHAR NOT NULL,
    first_seen   TIMESTAMP NOT NULL,
    last_seen    TIMESTAMP NOT NULL,
    source_url   VARCHAR,
    final_url    VARCHAR,
    retrieved_at TIMESTAMP,
    http_status  INTEGER,
    publisher    VARCHAR
);
COMMENT ON TABLE raw_report IS 'One row per distinct report file content, exactly as decoded (before normalization).';
COMMENT ON COLUMN raw_report.sha256 IS 'SHA-256 of the raw file bytes; the key. The same bytes under two names are one row.';
COMMENT ON COLUMN raw_report.source_path IS 'Path the content was last loaded from.';
COMMENT ON COLUMN raw_report.n_bytes IS 'Size of the raw file in bytes.';
COMMENT ON COLUMN raw_report.encoding IS 'Encoding the bytes were decoded as (utf-8, gb18030, big5, utf-16).';
COMMENT ON COLUMN raw_report.raw_text IS 'Decoded text before normalization.';
COMMENT ON COLUMN raw_report.first_seen IS 'When a load first saw this content.';
COMMENT ON COLUMN raw_report.last_seen IS 'When a load last saw this content.';

CREATE TABLE IF NOT EXISTS dim_agency (
    agency_id      VARCHAR PRIMARY KEY,
    agency_name    VARCHAR NOT NULL,
    province       VARCHAR,
    city           VARCHAR,
    county         VARCHAR,
    level          VARCHAR NOT NULL,
    division_code  VARCHAR,
    former_division_codes VARCHAR[]
);
COMMENT ON TABLE dim_agency IS 'Reporting bodies: one row per agency name and place.';
COMMENT ON COLUMN dim_agency.agency_id IS 'Stable key derived from the canonical agency name and its division (same body and place, same id on every load however a report writes the name).';
COMMENT ON COLUMN dim_agency.agency_name IS 'Canonical agency name in simplified script: abbreviations expanded, place completed from the region, 政府 -> 人民政府 (transforms/agency.py, warehouse/agency_aliases.csv plus the user CSV in GOVREPORT_AGENCY_ALIASES); unknown agencies are named "(unknown)".';
COMMENT ON COLUMN dim_agency.province IS 'Province-level division, full official name (山东省, 内蒙古自治区); null when unknown.';
COMMENT ON COLUMN dim_agency.city IS 'Prefecture-level division (泰安市, 兴安盟); null when unknown or not applicable.';
COMMENT ON COLUMN dim_agency.county IS 'County-level division (沭阳县, 阿尔山市); null when unknown or not applicable.';
COMMENT ON COLUMN dim_agency.level IS 'Administrative level of the agency''s place: province, city, county or unknown.';
COMMENT ON COLUMN dim_agency.division_code IS 'National statistics division code (6 digits) of the most specific known division, as it is today (a former name resolves to its successor, so one body keeps one code across years; the code of a report year is fact_report.division_code_in_year).';

CREATE TABLE IF NOT EXISTS dim_year (
    year            INTEGER PRIMARY KEY,
    regulation_era  VARCHAR NOT NULL
);
COMMENT ON TABLE dim_year IS 'Report years and the regulation in force for them.';
COMMENT ON COLUMN dim_year.year IS 'Calendar year a report covers.';
COMMENT ON COLUMN dim_year.regulation_era IS '2008_regulation for 2008-2018 reports, 2019_revision from 2019 on.';

CREATE TABLE IF NOT EXISTS dim_metric (
    metric_code  VARCHAR PRIMARY KEY,
    unit         VARCHAR NOT NULL,
    section      VARCHAR NOT NULL,
    label_zh     VARCHAR NOT NULL,
    signed       BOOLEAN NOT NULL,
    notes        VARCHAR
);
COMMENT ON TABLE dim_metric IS 'The metric vocabulary, loaded from warehouse/metric_catalog.csv. Codes are stable.';
COMMENT ON COLUMN dim_metric.metric_code IS 'Stable metric code, e.g. requests.received.';
COMMENT ON COLUMN dim_metric.unit IS 'Unit every value of this metric is stored in (件, 条, 万元, ...).';
COMMENT ON COLUMN dim_metric.section IS 'Report section the metric belongs to (proactive, requests, appeals, ...).';
COMMENT ON COLUMN dim_metric.label_zh IS 'Chinese label of the metric.';
COMMENT ON COLUMN dim_metric.signed IS 'True when the value may be negative (year-on-year changes).';
COMMENT ON COLUMN dim_metric.notes IS 'Annotation notes: which wordings map to this code.';

CREATE TABLE IF NOT EXISTS fact_report (
    report_id       VARCHAR PRIMARY KEY,
    agency_id       VARCHAR NOT NULL,
    agency_as_written VARCHAR,
    report_year     INTEGER,
    published_on    DATE,
    signed_on       DATE,
    script          VARCHAR NOT NULL,
    layout          VARCHAR NOT NULL,
    title           VARCHAR,
    normalized_text VARCHAR NOT NULL,
    flags           VARCHAR[] NOT NULL,
    source_path     VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL,
    is_current      BOOLEAN,
    page_index_no   VARCHAR,
    page_publisher  VARCHAR,
    page_disclosed_on DATE,
    page_document_no VARCHAR,
    division_code_in_year VARCHAR
);
COMMENT ON TABLE fact_report IS 'One row per loaded report (per distinct file content).';
COMMENT ON COLUMN fact_report.report_id IS 'SHA-256 of the raw file bytes (= raw_report.sha256).';
COMMENT ON COLUMN fact_report.agency_id IS 'The reporting agency (dim_agency).';
COMMENT ON COLUMN fact_report.agency_as_written IS 'Agency name as the report gives it, simplified, before place expansion.';
COMMENT ON COLUMN fact_report.report_year IS 'Year the report covers (not the publication year).';
COMMENT ON COLUMN fact_report.published_on IS 'Publication or upload date of the page (发布日期/上传时间/生成日期).';
COMMENT ON COLUMN fact_report.signed_on IS 'Date written at the end of the report.';
COMMENT ON COLUMN fact_report.script IS 'Script of the raw text: simplified, traditional or mixed.';
COMMENT ON COLUMN fact_report.layout IS 'free_form or standard_table (State Council template).';
COMMENT ON COLUMN fact_report.title IS 'Report title, simplified.';
COMMENT ON COLUMN fact_report.normalized_text IS 'Normalized text (simplified, artifacts removed); fact_metric spans index into it.';
COMMENT ON COLUMN fact_report.flags IS 'Data-quality observations, e.g. year_inferred_from_truncated_date, totals_do_not_add_up.';
COMMENT ON COLUMN fact_report.source_path IS 'Path the report was loaded from.';
COMMENT ON COLUMN fact_report.run_id IS 'load_audit.run_id of the load that published this row.';

CREATE TABLE IF NOT EXISTS fact_metric (
    report_id    VARCHAR NOT NULL,
    agency_id    VARCHAR NOT NULL,
    report_year  INTEGER,
    metric_code  VARCHAR NOT NULL,
    breakdown    VARCHAR NOT NULL,
    value        DOUBLE NOT NULL,
    unit         VARCHAR NOT NULL,
    qualifier    VARCHAR NOT NULL,
    span_start   INTEGER NOT NULL,
    span_end     INTEGER NOT NULL,
    evidence     VARCHAR NOT NULL,
    rule         VARCHAR,
    page         INTEGER
    -- Unique on (report_id, metric_code, breakdown, value), enforced by validation (GX) and by publish.sql
    -- replacing a report's rows whole, not by a PRIMARY KEY: DuckDB keeps such an index in memory, and for
    -- millions of facts it outgrows the writer's memory limit (a 7M-fact insert fails at 1 GB).
);
COMMENT ON TABLE fact_metric IS 'One row per figure a report states, with its provenance (span and evidence text).';
COMMENT ON COLUMN fact_metric.report_id IS 'The report (fact_report) the figure was read from.';
COMMENT ON COLUMN fact_metric.agency_id IS 'The reporting agency (dim_agency), denormalized for convenience.';
COMMENT ON COLUMN fact_metric.report_year IS 'Year the report covers, denormalized.';
COMMENT ON COLUMN fact_metric.metric_code IS 'Metric code (dim_metric).';
COMMENT ON COLUMN fact_metric.breakdown IS 'Empty for a total; applicant type for requests.* in the template; category or channel for free-text breakdowns; year for equipment.computers.';
COMMENT ON COLUMN fact_metric.value IS 'The figure in the metric''s catalog unit.';
COMMENT ON COLUMN fact_metric.unit IS 'Unit of value (the catalog unit; consultations may be 件 or 人次 as written).';
COMMENT ON COLUMN fact_metric.qualifier IS 'exact, at_least (多/余/以上), approx (约/近/左右) or stated_none (a sentence says none occurred).';
COMMENT ON COLUMN fact_metric.span_start IS 'Start offset (characters) of evidence in fact_report.normalized_text.';
COMMENT ON COLUMN fact_metric.span_end IS 'End offset (exclusive) of evidence in fact_report.normalized_text.';
COMMENT ON COLUMN fact_metric.evidence IS 'The normalized text fragment the figure came from.';
COMMENT ON COLUMN fact_metric.rule IS 'The rule or parser that produced the figure (table3:row, prose:proactive.total, zero:requests.received); null for rows loaded before rules were recorded.';
COMMENT ON COLUMN fact_metric.page IS '1-based page of a PDF or Word report the figure stands on; null for text and HTML reports.';

CREATE TABLE IF NOT EXISTS quarantine (
    sha256          VARCHAR NOT NULL,
    source_path     VARCHAR NOT NULL,
    reason          VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL,
    quarantined_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (sha256, source_path)
);
COMMENT ON TABLE quarantine IS 'Every file a load was given but did not publish, with the reason. Nothing is skipped silently.';
COMMENT ON COLUMN quarantine.sha256 IS 'SHA-256 of the file bytes (empty string when the file could not be read).';
COMMENT ON COLUMN quarantine.source_path IS 'Path of the rejected file.';
COMMENT ON COLUMN quarantine.reason IS 'Short reason: empty_file, binary_file, undecodable, not_chinese_text, not_a_report, unreadable ...';
COMMENT ON COLUMN quarantine.run_id IS 'load_audit.run_id of the load that last rejected it.';
COMMENT ON COLUMN quarantine.quarantined_at IS 'When it was last rejected.';

CREATE TABLE IF NOT EXISTS load_audit (
    run_id               VARCHAR PRIMARY KEY,
    flow                 VARCHAR NOT NULL,
    source               VARCHAR,
    started_at           TIMESTAMP NOT NULL,
    finished_at          TIMESTAMP,
    files_seen           INTEGER NOT NULL,
    reports_loaded       INTEGER NOT NULL,
    rejected             INTEGER NOT NULL,
    facts_loaded         INTEGER NOT NULL,
    expectations_passed  INTEGER NOT NULL,
    expectations_failed  INTEGER NOT NULL,
    warnings_failed      INTEGER NOT NULL,
    failures             JSON,
    published            BOOLEAN NOT NULL,
    message              VARCHAR
);
COMMENT ON TABLE load_audit IS 'One row per load run: counts, validation results and whether it was published.';
COMMENT ON COLUMN load_audit.run_id IS 'Prefect flow run id (or a generated id outside Prefect).';
COMMENT ON COLUMN load_audit.flow IS 'Name of the flow that ran (load_reports, ...).';
COMMENT ON COLUMN load_audit.source IS 'Directory or files the run read.';
COMMENT ON COLUMN load_audit.started_at IS 'Run start time.';
COMMENT ON COLUMN load_audit.finished_at IS 'Run end time.';
COMMENT ON COLUMN load_audit.files_seen IS 'Files discovered.';
COMMENT ON COLUMN load_audit.reports_loaded IS 'Reports staged (and published when published is true).';
COMMENT ON COLUMN load_audit.rejected IS 'Files quarantined by this run.';
COMMENT ON COLUMN load_audit.facts_loaded IS 'fact_metric rows staged.';
COMMENT ON COLUMN load_audit.expectations_passed IS 'Expectations (critical and warning) that passed.';
COMMENT ON COLUMN load_audit.expectations_failed IS 'Critical expectations that failed (any blocks publication).';
COMMENT ON COLUMN load_audit.warnings_failed IS 'Warning-level expectations that failed (recorded, not blocking).';
COMMENT ON COLUMN load_audit.failures IS 'JSON list of failed expectations with their table, severity and example rows.';
COMMENT ON COLUMN load_audit.published IS 'True when the staged batch was published.';
COMMENT ON COLUMN load_audit.message IS 'Human-readable outcome.';

CREATE TABLE IF NOT EXISTS source_file (
    path       VARCHAR PRIMARY KEY,
    size       BIGINT NOT NULL,
    mtime_ns   BIGINT NOT NULL,
    sha256     VARCHAR,
    outcome    VARCHAR NOT NULL,
    run_id     VARCHAR NOT NULL,
    last_seen  TIMESTAMP NOT NULL
);
COMMENT ON TABLE source_file IS 'Every file a published load read, by absolute path: lets the next load skip files whose size and modification time are unchanged.';
COMMENT ON COLUMN source_file.path IS 'Absolute path of the file when it was read.';
COMMENT ON COLUMN source_file.size IS 'Size in bytes when it was read.';
COMMENT ON COLUMN source_file.mtime_ns IS 'Modification time (ns since the epoch) when it was read.';
COMMENT ON COLUMN source_file.sha256 IS 'SHA-256 of the bytes read (raw_report.sha256 or quarantine.sha256); null when unreadable.';
COMMENT ON COLUMN source_file.outcome IS 'loaded (raw_report) or rejected (quarantine).';
COMMENT ON COLUMN source_file.run_id IS 'load_audit.run_id of the load that read it last.';
COMMENT ON COLUMN source_file.last_seen IS 'When a load last read it.';
