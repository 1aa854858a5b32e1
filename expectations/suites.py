"""Great Expectations suites for the published tables, and the gate that runs them.

Each published table has one suite built in code by a small function below. Every expectation carries a
severity, both in GX's own ``severity`` field and in ``meta["severity"]`` (kept in the persisted suite JSON):
a failed *critical* expectation blocks publication, a failed *warning* is only recorded. Cross-table rules
cannot be expressed on pandas batches in GX Core 1.x (UnexpectedRowsExpectation needs a SQL/Spark source),
so they live in ``checks/*.sql`` as DuckDB queries that must return zero rows, and in :data:`PYTHON_CHECKS`
(computed by ``expectations.spans`` where SQL would be slow); the warehouse runs them and hands the violating rows
to :func:`validate_batch`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
import pathlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape
from importlib import resources
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pandas as pd

# Must be set before great_expectations is imported: GX reads it at import time.
os.environ["GX_ANALYTICS_ENABLED"] = "false"

import great_expectations as gx  # noqa: E402
import great_expectations.expectations as gxe  # noqa: E402
from great_expectations.core.run_identifier import RunIdentifier  # noqa: E402
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402
from great_expectations.data_context.types.resource_identifiers import (  # noqa: E402
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)
from great_expectations.expectations.row_conditions import Column  # noqa: E402

from expectations.paths import docs_index  # noqa: E402  (re-exported: the suites build that page)
from transforms import extract, facts  # noqa: E402
from transforms.metadata import FIRST_YEAR  # noqa: E402  (one home: extraction nulls years outside it)
from warehouse import catalog  # noqa: E402

if TYPE_CHECKING:
    from great_expectations.data_context import AbstractDataContext

__all__ = ["PYTHON_CHECKS", "Outcome", "SEVERITIES", "TABLES", "docs_index", "load_checks", "metric_catalog",
           "validate_batch"]

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHECKS_DIR = pathlib.Path(__file__).resolve().parent / "checks"

CRITICAL = "critical"
WARNING = "warning"
SEVERITIES = (CRITICAL, WARNING)
TABLES = ("raw_report", "fact_report", "fact_metric", "dim_agency", "quarantine")
SQL_SUITE = "sql_checks"

QUALIFIERS = list(facts.QUALIFIERS)  # one home each: what the extractor emits is what validation allows
LAYOUTS = list(extract.LAYOUTS)
SCRIPTS = ["simplified", "traditional", "mixed"]
LEVELS = ["province", "city", "county", "unknown"]
ENCODINGS = ["utf-8", "gb18030", "big5", "utf-16"]
SHA256_RE = r"^[0-9a-f]{64}$"

# Columns the writer fills in at publish, so a staged batch has none of them: which version is current, and
# the provenance a manifest gives (sources/manifest.py), applied to raw_report by publish.sql.
PUBLISH_ONLY: dict[str, tuple[str, ...]] = {
    "raw_report": ("source_url", "final_url", "retrieved_at", "http_status", "publisher"),
    "fact_report": ("is_current",),
}
# Stricter for staged rows than the table can be: rows published before `rule` existed have none.
STAGED_NOT_NULL: dict[str, tuple[str, ...]] = {"fact_metric": ("rule",)}
SUITE_TABLES = ("raw_report", "fact_report", "fact_metric", "dim_agency", "quarantine")


def _ddl_columns() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The suites' columns and NOT NULL sets, read from warehouse/ddl/01_tables.sql itself (a fresh in-memory
    schema): one definition of the tables, which the suites cannot drift from."""
    con = duckdb.connect()
    con.execute(resources.files("warehouse").joinpath("ddl/01_tables.sql").read_text(encoding="utf-8"))
    rows = con.execute("SELECT table_name, column_name, is_nullable FROM duckdb_columns() "
                       "WHERE NOT internal ORDER BY table_name, column_index").fetchall()
    con.close()
    columns: dict[str, list[str]] = {t: [] for t in SUITE_TABLES}
    not_null: dict[str, list[str]] = {t: [] for t in SUITE_TABLES}
    for table, column, nullable in rows:
        if table in columns and column not in PUBLISH_ONLY.get(table, ()):
            columns[table].append(column)
            if not nullable or column in STAGED_NOT_NULL.get(table, ()):
                not_null[table].append(column)
    return columns, not_null


