-- Dimension rows that come from the project itself, refreshed on every connection (idempotent).
-- $catalog is the path of warehouse/metric_catalog.csv, substituted by warehouse/schema.py connect.
INSERT INTO dim_metric
SELECT code, unit, section, label_zh, signed::BOOLEAN, notes
FROM read_csv('$catalog', header = true, all_varchar = true)
ON CONFLICT (metric_code) DO UPDATE SET unit = excluded.unit, section = excluded.section,
    label_zh = excluded.label_zh, signed = excluded.signed, notes = excluded.notes;

INSERT INTO dim_year
SELECT y, CASE WHEN y < 2019 THEN '2008_regulation' ELSE '2019_revision' END
FROM range(2008, year(current_date) + 1) r(y)
ON CONFLICT (year) DO NOTHING;
