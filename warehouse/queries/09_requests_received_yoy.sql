-- Question: How did the number of requests received change from one year to the next, per agency?
SELECT
    agency_name, province, report_year, value AS received, previous_value AS received_previous_year, change,
    round(100 * change / nullif(previous_value, 0), 1) AS change_pct
FROM v_agency_yoy
WHERE metric_code = 'requests.received' AND breakdown = '' AND previous_value IS NOT NULL
ORDER BY abs(change) DESC, agency_name, report_year;