COLUMNS, NOT_NULL = _ddl_columns()

# Enough to show what is wrong in load_audit.failures and Data Docs without bloating either.
MAX_EXAMPLES = 5
_INDEX_MARK = "<!-- expectations.suites: load failures -->"
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": MAX_EXAMPLES}


@dataclass(frozen=True)
class Outcome:
    table: str            # e.g. "fact_metric" or the check name for SQL checks
    expectation: str      # GX expectation type, or "sql_check:<name>"
    column: str | None
    severity: str         # "critical" | "warning"
    success: bool
    unexpected_count: int
    examples: list        # up to 5 example offending values/rows, JSON-serialisable


# --------------------------------------------------------------------------------------------------- catalog


def metric_catalog() -> dict[str, bool]:
    """Metric code -> signed (warehouse/catalog.py reads the catalog, once per process)."""
    return catalog.signed()


# ------------------------------------------------------------------------------------------------ SQL checks


def _read_check(path: pathlib.Path) -> tuple[str, str, str]:
    """(severity, description, sql) of one checks/*.sql file; the header format is part of the contract."""
    sql = path.read_text(encoding="utf-8")
    lines = sql.splitlines()
    head = lines[0].strip() if lines else ""
    prefix = "-- severity:"
    if not head.startswith(prefix):
        raise ValueError(f"{path.name}: first line must be '-- severity: critical|warning', got {head!r}")
    severity = head[len(prefix):].strip()
    if severity not in SEVERITIES:
        raise ValueError(f"{path.name}: unknown severity {severity!r}")
    description = lines[1].strip().removeprefix("--").strip() if len(lines) > 1 else ""
    return severity, description, sql


def load_checks() -> list[tuple[str, str, str]]:
    """(name, severity, sql) for every checks/*.sql, sorted by name (the file stem)."""
    out = []
    for path in sorted(CHECKS_DIR.glob("*.sql")):
        severity, _, sql = _read_check(path)
        out.append((path.stem, severity, sql))
    return out


# Cross-table checks computed in Python by expectations.spans.python_checks (where SQL would be slow): name ->
# (severity, description). They report like the SQL checks.
PYTHON_CHECKS: dict[str, tuple[str, str]] = {
    "span_inside_text": (CRITICAL, "Each fact_metric span lies inside its report's normalized_text and the "
                                   "evidence is exactly that slice."),
}


def _check_descriptions() -> dict[str, str]:
    return {p.stem: _read_check(p)[1] for p in CHECKS_DIR.glob("*.sql")} | {
        name: description for name, (_, description) in PYTHON_CHECKS.items()}


# ---------------------------------------------------------------------------------------------------- suites


def _expect(cls: type[gxe.Expectation], severity: str, **kwargs: Any) -> gxe.Expectation:
    """An expectation tagged with its severity in GX's field (drives GX's own alerting) and in meta."""
    return cls(severity=severity, meta={"severity": severity}, **kwargs)


def _structure(table: str) -> list[gxe.Expectation]:
    """Columns present and NOT NULL columns filled: every table's baseline, all critical."""
    # exact_match=False: extra columns (e.g. fact_metric.signed joined from the catalog) are fine, missing are not.
    out = [_expect(gxe.ExpectTableColumnsToMatchSet, CRITICAL, column_set=COLUMNS[table], exact_match=False)]
    out += [_expect(gxe.ExpectColumnValuesToNotBeNull, CRITICAL, column=c) for c in NOT_NULL[table]]
    return out


