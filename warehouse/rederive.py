"""Re-derivation (backfill, rebuild): the stored raw reports read back in batches, and what was published."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from contextlib import contextmanager

import polars as pl

from warehouse.schema import connect, run_script, sql_sections


def rederive_scope(year: int | None) -> str:
    """The predicate over raw_report r choosing what a re-derivation redoes: every row (year None), or the
    reports whose published report_year is `year`."""
    if year is None:
        return "true"
    return f"r.sha256 IN (SELECT report_id FROM fact_report WHERE report_year = {int(year)})"


def rederive_sql(section: str, scope: str) -> str:
    """A section of rederive.sql with its scope predicate (rederive_scope) filled in."""
    return sql_sections("rederive.sql")[section].replace("$scope", scope)


@contextmanager
def rederive_batches(path: str | pathlib.Path, scope: str,
                     batch_size: int) -> Iterator[tuple[int, Iterator[pl.DataFrame]]]:
    """How many raw_report rows are in `scope`, and the rows `batch_size` at a time in the shape decode_files
    gives (keyset on sha256: memory holds one batch). Read-only: until publish the file is only read."""
    con = connect(path, read_only=True)

    def batches() -> Iterator[pl.DataFrame]:
        after = ""
        while True:
            batch = con.sql("SELECT * FROM rederive_scope WHERE sha256 > ? ORDER BY sha256 LIMIT ?",
                            params=[after, batch_size]).pl()
            if batch.height == 0:
                return
            yield batch
            after = batch["sha256"][-1]

    try:
        run_script(con, rederive_sql("read", scope))
        yield con.execute("SELECT count(*) FROM rederive_scope").fetchall()[0][0], batches()
    finally:
        con.close()


def published_sources(path: str | pathlib.Path, flow: str, extractor_version: str) -> set[str]:
    """load_audit.source of the published runs of `flow` made with this extractor version."""
    con = connect(path, read_only=True)
    try:
        rows = con.execute("SELECT DISTINCT source FROM load_audit WHERE flow = ? AND published "
                           "AND extractor_version = ?", [flow, extractor_version]).fetchall()
    finally:
        con.close()
    return {r[0] for r in rows}


def reports_per_year(path: str | pathlib.Path) -> dict[int | None, int]:
    con = connect(path, read_only=True)
    try:
        return dict(con.execute("SELECT report_year, count(*) FROM fact_report GROUP BY 1").fetchall())
    finally:
        con.close()
