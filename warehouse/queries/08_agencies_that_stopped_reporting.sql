-- Question: Which agencies stopped publishing annual reports (a report for one year, none for the next),
-- and did they come back later?
SELECT
    m.agency_name, m.last_year, m.missing_year,
    (SELECT min(r.report_year) FROM fact_report r
     WHERE r.agency_id = m.agency_id AND r.report_year > m.missing_year) AS resumed_in
FROM v_missing_reports m
ORDER BY m.missing_year DESC, m.agency_name;
