-- A flat view for ad hoc analysis: every published figure with its agency, place and report metadata.
CREATE OR REPLACE VIEW v_metric_detail AS
SELECT
    m.report_id, a.agency_id, a.agency_name, a.province, a.city, a.county, a.division_code,
    m.report_year, y.regulation_era, r.layout, r.published_on,
    m.metric_code, d.section, d.label_zh, m.breakdown, m.value, m.unit, m.qualifier,
    m.span_start, m.span_end, m.evidence, r.source_path
FROM fact_metric m
JOIN fact_report r USING (report_id)
JOIN dim_agency a ON a.agency_id = m.agency_id
JOIN dim_metric d ON d.metric_code = m.metric_code
LEFT JOIN dim_year y ON y.year = m.report_year;

COMMENT ON VIEW v_metric_detail IS 'Every published figure with its agency, place, metric label and report metadata (one row per fact_metric row).';
