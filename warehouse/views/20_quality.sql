-- Data quality and continuity: the template's arithmetic identities, year-over-year changes, reporting gaps.
-- Applied on every writer connection (warehouse/schema.py connect), so every statement is idempotent.
-- Uses v_request_outcomes (10_requests.sql, applied first: files run in name order).

-- One row per failed identity. Comparisons are written as `a <> b` on possibly-NULL sums: a check with an
-- unstated input compares NULL, which is not true, so it is skipped rather than reported as failed.
-- Figures are printed with %.15g: whole numbers without a trailing ".0", fractions kept.
CREATE OR REPLACE VIEW v_quality_issues AS
WITH applicant_columns (breakdown, position) AS (
    -- The six applicant columns of table 三, in the template's order (the 7th, 总计, is breakdown '').
    VALUES ('natural_person', 1), ('commercial_enterprise', 2), ('research_institution', 3),
           ('social_welfare_org', 4), ('legal_service_org', 5), ('other_org', 6)
),
outcomes AS (
    SELECT * FROM v_request_outcomes
),

-- balance: 一 + 二 = 三（七）+ 四, in every applicant column and the total column.
balance_failures AS (
    SELECT
        report_id, 'balance' AS check_name, breakdown,
        printf('received %.15g + carried_in %.15g <> handled_total %.15g + carried_out %.15g',
               received, carried_in, handled_total, carried_out) AS detail
    FROM outcomes
    WHERE received + carried_in <> handled_total + carried_out
),

-- row_total: a row's 总计 = the sum of its six applicant columns, only when all seven cells are stated
-- (reports often leave legal-person columns blank instead of writing 0).
request_cells AS (
    SELECT report_id, metric_code, breakdown, max(value) AS value
    FROM fact_metric
    WHERE metric_code LIKE 'requests.%'
    GROUP BY report_id, metric_code, breakdown
),
request_rows AS (
    SELECT
        c.report_id,
        c.metric_code,
        max(c.value) FILTER (WHERE c.breakdown = '') AS total,
        count(p.breakdown) AS applicant_columns_stated,
        sum(c.value) FILTER (WHERE p.breakdown IS NOT NULL) AS applicant_sum,
        string_agg(c.breakdown || ' ' || printf('%.15g', c.value), ' + ' ORDER BY p.position)
            FILTER (WHERE p.breakdown IS NOT NULL) AS applicant_terms
    FROM request_cells c
    LEFT JOIN applicant_columns p ON p.breakdown = c.breakdown
    GROUP BY c.report_id, c.metric_code
),
row_total_failures AS (
    SELECT
        report_id, 'row_total' AS check_name, '' AS breakdown,
        -- The row is named as its v_request_outcomes column (requests.denied.state_secret -> denied_state_secret).
        printf('%s: total %.15g <> %s', replace(replace(metric_code, 'requests.', ''), '.', '_'), total,
               applicant_terms) AS detail
    FROM request_rows
    WHERE applicant_columns_stated = 6 AND total <> applicant_sum
),

-- handled_sum: 三（七）总计 = （一）+（二）+ every sub-row of （三）（四）（五）（六）, per column.
handled_parts AS (
    SELECT
        report_id, breakdown, handled_total, granted, partially_granted,
        denied_state_secret + denied_prohibited_by_law + denied_security_stability + denied_third_party
            + denied_internal_affairs + denied_process_info + denied_enforcement_files + denied_query_matters
            AS denied_subrows,
        unavailable_not_held + unavailable_needs_creation + unavailable_unclear AS unavailable_subrows,
        not_processed_complaint + not_processed_repeat + not_processed_publication + not_processed_mass_repeat
            + not_processed_confirmation AS not_processed_subrows,
        -- The 2019 format has a single （六）其他处理 row and no sub-rows: use the group value only then.
        CASE WHEN other_no_correction IS NULL AND other_unpaid_fee IS NULL AND other_other IS NULL
            THEN other
            ELSE other_no_correction + other_unpaid_fee + other_other
        END AS other_part,
        CASE WHEN other_no_correction IS NULL AND other_unpaid_fee IS NULL AND other_other IS NULL
            THEN 'other' ELSE 'other sub-rows'
        END AS other_label
    FROM outcomes
),
handled_sum_failures AS (
    SELECT
        report_id, 'handled_sum' AS check_name, breakdown,
        printf('handled_total %.15g <> granted %.15g + partially_granted %.15g + denied sub-rows %.15g'
               || ' + unavailable sub-rows %.15g + not_processed sub-rows %.15g + %s %.15g',
               handled_total, granted, partially_granted, denied_subrows, unavailable_subrows,
               not_processed_subrows, other_label, other_part) AS detail
    FROM handled_parts
    WHERE handled_total <> granted + partially_granted + denied_subrows + unavailable_subrows
                           + not_processed_subrows + other_part
),

