"""The span_inside_text check: every fact's evidence is exactly its report's text at its span. In numpy over
the UTF-8 bytes, not SQL (see span_violations)."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq


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
