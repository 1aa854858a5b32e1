-- The panel's cells: each panel report's total (breakdown '') of each metric. Breakdowns (applicant columns,
-- categories, channels) stay in fact_metric. A report stating two different totals for one metric (a prose
-- figure beside the table's) gives the larger, as the analysis views' max(value) pivots do (fact_metric keeps
-- both, each with its evidence).
SELECT m.report_id, m.metric_code, max(m.value) AS value
FROM fact_metric m
JOIN fact_report r USING (report_id)
JOIN dim_agency a ON a.agency_id = r.agency_id
WHERE m.breakdown = '' AND r.is_current IS NOT FALSE AND r.report_year IS NOT NULL AND a.agency_name <> '(unknown)'
GROUP BY m.report_id, m.metric_code
ORDER BY m.report_id, m.metric_code;
