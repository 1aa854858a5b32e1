-- What a release holds: the star schema (dim_* and fact_* tables) and the analysis views (v_*), every column
-- as the database has it now (so columns other branches add are released without a code change), in
-- column order, with the COMMENTs that become the codebook's and datapackage.json's descriptions.
SELECT
    c.table_name AS object,
    CASE WHEN t.table_name IS NOT NULL THEN 'table' ELSE 'view' END AS kind,
    coalesce(t.comment, v.comment) AS object_comment,
    c.column_name,
    c.column_index,
    c.data_type,
    c.is_nullable,
    c.comment AS column_comment
FROM duckdb_columns() c
LEFT JOIN duckdb_tables() t
    ON t.database_name = c.database_name AND t.schema_name = c.schema_name AND t.table_name = c.table_name
   AND NOT t.temporary
LEFT JOIN duckdb_views() v
    ON v.database_name = c.database_name AND v.schema_name = c.schema_name AND v.view_name = c.table_name
   AND NOT v.temporary AND NOT v.internal
WHERE c.database_name = current_database() AND c.schema_name = 'main'
  AND ((t.table_name IS NOT NULL AND (t.table_name LIKE 'dim\_%' ESCAPE '\' OR t.table_name LIKE 'fact\_%' ESCAPE '\'))
       OR (v.view_name IS NOT NULL AND v.view_name LIKE 'v\_%' ESCAPE '\'))
ORDER BY kind, object, column_index;
