-- Request handling (table 三 of the State Council template): outcomes, rates and refusal reasons.
-- Applied on every writer connection (warehouse/schema.py connect), so every statement is idempotent.
-- A figure the report did not state stays NULL everywhere below: "not stated" is never turned into 0.
-- Per-report views keep every version of a revised report (fact_report.is_current tells which one is the
-- latest); views that add reports up use current versions only, so a revision is not counted twice.
-- `is_current IS NOT FALSE`: rows published before the column existed are NULL until the next load.

-- Wide form of the request table: one row per report and applicant column, one column per template row.
-- fact_metric's key includes the value, so a report may state one figure twice with different values;
-- max() keeps a single value per cell (the same rule as expectations/checks/request_table_balance.sql).
CREATE OR REPLACE VIEW v_request_outcomes AS
WITH request_cells AS (
    -- Only the template's request rows; requests.fees_charged / not_own_duty are pre-2019 prose figures.
    SELECT m.report_id, m.breakdown, m.metric_code, m.value
    FROM fact_metric m
    WHERE m.metric_code IN (
        'requests.received', 'requests.carried_in', 'requests.granted', 'requests.partially_granted',
        'requests.denied', 'requests.denied.state_secret', 'requests.denied.prohibited_by_law',
        'requests.denied.security_stability', 'requests.denied.third_party', 'requests.denied.internal_affairs',
        'requests.denied.process_info', 'requests.denied.enforcement_files', 'requests.denied.query_matters',
        'requests.unavailable', 'requests.unavailable.not_held', 'requests.unavailable.needs_creation',
        'requests.unavailable.unclear',
        'requests.not_processed', 'requests.not_processed.complaint', 'requests.not_processed.repeat',
        'requests.not_processed.publication', 'requests.not_processed.mass_repeat',
        'requests.not_processed.confirmation',
        'requests.other', 'requests.other.no_correction', 'requests.other.unpaid_fee', 'requests.other.other',
        'requests.handled_total', 'requests.carried_out')
),
cells_by_report_and_applicant AS (
    -- Grouping by (report, breakdown) yields only the applicant columns the report filled in: a column
    -- left blank (005 leaves every legal-person column blank) produces no row rather than a row of NULLs.
    SELECT
        report_id,
        breakdown,
        max(value) FILTER (WHERE metric_code = 'requests.received') AS received,
        max(value) FILTER (WHERE metric_code = 'requests.carried_in') AS carried_in,
        max(value) FILTER (WHERE metric_code = 'requests.granted') AS granted,
        max(value) FILTER (WHERE metric_code = 'requests.partially_granted') AS partially_granted,
        max(value) FILTER (WHERE metric_code = 'requests.denied') AS denied,
        max(value) FILTER (WHERE metric_code = 'requests.denied.state_secret') AS denied_state_secret,
        max(value) FILTER (WHERE metric_code = 'requests.denied.prohibited_by_law') AS denied_prohibited_by_law,
        max(value) FILTER (WHERE metric_code = 'requests.denied.security_stability') AS denied_security_stability,
        max(value) FILTER (WHERE metric_code = 'requests.denied.third_party') AS denied_third_party,
        max(value) FILTER (WHERE metric_code = 'requests.denied.internal_affairs') AS denied_internal_affairs,
        max(value) FILTER (WHERE metric_code = 'requests.denied.process_info') AS denied_process_info,
        max(value) FILTER (WHERE metric_code = 'requests.denied.enforcement_files') AS denied_enforcement_files,
        max(value) FILTER (WHERE metric_code = 'requests.denied.query_matters') AS denied_query_matters,
        max(value) FILTER (WHERE metric_code = 'requests.unavailable') AS unavailable,
        max(value) FILTER (WHERE metric_code = 'requests.unavailable.not_held') AS unavailable_not_held,
        max(value) FILTER (WHERE metric_code = 'requests.unavailable.needs_creation') AS unavailable_needs_creation,
        max(value) FILTER (WHERE metric_code = 'requests.unavailable.unclear') AS unavailable_unclear,
        max(value) FILTER (WHERE metric_code = 'requests.not_processed') AS not_processed,
        max(value) FILTER (WHERE metric_code = 'requests.not_processed.complaint') AS not_processed_complaint,
        max(value) FILTER (WHERE metric_code = 'requests.not_processed.repeat') AS not_processed_repeat,
        max(value) FILTER (WHERE metric_code = 'requests.not_processed.publication') AS not_processed_publication,
        max(value) FILTER (WHERE metric_code = 'requests.not_processed.mass_repeat') AS not_processed_mass_repeat,
        max(value) FILTER (WHERE metric_code = 'requests.not_processed.confirmation') AS not_processed_confirmation,
        max(value) FILTER (WHERE metric_code = 'requests.other') AS other,
        max(value) FILTER (WHERE metric_code = 'requests.other.no_correction') AS other_no_correction,
        max(value) FILTER (WHERE metric_code = 'requests.other.unpaid_fee') AS other_unpaid_fee,
        max(value) FILTER (WHERE metric_code = 'requests.other.other') AS other_other,
        max(value) FILTER (WHERE metric_code = 'requests.handled_total') AS handled_total,
        max(value) FILTER (WHERE metric_code = 'requests.carried_out') AS carried_out
    FROM request_cells
    GROUP BY report_id, breakdown
)
SELECT
    c.report_id, r.agency_id, a.agency_name, a.province, r.report_year,
    c.* EXCLUDE (report_id),
    r.is_current IS NOT FALSE AS is_current
