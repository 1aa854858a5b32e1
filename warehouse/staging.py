"""A run's staging: batches written as Parquet, exposed as stg_* views of an in-memory database that
validation and publish read, and the plan of which files a load reads at all."""

from __future__ import annotations

import os
import pathlib
import shutil
from importlib import resources

import duckdb
import polars as pl

from sources.manifest import PROVENANCE_SCHEMA
from warehouse.schema import PUBLISHED, connect, run_script

STAGED = (*PUBLISHED, "source_file")


# The single writer's DuckDB memory: past it, DuckDB spills to disk instead of growing (by default it may
# take 80% of RAM); insertion order is irrelevant to a set-based publish and costs memory to keep. At 100k
# reports 512 MB kept the writer under 1.2 GB (1 GB: 1.8 GB) for 2 s more of publish.
WRITER_MEMORY = os.environ.get("GOVREPORT_DUCKDB_MEMORY", "512MB")


def open_staging() -> duckdb.DuckDBPyConnection:
    """An in-memory database for staging and validation: the warehouse file is not touched until publish,
    so readers keep querying the last published state while a load extracts and validates."""
    con = connect(":memory:")
    con.execute(f"SET memory_limit = '{WRITER_MEMORY}'")
    con.execute("SET preserve_insertion_order = false")
    return con


def write_batch(frames: dict[str, pl.DataFrame], run_dir: str | pathlib.Path, batch_no: int) -> None:
    """Write one batch's staging frames as Parquet, <run_dir>/<table>/<batch>.parquet, tagged with the batch
    number (the order that decides which of two identical files counts as the original)."""
    for table in STAGED:
        folder = pathlib.Path(run_dir) / table
        folder.mkdir(parents=True, exist_ok=True)
        frame = frames.get(table)
        if frame is None:
            continue
        frame.with_columns(pl.lit(batch_no, pl.Int32).alias("batch")).write_parquet(
            folder / f"{batch_no:06d}.parquet")


def stage_dir(con: duckdb.DuckDBPyConnection, run_dir: str | pathlib.Path | None,
              prior: pl.DataFrame | None = None, provenance: pl.DataFrame | None = None) -> None:
    """Expose a run's Parquet batches as the stg_* views that validation and publish.sql read.

    Views, not tables: the staged text is read from Parquet when publish copies it, never held in memory.
    A report whose bytes also came in an earlier batch, or match an unchanged file a published load
    already read (`prior`: path, sha256), is a duplicate: quarantined, naming the original.
    `provenance` (sources.manifest.PROVENANCE_SCHEMA, by absolute path) becomes stg_provenance, which
    publish.sql applies to raw_report: also for unchanged files, so a manifest added later still counts.
    """
    prior = prior if prior is not None else pl.DataFrame(schema={"path": pl.String, "sha256": pl.String})
    provenance = provenance if provenance is not None else pl.DataFrame(schema=PROVENANCE_SCHEMA)
    for name, frame in (("stg_prior", prior), ("stg_provenance", provenance)):
        con.register(f"{name}_view", frame.to_arrow())
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_view")
        con.unregister(f"{name}_view")
    sql = resources.files("warehouse").joinpath("stage.sql").read_text(encoding="utf-8")
    batch_files = []
    for table in STAGED:
        files = sorted(pathlib.Path(run_dir).glob(f"{table}/*.parquet")) if run_dir else []
        batch_files += [(table, int(f.stem), str(f.resolve())) for f in files]
        source = (f"read_parquet('{_quote(str(pathlib.Path(run_dir).resolve() / table))}/*.parquet')" if files
                  else f"(SELECT *, 0::INTEGER AS batch FROM {table} LIMIT 0)")
        sql = sql.replace(f"${table}", source)
    run_script(con, sql)
    # Each batch's own files, for checks that read a run one batch at a time (staged_python_checks).
    frame = pl.DataFrame(batch_files, schema={"tbl": pl.String, "batch": pl.Int32, "path": pl.String},  # noqa: F841
                         orient="row")
    con.execute("CREATE OR REPLACE TEMP TABLE stg_batch_file AS SELECT * FROM frame")


