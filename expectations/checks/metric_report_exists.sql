-- severity: critical
-- Every fact_metric row belongs to a report staged in the same batch (stg_fact_report).
SELECT m.report_id, m.metric_code, m.breakdown, m.value
FROM stg_fact_metric AS m
WHERE NOT EXISTS (SELECT 1 FROM stg_fact_report AS r WHERE r.report_id = m.report_id)
ORDER BY m.report_id, m.metric_code