def _report_year(current_year: int) -> list[gxe.Expectation]:
    # A null year is a parse gap (the report is still worth publishing), so only a warning; a stated year
    # outside 2008..current_year is a wrong parse and blocks. Map expectations skip nulls, so mostly=1.0
    # applies to the non-null years only.
    return [
        _expect(gxe.ExpectColumnValuesToNotBeNull, WARNING, column="report_year"),
        _expect(gxe.ExpectColumnValuesToBeBetween, CRITICAL, column="report_year", min_value=FIRST_YEAR,
                max_value=current_year, mostly=1.0),
    ]


def raw_report_suite() -> list[gxe.Expectation]:
    return [
        *_structure("raw_report"),
        _expect(gxe.ExpectColumnValuesToBeUnique, CRITICAL, column="sha256"),
        _expect(gxe.ExpectColumnValuesToMatchRegex, CRITICAL, column="sha256", regex=SHA256_RE),
        _expect(gxe.ExpectColumnValuesToBeBetween, CRITICAL, column="n_bytes", min_value=0),
        _expect(gxe.ExpectColumnPairValuesAToBeGreaterThanB, CRITICAL, column_A="last_seen",
                column_B="first_seen", or_equal=True),
        # The decoder is expected to use one of these; another one is odd but not wrong.
        _expect(gxe.ExpectColumnValuesToBeInSet, WARNING, column="encoding", value_set=ENCODINGS),
    ]


def fact_report_suite(current_year: int, unknown_agency_id: str) -> list[gxe.Expectation]:
    return [
        *_structure("fact_report"),
        _expect(gxe.ExpectColumnValuesToBeUnique, CRITICAL, column="report_id"),
        _expect(gxe.ExpectColumnValuesToMatchRegex, CRITICAL, column="report_id", regex=SHA256_RE),
        *_report_year(current_year),
        _expect(gxe.ExpectColumnValuesToBeInSet, CRITICAL, column="layout", value_set=LAYOUTS),
        _expect(gxe.ExpectColumnValuesToBeInSet, CRITICAL, column="script", value_set=SCRIPTS),
        _expect(gxe.ExpectColumnValuesToMatchRegex, WARNING, column="division_code_in_year", regex=r"^\d{6}$"),
        # Reports whose agency could not be identified are published, but someone should look at them.
        _expect(gxe.ExpectColumnValuesToNotBeInSet, WARNING, column="agency_id", value_set=[unknown_agency_id]),
    ]


def fact_metric_suite(current_year: int, codes: Iterable[str]) -> list[gxe.Expectation]:
    return [
        *_structure("fact_metric"),
        _expect(gxe.ExpectCompoundColumnsToBeUnique, CRITICAL,
                column_list=["report_id", "metric_code", "breakdown", "value"]),
        *_report_year(current_year),
        _expect(gxe.ExpectColumnValuesToBeInSet, CRITICAL, column="metric_code", value_set=sorted(codes)),
        # Only year-on-year changes (catalog signed=true) may be negative. `signed` is joined from the
        # catalog; rows with an unknown code have no `signed` and already fail the catalog check above.
        _expect(gxe.ExpectColumnValuesToBeBetween, CRITICAL, column="value", min_value=0,
                row_condition=Column("signed") == False),  # noqa: E712 - builds a GX condition, not a test
        _expect(gxe.ExpectColumnValuesToBeInSet, CRITICAL, column="qualifier", value_set=QUALIFIERS),
        _expect(gxe.ExpectColumnValuesToBeBetween, CRITICAL, column="span_start", min_value=0),
        _expect(gxe.ExpectColumnPairValuesAToBeGreaterThanB, CRITICAL, column_A="span_end",
                column_B="span_start", or_equal=False),
        # "Stated none" means the report says nothing happened, which is a zero by definition.
        _expect(gxe.ExpectColumnValuesToBeInSet, WARNING, column="value", value_set=[0],
                row_condition=Column("qualifier") == "stated_none"),
    ]


