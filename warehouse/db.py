"""The only module that talks to DuckDB: schema, staging, checks, atomic publish and the audit row.

Write -> audit -> publish: a batch is staged in connection-local TEMP tables (never visible to readers,
gone if the process dies), validated, then moved into the published tables in one explicit transaction.
DuckDB 2.0 no longer wraps a multi-statement string in one transaction, hence the explicit BEGIN/COMMIT.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import logging
import os
import pathlib
import re
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from importlib import resources
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sources.manifest import PROVENANCE_SCHEMA
from transforms.agency import Aliases, canonical_agency, load_aliases
from warehouse.catalog import path as catalog_path

ALIASES_ENV = "GOVREPORT_AGENCY_ALIASES"  # a user CSV extending warehouse/agency_aliases.csv
PUBLISHED = ("raw_report", "dim_agency", "fact_report", "fact_metric", "quarantine")
UNKNOWN_AGENCY = "(unknown)"
# fact_report's columns from the page's metadata block (transforms.extract.PAGE_COLUMNS: not imported, so the
# reading commands do not load the extractor).
PAGE_COLUMNS = ("page_index_no", "page_publisher", "page_disclosed_on", "page_document_no")


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
    # Publish writes row groups of ROW_GROUP_SIZE (see attached()); at this connection's default size its
    # checkpoint would vacuum them, merging and rewriting every text the last load wrote (12 s at 100k).
    con.execute("SET max_vacuum_tasks = 0")
    con.execute("BEGIN TRANSACTION")
    keyed = _set_aside_keyed_fact_metric(con)
    catalog = catalog_path()
    for _name, sql in _sql_files("ddl"):
        _run_script(con, sql.replace("$catalog", catalog.replace("'", "''")))
    if keyed:
        con.execute("INSERT INTO fact_metric BY NAME SELECT * FROM fact_metric_keyed")
        con.execute("DROP TABLE fact_metric_keyed")
    con.execute("COMMIT")
    for _name, sql in _sql_files("views"):
        _run_script(con, sql)
    return con


def _set_aside_keyed_fact_metric(con: duckdb.DuckDBPyConnection) -> bool:
    """Warehouses made before fact_metric lost its PRIMARY KEY (see ddl/01_tables.sql): DuckDB cannot drop a
    key, so the old table is renamed, the DDL creates the new one and connect() copies the rows over."""
    found = con.execute("SELECT count(*) FROM duckdb_constraints() WHERE database_name = current_database() "
                        "AND table_name = 'fact_metric' AND constraint_type = 'PRIMARY KEY'").fetchall()[0][0]
    if found:
        con.execute("ALTER TABLE fact_metric RENAME TO fact_metric_keyed")
    return bool(found)


def agency_id(name: str, division_code: str | None) -> str:
    """Stable across loads: the same name in the same division always gets the same id."""
    return hashlib.md5(f"{name}|{division_code or ''}".encode()).hexdigest()[:16]


# Staging schemas: explicit, so every batch's Parquet files agree even when a batch has no value in a column.
RAW_SCHEMA = {"sha256": pl.String, "source_path": pl.String, "n_bytes": pl.Int64, "encoding": pl.String,
              "raw_text": pl.String, "first_seen": pl.Datetime("us"), "last_seen": pl.Datetime("us")}
AGENCY_SCHEMA = {"agency_id": pl.String, "agency_name": pl.String, "province": pl.String, "city": pl.String,
                 "county": pl.String, "level": pl.String, "division_code": pl.String}
REPORT_SCHEMA = {"report_id": pl.String, "agency_id": pl.String, "agency_as_written": pl.String,
                 "report_year": pl.Int32, "published_on": pl.String, "signed_on": pl.String, "script": pl.String,
                 "layout": pl.String, "title": pl.String, "normalized_text": pl.String,
                 "flags": pl.List(pl.String), "source_path": pl.String, "run_id": pl.String,
                 "page_index_no": pl.String, "page_publisher": pl.String, "page_disclosed_on": pl.String,
                 "page_document_no": pl.String}
METRIC_SCHEMA = {"report_id": pl.String, "agency_id": pl.String, "report_year": pl.Int32, "metric_code": pl.String,
                 "breakdown": pl.String, "value": pl.Float64, "unit": pl.String, "qualifier": pl.String,
                 "span_start": pl.Int32, "span_end": pl.Int32, "evidence": pl.String,
                 "rule": pl.String, "page": pl.Int32}
QUARANTINE_SCHEMA = {"sha256": pl.String, "source_path": pl.String, "reason": pl.String, "run_id": pl.String,
                     "quarantined_at": pl.Datetime("us")}
SOURCE_FILE_SCHEMA = {"path": pl.String, "size": pl.Int64, "mtime_ns": pl.Int64, "sha256": pl.String,
                      "outcome": pl.String, "run_id": pl.String, "last_seen": pl.Datetime("us")}


def _frame(columns: dict[str, list[Any]], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(columns, schema=schema)


@functools.cache
def _aliases(user_csv: str | None) -> Aliases:
    return load_aliases(user_csv)


def canonical_name(record: dict[str, Any]) -> str:
    """The agency's one name across reports (alias table, place, suffixes); the id is derived from it."""
    if not record["agency"]:
        return UNKNOWN_AGENCY
    return canonical_agency(record["agency"], record["province"], record["city"], record["county"],
                            _aliases(os.environ.get(ALIASES_ENV) or None))


