"""The run's load_audit row and what goes in it: the files behind a failed expectation, the quality-issue
counts of the staged reports."""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any

import duckdb
import polars as pl

from warehouse.schema import connect, sql_files, sql_sections


def record_audit(con: duckdb.DuckDBPyConnection, audit: dict[str, Any]) -> None:
    row = dict(audit)
    for key in ("failures", "quality_issues", "stage_seconds"):
        if key in row:
            row[key] = json.dumps(row[key], ensure_ascii=False, default=str)
    frame = pl.DataFrame([row], infer_schema_length=None)  # noqa: F841 - referenced in SQL
    con.execute("INSERT INTO load_audit BY NAME SELECT * FROM frame")


def audited(path: str | pathlib.Path, run_id: str) -> bool:
    """Whether load_audit holds a row for run_id (False when there is no warehouse file yet)."""
    if not pathlib.Path(path).exists():
        return False
    con = connect(path, read_only=True)
    try:
        found = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'load_audit'").fetchall()[0][0]
        return bool(found) and bool(con.execute("SELECT count(*) FROM load_audit WHERE run_id = ?",
                                                [run_id]).fetchall()[0][0])
    finally:
        con.close()


FILES_NAMED = 20  # files named per failed expectation: enough to act on, few enough for one audit row


_NULL_KEY = "\u2400"  # ␀: how a NULL compares in files_behind (a list holding NULL equals nothing)


def _key(value: Any) -> str:
    """An example value as DuckDB's CAST(... AS VARCHAR) writes it (bools lower case, NULL as _NULL_KEY)."""
    if value is None:
        return _NULL_KEY
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def files_behind(con: duckdb.DuckDBPyConnection, failure: dict[str, Any]) -> list[str]:
    """The staged files whose rows a failed expectation (an Outcome's fields) found: rows of its table whose
    failing column(s) hold one of its example values, or, for a check (sql_check:<name>), the files of the
    report_id / sha256 / agency_id its example rows name. At most FILES_NAMED, sorted; [] when the failure
    has no rows to point at (a missing column, a table-level expectation)."""
    # one SELECT each, used as a subquery
    sections = {k: v.strip().rstrip(";") for k, v in sql_sections("failure_files.sql").items()}
    examples = failure.get("examples") or []
    if str(failure.get("expectation", "")).startswith("sql_check:"):
        keys = sorted({str(row[k]) for row in examples if isinstance(row, dict)
                       for k in ("report_id", "sha256", "agency_id") if row.get(k) is not None})
        direct = {row["source_path"] for row in examples if isinstance(row, dict) and row.get("source_path")}
        found = {f for (f,) in con.execute(f"SELECT DISTINCT file FROM ({sections['by_key']}) "
                                           "WHERE list_contains(?, key)", [keys]).fetchall()} if keys else set()
        return sorted(direct | found)[:FILES_NAMED]
    table, column = failure.get("table"), failure.get("column")
    if table not in sections or not column:
        return []
    columns = column.split(",")
    wanted = []
    for example in examples:
        if isinstance(example, dict):
            values = [example.get(c) for c in columns]
        elif isinstance(example, (list, tuple)) and len(columns) > 1:
            values = list(example)
        else:
            values = [example]
        wanted.append([_key(v) for v in values])
    if not wanted:
        return []
    key = ", ".join(f"coalesce(CAST(\"{c}\" AS VARCHAR), '{_NULL_KEY}')" for c in columns)
    rows = con.execute(f"SELECT DISTINCT file FROM ({sections[table]}) WHERE file IS NOT NULL "
                       f"AND list_contains(?::VARCHAR[][], [{key}]) ORDER BY file LIMIT {FILES_NAMED}",
                       [wanted]).fetchall()
    return [f for (f,) in rows]


def staged_quality_issues(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """v_quality_issues rows of the staged reports by check_name, read where the batch is already published
    (inside the publish transaction): the carry-over check needs the agency's earlier years.

    The view pivots every fact in the warehouse (9 s at 100k reports), and DuckDB cannot push a filter on its
    output through the pivots. Every identity compares figures of one agency, so the same view definitions
    are run over the staged agencies' facts only (temp scoped_* copies)."""
    _scoped_quality_views(con)
    rows = con.execute("SELECT check_name, count(*) FROM scoped_v_quality_issues "
                       "WHERE report_id IN (SELECT report_id FROM stg_fact_report) GROUP BY 1 ORDER BY 1").fetchall()
    return dict(rows)


_SCOPED_VIEWS = ("v_request_outcomes", "v_quality_issues")


def _scoped_quality_views(con: duckdb.DuckDBPyConnection) -> None:
    """Temp copies of v_request_outcomes and v_quality_issues (from the view files, so never out of step)
    reading scoped_fact_metric: the facts of the agencies in stg_fact_report."""
    con.execute("CREATE OR REPLACE TEMP VIEW scoped_fact_metric AS SELECT * FROM fact_metric "
                "WHERE agency_id IN (SELECT agency_id FROM stg_fact_report)")
    names = "|".join(_SCOPED_VIEWS)
    rename = re.compile(rf"\b(fact_metric|{names})\b")
    for _name, sql in sql_files("views"):
        for stmt in con.extract_statements(sql):
            text = stmt.query
            if re.search(rf"(?m)^CREATE OR REPLACE VIEW ({names}) AS", text):
                con.execute(rename.sub(r"scoped_\1", text.replace("OR REPLACE VIEW", "OR REPLACE TEMP VIEW", 1)))
