-- Question: Why are requests refused, and how has the mix of refusal reasons changed over the years?
-- share = a reason's part of all refusals that year (over the reports that state the reasons).
SELECT
    report_year, reason, label_zh, requests_denied, reporting_agencies,
    round(100 * requests_denied / nullif(sum(requests_denied) OVER (PARTITION BY report_year), 0), 1) AS share_pct
FROM v_refusals_by_year
ORDER BY report_year, requests_denied DESC, reason;