def frames_from_records(records: list[dict[str, Any]], run_id: str, now: datetime) -> dict[str, pl.DataFrame]:
    """Shape extract records (the contract's JSON objects plus raw/normalized text) into staging frames,
    column by column (building frames from row dicts with type inference was the slowest step here)."""
    ok = [r for r in records if r["status"] == "ok"]
    bad = [r for r in records if r["status"] != "ok"]
    raw = _frame({
        "sha256": [r["sha256"] for r in ok], "source_path": [r["source"] for r in ok],
        "n_bytes": [r["n_bytes"] for r in ok], "encoding": [r["encoding"] for r in ok],
        "raw_text": [r["raw_text"] for r in ok], "first_seen": [now] * len(ok), "last_seen": [now] * len(ok),
    }, RAW_SCHEMA)
    agencies: dict[str, tuple] = {}
    aids = []
    for r in ok:
        name = canonical_name(r)
        aid = agency_id(name, r.get("division_code"))
        aids.append(aid)
        if aid not in agencies:
            level = ("county" if r["county"] else "city" if r["city"] else
                     "province" if r["province"] else "unknown")
            agencies[aid] = (aid, name, r["province"], r["city"], r["county"], level, r.get("division_code"))
    reports = _frame({
        "report_id": [r["sha256"] for r in ok], "agency_id": aids,
        "agency_as_written": [r.get("agency_as_written") for r in ok],
        "report_year": [r["report_year"] for r in ok], "published_on": [r["published_on"] for r in ok],
        "signed_on": [r["signed_on"] for r in ok], "script": [r["script"] for r in ok],
        "layout": [r["layout"] for r in ok], "title": [r["title"] for r in ok],
        "normalized_text": [r["normalized_text"] for r in ok], "flags": [r["flags"] for r in ok],
        "source_path": [r["source"] for r in ok], "run_id": [run_id] * len(ok),
        **{c: [r.get(c) for r in ok] for c in PAGE_COLUMNS},
    }, REPORT_SCHEMA).with_columns(pl.col("published_on", "signed_on", "page_disclosed_on").str.to_date())
    # Column by column, one comprehension each (a loop appending to 11 lists cost 4x as much).
    owner = [i for i, r in enumerate(ok) for _ in r["metrics"]]
    facts = [f for r in ok for f in r["metrics"]]
    m: dict[str, list[Any]] = {
        "report_id": [ok[i]["sha256"] for i in owner], "agency_id": [aids[i] for i in owner],
        "report_year": [ok[i]["report_year"] for i in owner], "metric_code": [f["code"] for f in facts],
        "breakdown": [f["breakdown"] for f in facts], "value": [float(f["value"]) for f in facts],
        "unit": [f["unit"] for f in facts], "qualifier": [f["qualifier"] for f in facts],
        "span_start": [f["span"][0] for f in facts], "span_end": [f["span"][1] for f in facts],
        "evidence": [f["text"] for f in facts], "rule": [f["rule"] for f in facts],
        "page": [f["page"] for f in facts],
    }
    quarantine = _frame({
        "sha256": [r["sha256"] or "" for r in bad], "source_path": [r["source"] for r in bad],
        "reason": [r["error"] for r in bad], "run_id": [run_id] * len(bad), "quarantined_at": [now] * len(bad),
    }, QUARANTINE_SCHEMA)
    return {
        "raw_report": raw,
        "dim_agency": pl.DataFrame(list(agencies.values()), schema=AGENCY_SCHEMA, orient="row"),
        "fact_report": reports,
        "fact_metric": _frame(m, METRIC_SCHEMA),
        "quarantine": quarantine,
    }


