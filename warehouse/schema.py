"""The warehouse file: opening it, applying the DDL and views (migrating older files), and running .sql files."""

from __future__ import annotations

import pathlib
import re
from importlib import resources

import duckdb

from warehouse.catalog import path as catalog_path

PUBLISHED = ("raw_report", "dim_agency", "fact_report", "fact_metric", "quarantine")


def sql_files(folder: str) -> list[tuple[str, str]]:
    root = resources.files("warehouse").joinpath(folder)
    if not root.is_dir():
        return []
    return sorted((p.name, p.read_text(encoding="utf-8")) for p in root.iterdir() if p.name.endswith(".sql"))


def run_script(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Run a .sql file statement by statement (DuckDB's own parser splits it, so `;` in literals is safe)."""
    for stmt in con.extract_statements(sql):
        con.execute(stmt)


def sql_sections(name: str) -> dict[str, str]:
    """A .sql file's `-- section: <name>` parts, each as written (its statements and their `;`)."""
    text = resources.files("warehouse").joinpath(name).read_text(encoding="utf-8")
    return dict(re.findall(r"^-- section: (\w+)\n(.*?)(?=^-- section: |\Z)", text, flags=re.M | re.S))


def connect(path: str | pathlib.Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file; a writer also applies the DDL and seeds the dimensions (idempotent)."""
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    if str(path) != ":memory:":
        pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    # Publish writes row groups of ROW_GROUP_SIZE (see attached()); at this connection's default size its
    # checkpoint would vacuum them, merging and rewriting every text the last load wrote (12 s at 100k).
    con.execute("SET max_vacuum_tasks = 0")
    con.execute("BEGIN TRANSACTION")
    keyed = _set_aside_keyed_fact_metric(con)
    catalog = catalog_path()
    for _name, sql in sql_files("ddl"):
        run_script(con, sql.replace("$catalog", catalog.replace("'", "''")))
    if keyed:
        con.execute("INSERT INTO fact_metric BY NAME SELECT * FROM fact_metric_keyed")
        con.execute("DROP TABLE fact_metric_keyed")
    con.execute("COMMIT")
    for _name, sql in sql_files("views"):
        run_script(con, sql)
    return con


def _set_aside_keyed_fact_metric(con: duckdb.DuckDBPyConnection) -> bool:
    """Warehouses made before fact_metric lost its PRIMARY KEY (see ddl/01_tables.sql): DuckDB cannot drop a
    key, so the old table is renamed, the DDL creates the new one and connect() copies the rows over."""
    found = con.execute("SELECT count(*) FROM duckdb_constraints() WHERE database_name = current_database() "
                        "AND table_name = 'fact_metric' AND constraint_type = 'PRIMARY KEY'").fetchall()[0][0]
    if found:
        con.execute("ALTER TABLE fact_metric RENAME TO fact_metric_keyed")
    return bool(found)


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in (*PUBLISHED, "load_audit")}