FROM cells_by_report_and_applicant c
JOIN fact_report r ON r.report_id = c.report_id
JOIN dim_agency a ON a.agency_id = r.agency_id;

COMMENT ON VIEW v_request_outcomes IS 'Request table (表三) per report and applicant column (breakdown: natural_person, commercial_enterprise, research_institution, social_welfare_org, legal_service_org, other_org; '''' = 总计): one column per template row, NULL where the report did not state the cell. Only reports and applicant columns with at least one stated request figure appear. denied/unavailable/not_processed/other are the group totals as stated (often only in prose). Every version of a revised report appears; is_current marks the latest (filter on it before adding reports up).';


-- Table 四 (and pre-2019 prose totals) pivoted to one row per report; shared by v_rates and v_appeals_by_year.
CREATE OR REPLACE VIEW v_appeal_figures AS
SELECT
    report_id,
    max(value) FILTER (WHERE metric_code = 'review.corrected') AS review_corrected,
    max(value) FILTER (WHERE metric_code = 'review.total') AS review_total,
    max(value) FILTER (WHERE metric_code = 'review.pending') AS review_pending,
    max(value) FILTER (WHERE metric_code = 'litigation.direct.corrected') AS direct_corrected,
    max(value) FILTER (WHERE metric_code = 'litigation.direct.total') AS direct_total,
    max(value) FILTER (WHERE metric_code = 'litigation.direct.pending') AS direct_pending,
    max(value) FILTER (WHERE metric_code = 'litigation.after_review.corrected') AS after_review_corrected,
    max(value) FILTER (WHERE metric_code = 'litigation.after_review.total') AS after_review_total,
    max(value) FILTER (WHERE metric_code = 'litigation.after_review.pending') AS after_review_pending,
    max(value) FILTER (WHERE metric_code = 'litigation.total') AS litigation_total_as_stated
FROM fact_metric
WHERE breakdown = '' AND (metric_code LIKE 'review.%' OR metric_code LIKE 'litigation.%')
GROUP BY report_id;

COMMENT ON VIEW v_appeal_figures IS 'One row per report stating any review/litigation figure (total column): the table 四 cells and the pre-2019 litigation.total, NULL where unstated.';


-- Headline rates per report, computed on the total column. Each rate comes with its numerator and
-- denominator so a reader can see what it was computed from and re-aggregate (sum numerators and
-- denominators, never average rates).
CREATE OR REPLACE VIEW v_rates AS
WITH totals AS (
    SELECT * FROM v_request_outcomes WHERE breakdown = ''
),
outcome_groups AS (
    -- A group's size is its stated total, else the sum of its sub-rows when every sub-row is stated
    -- (a sum over some sub-rows would understate it). NULL + anything is NULL, which gives that rule.
    SELECT
        report_id,
        granted + partially_granted AS granted_or_partial,
        coalesce(denied,
            denied_state_secret + denied_prohibited_by_law + denied_security_stability + denied_third_party
            + denied_internal_affairs + denied_process_info + denied_enforcement_files + denied_query_matters
        ) AS denied,
        coalesce(unavailable,
            unavailable_not_held + unavailable_needs_creation + unavailable_unclear
        ) AS unavailable,
        coalesce(not_processed,
            not_processed_complaint + not_processed_repeat + not_processed_publication
            + not_processed_mass_repeat + not_processed_confirmation
        ) AS not_processed,
        handled_total
    FROM totals
),
appeal_figures AS (SELECT * FROM v_appeal_figures),
rate_inputs AS (
    -- Every report gets a row, also one without a request table (all its rates are then NULL).
    SELECT
        r.report_id, r.agency_id, r.report_year, r.is_current IS NOT FALSE AS is_current,
        g.granted_or_partial AS grant_numerator,
        g.denied AS refusal_numerator,
        g.unavailable AS cannot_provide_numerator,
        g.not_processed AS not_processed_numerator,
        g.handled_total AS handled_denominator,
        p.review_corrected AS review_correction_numerator,
        -- Pending cases have no result yet, so they cannot have been corrected: exclude them.
        p.review_total - p.review_pending AS review_correction_denominator,
        p.direct_corrected + p.after_review_corrected AS litigation_correction_numerator,
        p.direct_total + p.after_review_total - p.direct_pending - p.after_review_pending
            AS litigation_correction_denominator
    FROM fact_report r
    LEFT JOIN outcome_groups g ON g.report_id = r.report_id
    LEFT JOIN appeal_figures p ON p.report_id = r.report_id
)
-- A rate is defined only for a positive denominator: 0 (or a negative one, which only a misread table
-- can give) yields NULL instead of infinity, NaN or a meaningless ratio; NULL inputs propagate to NULL.
SELECT
    i.report_id, i.agency_id, a.agency_name, a.province, i.report_year,
    CASE WHEN i.handled_denominator > 0 THEN i.grant_numerator / i.handled_denominator END AS grant_rate,
    i.grant_numerator,
    i.handled_denominator AS grant_denominator,
    CASE WHEN i.handled_denominator > 0 THEN i.refusal_numerator / i.handled_denominator END AS refusal_rate,
    i.refusal_numerator,
    i.handled_denominator AS refusal_denominator,
    CASE WHEN i.handled_denominator > 0 THEN i.cannot_provide_numerator / i.handled_denominator END
        AS cannot_provide_rate,
    i.cannot_provide_numerator,
    i.handled_denominator AS cannot_provide_denominator,
    CASE WHEN i.handled_denominator > 0 THEN i.not_processed_numerator / i.handled_denominator END
        AS not_processed_rate,
    i.not_processed_numerator,
    i.handled_denominator AS not_processed_denominator,
    CASE WHEN i.review_correction_denominator > 0
        THEN i.review_correction_numerator / i.review_correction_denominator END AS review_correction_rate,
    i.review_correction_numerator,
    i.review_correction_denominator,
    CASE WHEN i.litigation_correction_denominator > 0
        THEN i.litigation_correction_numerator / i.litigation_correction_denominator END
        AS litigation_correction_rate,
    i.litigation_correction_numerator,
    i.litigation_correction_denominator,
    i.is_current
FROM rate_inputs i
JOIN dim_agency a ON a.agency_id = i.agency_id;

COMMENT ON VIEW v_rates IS 'One row per report (total column only): grant_rate = (granted + partially_granted) / handled_total; refusal_rate, cannot_provide_rate, not_processed_rate = the group (its stated total, else the sum of all its sub-rows when every one is stated) / handled_total; review_correction_rate = review.corrected / (review.total - review.pending); litigation_correction_rate = (direct + after_review corrected) / (direct + after_review total - pending). Each rate has its _numerator and _denominator; a rate is NULL when any input is unstated or the denominator is not positive. is_current marks the latest version of a revised report.';


-- Refusal reasons over time, from the total column of each report's table.
CREATE OR REPLACE VIEW v_refusals_by_year AS
WITH denial_cells AS (
    -- One value per current report and reason (max, as in v_request_outcomes).
    SELECT m.report_id, m.agency_id, m.report_year, m.metric_code, max(m.value) AS value
    FROM fact_metric m
    JOIN fact_report r ON r.report_id = m.report_id
    WHERE m.metric_code LIKE 'requests.denied.%' AND m.breakdown = '' AND r.is_current IS NOT FALSE
    GROUP BY m.report_id, m.agency_id, m.report_year, m.metric_code
)
SELECT
    c.report_year,
    replace(c.metric_code, 'requests.denied.', '') AS reason,
    c.metric_code,
    d.label_zh,
    sum(c.value) AS requests_denied,
    -- Agencies whose report states this reason at all (a stated 0 counts: it is a reporting agency).
    count(DISTINCT c.agency_id) AS reporting_agencies,
    count(DISTINCT c.report_id) AS reports
FROM denial_cells c
JOIN dim_metric d ON d.metric_code = c.metric_code
GROUP BY c.report_year, c.metric_code, d.label_zh;

COMMENT ON VIEW v_refusals_by_year IS 'Refusal (不予公开) sub-reasons per report_year: requests_denied = sum over current reports (latest version of each) of the total-column figure, reporting_agencies = agencies stating that reason (including a stated 0), reports = reports stating it. reason is the code suffix, e.g. state_secret.';