def source_file_frame(records: list[dict[str, Any]], stats: dict[str, tuple[str, int, int]], run_id: str,
                      now: datetime) -> pl.DataFrame:
    """What the next load needs to skip these files: absolute path, size, mtime and what became of them.
    stats: source path -> (absolute path, size, mtime_ns) as discovered."""
    return _frame({
        "path": [stats[r["source"]][0] for r in records], "size": [stats[r["source"]][1] for r in records],
        "mtime_ns": [stats[r["source"]][2] for r in records], "sha256": [r["sha256"] for r in records],
        "outcome": ["loaded" if r["status"] == "ok" else "rejected" for r in records],
        "run_id": [run_id] * len(records), "last_seen": [now] * len(records),
    }, SOURCE_FILE_SCHEMA)


STAGED = (*PUBLISHED, "source_file")


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
    _run_script(con, sql)
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


# GX only asks of the long text columns whether they are null: hand it that, not megabytes of text per batch.
_TEXT_COLUMNS = {"raw_report": "raw_text", "fact_report": "normalized_text", "fact_metric": "evidence"}


# Rows of fact_metric GX gets at once: bounded, as pandas copies of millions of rows would dominate the writer's
# memory (the load peaked at 1.9 GB with 2M); large, as every GX run costs ~0.45 s whatever its size.
VALIDATION_ROWS = 1_000_000
ROW_GROUP_SIZE = 16_384


