-- severity: critical
-- Every fact_report row points at an agency present in stg_dim_agency.
SELECT r.report_id, r.agency_id, r.agency_as_written, r.source_path
FROM stg_fact_report AS r
WHERE NOT EXISTS (SELECT 1 FROM stg_dim_agency AS a WHERE a.agency_id = r.agency_id)
ORDER BY r.report_id
