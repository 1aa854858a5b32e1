-- Views for the questions asked most often. Applied on every writer connection (idempotent).
-- Built on v_request_outcomes and v_rates (10_requests.sql); sums never turn "not stated" into 0:
-- a sum over reports that stated nothing is NULL, and the reports_* counts say how many contributed.
-- Only current versions count (fact_report.is_current: the latest of a revised report), so one agency's
-- report for a year is counted once. IS NOT FALSE: NULL before the first load that sets the column.

-- Requests per agency and year, from the total column of the agency's current report for the year.
CREATE OR REPLACE VIEW v_requests_by_agency_year AS
SELECT
    o.agency_id, o.agency_name, o.province, o.report_year, o.report_id,
    o.received, o.handled_total, o.granted, o.partially_granted,
    -- denied as v_rates counts it: the stated group total, else the sum of all 8 stated sub-rows.
    r.refusal_numerator AS denied,
    r.refusal_rate
FROM v_request_outcomes o
JOIN v_rates r ON r.report_id = o.report_id
WHERE o.breakdown = '' AND o.is_current;

COMMENT ON VIEW v_requests_by_agency_year IS 'One row per agency and report_year with request figures (total column): received, handled_total, granted, partially_granted, denied (stated group total, else the sum of its 8 sub-rows) and refusal_rate (= v_rates.refusal_rate). Only the current version of a revised report is used (report_id says which); agencies named (unknown) may have several rows per year.';


-- Proactive disclosure per province and year.
CREATE OR REPLACE VIEW v_proactive_by_province_year AS
WITH proactive_cells AS (
    -- One value per report, metric and breakdown (a report may state a figure twice: keep max, as elsewhere).
    SELECT report_id, metric_code, breakdown, max(value) AS value
    FROM fact_metric
    WHERE metric_code IN ('proactive.total', 'proactive.website', 'proactive.category')
    GROUP BY report_id, metric_code, breakdown
),
proactive_per_report AS (
    SELECT
        report_id,
        max(value) FILTER (WHERE metric_code = 'proactive.total' AND breakdown = '') AS proactive_total,
        max(value) FILTER (WHERE metric_code = 'proactive.website' AND breakdown = '') AS proactive_website,
        -- proactive.category has one fact per category (breakdown = category): the report's sum over them.
        sum(value) FILTER (WHERE metric_code = 'proactive.category') AS proactive_category
    FROM proactive_cells
    GROUP BY report_id
)
SELECT
    a.province,
    r.report_year,
    count(*) AS reports,
    count(p.proactive_total) AS reports_with_total,
    sum(p.proactive_total) AS proactive_total,
    sum(p.proactive_website) AS proactive_website,
    sum(p.proactive_category) AS proactive_category
FROM fact_report r
JOIN dim_agency a ON a.agency_id = r.agency_id
LEFT JOIN proactive_per_report p ON p.report_id = r.report_id
WHERE r.is_current IS NOT FALSE
GROUP BY a.province, r.report_year;

COMMENT ON VIEW v_proactive_by_province_year IS 'Per province (NULL = unknown) and report_year, over current reports (the latest version of each): reports, reports_with_total (reports stating proactive.total), and the sums over reports of proactive.total, proactive.website and proactive.category (each report''s categories summed). A sum is NULL when no report of the group stated that figure.';


-- Administrative reconsideration and litigation per year (table 四, or pre-2019 prose totals).
CREATE OR REPLACE VIEW v_appeals_by_year AS
WITH appeal_figures AS (SELECT * FROM v_appeal_figures),
appeals_per_report AS (
    SELECT
        report_id, review_total, review_corrected, direct_total, after_review_total,
        -- The template splits lawsuits into direct and after-review; free-form reports give one total.
        coalesce(direct_total + after_review_total, litigation_total_as_stated) AS litigation_total,
        direct_corrected + after_review_corrected AS litigation_corrected
    FROM appeal_figures
)
SELECT
    r.report_year,
    count(*) AS reports_with_appeals,
    sum(p.review_total) AS review_total,
    sum(p.review_corrected) AS review_corrected,
    sum(p.litigation_total) AS litigation_total,
    sum(p.direct_total) AS litigation_direct_total,
    sum(p.after_review_total) AS litigation_after_review_total,
    sum(p.litigation_corrected) AS litigation_corrected
FROM appeals_per_report p
JOIN fact_report r ON r.report_id = p.report_id
WHERE r.is_current IS NOT FALSE
GROUP BY r.report_year;

COMMENT ON VIEW v_appeals_by_year IS 'Per report_year, over the current reports (latest version of each) stating any review.* or litigation.* figure (reports_with_appeals): review_total, review_corrected, litigation_total (direct + after_review totals, else the single litigation.total of free-form reports), litigation_direct_total, litigation_after_review_total, litigation_corrected (direct + after_review).';