def validation_parts(con: duckdb.DuckDBPyConnection) -> list[str | None]:
    """Filters (over stg_fact_metric_batched m) that split the staged run's facts into parts of at most
    VALIDATION_ROWS, each of whole reports: runs of consecutive batches, so each part reads only its own
    Parquet files; a batch too big alone is split by a hash of report_id. [None]: one part holds them all."""
    counts = con.execute("SELECT batch, count(*) FROM stg_fact_metric_batched GROUP BY 1 ORDER BY 1").fetchall()
    if sum(n for _, n in counts) <= VALIDATION_ROWS:
        return [None]
    parts: list[str | None] = []
    run: list[int] = []
    size = 0
    for batch, n in counts:
        if run and size + n > VALIDATION_ROWS:
            parts.append(f"m.batch BETWEEN {run[0]} AND {run[-1]}")
            run, size = [], 0
        if n > VALIDATION_ROWS:
            subs = -(-n // VALIDATION_ROWS)
            parts += [f"m.batch = {batch} AND hash(m.report_id) % {subs} = {i}" for i in range(subs)]
        else:
            run.append(batch)
            size += n
    if run:
        parts.append(f"m.batch BETWEEN {run[0]} AND {run[-1]}")
    return parts


def staged_for_validation(con: duckdb.DuckDBPyConnection, part: str | None = None,
                          first: bool = True) -> dict[str, pd.DataFrame]:
    """Staged rows as pandas (GX Core validates pandas frames); fact_metric carries the catalog's `signed`.

    `part`: one of validation_parts' filters on the facts (None: all of them). The tables of one row per
    report, dim_agency and quarantine come whole with the `first` part. Long text columns are replaced by ''
    (or NULL where NULL): the suites only check them for nulls, and each text is read once, not once per part."""
    def select(table: str, alias: str = "", exclude: str = "") -> str:
        text = _TEXT_COLUMNS.get(table)
        if not text:
            return "*"
        blank = "''" if _null_free(con, table, text) else f"CASE WHEN {alias}{text} IS NULL THEN NULL ELSE '' END"
        return f"{alias}* {exclude} REPLACE ({blank} AS {text})"

    # A part filters on the batch column, which only stg_fact_metric_batched has.
    if part:
        source, exclude, where = "stg_fact_metric_batched", "EXCLUDE (batch)", f" WHERE {part}"
    else:
        source, exclude, where = "stg_fact_metric", "", ""
    frames = {"fact_metric": _for_gx(con.sql(
        f"SELECT {select('fact_metric', 'm.', exclude)}, coalesce(d.signed, false) AS signed FROM {source} m "
        f"LEFT JOIN dim_metric d ON d.metric_code = m.metric_code{where}"))}
    if first:
        for table in ("raw_report", "fact_report"):
            frames[table] = _for_gx(con.sql(f"SELECT {select(table)} FROM stg_{table}"))
        frames.update({t: _for_gx(con.sql(f"SELECT * FROM stg_{t}")) for t in ("dim_agency", "quarantine")})
    return frames


def _null_free(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    """Whether the statistics of every staged Parquet file of `table` (stg_batch_file) say `column` holds no
    null: then the texts need not be read only to find that out (~1.5 s per 100k reports and text column).
    False where the statistics lack a null count, or nothing is staged as Parquet (stg_* over other tables)."""
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'stg_batch_file'").fetchall()[0][0]:
        return False
    files = [f for (f,) in con.execute("SELECT path FROM stg_batch_file WHERE tbl = ?", [table]).fetchall()]
    if not files:
        return False
    unknown = con.execute("SELECT count(*) FILTER (stats_null_count IS DISTINCT FROM 0) FROM parquet_metadata(?) "
                          "WHERE path_in_schema = ?", [files, column]).fetchall()[0][0]
    return unknown == 0


def _for_gx(rel: duckdb.DuckDBPyRelation) -> pd.DataFrame:
    """A relation as the pandas frame GX validates fastest. Through Arrow (DuckDB's own .df() is 20x slower);
    strings as categoricals (GX filters rows for conditional expectations with take(), cheap on codes, costly
    on strings); INTEGER/SMALLINT widened to int64, the only integers GX compares vectorized (others value by
    value in Python, ~1 s per 500k rows and expectation)."""
    frame = rel.to_arrow_table().to_pandas(strings_to_categorical=True, date_as_object=False)
    narrow = [c for c, t in frame.dtypes.items() if t.kind in "iu" and t != "int64"]
    return frame.astype(dict.fromkeys(narrow, "int64")) if narrow else frame


def python_checks(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, pd.DataFrame]]:
    """expectations.suites.PYTHON_CHECKS over the stg_* tables: name -> (severity, violating rows)."""
    return _python_checks(span_violations(con))


def _python_checks(spans: pd.DataFrame) -> dict[str, tuple[str, pd.DataFrame]]:
    from expectations.suites import PYTHON_CHECKS  # the writer's import: workers need no GX

    return {"span_inside_text": (PYTHON_CHECKS["span_inside_text"][0], spans)}


def staged_python_checks(con: duckdb.DuckDBPyConnection) -> Callable[[], dict[str, tuple[str, pd.DataFrame]]]:
    """python_checks of a staged run (stage_dir), begun in a background thread, one Parquet batch at a time;
    call the result for them. What they need of `con` is read before this returns: the caller goes on using
    it meanwhile (GX validating other parts, mostly Python, while the check is mostly numpy and Parquet)."""
    files = con.execute("SELECT r.path, m.path FROM stg_batch_file r JOIN stg_batch_file m USING (batch) "
                        "WHERE r.tbl = 'fact_report' AND m.tbl = 'fact_metric' ORDER BY batch").fetchall()
    if not files:
        found = python_checks(con)  # nothing staged: the (empty) result with its columns
        return lambda: found
    staged = {r for (r,) in con.execute("SELECT report_id FROM stg_fact_report").fetchall()}
    pool = ThreadPoolExecutor(1)
    spans = pool.submit(staged_span_violations, files, staged)
    pool.shutdown(wait=False)
    return lambda: _python_checks(spans.result())


def span_violations(con: duckdb.DuckDBPyConnection, reports: str = "stg_fact_report",
                    facts: str = "stg_fact_metric") -> pd.DataFrame:
    """The span_inside_text check: facts whose evidence is not exactly their report's
    normalized_text[span_start:span_end] (0-based, end-exclusive code points), or whose span lies outside
    it. `reports`/`facts`: FROM clauses. Not in SQL: DuckDB's substring() walks the UTF-8 text from its start
    for every fact (21 s per 1.4M facts); span_mismatches compares bytes with array operations."""
    texts = con.sql(f"SELECT report_id, normalized_text FROM {reports}").to_arrow_table()
    found = con.sql(f"SELECT report_id, metric_code, breakdown, value, span_start, span_end, evidence "
                    f"FROM {facts}").to_arrow_table()
    return _span_rows(texts, found)


def _span_rows(texts: pa.Table, facts: pa.Table) -> pd.DataFrame:
    """The facts (report_id, metric_code, breakdown, value, span_start, span_end, evidence) failing the span
    check against `texts` (report_id, normalized_text), with the text's length and what lies at the span."""
    at = pc.index_in(facts["report_id"], value_set=texts["report_id"]).to_numpy(zero_copy_only=False)
    # a fact with no staged report is metric_report_exists's finding, not this one's
    at = np.where(np.isnan(at.astype(float)), -1, at).astype(np.int64)
    bad = span_mismatches(texts["normalized_text"], at, facts["span_start"], facts["span_end"], facts["evidence"])
    rows = facts.filter(pa.array(bad)).to_pandas()
    text = texts["normalized_text"].take(pa.array(at[bad])).to_pylist()
    rows["text_length"] = [len(t) for t in text]
    rows["text_at_span"] = [t[max(int(s), 0):max(int(e), 0)] if s == s and e == e else ""  # NaN: null
                            for t, s, e in zip(text, rows["span_start"], rows["span_end"], strict=True)]
    return rows.sort_values(["report_id", "span_start"], ignore_index=True)


def _utf8(strings: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string column's UTF-8 bytes and its len+1 byte offsets (a null reads as an empty string)."""
    arr = strings.combine_chunks() if isinstance(strings, pa.ChunkedArray) else strings
    arr = arr.cast(pa.large_string())
    _, offsets, data = arr.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int64)[arr.offset:arr.offset + len(arr) + 1]
    return (np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)), offsets