def dim_agency_suite() -> list[gxe.Expectation]:
    return [
        *_structure("dim_agency"),
        _expect(gxe.ExpectColumnValuesToBeUnique, CRITICAL, column="agency_id"),
        _expect(gxe.ExpectColumnValuesToBeInSet, CRITICAL, column="level", value_set=LEVELS),
        _expect(gxe.ExpectColumnValuesToMatchRegex, WARNING, column="division_code", regex=r"^\d{6}$"),
    ]


def quarantine_suite() -> list[gxe.Expectation]:
    return [
        *_structure("quarantine"),
        _expect(gxe.ExpectCompoundColumnsToBeUnique, CRITICAL, column_list=["sha256", "source_path"]),
        # Empty sha256 marks a file that could not be read at all.
        _expect(gxe.ExpectColumnValuesToMatchRegex, CRITICAL, column="sha256", regex=r"^$|^[0-9a-f]{64}$"),
    ]


def sql_checks_suite(severities: Mapping[str, str]) -> list[gxe.Expectation]:
    """Mirror of the SQL checks for Data Docs: over a frame with one row per check, violations must be 0."""
    notes = _check_descriptions()
    return [
        _expect(gxe.ExpectColumnValuesToBeInSet, severities[name], column="violations", value_set=[0],
                row_condition=Column("check") == name,
                description=f"sql check {name}: {notes.get(name) or 'must return zero rows'}")
        for name in sorted(severities)
    ]


def build_suites(*, current_year: int, unknown_agency_id: str) -> dict[str, list[gxe.Expectation]]:
    """Table -> its expectations. Exposed so other modules (and tests) can inspect what is enforced."""
    return {
        "raw_report": raw_report_suite(),
        "fact_report": fact_report_suite(current_year, unknown_agency_id),
        "fact_metric": fact_metric_suite(current_year, metric_catalog()),
        "dim_agency": dim_agency_suite(),
        "quarantine": quarantine_suite(),
    }


# ------------------------------------------------------------------------------------------------ validation


def _context(docs_dir: pathlib.Path | None) -> AbstractDataContext:
    # GX logs every ephemeral context's temporary docs folder at INFO into the run's log, from a module logger
    # it sets to INFO itself (so the parent logger's level does not reach it).
    logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)
    if docs_dir is None:
        context = gx.get_context(mode="ephemeral")
    else:
        docs_dir.mkdir(parents=True, exist_ok=True)
        context = gx.get_context(mode="file", project_root_dir=docs_dir)
    # The validator draws tqdm bars on stderr unless the context disables them.
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


