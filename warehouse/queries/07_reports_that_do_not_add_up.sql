-- Question: Which reports' tables do not add up, and which figures disagree?
SELECT agency_name, report_year, check_name, breakdown, detail, report_id
FROM v_quality_issues
ORDER BY report_year DESC, agency_name, check_name, breakdown, detail;
