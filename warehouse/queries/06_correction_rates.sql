-- Question: How often are agencies' disclosure decisions corrected on administrative review (行政复议) or in
-- court (行政诉讼)? Per report, then pooled per year (sum of numerators / sum of denominators, not an
-- average of rates). Pending cases are left out of the denominators: they have no result yet.
WITH per_report AS (
    SELECT agency_name, report_year,
           review_correction_numerator, review_correction_denominator, review_correction_rate,
           litigation_correction_numerator, litigation_correction_denominator, litigation_correction_rate
    FROM v_rates
    WHERE is_current
      AND (review_correction_denominator IS NOT NULL OR litigation_correction_denominator IS NOT NULL)
)
SELECT
    report_year,
    count(*) AS reports,
    sum(review_correction_numerator) AS review_corrected,
    sum(review_correction_denominator) AS review_decided,
    sum(review_correction_numerator) / nullif(sum(review_correction_denominator), 0) AS review_correction_rate,
    sum(litigation_correction_numerator) AS litigation_corrected,
    sum(litigation_correction_denominator) AS litigation_decided,
    sum(litigation_correction_numerator) / nullif(sum(litigation_correction_denominator), 0)
        AS litigation_correction_rate
FROM per_report
GROUP BY report_year
ORDER BY report_year;