def _jsonable(value: Any) -> Any:
    """Plain JSON types for examples: NaN/NaT -> None, numpy scalars -> Python, dates -> ISO strings."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.time)):  # includes datetime and pd.Timestamp
        return value.isoformat()
    if isinstance(value, np.datetime64):  # .tolist() would give bare nanoseconds
        return _jsonable(pd.Timestamp(value))
    if hasattr(value, "tolist"):  # numpy scalars and arrays (e.g. fact_report.flags)
        return _jsonable(value.tolist())
    return str(value)


def _column_of(kwargs: Mapping[str, Any]) -> str | None:
    if kwargs.get("column"):
        return kwargs["column"]
    if kwargs.get("column_A"):
        return f"{kwargs['column_A']},{kwargs['column_B']}"
    if kwargs.get("column_list"):
        return ",".join(kwargs["column_list"])
    return None


def _outcome(table: str, result: Any) -> Outcome:
    config = result.expectation_config
    meta = config.meta or {}
    severity = meta.get("severity") or str(getattr(config.severity, "value", config.severity) or CRITICAL)
    res = result.result or {}
    exception = result.exception_info or {}
    if exception.get("raised_exception"):
        # An expectation that could not run (e.g. a missing column) proves nothing: count it as failed.
        examples: list = [str(exception.get("exception_message"))]
        unexpected = 0
    elif "partial_unexpected_list" in res:
        examples = _jsonable(res["partial_unexpected_list"][:MAX_EXAMPLES])
        unexpected = int(res.get("unexpected_count") or 0)
    else:  # table-level expectation: report what mismatched instead of offending values
        details = res.get("details") or {}
        examples = [_jsonable(details)] if details and not result.success else []
        unexpected = 0 if result.success else 1
    return Outcome(table=table, expectation=config.type, column=_column_of(config.kwargs), severity=severity,
                   success=bool(result.success), unexpected_count=unexpected, examples=examples)


def _sql_outcomes(sql_checks: Mapping[str, tuple[str, pd.DataFrame]]) -> list[Outcome]:
    out = []
    for name, (severity, frame) in sorted(sql_checks.items()):
        if severity not in SEVERITIES:
            raise ValueError(f"sql check {name}: unknown severity {severity!r}")
        rows = frame.head(MAX_EXAMPLES).to_dict("records")
        out.append(Outcome(table=name, expectation=f"sql_check:{name}", column=None, severity=severity,
                           success=len(frame) == 0, unexpected_count=len(frame), examples=_jsonable(rows)))
    return out


def _with_signed(frame: pd.DataFrame) -> pd.DataFrame:
    """fact_metric needs `signed`; derive it from the catalog when the caller did not join it."""
    if "signed" in frame.columns:
        return frame
    catalog = metric_catalog()
    return frame.assign(signed=frame["metric_code"].map(catalog) if "metric_code" in frame.columns else None)


def _as_pandas(frame: Any) -> pd.DataFrame:
    # GX Core only validates pandas frames; accept polars too so callers need not remember.
    return frame.to_pandas() if hasattr(frame, "to_pandas") and not hasattr(frame, "iloc") else frame


def _run_suite(context: AbstractDataContext, source: Any, name: str, expectations: list[gxe.Expectation],
               frame: pd.DataFrame, run_id: RunIdentifier) -> Any:
    """One suite, one validation definition, one run over the whole frame."""
    try:
        asset = source.get_asset(name)
    except LookupError:
        asset = source.add_dataframe_asset(name)
    try:
        batch_definition = asset.get_batch_definition("whole")
    except KeyError:
        batch_definition = asset.add_batch_definition_whole_dataframe("whole")
    suite = gx.ExpectationSuite(name=name, expectations=expectations)
    suite = context.suites.add_or_update(suite)
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=name, data=batch_definition, suite=suite))
    return definition.run(batch_parameters={"dataframe": frame}, result_format=RESULT_FORMAT, run_id=run_id)


def _result_id(suite: str, run_id: RunIdentifier, batch_id: str | None) -> ValidationResultIdentifier:
    # The key ValidationDefinition.run stores the result under (suite, run name, run time, batch).
    return ValidationResultIdentifier(ExpectationSuiteIdentifier(name=suite), run_id, batch_id)


def _result_page(result_id: ValidationResultIdentifier) -> str:
    """Site-relative path of a validation result page; mirrors how GX's HtmlSiteStore names it."""
    return "validations/" + "/".join(result_id.to_tuple()) + ".html"


