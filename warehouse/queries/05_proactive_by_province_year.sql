-- Question: How much did agencies disclose proactively (主动公开), by province and year?
SELECT province, report_year, reports, reports_with_total, proactive_total, proactive_website, proactive_category
FROM v_proactive_by_province_year
ORDER BY province, report_year;
