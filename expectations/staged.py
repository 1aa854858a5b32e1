"""What validation reads of a staged run: the rows GX validates, in parts of bounded size, and the SQL
checks over the stg_* tables."""

from __future__ import annotations

import duckdb
import pandas as pd

# GX only asks of the long text columns whether they are null: hand it that, not megabytes of text per batch.
_TEXT_COLUMNS = {"raw_report": "raw_text", "fact_report": "normalized_text", "fact_metric": "evidence"}


# Rows of fact_metric GX gets at once: bounded, as pandas copies of millions of rows would dominate the writer's
# memory (the load peaked at 1.9 GB with 2M); large, as every GX run costs ~0.45 s whatever its size.
VALIDATION_ROWS = 1_000_000


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


def run_checks(con: duckdb.DuckDBPyConnection,
               checks: list[tuple[str, str, str]]) -> dict[str, tuple[str, pd.DataFrame]]:
    """Cross-table checks: queries over the staging tables that must return zero rows."""
    return {name: (severity, con.sql(sql).df()) for name, severity, sql in checks}