-- review_total: in table 四 each 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结, for the three blocks.
appeal_cells AS (
    SELECT
        report_id,
        regexp_extract(metric_code, '^(.+)\.([a-z_]+)$', 1) AS appeal_block,
        regexp_extract(metric_code, '^(.+)\.([a-z_]+)$', 2) AS result,
        max(value) AS value
    FROM fact_metric
    WHERE breakdown = ''
      AND (metric_code LIKE 'review.%' OR metric_code LIKE 'litigation.direct.%'
           OR metric_code LIKE 'litigation.after_review.%')
    GROUP BY report_id, metric_code
),
appeal_blocks AS (
    SELECT
        report_id, appeal_block,
        max(value) FILTER (WHERE result = 'upheld') AS upheld,
        max(value) FILTER (WHERE result = 'corrected') AS corrected,
        max(value) FILTER (WHERE result = 'other') AS other,
        max(value) FILTER (WHERE result = 'pending') AS pending,
        max(value) FILTER (WHERE result = 'total') AS total
    FROM appeal_cells
    GROUP BY report_id, appeal_block
),
review_total_failures AS (
    SELECT
        report_id, 'review_total' AS check_name, '' AS breakdown,
        printf('%s: total %.15g <> upheld %.15g + corrected %.15g + other %.15g + pending %.15g',
               appeal_block, total, upheld, corrected, other, pending) AS detail
    FROM appeal_blocks
    WHERE total <> upheld + corrected + other + pending
),

-- carry_over: this year's 二、上年结转 = the same agency's 四、结转下年度 of the year before (total column),
-- between current versions (a superseded version is not compared).
carry_figures AS (
    SELECT o.report_id, o.agency_id, o.report_year, o.carried_in, o.carried_out
    FROM outcomes o
    WHERE o.breakdown = '' AND o.is_current
      AND o.agency_name <> '(unknown)'  -- "(unknown)" lumps unrelated bodies together
),
carried_out_by_agency_year AS (
    -- One current report per agency and year; max() only guards against pre-is_current warehouses.
    SELECT agency_id, report_year, max(carried_out) AS carried_out
    FROM carry_figures
    GROUP BY agency_id, report_year
),
carry_over_failures AS (
    SELECT
        cur.report_id, 'carry_over' AS check_name, '' AS breakdown,
        printf('carried_in %.15g <> carried_out %.15g of the %d report', cur.carried_in, prev.carried_out,
               prev.report_year) AS detail
    FROM carry_figures cur
    JOIN carried_out_by_agency_year prev
      ON prev.agency_id = cur.agency_id AND prev.report_year = cur.report_year - 1
    WHERE cur.carried_in <> prev.carried_out
),

-- prose_vs_table: a group total stated on its own (usually in the prose: "不予公开20件") disagrees with
-- the sum of the group's table sub-rows. Total column only; skipped unless every sub-row is stated.
group_totals AS (
    SELECT report_id, 'denied' AS outcome_group, denied AS stated_total,
           denied_state_secret + denied_prohibited_by_law + denied_security_stability + denied_third_party
               + denied_internal_affairs + denied_process_info + denied_enforcement_files + denied_query_matters
               AS subrow_sum,
           printf('state_secret %.15g + prohibited_by_law %.15g + security_stability %.15g + third_party %.15g'
                  || ' + internal_affairs %.15g + process_info %.15g + enforcement_files %.15g'
                  || ' + query_matters %.15g',
                  denied_state_secret, denied_prohibited_by_law, denied_security_stability, denied_third_party,
                  denied_internal_affairs, denied_process_info, denied_enforcement_files,
                  denied_query_matters) AS subrow_terms
    FROM outcomes WHERE breakdown = ''
    UNION ALL
    SELECT report_id, 'unavailable', unavailable,
           unavailable_not_held + unavailable_needs_creation + unavailable_unclear,
           printf('not_held %.15g + needs_creation %.15g + unclear %.15g',
                  unavailable_not_held, unavailable_needs_creation, unavailable_unclear)
    FROM outcomes WHERE breakdown = ''
    UNION ALL
    SELECT report_id, 'not_processed', not_processed,
           not_processed_complaint + not_processed_repeat + not_processed_publication + not_processed_mass_repeat
               + not_processed_confirmation,
           printf('complaint %.15g + repeat %.15g + publication %.15g + mass_repeat %.15g + confirmation %.15g',
                  not_processed_complaint, not_processed_repeat, not_processed_publication,
                  not_processed_mass_repeat, not_processed_confirmation)
    FROM outcomes WHERE breakdown = ''
    UNION ALL
    SELECT report_id, 'other', other,
           other_no_correction + other_unpaid_fee + other_other,
           printf('no_correction %.15g + unpaid_fee %.15g + other %.15g',
                  other_no_correction, other_unpaid_fee, other_other)
    FROM outcomes WHERE breakdown = ''
),
prose_vs_table_failures AS (
    SELECT
        report_id, 'prose_vs_table' AS check_name, '' AS breakdown,
        printf('%s %.15g <> %s', outcome_group, stated_total, subrow_terms) AS detail
    FROM group_totals
    WHERE stated_total <> subrow_sum
),

