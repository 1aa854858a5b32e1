-- Question: How many disclosure requests did each agency receive, and handle, in each year?
-- One row per agency and year (total column); NULL means the report did not state the figure.
SELECT agency_name, province, report_year, received, handled_total, granted + partially_granted AS granted_or_partial
FROM v_requests_by_agency_year
ORDER BY agency_name, report_year;