def span_mismatches(texts: pa.ChunkedArray | pa.Array, text_of_fact: np.ndarray, starts: pa.ChunkedArray,
                    ends: pa.ChunkedArray, evidence: pa.ChunkedArray) -> np.ndarray:
    """For each fact, whether its evidence differs from texts[text_of_fact][start:end] (code points), or the
    span lies outside that text or is null. Facts with text_of_fact -1 or a null text are not checked.

    On the UTF-8 bytes, with array operations (a Python loop costs ~3 µs a fact): a character starts at every
    byte that is not a continuation byte, so code-point offsets map to byte offsets, and equal code points
    are equal bytes."""
    tdata, toff = _utf8(texts)
    starts_char = np.ones(len(tdata) + 1, dtype=bool)  # the last: the end of the last text
    np.not_equal(tdata & 0xC0, 0x80, out=starts_char[:-1])
    char_at = np.flatnonzero(starts_char)  # byte where each character starts
    first_char = np.searchsorted(char_at, toff)  # each text's first character, then the end
    n_chars = np.diff(first_char)
    text_null = np.asarray(pc.is_null(texts), dtype=bool) if len(texts) else np.zeros(0, bool)
    edata, eoff = _utf8(evidence)
    start = starts.to_numpy(zero_copy_only=False).astype(float)
    end = ends.to_numpy(zero_copy_only=False).astype(float)
    checked = text_of_fact >= 0
    checked[checked] = ~text_null[text_of_fact[checked]]
    t = np.where(checked, text_of_fact, 0)
    known = ~(np.isnan(start) | np.isnan(end)) & np.asarray(pc.is_valid(evidence), dtype=bool)
    s, e = np.nan_to_num(start).astype(np.int64), np.nan_to_num(end).astype(np.int64)
    inside = known & (s >= 0) & (s <= e) & (e <= (n_chars[t] if len(n_chars) else 0))
    bad = checked & ~inside
    cand = np.flatnonzero(checked & inside)
    b0 = char_at[first_char[t[cand]] + s[cand]]
    b1 = char_at[first_char[t[cand]] + e[cand]]
    length = eoff[cand + 1] - eoff[cand]
    same = (b1 - b0) == length
    bad[cand[~same]] = True
    cand, b0, length = cand[same], b0[same], length[same]
    # Byte k of the candidates' evidence laid end to end sits at k + shift in the text and in the evidence.
    ends_at = np.cumsum(length)
    k = np.arange(ends_at[-1] if len(ends_at) else 0)
    differs = (tdata[k + np.repeat(b0 - (ends_at - length), length)]
               != edata[k + np.repeat(eoff[cand] - (ends_at - length), length)])
    bad[cand[np.searchsorted(ends_at, np.flatnonzero(differs), side="right")]] = True
    return bad


