"""Tests for expectations.suites (GX suites + gate) and expectations/checks/*.sql (cross-table DuckDB checks)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import pathlib
import re
from collections.abc import Callable

import duckdb
import pandas as pd
import pytest

from expectations import spans
from expectations.suites import (
    CRITICAL,
    TABLES,
    WARNING,
    Outcome,
    docs_index,
    load_checks,
    metric_catalog,
    validate_batch,
)
from warehouse import db

ROOT = pathlib.Path(__file__).resolve().parent.parent

YEAR = 2025
UNKNOWN = "agency-unknown"
R1, R2 = "1" * 64, "2" * 64
TEXT1 = "2020年，本机关共收到政府信息公开申请12件，行政许可项目减少3项。"
TEXT2 = "二〇二一年度报告。本年新收申请10件，上年结转2件，办理结果总计11件，结转下年度继续办理1件。"


def span(text: str, fragment: str) -> tuple[int, int]:
    start = text.index(fragment)
    return start, start + len(fragment)


def metric(report_id: str, text: str, code: str, value: float, evidence: str, *, breakdown: str = "",
           qualifier: str = "exact", unit: str = "件", agency: str = "agency-a", year: int = 2020) -> dict:
    start, end = span(text, evidence)
    return {"report_id": report_id, "agency_id": agency, "report_year": year, "metric_code": code,
            "breakdown": breakdown, "value": value, "unit": unit, "qualifier": qualifier,
            "span_start": start, "span_end": end, "evidence": evidence, "rule": f"prose:{code}", "page": None}


def clean_rows() -> dict[str, list[dict]]:
    """A small, internally consistent batch: passes every expectation and every SQL check."""
    seen = dt.datetime(2026, 1, 2, 3, 4, 5)
    metrics = [
        metric(R1, TEXT1, "requests.received", 12.0, "收到政府信息公开申请12件"),
        # signed metric: a decrease is a legitimate negative value
        metric(R1, TEXT1, "licensing.items_change", -3.0, "减少3项", unit="项"),
        metric(R2, TEXT2, "requests.received", 10.0, "新收申请10件", agency="agency-b", year=2021),
        metric(R2, TEXT2, "requests.carried_in", 2.0, "上年结转2件", agency="agency-b", year=2021),
        metric(R2, TEXT2, "requests.handled_total", 11.0, "办理结果总计11件", agency="agency-b", year=2021),
        metric(R2, TEXT2, "requests.carried_out", 1.0, "结转下年度继续办理1件", agency="agency-b", year=2021),
        # same code and breakdown with another value is allowed by the compound key
        metric(R2, TEXT2, "consultations.total", 0.0, "本年", agency="agency-b", year=2021, qualifier="stated_none",
               unit="人次"),
    ]
    return {
        "raw_report": [
            {"sha256": R1, "source_path": "a.txt", "n_bytes": 120, "encoding": "utf-8", "raw_text": TEXT1,
             "first_seen": seen, "last_seen": seen},
            {"sha256": R2, "source_path": "b.txt", "n_bytes": 90, "encoding": "gb18030", "raw_text": TEXT2,
             "first_seen": seen, "last_seen": seen + dt.timedelta(days=1)},
        ],
        "fact_report": [
            {"report_id": R1, "agency_id": "agency-a", "agency_as_written": "甲局", "report_year": 2020,
             "published_on": dt.date(2021, 1, 20), "signed_on": dt.date(2021, 1, 15), "script": "simplified",
             "layout": "free_form", "title": "甲局2020年政府信息公开工作年度报告", "normalized_text": TEXT1,
             "flags": [], "source_path": "a.txt", "run_id": "run-1", "division_code_in_year": "370900",
             **_NO_PAGE_FIELDS},
            {"report_id": R2, "agency_id": "agency-b", "agency_as_written": "乙局", "report_year": 2021,
             "published_on": dt.date(2022, 1, 30), "signed_on": None, "script": "traditional",
             "layout": "standard_table", "title": None, "normalized_text": TEXT2,
             "flags": ["year_inferred_from_truncated_date"], "source_path": "b.txt", "run_id": "run-1",
             "division_code_in_year": None, **_NO_PAGE_FIELDS},
        ],
        "fact_metric": metrics,
        "dim_agency": [
            {"agency_id": "agency-a", "agency_name": "泰安市甲局", "province": "山东省", "city": "泰安市",
             "county": None, "level": "city", "division_code": "370900", "former_division_codes": []},
            {"agency_id": "agency-b", "agency_name": "山东省乙局", "province": "山东省", "city": None,
             "county": None, "level": "province", "division_code": "370000",
             "former_division_codes": []},
            {"agency_id": UNKNOWN, "agency_name": "(unknown)", "province": None, "city": None, "county": None,
             "level": "unknown", "division_code": None, "former_division_codes": []},
        ],
        "quarantine": [
            {"sha256": "3" * 64, "source_path": "c.bin", "reason": "binary_file", "run_id": "run-1",
             "quarantined_at": seen},
            {"sha256": "", "source_path": "d.txt", "reason": "unreadable", "run_id": "run-1",
             "quarantined_at": seen},
        ],
    }


_NO_PAGE_FIELDS = dict.fromkeys(("page_index_no", "page_publisher", "page_disclosed_on", "page_document_no"))


def frames_of(rows: dict[str, list[dict]]) -> dict[str, pd.DataFrame]:
    """pandas frames as the warehouse hands them over: fact_metric carries `signed` joined from the catalog."""
    frames = {table: pd.DataFrame(table_rows) for table, table_rows in rows.items()}
    fm = frames["fact_metric"]
    frames["fact_metric"] = fm.assign(signed=fm["metric_code"].map(metric_catalog()))
    return frames


def run(frames: dict[str, pd.DataFrame], sql_checks: dict | None = None, **kwargs) -> list[Outcome]:
    return validate_batch(frames, sql_checks or {}, current_year=YEAR, unknown_agency_id=UNKNOWN, **kwargs)


def failed(outcomes: list[Outcome], severity: str) -> set[tuple[str, str, str | None]]:
    return {(o.table, o.expectation, o.column) for o in outcomes if not o.success and o.severity == severity}


# ------------------------------------------------------------------------------------------------ GX suites


def test_clean_batch_passes_every_expectation() -> None:
    outcomes = run(frames_of(clean_rows()))
    assert failed(outcomes, CRITICAL) == set()
    assert failed(outcomes, WARNING) == set()
    assert {o.table for o in outcomes} == set(TABLES)
    # the protections the brief asks for are really in the suites, with the right severity
    tagged = {(o.table, o.expectation, o.column): o.severity for o in outcomes}
    for key in [
        ("raw_report", "expect_column_values_to_be_unique", "sha256"),
        ("fact_report", "expect_column_values_to_be_unique", "report_id"),
        ("dim_agency", "expect_column_values_to_be_unique", "agency_id"),
        ("fact_metric", "expect_compound_columns_to_be_unique", "report_id,metric_code,breakdown,value"),
        ("fact_report", "expect_column_values_to_be_between", "report_year"),
        ("fact_metric", "expect_column_values_to_be_in_set", "metric_code"),
        ("fact_metric", "expect_column_values_to_not_be_null", "breakdown"),
        ("fact_report", "expect_column_values_to_be_in_set", "layout"),
        ("fact_report", "expect_column_values_to_be_in_set", "script"),
    ]:
        assert tagged[key] == CRITICAL, key
    assert tagged[("fact_report", "expect_column_values_to_not_be_null", "report_year")] == WARNING
    assert tagged[("fact_report", "expect_column_values_to_not_be_in_set", "agency_id")] == WARNING


def test_outcomes_are_json_serialisable_and_examples_capped() -> None:
    rows = clean_rows()
    rows["fact_metric"] = [dict(rows["fact_metric"][0], qualifier=f"bad{i}") for i in range(9)]
    outcomes = run(frames_of(rows))
    json.dumps([dataclasses.asdict(o) for o in outcomes], ensure_ascii=False)
    bad = next(o for o in outcomes if o.column == "qualifier" and o.expectation.endswith("in_set"))
    assert not bad.success and bad.unexpected_count == 9 and len(bad.examples) == 5


def _dup_report(rows: dict) -> None:
    rows["fact_report"].append(dict(rows["fact_report"][0]))


def _year_2007(rows: dict) -> None:
    rows["fact_report"][0]["report_year"] = 2007


def _future_year(rows: dict) -> None:
    rows["fact_report"][0]["report_year"] = YEAR + 1


def _unknown_code(rows: dict) -> None:
    rows["fact_metric"][0]["metric_code"] = "requests.made_up"


def _negative_unsigned(rows: dict) -> None:
    rows["fact_metric"][0]["value"] = -12.0


def _bad_qualifier(rows: dict) -> None:
    rows["fact_metric"][0]["qualifier"] = "roughly"


def _span_backwards(rows: dict) -> None:
    m = rows["fact_metric"][0]
    m["span_start"], m["span_end"] = m["span_end"], m["span_start"]


def _negative_span_start(rows: dict) -> None:
    rows["fact_metric"][0]["span_start"] = -1


def _dup_metric_key(rows: dict) -> None:
    rows["fact_metric"].append(dict(rows["fact_metric"][0], span_start=0))


def _null_breakdown(rows: dict) -> None:
    rows["fact_metric"][0]["breakdown"] = None


def _bad_layout(rows: dict) -> None:
    rows["fact_report"][0]["layout"] = "table"


def _bad_script(rows: dict) -> None:
    rows["fact_report"][1]["script"] = "zh-Hant"


def _dup_sha(rows: dict) -> None:
    rows["raw_report"].append(dict(rows["raw_report"][0], source_path="copy.txt"))


def _dup_agency(rows: dict) -> None:
    rows["dim_agency"].append(dict(rows["dim_agency"][0], agency_name="another"))


def _missing_column(rows: dict) -> None:
    for m in rows["fact_metric"]:
        del m["evidence"]


BAD_ROWS: dict[str, tuple[Callable[[dict], None], set[tuple[str, str, str | None]]]] = {
    "duplicate report_id": (_dup_report, {("fact_report", "expect_column_values_to_be_unique", "report_id")}),
    "report_year 2007": (_year_2007, {("fact_report", "expect_column_values_to_be_between", "report_year")}),
    "report_year after current_year": (
        _future_year, {("fact_report", "expect_column_values_to_be_between", "report_year")}),
    "unknown metric_code": (_unknown_code, {("fact_metric", "expect_column_values_to_be_in_set", "metric_code")}),
    "negative unsigned value": (_negative_unsigned, {("fact_metric", "expect_column_values_to_be_between", "value")}),
    "bad qualifier": (_bad_qualifier, {("fact_metric", "expect_column_values_to_be_in_set", "qualifier")}),
    "span_end < span_start": (
        _span_backwards, {("fact_metric", "expect_column_pair_values_a_to_be_greater_than_b", "span_end,span_start")}),
    "span_start < 0": (_negative_span_start, {("fact_metric", "expect_column_values_to_be_between", "span_start")}),
    "duplicate fact_metric key": (
        _dup_metric_key,
        {("fact_metric", "expect_compound_columns_to_be_unique", "report_id,metric_code,breakdown,value")}),
    "null breakdown": (_null_breakdown, {("fact_metric", "expect_column_values_to_not_be_null", "breakdown")}),
    "bad layout": (_bad_layout, {("fact_report", "expect_column_values_to_be_in_set", "layout")}),
    "bad script": (_bad_script, {("fact_report", "expect_column_values_to_be_in_set", "script")}),
    "duplicate sha256": (_dup_sha, {("raw_report", "expect_column_values_to_be_unique", "sha256")}),
    "duplicate agency_id": (_dup_agency, {("dim_agency", "expect_column_values_to_be_unique", "agency_id")}),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_bad_row_fails_the_right_critical_expectation(case: str) -> None:
    mutate, expected = BAD_ROWS[case]
    rows = clean_rows()
    mutate(rows)
    tables = {t for t, _, _ in expected}
    outcomes = run({t: f for t, f in frames_of(rows).items() if t in tables})
    assert failed(outcomes, CRITICAL) == expected


def test_negative_value_on_signed_metric_passes() -> None:
    rows = clean_rows()
    signed = [m for m in rows["fact_metric"] if metric_catalog()[m["metric_code"]]]
    assert signed and all(m["value"] < 0 for m in signed)  # the clean batch already holds one
    rows["fact_metric"].append(dict(signed[0], value=-250.0))
    outcomes = run({"fact_metric": frames_of(rows)["fact_metric"]})
    assert failed(outcomes, CRITICAL) == set()


def test_signed_column_is_derived_when_absent() -> None:
    rows = clean_rows()
    _negative_unsigned(rows)
    outcomes = run({"fact_metric": pd.DataFrame(rows["fact_metric"])})  # no `signed` column
    assert failed(outcomes, CRITICAL) == {("fact_metric", "expect_column_values_to_be_between", "value")}


def test_missing_column_is_a_critical_failure() -> None:
    rows = clean_rows()
    _missing_column(rows)
    outcomes = run({"fact_metric": frames_of(rows)["fact_metric"]})
    assert ("fact_metric", "expect_table_columns_to_match_set", None) in failed(outcomes, CRITICAL)


def test_warning_failures_do_not_count_as_critical() -> None:
    rows = clean_rows()
    rows["fact_report"][0]["agency_id"] = UNKNOWN
    rows["fact_report"][1]["report_year"] = None
    rows["fact_report"][1]["division_code_in_year"] = "3709"
    outcomes = run({"fact_report": frames_of(rows)["fact_report"]})
    assert failed(outcomes, CRITICAL) == set()
    assert failed(outcomes, WARNING) == {
        ("fact_report", "expect_column_values_to_not_be_in_set", "agency_id"),
        ("fact_report", "expect_column_values_to_not_be_null", "report_year"),
        ("fact_report", "expect_column_values_to_match_regex", "division_code_in_year"),
    }
    unknown = next(o for o in outcomes if o.column == "agency_id" and not o.success)
    assert unknown.unexpected_count == 1 and unknown.examples == [UNKNOWN]


def test_empty_frames_pass() -> None:
    frames = {t: f.iloc[0:0] for t, f in frames_of(clean_rows()).items()}
    frames["quarantine"] = pd.DataFrame()  # a bare empty frame means nothing staged too
    outcomes = run(frames, {"metric_report_exists": (CRITICAL, pd.DataFrame())})
    assert outcomes and all(o.success for o in outcomes)


def test_polars_frames_are_accepted() -> None:
    import polars as pl

    rows = clean_rows()
    _bad_layout(rows)
    outcomes = run({"dim_agency": pl.DataFrame(rows["dim_agency"]), "fact_report": pl.from_pandas(
        frames_of(rows)["fact_report"])})
    assert failed(outcomes, CRITICAL) == {("fact_report", "expect_column_values_to_be_in_set", "layout")}


def test_sql_check_with_rows_is_a_failed_outcome() -> None:
    violations = pd.DataFrame({"report_id": [R1, R2], "span_end": [500, 600]})
    outcomes = run({}, {"span_inside_text": (CRITICAL, violations),
                        "published_before_year_end": (WARNING, pd.DataFrame({"report_id": []}))})
    by_name = {o.table: o for o in outcomes}
    bad = by_name["span_inside_text"]
    assert bad == Outcome(table="span_inside_text", expectation="sql_check:span_inside_text", column=None,
                          severity=CRITICAL, success=False, unexpected_count=2,
                          examples=[{"report_id": R1, "span_end": 500}, {"report_id": R2, "span_end": 600}])
    assert by_name["published_before_year_end"].success
    assert failed(outcomes, WARNING) == set()


def test_no_progress_bars(capfd: pytest.CaptureFixture[str]) -> None:
    run(frames_of(clean_rows()))
    out, err = capfd.readouterr()
    assert "it/s" not in out + err and "Calculating Metrics" not in out + err


def test_docs_dir_builds_data_docs_naming_failures(tmp_path: pathlib.Path) -> None:
    rows = clean_rows()
    _dup_report(rows)
    checks = {"span_inside_text": (CRITICAL, pd.DataFrame({"report_id": [R1]}))}
    outcomes = run(frames_of(rows), checks, docs_dir=tmp_path, run_name="test-load")
    assert failed(outcomes, CRITICAL) == {("fact_report", "expect_column_values_to_be_unique", "report_id"),
                                          ("span_inside_text", "sql_check:span_inside_text", None)}
    index = docs_index(tmp_path)
    assert index.is_file()
    html = index.read_text(encoding="utf-8")
    assert "expect_column_values_to_be_unique" in html and "span_inside_text" in html
    assert "expect_column_values_to_be_in_set" not in html  # only failures are listed
    # the failure summary links to GX's validation page of the failed suite, which exists
    links = re.findall(r'href="(validations/fact_report/test-load/[^"]+\.html)"', html)
    assert links and (index.parent / links[0]).is_file()
    # suites are persisted, and a second load into the same docs_dir works
    assert (tmp_path / "gx" / "expectations" / "fact_metric.json").is_file()
    again = run(frames_of(clean_rows()), docs_dir=tmp_path)
    assert failed(again, CRITICAL) == set()
    assert "every expectation passed" in docs_index(tmp_path).read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------- SQL checks


def sql_literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, list):
        return "[" + ", ".join(sql_literal(v) for v in value) + "]"
    return "'" + str(value).replace("'", "''") + "'"


def create_from_literals(con: duckdb.DuckDBPyConnection, name: str, like: str, rows: list[dict]) -> None:
    """CREATE TABLE name AS SELECT literal rows, cast to the column types of the published table `like`."""
    types = {c: t for c, t, *_ in con.execute(f"DESCRIBE {like}").fetchall()}
    cols = list(types)
    values = ", ".join("(" + ", ".join(sql_literal(r.get(c)) for c in cols) + ")" for r in rows)  # absent: NULL
    casts = ", ".join(f"CAST({c} AS {types[c]}) AS {c}" for c in cols)
    con.execute(f"CREATE TABLE {name} AS SELECT {casts} FROM (VALUES {values}) AS v({', '.join(cols)})")


@pytest.fixture
def staging() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute((ROOT / "warehouse" / "ddl" / "01_tables.sql").read_text(encoding="utf-8"))
    con.execute(
        "INSERT INTO dim_metric SELECT code, unit, section, label_zh, CAST(signed AS BOOLEAN), notes "
        "FROM read_csv(?, header = true, all_varchar = true)", [str(ROOT / "warehouse" / "metric_catalog.csv")])
    rows = clean_rows()
    # Cases the checks must leave alone: an unbalanced free_form report, and a standard_table breakdown with
    # only three of the four request figures stated.
    rows["fact_metric"] += [
        metric(R1, TEXT1, "requests.handled_total", 99.0, "共收到"),
        metric(R1, TEXT1, "requests.carried_in", 1.0, "本机关"),
        metric(R1, TEXT1, "requests.carried_out", 1.0, "2020"),
        metric(R2, TEXT2, "requests.received", 3.0, "新收申请", breakdown="自然人", agency="agency-b", year=2021),
        metric(R2, TEXT2, "requests.carried_in", 3.0, "上年结转", breakdown="自然人", agency="agency-b", year=2021),
        metric(R2, TEXT2, "requests.handled_total", 1.0, "办理结果", breakdown="自然人", agency="agency-b",
               year=2021),
    ]
    for table in ("fact_report", "fact_metric", "dim_agency"):
        create_from_literals(con, f"stg_{table}", table, rows[table])
    yield con
    con.close()


def check_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {name: len(con.execute(sql).fetchall()) for name, _, sql in load_checks()}


R1_FIRST = f"report_id = '{R1}' AND metric_code = 'requests.received'"
R2_TOTAL = f"report_id = '{R2}' AND breakdown = ''"
SPAN_MUTATIONS = [
    f"UPDATE stg_fact_metric SET span_end = 1000 WHERE {R1_FIRST}",
    f"UPDATE stg_fact_metric SET evidence = '收到政府信息公开申请13件' WHERE {R1_FIRST}",
    f"UPDATE stg_fact_metric SET span_start = span_start + 1, span_end = span_end + 1 WHERE {R1_FIRST}",
    f"UPDATE stg_fact_metric SET span_start = -1 WHERE {R1_FIRST}",
    f"UPDATE stg_fact_metric SET evidence = NULL WHERE {R1_FIRST}",
    # runs past the end of the text although the evidence equals what Python's slice returns there
    "UPDATE stg_fact_metric AS m SET span_start = length(r.normalized_text) - 2, "
    "span_end = length(r.normalized_text) + 3, evidence = right(r.normalized_text, 2) "
    f"FROM stg_fact_report AS r WHERE r.report_id = m.report_id AND m.{R1_FIRST}",
]
MUTATIONS: dict[str, list[str]] = {
    "metric_report_exists": [f"DELETE FROM stg_fact_report WHERE report_id = '{R1}'"],
    "report_agency_exists": [f"UPDATE stg_fact_report SET agency_id = 'agency-z' WHERE report_id = '{R1}'"],
    "metric_matches_report": [
        f"UPDATE stg_fact_metric SET report_year = 2019 WHERE {R1_FIRST}",
        f"UPDATE stg_fact_metric SET agency_id = 'agency-b' WHERE {R1_FIRST}",
    ],
    "published_before_year_end": [
        f"UPDATE stg_fact_report SET published_on = DATE '2020-12-31' WHERE report_id = '{R1}'"],
    "request_table_balance": [
        f"UPDATE stg_fact_metric SET value = 12 WHERE {R2_TOTAL} AND metric_code = 'requests.handled_total'"],
    "metric_unit_matches_catalog": [f"UPDATE stg_fact_metric SET unit = '人次' WHERE {R1_FIRST}"],
}


def test_load_checks_lists_every_file_sorted_with_severity() -> None:
    checks = load_checks()
    names = [name for name, _, _ in checks]
    assert names == sorted(names) == sorted(p.stem for p in (ROOT / "expectations" / "checks").glob("*.sql"))
    severity = {name: sev for name, sev, _ in checks}
    for name in ("metric_report_exists", "report_agency_exists"):
        assert severity[name] == CRITICAL, name
    assert severity["published_before_year_end"] == severity["request_table_balance"] == WARNING
    assert set(MUTATIONS) == set(names), "every check needs a crafted bad case below"


def test_checks_return_no_rows_on_good_data(staging: duckdb.DuckDBPyConnection) -> None:
    assert check_counts(staging) == {name: 0 for name, _, _ in load_checks()}


def test_span_check_passes_good_data(staging: duckdb.DuckDBPyConnection) -> None:
    assert spans.span_violations(staging).empty


@pytest.mark.parametrize("mutation", SPAN_MUTATIONS)
def test_span_check_catches_crafted_bad_span(staging: duckdb.DuckDBPyConnection, mutation: str) -> None:
    staging.execute(mutation)
    bad = spans.span_violations(staging)
    assert list(bad["report_id"]) == [R1] and list(bad["metric_code"]) == ["requests.received"]
    assert set(bad.columns) >= {"span_start", "span_end", "evidence", "text_length", "text_at_span"}


@pytest.mark.parametrize(("check", "mutation"), [(c, m) for c, ms in MUTATIONS.items() for m in ms])
def test_check_catches_crafted_bad_row(staging: duckdb.DuckDBPyConnection, check: str, mutation: str) -> None:
    staging.execute(mutation)
    assert check_counts(staging)[check] > 0


def test_duckdb_staging_frames_validate_and_feed_sql_outcomes(staging: duckdb.DuckDBPyConnection) -> None:
    """The real hand-over: frames straight from DuckDB (Int32, datetime64, list columns) plus check results."""
    frames = {
        "fact_report": staging.table("stg_fact_report").df(),
        "dim_agency": staging.table("stg_dim_agency").df(),
        "fact_metric": staging.sql("SELECT m.*, d.signed FROM stg_fact_metric m "
                                   "LEFT JOIN dim_metric d USING (metric_code)").df(),
    }
    staging.execute(SPAN_MUTATIONS[0])
    checks = spans.python_checks(staging) | {name: (sev, staging.sql(sql).df()) for name, sev, sql in load_checks()}
    outcomes = run(frames, checks)
    assert failed(outcomes, CRITICAL) == {("span_inside_text", "sql_check:span_inside_text", None)}
    json.dumps([dataclasses.asdict(o) for o in outcomes], ensure_ascii=False)


def test_quality_check_names_in_the_view_are_those_gx_knows():
    """A check added to warehouse/views/20_quality.sql alone would make validate raise on its first issue."""
    import re
    from importlib import resources

    from expectations.suites import QUALITY_CHECKS

    sql = resources.files("warehouse").joinpath("views/20_quality.sql").read_text(encoding="utf-8")
    assert set(re.findall(r"'(\w+)' AS check_name", sql)) == set(QUALITY_CHECKS)


def test_suite_columns_come_from_the_ddl():
    import duckdb

    from expectations.suites import COLUMNS, NOT_NULL, PUBLISH_ONLY

    con = db.connect(":memory:")
    for table, columns in COLUMNS.items():
        ddl = [c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                                         "ORDER BY column_index", [table]).fetchall()]
        assert columns == [c for c in ddl if c not in PUBLISH_ONLY.get(table, ())]
        assert set(NOT_NULL[table]) <= set(columns)
    assert "rule" in NOT_NULL["fact_metric"] and "page" not in NOT_NULL["fact_metric"]
    assert isinstance(con, duckdb.DuckDBPyConnection)
