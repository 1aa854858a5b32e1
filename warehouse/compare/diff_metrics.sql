-- `govreport diff`: every (metric_code, breakdown) stated in either of two reports ($report_a, $report_b),
-- side by side, in catalog order ($catalog_order: the metric codes as listed in metric_catalog.csv).
-- A report may state one figure twice with different values (fact_metric's key includes the value): max()
-- keeps one, as v_agency_yoy does, with the qualifier and unit of the value kept.
WITH cells AS (
    SELECT
        report_id, metric_code, breakdown,
        max(value) AS value, arg_max(qualifier, value) AS qualifier, arg_max(unit, value) AS unit
    FROM fact_metric
    WHERE report_id IN ($report_a, $report_b)
    GROUP BY report_id, metric_code, breakdown
),
a AS (SELECT * FROM cells WHERE report_id = $report_a),
b AS (SELECT * FROM cells WHERE report_id = $report_b)
SELECT
    metric_code, breakdown, d.label_zh,
    -- consultations may be counted in 件 one year and 人次 the next: such figures are shown, not compared.
    CASE WHEN a.unit <> b.unit THEN a.unit || '/' || b.unit ELSE coalesce(a.unit, b.unit) END AS unit,
    a.value AS value_a, b.value AS value_b,
    a.qualifier AS qualifier_a, b.qualifier AS qualifier_b,
    CASE WHEN a.unit = b.unit THEN b.value - a.value END AS change,
    CASE WHEN a.unit = b.unit AND a.value <> 0 THEN 100 * (b.value - a.value) / a.value END AS change_pct
FROM a
FULL JOIN b USING (metric_code, breakdown)
LEFT JOIN dim_metric d USING (metric_code)
ORDER BY coalesce(list_position($catalog_order, metric_code), len($catalog_order) + 1), metric_code, breakdown;
