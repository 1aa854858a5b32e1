-- severity: warning
-- In standard_table reports, per report and breakdown: requests.received + requests.carried_in = requests.handled_total + requests.carried_out.
-- Only (report, breakdown) pairs where all four are stated, each with a single value, are compared.
WITH figures AS (
    SELECT
        m.report_id,
        m.breakdown,
        count(DISTINCT m.value) FILTER (WHERE m.metric_code = 'requests.received') AS n_received,
        count(DISTINCT m.value) FILTER (WHERE m.metric_code = 'requests.carried_in') AS n_carried_in,
        count(DISTINCT m.value) FILTER (WHERE m.metric_code = 'requests.handled_total') AS n_handled_total,
        count(DISTINCT m.value) FILTER (WHERE m.metric_code = 'requests.carried_out') AS n_carried_out,
        max(m.value) FILTER (WHERE m.metric_code = 'requests.received') AS received,
        max(m.value) FILTER (WHERE m.metric_code = 'requests.carried_in') AS carried_in,
        max(m.value) FILTER (WHERE m.metric_code = 'requests.handled_total') AS handled_total,
        max(m.value) FILTER (WHERE m.metric_code = 'requests.carried_out') AS carried_out
    FROM stg_fact_metric AS m
    JOIN stg_fact_report AS r ON r.report_id = m.report_id
    WHERE r.layout = 'standard_table'
      AND m.metric_code IN ('requests.received', 'requests.carried_in', 'requests.handled_total', 'requests.carried_out')
    GROUP BY m.report_id, m.breakdown
)
SELECT
    report_id,
    breakdown,
    received,
    carried_in,
    handled_total,
    carried_out,
    received + carried_in - handled_total - carried_out AS difference
FROM figures
WHERE n_received = 1 AND n_carried_in = 1 AND n_handled_total = 1 AND n_carried_out = 1
  AND received + carried_in <> handled_total + carried_out
ORDER BY report_id, breakdown
