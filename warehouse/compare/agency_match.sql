-- `govreport diff AGENCY`: the agencies AGENCY ($text) may mean. An agency_id matches first; else the agency
-- name or any report's agency_as_written, exact matches before substrings (substrings only when nothing
-- matches exactly). More than one row back means the argument is ambiguous.
-- "(unknown)" is not a name (it lumps unrelated bodies together), so it matches by agency_id only.
WITH names AS (
    SELECT agency_id, agency_name AS name FROM dim_agency WHERE agency_name <> '(unknown)'
    UNION
    SELECT r.agency_id, r.agency_as_written
    FROM fact_report r
    JOIN dim_agency a ON a.agency_id = r.agency_id
    WHERE r.agency_as_written IS NOT NULL AND a.agency_name <> '(unknown)'
),
matches AS (
    SELECT agency_id, 0 AS tier FROM dim_agency WHERE agency_id = $text
    UNION ALL
    SELECT agency_id, 1 FROM names WHERE name = $text
    UNION ALL
    SELECT agency_id, 2 FROM names WHERE contains(name, $text)
),
best AS (
    SELECT agency_id, min(tier) AS tier FROM matches GROUP BY agency_id
)
SELECT
    a.agency_id, a.agency_name, a.province, a.city, a.county,
    -- Years with a current report: what `diff --years` can compare (shown with the candidates).
    coalesce((SELECT list(DISTINCT r.report_year ORDER BY r.report_year)
              FROM fact_report r
              WHERE r.agency_id = a.agency_id AND r.report_year IS NOT NULL AND r.is_current IS NOT FALSE),
             []) AS years
FROM best b
JOIN dim_agency a ON a.agency_id = b.agency_id
WHERE b.tier = (SELECT min(tier) FROM best)
ORDER BY a.agency_name, a.agency_id;
