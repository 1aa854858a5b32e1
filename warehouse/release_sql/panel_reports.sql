-- The panel's rows: one per agency and report year, the current version of that agency's report.
-- Reports of unknown year or of an agency named (unknown) are left out: publish.sql makes each of those its
-- own current version, so they have no (agency, year) of their own to be a panel row for.
SELECT r.agency_id, r.report_year, r.report_id, a.agency_name, a.province, a.city, a.county, a.division_code,
       r.division_code_in_year
FROM fact_report r
JOIN dim_agency a USING (agency_id)
WHERE r.is_current IS NOT FALSE AND r.report_year IS NOT NULL AND a.agency_name <> '(unknown)'
ORDER BY r.agency_id, r.report_year;
