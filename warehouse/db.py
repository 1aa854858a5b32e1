"""The only module that talks to DuckDB: schema, staging, checks, atomic publish and the audit row.

Write -> audit -> publish: a batch is staged in connection-local TEMP tables (never visible to readers,
gone if the process dies), validated, then moved into the published tables in one explicit transaction.
DuckDB 2.0 no longer wraps a multi-statement string in one transaction, hence the explicit BEGIN/COMMIT.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
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


def publish(con: duckdb.DuckDBPyConnection) -> None:
    """Move the staged batch into the published tables in one transaction (all or nothing)."""
    sql = resources.files("warehouse").joinpath("publish.sql").read_text(encoding="utf-8")
    con.execute("BEGIN TRANSACTION")
    try:
        _run_script(con, sql)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    con.execute("CHECKPOINT")


def record_audit(con: duckdb.DuckDBPyConnection, audit: dict[str, Any]) -> None:
    row = dict(audit)
    row["failures"] = json.dumps(row.get("failures") or [], ensure_ascii=False, default=str)
    frame = pl.DataFrame([row], infer_schema_length=None)  # noqa: F841 - referenced in SQL
    con.execute("INSERT INTO load_audit BY NAME SELECT * FROM frame")


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in (*PUBLISHED, "load_audit")}
