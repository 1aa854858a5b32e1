-- `govreport rank`: every current report of $year with its value of $metric and whether and where it ranks.
-- $metric is a rate of v_rates (value, numerator, denominator) or a catalog metric_code (the report's figure
-- for $breakdown; max() of a figure stated twice, as in v_agency_yoy, with that value's qualifier).
-- Volume, compared with $min_volume (NULL: no filter): for a rate its own denominator (the cases it is a
-- share of: requests handled, or decided reviews/lawsuits for the correction rates); for a metric the
-- requests received (total column), the size figure most reports state (free-form ones rarely state handled).
-- status: ranked, no_value (the figure is not stated, or the rate is undefined) or below_min_volume (also
-- when the volume is not stated). rank() gives tied values the same rank; $ascending ranks the lowest first.
WITH year_reports AS (
    SELECT report_id, agency_id
    FROM fact_report
    WHERE report_year = $year AND is_current IS NOT FALSE
),
year_rates AS (
    SELECT
        report_id, grant_rate, grant_numerator, grant_denominator, refusal_rate, refusal_numerator,
        refusal_denominator, cannot_provide_rate, cannot_provide_numerator, cannot_provide_denominator,
        not_processed_rate, not_processed_numerator, not_processed_denominator, review_correction_rate,
        review_correction_numerator, review_correction_denominator, litigation_correction_rate,
        litigation_correction_numerator, litigation_correction_denominator
    FROM v_rates
    WHERE report_year = $year
),
rate_values AS (
    -- One row per report for the rate $metric (none when $metric is a catalog code). UNPIVOT leaves out
    -- reports whose rate, numerator and denominator are all NULL: they count as no_value below all the same.
    SELECT report_id, value, numerator, denominator
    FROM year_rates UNPIVOT ((value, numerator, denominator) FOR metric IN (
        (grant_rate, grant_numerator, grant_denominator) AS grant_rate,
        (refusal_rate, refusal_numerator, refusal_denominator) AS refusal_rate,
        (cannot_provide_rate, cannot_provide_numerator, cannot_provide_denominator) AS cannot_provide_rate,
        (not_processed_rate, not_processed_numerator, not_processed_denominator) AS not_processed_rate,
        (review_correction_rate, review_correction_numerator, review_correction_denominator)
            AS review_correction_rate,
        (litigation_correction_rate, litigation_correction_numerator, litigation_correction_denominator)
            AS litigation_correction_rate))
    WHERE metric = $metric
),
metric_values AS (
    SELECT report_id, max(value) AS value, arg_max(qualifier, value) AS qualifier
    FROM fact_metric
    WHERE report_year = $year AND metric_code = $metric AND breakdown = $breakdown
    GROUP BY report_id
),
received AS (
    SELECT report_id, max(value) AS received
    FROM fact_metric
    WHERE report_year = $year AND metric_code = 'requests.received' AND breakdown = ''
    GROUP BY report_id
),
candidates AS (
    SELECT
        y.report_id, y.agency_id,
        coalesce(rv.value, mv.value) AS value, rv.numerator, rv.denominator, mv.qualifier,
        CASE WHEN rv.value IS NOT NULL THEN rv.denominator ELSE rc.received END AS volume
    FROM year_reports y
    LEFT JOIN rate_values rv ON rv.report_id = y.report_id
    LEFT JOIN metric_values mv ON mv.report_id = y.report_id
    LEFT JOIN received rc ON rc.report_id = y.report_id
),
classified AS (
    SELECT
        *,
        CASE
            WHEN value IS NULL THEN 'no_value'
            WHEN $min_volume IS NOT NULL AND coalesce(volume < $min_volume, true) THEN 'below_min_volume'
            ELSE 'ranked'
        END AS status
    FROM candidates
)
SELECT
    c.status,
    CASE WHEN c.status = 'ranked' THEN
        rank() OVER (PARTITION BY c.status ORDER BY CASE WHEN $ascending THEN c.value ELSE -c.value END)
    END AS rank,
    a.agency_name, a.province, a.city, c.value, c.numerator, c.denominator, c.volume, c.qualifier,
    c.report_id, c.agency_id
FROM classified c
JOIN dim_agency a ON a.agency_id = c.agency_id
ORDER BY c.status <> 'ranked', rank, a.agency_name, c.report_id;