def _quote(text: str) -> str:
    return text.replace("'", "''")


def stage(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame | None]) -> None:
    """Stage frames held in memory (one batch; tests and small tools) through the same Parquet path."""
    import atexit
    import tempfile

    run_dir = tempfile.mkdtemp(prefix="govreport-stage-")
    # The stg_* views read the Parquet lazily, so the folder must outlive this call: gone when the process is.
    atexit.register(shutil.rmtree, run_dir, ignore_errors=True)
    write_batch({k: v for k, v in frames.items() if v is not None}, run_dir, 1)
    stage_dir(con, run_dir)


def reset_staging(con: duckdb.DuckDBPyConnection) -> None:
    for table in STAGED:
        con.execute(f"DROP VIEW IF EXISTS stg_{table}")
    con.execute("DROP VIEW IF EXISTS stg_fact_metric_batched")


def staged_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {
        "reports_loaded": con.execute("SELECT count(*) FROM stg_fact_report").fetchall()[0][0],
        "rejected": con.execute("SELECT count(*) FROM stg_quarantine").fetchall()[0][0],
        "facts_loaded": con.execute("SELECT count(*) FROM stg_fact_metric").fetchall()[0][0],
    }


def plan_files(path: str | pathlib.Path, listing: pl.DataFrame,
               reread_scanned: bool = False) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split a listing (source_path, path, size, mtime_ns) into the files to read and the `prior` files
    (path, sha256) a published load already read with the same size and mtime, which are skipped.
    `reread_scanned` (a load with OCR): files quarantined as scanned PDFs are read again, unchanged or not."""
    empty = pl.DataFrame(schema={"path": pl.String, "sha256": pl.String})
    if not pathlib.Path(path).exists() or listing.height == 0:
        return listing, empty
    con = duckdb.connect(str(path), read_only=True)
    try:
        if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'source_file'").fetchall()[0][0]:
            return listing, empty
        known = con.sql("SELECT path, size AS known_size, mtime_ns AS known_mtime_ns, sha256 AS known_sha256, "
                        "outcome AS known_outcome, sha256 IN (SELECT sha256 FROM quarantine WHERE starts_with("
                        "reason, 'scanned_pdf')) AS known_scanned FROM source_file").pl()
    finally:
        con.close()
    joined = listing.join(known, on="path", how="left", maintain_order="left").with_columns(
        ((pl.col("known_size") == pl.col("size")) & (pl.col("known_mtime_ns") == pl.col("mtime_ns"))
         & ~(pl.lit(reread_scanned) & pl.col("known_scanned").fill_null(False)))
        .fill_null(False).alias("unchanged"))
    todo = joined.filter(~pl.col("unchanged")).select(listing.columns)
    prior = joined.filter(pl.col("unchanged") & (pl.col("known_outcome") == "loaded")).select(
        "path", pl.col("known_sha256").alias("sha256"))
    if todo.height:
        prior = pl.concat([prior, _still_published_elsewhere(known, set(todo["path"]) | set(prior["path"]))])
    return todo, prior


def _still_published_elsewhere(known: pl.DataFrame, here: set[str]) -> pl.DataFrame:
    """Published files outside this listing (another folder loaded before) that are still on disk as read
    (same size and mtime): a file of this run with the same bytes is a copy of one, quarantined as a
    duplicate naming it, so a report's source_path stays where it was first found instead of moving to
    whichever folder was loaded last. A stat per such file, and only when the run has files to read."""
    from transforms.decode import real_path

    def same(path: str, size: int, mtime_ns: int) -> bool:
        try:
            st = os.stat(real_path(path))
        except OSError:
            return False
        return st.st_size == size and st.st_mtime_ns == mtime_ns

    rows = known.filter((pl.col("known_outcome") == "loaded") & ~pl.col("path").is_in(list(here)))
    keep = [same(p, s, m) for p, s, m in rows.select("path", "known_size", "known_mtime_ns").iter_rows()]
    return rows.filter(pl.Series(keep, dtype=pl.Boolean)).select("path", pl.col("known_sha256").alias("sha256"))
