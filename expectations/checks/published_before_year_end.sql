-- severity: warning
-- Flags reports published on or before 31 December of the year they cover (published_on <= make_date(report_year, 12, 31)).
-- An annual report can only be written once its year is over, so such a date usually means a misread year or date.
SELECT r.report_id, r.report_year, r.published_on, r.title, r.source_path
FROM stg_fact_report AS r
WHERE r.published_on IS NOT NULL
  AND r.report_year IS NOT NULL
  AND r.published_on <= make_date(r.report_year, 12, 31)
ORDER BY r.report_id
