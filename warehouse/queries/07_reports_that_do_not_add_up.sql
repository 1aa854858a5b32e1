-- Question: Which reports' tables do not add up, and which figures disagree?
-- Every version of a revised report is checked; is_current says whether the version is the latest.
SELECT q.agency_name, q.report_year, q.check_name, q.breakdown, q.detail, r.is_current, q.report_id
FROM v_quality_issues q
JOIN fact_report r ON r.report_id = q.report_id
ORDER BY q.report_year DESC, q.agency_name, q.check_name, q.breakdown, q.detail;
