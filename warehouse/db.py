"""The only module that talks to DuckDB: schema, staging, checks, atomic publish and the audit row.

Write -> audit -> publish: a batch is staged in connection-local TEMP tables (never visible to readers,
gone if the process dies), validated, then moved into the published tables in one explicit transaction.
DuckDB 2.0 no longer wraps a multi-statement string in one transaction, hence the explicit BEGIN/COMMIT.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import pathlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from importlib import resources
from typing import Any

import duckdb
import pandas as pd
import polars as pl

PUBLISHED = ("raw_report", "dim_agency", "fact_report", "fact_metric", "quarantine")
UNKNOWN_AGENCY = "(unknown)"


def _sql_files(folder: str) -> list[tuple[str, str]]:
    root = resources.files("warehouse").joinpath(folder)
    if not root.is_dir():
        return []
    return sorted((p.name, p.read_text(encoding="utf-8")) for p in root.iterdir() if p.name.endswith(".sql"))


def _run_script(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Run a .sql file statement by statement (DuckDB's own parser splits it, so `;` in literals is safe)."""
    for stmt in con.extract_statements(sql):
        con.execute(stmt)


def connect(path: str | pathlib.Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file; a writer also applies the DDL and seeds the dimensions (idempotent)."""
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    if str(path) != ":memory:":
        pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    catalog = str(resources.files("warehouse").joinpath("metric_catalog.csv"))
    for _name, sql in _sql_files("ddl"):
        _run_script(con, sql.replace("$catalog", catalog.replace("'", "''")))
    for _name, sql in _sql_files("views"):
        _run_script(con, sql)
    return con


def agency_id(name: str, division_code: str | None) -> str:
    """Stable across loads: the same name in the same division always gets the same id."""
    return hashlib.md5(f"{name}|{division_code or ''}".encode()).hexdigest()[:16]


def frames_from_records(records: list[dict[str, Any]], run_id: str, now: datetime) -> dict[str, pl.DataFrame]:
    """Shape extract records (the contract's JSON objects plus raw/normalized text) into staging frames."""
    ok = [r for r in records if r["status"] == "ok"]
    bad = [r for r in records if r["status"] != "ok"]
    raw = pl.DataFrame({
        "sha256": [r["sha256"] for r in ok], "source_path": [r["source"] for r in ok],
        "n_bytes": [r["n_bytes"] for r in ok], "encoding": [r["encoding"] for r in ok],
        "raw_text": [r["raw_text"] for r in ok], "first_seen": [now] * len(ok), "last_seen": [now] * len(ok),
    }, schema={"sha256": pl.String, "source_path": pl.String, "n_bytes": pl.Int64, "encoding": pl.String,
               "raw_text": pl.String, "first_seen": pl.Datetime, "last_seen": pl.Datetime})
    agencies: dict[str, dict[str, Any]] = {}
    reports, metrics = [], []
    for r in ok:
        name = r["agency"] or UNKNOWN_AGENCY
        aid = agency_id(name, r.get("division_code"))
        agencies.setdefault(aid, {
            "agency_id": aid, "agency_name": name, "province": r["province"], "city": r["city"],
            "county": r["county"], "division_code": r.get("division_code"),
            "level": "county" if r["county"] else "city" if r["city"] else "province" if r["province"] else "unknown",
        })
        reports.append({
            "report_id": r["sha256"], "agency_id": aid, "agency_as_written": r.get("agency_as_written"),
            "report_year": r["report_year"], "published_on": r["published_on"], "signed_on": r["signed_on"],
            "script": r["script"], "layout": r["layout"], "title": r["title"], "normalized_text": r["normalized_text"],
            "flags": r["flags"], "source_path": r["source"], "run_id": run_id,
        })
        for m in r["metrics"]:
            metrics.append({
                "report_id": r["sha256"], "agency_id": aid, "report_year": r["report_year"], "metric_code": m["code"],
                "breakdown": m["breakdown"], "value": float(m["value"]), "unit": m["unit"],
                "qualifier": m["qualifier"], "span_start": m["span"][0], "span_end": m["span"][1],
                "evidence": m["text"],
            })
    quarantine = pl.DataFrame({
        "sha256": [r["sha256"] or "" for r in bad], "source_path": [r["source"] for r in bad],
        "reason": [r["error"] for r in bad], "run_id": [run_id] * len(bad), "quarantined_at": [now] * len(bad),
    }, schema={"sha256": pl.String, "source_path": pl.String, "reason": pl.String, "run_id": pl.String,
               "quarantined_at": pl.Datetime})
    return {
        "raw_report": raw,
        "dim_agency": pl.DataFrame(list(agencies.values()), infer_schema_length=None) if agencies else None,
        "fact_report": pl.DataFrame(reports, infer_schema_length=None) if reports else None,
        "fact_metric": pl.DataFrame(metrics, infer_schema_length=None) if metrics else None,
        "quarantine": quarantine,
    }


def stage(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame | None]) -> None:
    """Append frames to TEMP staging tables shaped like the published ones (Arrow hand-off, set-based)."""
    for table in PUBLISHED:
        con.execute(f"CREATE TEMP TABLE IF NOT EXISTS stg_{table} AS SELECT * FROM {table} LIMIT 0")
        frame = frames.get(table)
        if frame is not None and frame.height:
            arrow = frame.to_arrow()  # noqa: F841 - referenced by name in the SQL below
            cols = ", ".join(frame.columns)
            con.execute(f"INSERT INTO stg_{table} ({cols}) SELECT {cols} FROM arrow")


def reset_staging(con: duckdb.DuckDBPyConnection) -> None:
    for table in PUBLISHED:
        con.execute(f"DROP TABLE IF EXISTS stg_{table}")


def staged_for_validation(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """Staged rows as pandas (GX Core validates pandas frames); fact_metric carries the catalog's `signed`."""
    frames = {t: con.sql(f"SELECT * FROM stg_{t}").df() for t in PUBLISHED if t != "fact_metric"}
    frames["fact_metric"] = con.sql(
        "SELECT m.*, coalesce(d.signed, false) AS signed FROM stg_fact_metric m "
        "LEFT JOIN dim_metric d ON d.metric_code = m.metric_code").df()
    return frames


def run_checks(con: duckdb.DuckDBPyConnection,
               checks: list[tuple[str, str, str]]) -> dict[str, tuple[str, pd.DataFrame]]:
    """Cross-table checks: queries over the staging tables that must return zero rows."""
    return {name: (severity, con.sql(sql).df()) for name, severity, sql in checks}


class WarehouseBusy(RuntimeError):
    """Another load holds the warehouse's writer lock."""


@contextmanager
def writer_lock(path: str | pathlib.Path, holder: dict[str, Any]) -> Iterator[None]:
    """One load at a time per warehouse: a lock file next to it names the running load. Fails fast."""
    lock_path = pathlib.Path(f"{path}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            raise WarehouseBusy(f"another load is running on {path}: {fh.read().strip() or 'unknown'}") from None
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(holder, ensure_ascii=False, default=str))
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def open_staging() -> duckdb.DuckDBPyConnection:
    """An in-memory database for staging and validation: the warehouse file is not touched until publish,
    so readers keep querying the last published state while a load extracts and validates."""
    return connect(":memory:")


@contextmanager
def attached(con: duckdb.DuckDBPyConnection, path: str | pathlib.Path) -> Iterator[None]:
    """Make the warehouse file the default catalog of the staging connection (temp stg_* stay visible)."""
    connect(path).close()  # create or migrate the schema first
    con.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS wh")
    con.execute("USE wh")
    try:
        yield
    finally:
        con.execute("USE memory")
        con.execute("DETACH wh")


def publish(con: duckdb.DuckDBPyConnection, audit: dict[str, Any] | None = None, publish_batch: bool = True,
            mid_transaction: Callable[[], None] | None = None) -> None:
    """In one transaction: move the staged batch into the published tables (when publish_batch) and add the
    run's load_audit row, so data and audit commit together or not at all. `mid_transaction` runs between
    the statements (the crash tests kill the process there)."""
    sql = resources.files("warehouse").joinpath("publish.sql").read_text(encoding="utf-8")
    statements = con.extract_statements(sql) if publish_batch else []
    con.execute("BEGIN TRANSACTION")
    try:
        for i, stmt in enumerate(statements):
            con.execute(stmt)
            if mid_transaction and i == len(statements) // 2:
                mid_transaction()
        if audit is not None:
            record_audit(con, audit)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def record_audit(con: duckdb.DuckDBPyConnection, audit: dict[str, Any]) -> None:
    row = dict(audit)
    row["failures"] = json.dumps(row.get("failures") or [], ensure_ascii=False, default=str)
    frame = pl.DataFrame([row], infer_schema_length=None)  # noqa: F841 - referenced in SQL
    con.execute("INSERT INTO load_audit BY NAME SELECT * FROM frame")


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in (*PUBLISHED, "load_audit")}
