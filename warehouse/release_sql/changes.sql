-- CHANGES.md: this release against an earlier one, report by report. warehouse/release.py makes the inputs
-- as temporary views over the two releases' Parquet files: old_/new_report (fact_report without run_id and
-- is_current, which change with every load and every revision, not with the report), old_/new_metric
-- (fact_metric), both on the columns the two releases share, old_/new_agency (dim_agency), and old_current
-- (the report_ids the earlier release marked current).
--   added     a report (report_id = SHA-256 of its file) with no version in the earlier release
--   revised   a new version of an agency's report for a year the earlier release already had (supersedes:
--             the version that was current there)
--   removed   a report of the earlier release that this one no longer has
--   changed   a report in both whose metadata or figures (fact_metric rows) differ
WITH old_ids AS (
    SELECT r.report_id, r.agency_id, r.report_year, a.agency_name
    FROM old_report r LEFT JOIN old_agency a USING (agency_id)
),
new_ids AS (
    SELECT r.report_id, r.agency_id, r.report_year, a.agency_name
    FROM new_report r LEFT JOIN new_agency a USING (agency_id)
),
facts_added AS (
    SELECT report_id, count(*) AS n FROM (SELECT * FROM new_metric EXCEPT ALL SELECT * FROM old_metric) GROUP BY report_id
),
facts_removed AS (
    SELECT report_id, count(*) AS n FROM (SELECT * FROM old_metric EXCEPT ALL SELECT * FROM new_metric) GROUP BY report_id
),
metadata_changed AS (
    SELECT DISTINCT report_id FROM (SELECT * FROM new_report EXCEPT SELECT * FROM old_report)
    WHERE report_id IN (SELECT report_id FROM old_ids)
),
new_reports AS (
    SELECT n.*,
        -- the earlier release's current version of the same known agency and known year (publish.sql's
        -- partition for is_current); NULL when it had none, which makes the report an added one
        (SELECT string_agg(o.report_id, ', ' ORDER BY o.report_id) FROM old_ids o
         WHERE o.agency_id = n.agency_id AND o.report_year = n.report_year AND n.agency_name <> '(unknown)'
           AND o.report_id IN (SELECT report_id FROM old_current)) AS supersedes
    FROM new_ids n WHERE n.report_id NOT IN (SELECT report_id FROM old_ids)
),
listed AS (
    SELECT CASE WHEN supersedes IS NULL THEN 'added' ELSE 'revised' END AS change, report_id, agency_name,
           report_year, supersedes FROM new_reports
    UNION ALL
    SELECT 'removed', report_id, agency_name, report_year, NULL FROM old_ids
    WHERE report_id NOT IN (SELECT report_id FROM new_ids)
    UNION ALL
    SELECT 'changed', n.report_id, n.agency_name, n.report_year, NULL FROM new_ids n
    WHERE n.report_id IN (SELECT report_id FROM old_ids)
      AND (n.report_id IN (SELECT report_id FROM facts_added) OR n.report_id IN (SELECT report_id FROM facts_removed)
           OR n.report_id IN (SELECT report_id FROM metadata_changed))
)
SELECT l.change, l.report_id, l.agency_name, l.report_year, l.supersedes,
       coalesce(fa.n, 0) AS facts_added, coalesce(fr.n, 0) AS facts_removed,
       l.report_id IN (SELECT report_id FROM metadata_changed) AS metadata_changed
FROM listed l
LEFT JOIN facts_added fa USING (report_id)
LEFT JOIN facts_removed fr USING (report_id)
ORDER BY CASE l.change WHEN 'added' THEN 1 WHEN 'revised' THEN 2 WHEN 'removed' THEN 3 ELSE 4 END,
         l.agency_name, l.report_year, l.report_id;
