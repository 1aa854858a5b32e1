"""`govreport export --format parquet DIR`: the published warehouse as Parquet files for other tools.

Layout (Hive style, which DuckDB, polars, pyarrow and Spark read as one dataset per folder):
  DIR/<table>.parquet                                  tables without report_year (dimensions, quarantine, audit)
  DIR/<table>/report_year=<year>/data_0.parquet        tables with report_year (fact_report, fact_metric)
  DIR/<table>/report_year=__HIVE_DEFAULT_PARTITION__/  their rows of unknown year (Hive's name for NULL)
  DIR/views/<view>.parquet                             the analysis views, so their rules need not be re-coded
Partitioned files do not repeat report_year: it is in the folder name (Spark rejects a column that is in both).
Re-exporting into the same DIR replaces every file the last export wrote (DIR/.govreport-export.json lists
them), so nothing is duplicated or left stale, and touches no other file.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import tempfile

import duckdb

PARTITION_COLUMN = "report_year"
MANIFEST = ".govreport-export.json"  # the files this export wrote: the only ones a later export replaces


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


def _write(con: duckdb.DuckDBPyConnection, out: pathlib.Path) -> dict[str, tuple[int, pathlib.Path]]:
    """Every table and view of the warehouse under the (new, empty) folder out."""
    written: dict[str, tuple[int, pathlib.Path]] = {}
    for table in _objects(con, "table"):
        if _partitioned(con, table):
            target = out / table
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


def _owned(out: pathlib.Path) -> list[str] | None:
    """The files an earlier export wrote into out (its manifest), or None when out holds no export."""
    manifest = out / MANIFEST
    return json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else None


def _remove_owned(out: pathlib.Path, owned: list[str]) -> None:
    """An earlier export's files, and the folders they leave empty; nothing else in out is touched."""
    for rel in owned:
        (out / rel).unlink(missing_ok=True)
    for folder in sorted({p for rel in owned for p in (out / rel).parents if out in p.parents},
                         key=lambda p: len(p.parts), reverse=True):
        try:
            folder.rmdir()  # only when empty: a user's file inside keeps its folder
        except OSError:
            pass


def export_parquet(con: duckdb.DuckDBPyConnection, out_dir: str | pathlib.Path) -> dict[str, tuple[int, pathlib.Path]]:
    """Write every table and view of the warehouse under out_dir; returns name -> (rows written, path).

    A folder that is neither new, empty, nor an earlier export (no manifest) is refused before anything is
    written. The export is written whole into a new folder beside out_dir first; then the earlier export's
    files (its manifest lists them) give way to the new ones, which are moved in, and the new manifest is
    written last. Files that no export wrote are left where they are."""
    out = pathlib.Path(out_dir)
    previous = _owned(out)
    if previous is None and out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(f"{out} is not empty and holds no earlier export (no {MANIFEST}): export into a new "
                              "or empty folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = pathlib.Path(tempfile.mkdtemp(prefix=f".{out.name}.export-", dir=out.parent))
    try:
        written = _write(con, work)
        files = sorted(str(p.relative_to(work)) for p in work.rglob("*") if p.is_file())
        out.mkdir(exist_ok=True)
        if previous:
            _remove_owned(out, previous)
        for rel in files:
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(work / rel, out / rel)
        (out / MANIFEST).write_text(json.dumps(files, ensure_ascii=False, indent=0), encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {name: (rows, out / path.relative_to(work)) for name, (rows, path) in written.items()}
