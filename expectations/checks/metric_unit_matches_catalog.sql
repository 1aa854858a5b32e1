-- severity: warning
-- Each fact_metric unit is its metric's catalog unit (dim_metric); consultations may also be counted in 人次.
SELECT m.report_id, m.metric_code, m.breakdown, m.value, m.unit, d.unit AS catalog_unit
FROM stg_fact_metric AS m
JOIN dim_metric AS d ON d.metric_code = m.metric_code
WHERE m.unit <> d.unit
  AND NOT (m.metric_code LIKE 'consultations.%' AND m.unit IN ('件', '人次'))
ORDER BY m.report_id, m.metric_code