all_failures AS (
    SELECT * FROM balance_failures
    UNION ALL SELECT * FROM row_total_failures
    UNION ALL SELECT * FROM handled_sum_failures
    UNION ALL SELECT * FROM review_total_failures
    UNION ALL SELECT * FROM carry_over_failures
    UNION ALL SELECT * FROM prose_vs_table_failures
)
SELECT f.report_id, a.agency_name, r.report_year, f.check_name, f.breakdown, f.detail
FROM all_failures f
JOIN fact_report r ON r.report_id = f.report_id
JOIN dim_agency a ON a.agency_id = r.agency_id;

COMMENT ON VIEW v_quality_issues IS 'One row per failed arithmetic identity. check_name: balance (received + carried_in = handled_total + carried_out, per applicant column), row_total (a request row''s total = its six applicant columns; breakdown ''''), handled_sum (handled_total = granted + partially_granted + all denied/unavailable/not_processed/other sub-rows, or other''s single 2019-format row), review_total (total = upheld + corrected + other + pending for review, litigation.direct, litigation.after_review), carry_over (carried_in = the agency''s previous-year carried_out, current versions only), prose_vs_table (a stated group total <> the sum of its sub-rows, total column). A check with any unstated input is skipped. detail names the figures compared.';


-- Year-over-year change of every figure, per agency, between current versions (the latest of a revised
-- report); max() keeps one value per cell, as in v_request_outcomes.
CREATE OR REPLACE VIEW v_agency_yoy AS
WITH agency_year_values AS (
    SELECT m.agency_id, m.report_year, m.metric_code, m.breakdown, max(m.value) AS value
    FROM fact_metric m
    JOIN fact_report r ON r.report_id = m.report_id
    JOIN dim_agency a ON a.agency_id = m.agency_id
    WHERE m.report_year IS NOT NULL AND r.is_current IS NOT FALSE
      AND a.agency_name <> '(unknown)'  -- "(unknown)" lumps unrelated bodies: a change would mean nothing
    GROUP BY m.agency_id, m.report_year, m.metric_code, m.breakdown
)
SELECT
    cur.agency_id, a.agency_name, a.province, cur.metric_code, cur.breakdown, cur.report_year,
    cur.value,
    prev.value AS previous_value,
    cur.value - prev.value AS change
FROM agency_year_values cur
LEFT JOIN agency_year_values prev
    ON prev.agency_id = cur.agency_id
   AND prev.metric_code = cur.metric_code
   AND prev.breakdown = cur.breakdown
   AND prev.report_year = cur.report_year - 1
JOIN dim_agency a ON a.agency_id = cur.agency_id;

COMMENT ON VIEW v_agency_yoy IS 'Per agency, metric, breakdown and report_year: value, previous_value (the same agency''s figure for report_year - 1) and change = value - previous_value; both NULL when the agency has no report for the previous year or it did not state that figure. Current versions only; agencies named (unknown) are left out.';


-- Reporting gaps: an agency reported for year Y but not for Y + 1, where Y + 1 is a year the warehouse
-- already holds reports for (a missing current-year report is not yet a gap).
CREATE OR REPLACE VIEW v_missing_reports AS
WITH agency_years AS (
    SELECT DISTINCT r.agency_id, r.report_year
    FROM fact_report r
    JOIN dim_agency a ON a.agency_id = r.agency_id
    WHERE r.report_year IS NOT NULL AND a.agency_name <> '(unknown)'
),
latest AS (
    SELECT max(report_year) AS latest_year FROM fact_report
)
SELECT y.agency_id, a.agency_name, y.report_year AS last_year, y.report_year + 1 AS missing_year
FROM agency_years y
CROSS JOIN latest
JOIN dim_agency a ON a.agency_id = y.agency_id
WHERE y.report_year + 1 <= latest.latest_year
  AND NOT EXISTS (
      SELECT 1 FROM agency_years nxt
      WHERE nxt.agency_id = y.agency_id AND nxt.report_year = y.report_year + 1
  );

COMMENT ON VIEW v_missing_reports IS 'Agencies with a report for last_year and none for missing_year = last_year + 1, for missing_year up to the latest report_year in the warehouse. One row per gap; agencies named (unknown) are left out.';
