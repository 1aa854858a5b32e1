-- severity: critical
-- fact_metric's denormalized agency_id and report_year equal those of its report.
SELECT
    m.report_id,
    m.metric_code,
    m.breakdown,
    m.agency_id AS metric_agency_id,
    r.agency_id AS report_agency_id,
    m.report_year AS metric_report_year,
    r.report_year AS report_report_year
FROM stg_fact_metric AS m
JOIN stg_fact_report AS r ON r.report_id = m.report_id
WHERE m.agency_id IS DISTINCT FROM r.agency_id
   OR m.report_year IS DISTINCT FROM r.report_year
ORDER BY m.report_id, m.metric_code
