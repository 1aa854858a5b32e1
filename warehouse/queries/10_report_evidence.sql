-- Question: What figures does one report state, and where in its text does each come from?
-- Edit the agency name and year in chosen_report to look at another report (its current version).
WITH chosen_report AS (
    SELECT r.report_id
    FROM fact_report r
    JOIN dim_agency a ON a.agency_id = r.agency_id
    WHERE a.agency_name = '上海市人民政府办公厅' AND r.report_year = 2025 AND r.is_current IS NOT FALSE
)
SELECT d.section, d.metric_code, d.label_zh, d.breakdown, d.value, d.unit, d.qualifier,
       d.span_start, d.span_end, d.evidence
FROM v_metric_detail d
WHERE d.report_id IN (SELECT report_id FROM chosen_report)
ORDER BY d.span_start, d.metric_code, d.breakdown;
