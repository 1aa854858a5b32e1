-- The metric catalog: the code list of fact_metric.metric_code and the panel's columns, in code order.
SELECT metric_code, unit, section, label_zh, signed, notes FROM dim_metric ORDER BY metric_code;
