"""`govreport export --format parquet DIR`: the published warehouse as Parquet files for other tools.

Layout (Hive style, which DuckDB, polars, pyarrow and Spark read as one dataset per folder):
  DIR/<table>.parquet                                  tables without report_year (dimensions, quarantine, audit)
  DIR/<table>/report_year=<year>/data_0.parquet        tables with report_year (fact_report, fact_metric)
  DIR/<table>/report_year=__HIVE_DEFAULT_PARTITION__/  their rows of unknown year (Hive's name for NULL)
  DIR/views/<view>.parquet                             the analysis views, so their rules need not be re-coded
Partitioned files do not repeat report_year: it is in the folder name (Spark rejects a column that is in both).
Re-exporting into the same DIR replaces every file it writes, so nothing is duplicated or left stale.
"""

from __future__ import annotations

import pathlib
import shutil

import duckdb

PARTITION_COLUMN = "report_year"


def _objects(con: duckdb.DuckDBPyConnection, kind: str) -> list[str]:
    catalog = "duckdb_tables()" if kind == "table" else "duckdb_views()"
    name = "table_name" if kind == "table" else "view_name"
    return [r[0] for r in con.execute(
        f"SELECT {name} FROM {catalog} WHERE NOT internal AND NOT temporary AND schema_name = 'main' "
        f"AND database_name = current_database() ORDER BY {name}").fetchall()]


def _partitioned(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return con.execute("SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() "
                       "AND schema_name = 'main' AND table_name = ? AND column_name = ?",
                       [table, PARTITION_COLUMN]).fetchone()[0] > 0


def _literal(path: pathlib.Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _clear_partitions(folder: pathlib.Path) -> None:
    """Remove an earlier export of a partitioned table. DuckDB's OVERWRITE would leave empty folders of years
    that are gone; refuse a folder that holds anything but partitions (it is not ours to delete)."""
    if not folder.exists():
        return
    foreign = [p.name for p in folder.iterdir() if not (p.is_dir() and p.name.startswith(f"{PARTITION_COLUMN}="))]
    if foreign:
        raise FileExistsError(f"{folder} holds files that are not a {PARTITION_COLUMN} partition: {foreign[:3]}")
    shutil.rmtree(folder)


def export_parquet(con: duckdb.DuckDBPyConnection, out_dir: str | pathlib.Path) -> dict[str, tuple[int, pathlib.Path]]:
    """Write every table and view of the warehouse under out_dir; returns name -> (rows written, path)."""
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, tuple[int, pathlib.Path]] = {}
    for table in _objects(con, "table"):
        if _partitioned(con, table):
            target = out / table
            _clear_partitions(target)
            options = f"FORMAT parquet, PARTITION_BY ({PARTITION_COLUMN})"
        else:
            target = out / f"{table}.parquet"
            options = "FORMAT parquet"
        rows = con.execute(f'COPY (SELECT * FROM "{table}") TO {_literal(target)} ({options})').fetchone()[0]
        written[table] = (rows, target)
    (out / "views").mkdir(exist_ok=True)
    for view in _objects(con, "view"):
        target = out / "views" / f"{view}.parquet"
        rows = con.execute(f'COPY (SELECT * FROM "{view}") TO {_literal(target)} (FORMAT parquet)').fetchone()[0]
        written[view] = (rows, target)
    return written