def _summarise_in_index(index: pathlib.Path, outcomes: list[Outcome], run_id: RunIdentifier,
                        pages: Mapping[str, str]) -> None:
    """Put this run's failed expectations at the top of the Data Docs index.

    GX's index only lists validation runs (suite, run, pass/fail) and its pages never show severity, so a
    reader had to open every failed run to learn what blocked the load. The block is rebuilt on each call
    because build_data_docs rewrites index.html from scratch.
    """
    if not index.is_file():
        return
    failed = sorted((o for o in outcomes if not o.success), key=lambda o: (o.severity != CRITICAL, o.table))
    when = run_id.run_time.strftime("%Y-%m-%d %H:%M:%S UTC") if run_id.run_time else ""
    title = f"Run {escape(run_id.run_name or '')} ({when}): "
    if not failed:
        body = f"<p>{title}every expectation passed.</p>"
    else:
        n_critical = sum(o.severity == CRITICAL for o in failed)
        rows = []
        for o in failed:
            page = pages.get(o.table)
            where = f'<a href="{escape(page)}">{escape(o.table)}</a>' if page else escape(o.table)
            examples = json.dumps(o.examples, ensure_ascii=False, default=str)
            examples = examples if len(examples) <= 300 else examples[:300] + "..."
            rows.append(f"<tr><td>{escape(o.severity)}</td><td>{where}</td><td>{escape(o.expectation)}</td>"
                        f"<td>{escape(o.column or '')}</td><td>{o.unexpected_count}</td>"
                        f"<td><code>{escape(examples)}</code></td></tr>")
        body = (f"<p>{title}{n_critical} critical and {len(failed) - n_critical} warning expectation(s) failed."
                "</p><table class=\"table table-sm\"><thead><tr><th>Severity</th><th>Table / check</th>"
                "<th>Expectation</th><th>Column</th><th>Unexpected</th><th>Examples</th></tr></thead><tbody>"
                + "".join(rows) + "</tbody></table>")
    block = (f'{_INDEX_MARK}<div id="load-failures" class="alert alert-{"danger" if failed else "success"}">'
             f"<h5>Failed expectations of the latest load</h5>{body}</div>{_INDEX_MARK}")
    html = index.read_text(encoding="utf-8")
    anchor = html.find('<div id="section-1"')
    if anchor < 0:  # layout changed: fall back to the top of the body
        anchor = html.find(">", html.find("<body")) + 1
    index.write_text(html[:anchor] + block + html[anchor:], encoding="utf-8")


def validate_batch(frames: dict[str, pd.DataFrame], sql_checks: dict[str, tuple[str, pd.DataFrame]],
                   *, current_year: int, unknown_agency_id: str, docs_dir: pathlib.Path | None = None,
                   run_name: str = "load") -> list[Outcome]:
    """frames: table name -> staged rows (pandas) for any subset of the five tables (skip suites whose frame is absent).
    sql_checks: check name -> (severity, frame of violating rows) computed elsewhere by DuckDB queries that must
    return zero rows; each becomes one Outcome (success = frame is empty), and is also shown in Data Docs as a
    small 'sql_checks' suite over a summary frame (one row per check and its violation count, expecting 0).
    docs_dir: when given, use a file-mode GX context rooted there, persist suites + validation results, and build
    Data Docs (HTML) into it; return fast when None (ephemeral context, no docs)."""
    unknown = set(frames) - set(TABLES)
    if unknown:
        raise ValueError(f"no suite for {sorted(unknown)}; known tables: {list(TABLES)}")
    docs_dir = pathlib.Path(docs_dir) if docs_dir is not None else None
    context = _context(docs_dir)
    # A file context keeps the data source between calls; add_or_update reuses it and its assets.
    source = context.data_sources.add_or_update_pandas("staging")
    run_id = RunIdentifier(run_name=run_name, run_time=dt.datetime.now(dt.UTC))
    suites = build_suites(current_year=current_year, unknown_agency_id=unknown_agency_id)

    outcomes: list[Outcome] = []
    pages: dict[str, str] = {}  # table or sql check -> its validation page, relative to the docs site
    built: list[Any] = []  # what this call adds to Data Docs
    for table in TABLES:
        if table not in frames:
            continue
        frame = _as_pandas(frames[table])
        if frame.shape == (0, 0):  # "nothing staged" given as a bare DataFrame(): same as no rows
            frame = pd.DataFrame(columns=COLUMNS[table])
        if table == "fact_metric":
            frame = _with_signed(frame)
        result = _run_suite(context, source, table, suites[table], frame, run_id)
        outcomes += [_outcome(table, r) for r in result.results]
        built += [ExpectationSuiteIdentifier(name=table), _result_id(table, run_id, result.batch_id)]
        pages[table] = _result_page(built[-1])
    outcomes += _sql_outcomes({k: (s, _as_pandas(f)) for k, (s, f) in sql_checks.items()})
    if docs_dir is not None:
        if sql_checks:
            summary = pd.DataFrame({
                "check": sorted(sql_checks),
                "severity": [sql_checks[k][0] for k in sorted(sql_checks)],
                "violations": [len(sql_checks[k][1]) for k in sorted(sql_checks)],
            })
            severities = {k: s for k, (s, _) in sql_checks.items()}
            result = _run_suite(context, source, SQL_SUITE, sql_checks_suite(severities), summary, run_id)
            built += [ExpectationSuiteIdentifier(name=SQL_SUITE), _result_id(SQL_SUITE, run_id, result.batch_id)]
            pages.update(dict.fromkeys(sql_checks, _result_page(built[-1])))
        # Render only this call's suites and results (plus the index): a full rebuild re-renders every past
        # load's results and grows slower with each load.
        context.build_data_docs(resource_identifiers=built)
        _summarise_in_index(docs_index(docs_dir), outcomes, run_id, pages)
    return outcomes