def staged_span_violations(files: list[tuple[str, str]], staged: set[str]) -> pd.DataFrame:
    """span_violations of a staged run, one Parquet batch at a time: `files` holds each batch's fact_report
    and fact_metric file, `staged` the report_ids the run stages (a copy of a report in a later batch is
    checked too, counted once). Each text is read once and only a few batches' texts are held."""
    def check(report_file: str, metric_file: str) -> pd.DataFrame:
        return _span_rows(pq.read_table(report_file, columns=["report_id", "normalized_text"]),
                          pq.read_table(metric_file, columns=["report_id", "metric_code", "breakdown", "value",
                                                              "span_start", "span_end", "evidence"]))

    # Threads: Parquet reads and numpy release the GIL.
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        found = list(pool.map(check, *zip(*files, strict=True)))
    rows = pd.concat(found, ignore_index=True)
    rows = rows[rows["report_id"].isin(staged)].drop_duplicates(["report_id", "metric_code", "breakdown", "value",
                                                                 "span_start", "span_end"])
    return rows.sort_values(["report_id", "span_start"], ignore_index=True)


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


def run_checks(con: duckdb.DuckDBPyConnection,
               checks: list[tuple[str, str, str]]) -> dict[str, tuple[str, pd.DataFrame]]:
    """Cross-table checks: queries over the staging tables that must return zero rows."""
    return {name: (severity, con.sql(sql).df()) for name, severity, sql in checks}


class WarehouseBusy(RuntimeError):
    """Another load holds the warehouse's writer lock."""


@contextmanager
def writer_lock(path: str | pathlib.Path, holder: dict[str, Any]) -> Iterator[dict[str, Any] | None]:
    """One load at a time per warehouse: a lock file next to it names the running load. Fails fast. The lock
    sits next to the resolved file, so a symlinked or relative `--db` names the same lock.

    Yields the run that held it last if that run did not end cleanly, else None: a run that ends cleanly
    empties the file; one that raised leaves its holder with `error`; one killed (SIGKILL, OOM, power) leaves
    its holder as it was. The kernel drops the flock itself when a process dies, so a dead run never blocks."""
    lock_path = pathlib.Path(f"{pathlib.Path(path).resolve()}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            raise WarehouseBusy(f"another load is running on {path}: {fh.read().strip() or 'unknown'}") from None
        fh.seek(0)
        left = fh.read().strip()
        try:
            previous = json.loads(left) if left else None
        except ValueError:  # cut short while being written: still a run that did not end
            previous = {"error": f"unreadable lock file content {left[:80]!r}"}
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(holder, ensure_ascii=False, default=str))
        fh.flush()
        ended = ""
        try:
            yield previous if isinstance(previous, dict) else None
        except WarehouseBusy:
            raise  # it found the warehouse busy and did nothing: no run to record
        except BaseException as exc:
            cause = stop_in(exc) or exc
            ended = json.dumps({**holder, "error": f"{type(cause).__name__}: {cause}"[:500]}, ensure_ascii=False,
                               default=str)
            raise
        finally:
            fh.seek(0)
            fh.truncate()
            fh.write(ended)
            fh.flush()
            fcntl.flock(fh, fcntl.LOCK_UN)


