-- Where each report came from, for citing a figure: the report beside its file's provenance (raw_report, set
-- by govreport fetch or a manifest.csv). One row per report, current versions and superseded ones alike.

CREATE OR REPLACE VIEW v_report_sources AS
SELECT
    f.report_id, f.agency_id, a.agency_name, f.report_year, f.title, f.is_current,
    f.published_on, f.page_index_no, f.page_publisher, f.page_disclosed_on, f.page_document_no,
    f.source_path, r.source_url, r.final_url, r.retrieved_at, r.http_status, r.publisher
FROM fact_report f
JOIN dim_agency a ON a.agency_id = f.agency_id
LEFT JOIN raw_report r ON r.sha256 = f.report_id;

COMMENT ON VIEW v_report_sources IS 'One row per report with where it came from, for citing its figures: the file it was loaded from (source_path), the URL it was retrieved from and finally served at, when (retrieved_at, UTC), the HTTP status and publisher (all null for files from disk without a manifest.csv), and the page''s own metadata block (索引号, 发布机构, 公开日期, 文号). A figure is cited as fact_metric.evidence + this row + the release version.';
