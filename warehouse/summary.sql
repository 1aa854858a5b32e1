-- The queries behind `govreport summary` (warehouse/summary.py): one per section, each after its `-- name:` line.
-- As in the views, only current versions count (fact_report.is_current: the latest of a revised report; IS NOT
-- FALSE keeps rows published before the column existed), so a revision is not counted twice. A sum over
-- reports that stated nothing stays NULL: "not stated" is never turned into 0.

-- name: overview
SELECT
    count(*) FILTER (WHERE r.is_current IS NOT FALSE) AS reports,
    count(*) FILTER (WHERE r.is_current IS FALSE) AS superseded_versions,
    count(DISTINCT r.agency_id) FILTER (WHERE r.is_current IS NOT FALSE) AS agencies,
    count(DISTINCT a.province) FILTER (WHERE r.is_current IS NOT FALSE) AS provinces,
    (SELECT count(*) FROM fact_metric m JOIN fact_report c ON c.report_id = m.report_id
     WHERE c.is_current IS NOT FALSE) AS figures,
    (SELECT count(*) FROM quarantine) AS quarantined,
    (SELECT max(finished_at) FROM load_audit WHERE published) AS last_published_load
FROM fact_report r
JOIN dim_agency a ON a.agency_id = r.agency_id;

-- name: reports_per_year
SELECT report_year, count(*) AS reports, count(DISTINCT agency_id) AS agencies
FROM fact_report
WHERE is_current IS NOT FALSE
GROUP BY report_year
ORDER BY report_year NULLS LAST;

-- name: requests_per_year
-- The total column of each report's request table; `reports` = reports stating requests received.
-- Every year with reports appears, also one whose reports have no request table (its sums are NULL).
SELECT
    r.report_year,
    count(q.received) AS reports,
    sum(q.received) AS received,
    sum(q.handled_total) AS handled_total,
    sum(q.granted) AS granted,
    sum(q.partially_granted) AS partially_granted,
    sum(q.denied) AS denied
FROM fact_report r
LEFT JOIN v_requests_by_agency_year q ON q.report_id = r.report_id
WHERE r.is_current IS NOT FALSE
GROUP BY r.report_year
ORDER BY r.report_year NULLS LAST;

-- name: rates_per_year
-- Pooled rates: the sum of numerators over the sum of denominators of the reports whose rate v_rates defines
-- (every input stated, denominator positive), so an office weighs by its caseload and a report that left
-- a figure out is not read as 0. <rate>_reports = how many reports a rate is pooled over.
SELECT
    report_year,
    sum(grant_numerator) FILTER (WHERE grant_rate IS NOT NULL)
        / sum(grant_denominator) FILTER (WHERE grant_rate IS NOT NULL) AS grant_rate,
    count(grant_rate) AS grant_reports,
    sum(refusal_numerator) FILTER (WHERE refusal_rate IS NOT NULL)
        / sum(refusal_denominator) FILTER (WHERE refusal_rate IS NOT NULL) AS refusal_rate,
    count(refusal_rate) AS refusal_reports,
    sum(cannot_provide_numerator) FILTER (WHERE cannot_provide_rate IS NOT NULL)
        / sum(cannot_provide_denominator) FILTER (WHERE cannot_provide_rate IS NOT NULL) AS cannot_provide_rate,
    count(cannot_provide_rate) AS cannot_provide_reports,
    sum(not_processed_numerator) FILTER (WHERE not_processed_rate IS NOT NULL)
        / sum(not_processed_denominator) FILTER (WHERE not_processed_rate IS NOT NULL) AS not_processed_rate,
    count(not_processed_rate) AS not_processed_reports,
    sum(review_correction_numerator) FILTER (WHERE review_correction_rate IS NOT NULL)
        / sum(review_correction_denominator) FILTER (WHERE review_correction_rate IS NOT NULL)
        AS review_correction_rate,
    count(review_correction_rate) AS review_correction_reports,
    sum(litigation_correction_numerator) FILTER (WHERE litigation_correction_rate IS NOT NULL)
        / sum(litigation_correction_denominator) FILTER (WHERE litigation_correction_rate IS NOT NULL)
        AS litigation_correction_rate,
    count(litigation_correction_rate) AS litigation_correction_reports
FROM v_rates
WHERE is_current
GROUP BY report_year
ORDER BY report_year NULLS LAST;

-- name: provinces
-- Coverage: which provinces the warehouse has reports from, and over which years (NULL province = unknown).
SELECT
    a.province,
    count(DISTINCT r.agency_id) AS agencies,
    count(*) AS reports,
    count(DISTINCT r.report_year) AS years,
    min(r.report_year) AS first_year,
    max(r.report_year) AS last_year
FROM fact_report r
JOIN dim_agency a ON a.agency_id = r.agency_id
WHERE r.is_current IS NOT FALSE
GROUP BY a.province
ORDER BY reports DESC, a.province NULLS LAST;

-- name: quality_by_check
-- v_quality_issues has rows only for failures: list every check it runs so a clean one shows 0.
WITH checks(check_name) AS (
    VALUES ('balance'), ('row_total'), ('handled_sum'), ('review_total'), ('carry_over'), ('prose_vs_table')
),
failures AS (
    SELECT q.check_name, count(*) AS issues, count(DISTINCT q.report_id) AS reports
    FROM v_quality_issues q
    JOIN fact_report r ON r.report_id = q.report_id
    WHERE r.is_current IS NOT FALSE
    GROUP BY q.check_name
)
SELECT check_name, coalesce(f.issues, 0) AS issues, coalesce(f.reports, 0) AS reports
FROM checks
FULL JOIN failures f USING (check_name)
ORDER BY issues DESC, check_name;
