-- Question: Which agencies refuse the largest share of the requests they handle, among those that handled
-- at least 20 requests in the year (small volumes make rates meaningless)?
WITH ranked AS (
    SELECT
        agency_name, province, report_year, denied, handled_total, refusal_rate,
        rank() OVER (PARTITION BY report_year ORDER BY refusal_rate DESC) AS rank_in_year
    FROM v_requests_by_agency_year
    WHERE handled_total >= 20 AND refusal_rate IS NOT NULL
)
SELECT report_year, rank_in_year, agency_name, province, denied, handled_total,
       round(100 * refusal_rate, 2) AS refusal_pct
FROM ranked
ORDER BY report_year DESC, rank_in_year, agency_name;