STOPS = ("KeyboardInterrupt", "Stopped", "TerminationSignal")  # Ctrl-C; SIGTERM (flows/cli.py's, Prefect's)


def stop_in(exc: BaseException | None) -> BaseException | None:
    """The stop request (Ctrl-C, SIGTERM) behind `exc`, if any: Prefect's crash handling can raise its own error
    while a KeyboardInterrupt unwinds it ("Task run is not set"), which must not turn a stop into a crash."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if type(exc).__name__ in STOPS:
            return exc
        exc = exc.__cause__ or exc.__context__
    from transforms.budget import stop_requested

    return stop_requested()  # a stop that surfaced as another error where it landed (`Query interrupted`)


_CRASH_COUNTS = ("files_seen", "reports_loaded", "rejected", "facts_loaded", "expectations_passed",
                 "expectations_failed", "warnings_failed")


def record_crashed(path: str | pathlib.Path, crashed: dict[str, Any], by_run: str) -> bool:
    """The load_audit row of a run that did not end (writer_lock's `previous`), written by run `by_run` in
    its own short transaction: status crashed (stopped: interrupted by Ctrl-C or SIGTERM), published false.
    Nothing when that run has a row already (it died after its COMMIT). False when readers held the file
    for all of the publish wait (the row is then not written)."""
    run_id = crashed.get("run_id") or f"unknown-{by_run}"
    if audited(path, run_id):
        return True
    error = crashed.get("error")
    stopped = bool(error) and error.split(":", 1)[0] in STOPS
    how = (f"stopped: {error}" if stopped else f"crashed: {error}" if error else
           "crashed: the process died without a word (SIGKILL, out of memory, power)")
    row = {"run_id": run_id, "flow": crashed.get("flow") or "load_reports", "source": crashed.get("source"),
           "started_at": datetime.fromisoformat(crashed["started_at"]) if crashed.get("started_at") else
           datetime.now(), "finished_at": None, **dict.fromkeys(_CRASH_COUNTS, 0), "published": False,
           "status": "stopped" if stopped else "crashed",
           "message": f"{how}; nothing it staged was published (pid {crashed.get('pid')}; recorded by run {by_run})"}

    def write() -> None:
        con = connect(path)
        try:
            con.execute("BEGIN TRANSACTION")
            record_audit(con, row)
            con.execute("COMMIT")
        finally:
            con.close()

    try:
        _waiting_for_readers(path, write)
    except ReadersHold as exc:
        _log.warning("could not record the run %s that did not end: %s", run_id, exc)
        return False
    return True


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


PUBLISH_WAIT_ENV = "GOVREPORT_PUBLISH_WAIT"  # seconds publish waits for readers to release the file
_PUBLISH_WAIT_DEFAULT = 300.0
_log = logging.getLogger("govreport.warehouse")


class ReadersHold(duckdb.IOException):
    """Readers held the warehouse file for all of the publish wait: nothing was written. An IOException, as
    DuckDB's own lock error it stands for."""


def _waiting_for_readers(path: str | pathlib.Path, step: Callable[[], Any]) -> None:
    """Run step, again and again while another process holds the file's lock, within the publish wait;
    ReadersHold when they still hold it at the end."""
    deadline = time.monotonic() + float(os.environ.get(PUBLISH_WAIT_ENV, _PUBLISH_WAIT_DEFAULT))
    pause, said = 0.2, False
    while True:
        try:
            step()
            return
        except duckdb.IOException as exc:
            if "Could not set lock" not in str(exc):
                raise
            if time.monotonic() + pause > deadline:
                raise ReadersHold(f"readers held {path} for all of {PUBLISH_WAIT_ENV}="
                                  f"{os.environ.get(PUBLISH_WAIT_ENV, _PUBLISH_WAIT_DEFAULT)} s: {exc}") from exc
            if not said:
                _log.warning("waiting for readers to close %s before publishing (%s); up to %s s (%s)", path,
                             str(exc).split(":", 2)[-1].strip()[:120], os.environ.get(PUBLISH_WAIT_ENV,
                                                                                       _PUBLISH_WAIT_DEFAULT),
                             PUBLISH_WAIT_ENV)
                said = True
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


@contextmanager
def attached(con: duckdb.DuckDBPyConnection, path: str | pathlib.Path) -> Iterator[None]:
    """Make the warehouse file the default catalog of the staging connection (temp stg_* stay visible).
    Readers (a long `govreport query`, a dashboard) hold the file's lock: publish waits for them to leave, up
    to PUBLISH_WAIT_ENV seconds, saying so, before it gives up with the lock error."""
    # Row groups smaller than DuckDB's default (122,880 rows): a transaction's insert is written to the file
    # as it goes only in whole row groups, so the 100k texts of a run were held back and spilled under the
    # memory cap, then written by COMMIT (10 s per text table at 100k reports; now written while inserted).
    attach = f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS wh (ROW_GROUP_SIZE {ROW_GROUP_SIZE})"
    _waiting_for_readers(path, lambda: connect(path).close())  # create or migrate the schema first
    _waiting_for_readers(path, lambda: con.execute(attach))
    con.execute("USE wh")
    try:
        yield
    finally:
        con.execute("USE memory")
        con.execute("DETACH wh")


def publish(con: duckdb.DuckDBPyConnection, audit: dict[str, Any] | None = None, publish_batch: bool = True,
            mid_transaction: Callable[[], None] | None = None,
            before_audit: Callable[[duckdb.DuckDBPyConnection], dict[str, Any]] | None = None,
            rederive: str | None = None) -> None:
    """In one transaction: move the staged batch into the published tables (when publish_batch) and add the
    run's load_audit row, so data and audit commit together or not at all. `mid_transaction` runs between
    the statements (the crash tests kill the process there); `before_audit` sees the published state inside
    the transaction and returns fields to add to the audit row (the quality-issue warnings). `rederive`
    (a rederive_scope predicate) marks a batch re-derived from raw_report: rederive.sql's sections run
    around publish.sql."""
    sql = resources.files("warehouse").joinpath("publish.sql").read_text(encoding="utf-8")
    if rederive is not None:
        sql = "\n".join((_rederive_sql("before_publish", rederive), sql, _rederive_sql("after_publish", rederive)))
    statements = con.extract_statements(sql) if publish_batch else []
    con.execute("BEGIN TRANSACTION")
    try:
        for i, stmt in enumerate(statements):
            con.execute(stmt)
            if mid_transaction and i == len(statements) // 2:
                mid_transaction()
        if audit is not None:
            if before_audit is not None:
                audit.update(before_audit(con))
            record_audit(con, audit)
        con.execute("COMMIT")
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass  # a failed COMMIT has ended the transaction already: the error to report is the COMMIT's own
        raise


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
    sections = _sql_sections("failure_files.sql")
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


def _sql_sections(name: str) -> dict[str, str]:
    """A .sql file's `-- section: <name>` parts (as rederive.sql's)."""
    text = resources.files("warehouse").joinpath(name).read_text(encoding="utf-8")
    return {k: v.strip().rstrip(";") for k, v in
            re.findall(r"^-- section: (\w+)\n(.*?)(?=^-- section: |\Z)", text, flags=re.M | re.S)}


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
    for _name, sql in _sql_files("views"):
        for stmt in con.extract_statements(sql):
            text = stmt.query
            if re.search(rf"(?m)^CREATE OR REPLACE VIEW ({names}) AS", text):
                con.execute(rename.sub(r"scoped_\1", text.replace("OR REPLACE VIEW", "OR REPLACE TEMP VIEW", 1)))


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in (*PUBLISHED, "load_audit")}


def rederive_scope(year: int | None) -> str:
    """The predicate over raw_report r choosing what a re-derivation redoes: every row (year None), or the
    reports whose published report_year is `year`."""
    if year is None:
        return "true"
    return f"r.sha256 IN (SELECT report_id FROM fact_report WHERE report_year = {int(year)})"


def _rederive_sql(section: str, scope: str) -> str:
    text = resources.files("warehouse").joinpath("rederive.sql").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^-- section: (\w+)\n(.*?)(?=^-- section: |\Z)", text, flags=re.M | re.S))
    return sections[section].replace("$scope", scope)


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
        _run_script(con, _rederive_sql("read", scope))
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
