-- severity: critical
-- Each fact_metric span lies inside its report's normalized_text and the evidence is exactly that slice.
-- Offsets are 0-based, end-exclusive character (code point) offsets; DuckDB's length/substring count code
-- points too, so substring(text, span_start + 1, span_end - span_start) is Python's text[span_start:span_end].
SELECT
    m.report_id,
    m.metric_code,
    m.breakdown,
    m.value,
    m.span_start,
    m.span_end,
    length(r.normalized_text) AS text_length,
    m.evidence,
    substring(r.normalized_text, m.span_start + 1, greatest(m.span_end - m.span_start, 0)) AS text_at_span
FROM stg_fact_metric AS m
JOIN stg_fact_report AS r ON r.report_id = m.report_id
WHERE m.span_start < 0
   OR m.span_end < m.span_start
   OR m.span_end > length(r.normalized_text)
   OR m.evidence IS DISTINCT FROM
      substring(r.normalized_text, m.span_start + 1, greatest(m.span_end - m.span_start, 0))
ORDER BY m.report_id, m.span_start