# The identities v_quality_issues checks (warehouse/views/20_quality.sql): a report whose own tables do not
# add up is published and counted, never blocked; the figures are what the agency wrote.
QUALITY_CHECKS = ("balance", "row_total", "handled_sum", "review_total", "carry_over", "prose_vs_table")


def quality_suite() -> list[gxe.Expectation]:
    return [
        _expect(gxe.ExpectColumnValuesToBeInSet, WARNING, column="issues", value_set=[0],
                row_condition=Column("check") == name,
                description=f"v_quality_issues {name}: the reports' own arithmetic holds")
        for name in QUALITY_CHECKS
    ]


def validate_quality(counts: Mapping[str, int], run_name: str = "load") -> list[Outcome]:
    """GX warnings over this run's v_quality_issues counts by check (one row per check, expecting 0)."""
    unknown = set(counts) - set(QUALITY_CHECKS)
    if unknown:
        raise ValueError(f"unknown quality checks {sorted(unknown)}")
    frame = pd.DataFrame({"check": list(QUALITY_CHECKS), "issues": [int(counts.get(c, 0)) for c in QUALITY_CHECKS]})
    context = _context(None)
    source = context.data_sources.add_or_update_pandas("published")
    run_id = RunIdentifier(run_name=run_name, run_time=dt.datetime.now(dt.UTC))
    result = _run_suite(context, source, "quality_issues", quality_suite(), frame, run_id)
    return [_quality_outcome(r, frame) for r in result.results]


def _quality_outcome(result: Any, frame: pd.DataFrame) -> Outcome:
    name = result.expectation_config.kwargs["row_condition"]
    check = next(c for c in QUALITY_CHECKS if c in str(name))
    issues = int(frame.loc[frame["check"] == check, "issues"].iloc[0])
    return Outcome(table=f"quality:{check}", expectation=result.expectation_config.type, column="issues",
                   severity=WARNING, success=bool(result.success), unexpected_count=issues,
                   examples=[{"check": check, "issues": issues}])


def merge_outcomes(parts: list[list[Outcome]]) -> list[Outcome]:
    """One outcome per expectation from validations of disjoint parts of a run (the same suites, in the same
    order, each part with a subset of the tables): it passes when every part passed, its unexpected rows add
    up, and the first parts' examples are kept."""
    merged: dict[tuple, Outcome] = {}
    for outcomes in parts:
        seen: Counter[tuple] = Counter()
        for o in outcomes:
            base = (o.table, o.expectation, o.column, o.severity)
            key = (*base, seen[base])  # the n-th expectation of that shape in its suite
            seen[base] += 1
            prev = merged.get(key)
            merged[key] = o if prev is None else Outcome(
                table=o.table, expectation=o.expectation, column=o.column, severity=o.severity,
                success=prev.success and o.success, unexpected_count=prev.unexpected_count + o.unexpected_count,
                examples=(prev.examples + o.examples)[:MAX_EXAMPLES])
    return list(merged.values())
