"""`govreport export --format parquet` and `govreport docs` on a sample warehouse: examples/reports plus two
fabricated copies of 005, one for 2026 and one with no year (so the export has a NULL-year partition)."""

from __future__ import annotations

import copy
import pathlib
import webbrowser
from datetime import datetime
from html.parser import HTMLParser

import duckdb
import polars as pl
import pytest

from expectations.suites import TABLES, docs_index
from flows import cli
from flows.discover import list_report_files
from tests.conftest import EXAMPLES
from transforms.decode import decode_files
from transforms.extract import extract_records
from transforms.normalize import normalize_batch
from warehouse import db

NULL_PARTITION = "report_year=__HIVE_DEFAULT_PARTITION__"  # DuckDB writes a NULL partition value as Hive does


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """build(years for the copies of 005) -> path of a fresh warehouse (closed, so others may open it)."""
    records = extract_records(normalize_batch(decode_files(list_report_files(EXAMPLES))))
    [shuyang] = [r for r in records if pathlib.Path(r["source"]).name.startswith("005_")]

    def _build(*years: int | None) -> pathlib.Path:
        batch = copy.deepcopy(records)
        for i, year in enumerate(years):
            batch.append({**copy.deepcopy(shuyang), "sha256": f"{i + 1}" * 64, "source": f"fabricated/{i}.html",
                          "report_year": year})
        path = tmp_path_factory.mktemp("wh") / "w.duckdb"
        con = db.connect(path)
        db.reset_staging(con)
        db.stage(con, db.frames_from_records(batch, "run1", datetime(2026, 1, 1)))
        db.publish(con)
        con.close()
        return path
    return _build


@pytest.fixture(scope="module")
def warehouse(build):
    return build(2026, None)


def objects(path: pathlib.Path, kind: str) -> dict[str, str | None]:
    """Table or view name -> its comment."""
    catalog, name = ("duckdb_tables()", "table_name") if kind == "table" else ("duckdb_views()", "view_name")
    with duckdb.connect(str(path), read_only=True) as con:
        return dict(con.execute(f"SELECT {name}, comment FROM {catalog} WHERE NOT internal").fetchall())


def counts(path: pathlib.Path, names) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {n: con.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in names}


def read(sql: str) -> list[tuple]:
    with duckdb.connect() as con:
        return con.execute(sql).fetchall()


def exported(out: pathlib.Path, name: str) -> str:
    """A read_parquet(...) over what the export wrote for a table or view."""
    if (out / name).is_dir():
        return f"read_parquet('{out / name}/*/*.parquet', hive_partitioning = true)"
    if (out / f"{name}.parquet").exists():
        return f"read_parquet('{out / name}.parquet')"
    return f"read_parquet('{out / 'views' / name}.parquet')"


# ---------------------------------------------------------------- export

def test_export_writes_every_table_and_view(warehouse, tmp_path, capsys):
    out = tmp_path / "export"
    assert cli.main(["export", "--format", "parquet", str(out), "--db", str(warehouse)]) == 0
    printed = capsys.readouterr().out
    names = {**objects(warehouse, "table"), **objects(warehouse, "view")}
    want = counts(warehouse, names)
    for name, rows in want.items():
        assert f"{name} " in printed and f" {rows:,} rows" in printed
    got = {n: read(f"SELECT count(*) FROM {exported(out, n)}")[0][0] for n in names}
    assert got == want
    assert {p.name for p in out.iterdir() if p.is_dir()} == {"fact_report", "fact_metric", "views"}


def test_facts_are_partitioned_by_year_with_null_years_kept(warehouse, tmp_path):
    out = tmp_path / "export"
    assert cli.main(["export", str(out), "--db", str(warehouse)]) == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        years = {y for (y,) in con.execute("SELECT DISTINCT report_year FROM fact_report").fetchall()}
        facts = con.execute("SELECT report_id, metric_code, breakdown, value, report_year, evidence FROM fact_metric "
                            "ORDER BY ALL").fetchall()
        reports = con.execute("SELECT report_id, report_year, agency_id, flags, is_current FROM fact_report "
                              "ORDER BY ALL").fetchall()
    assert None in years and 2026 in years
    for table in ("fact_report", "fact_metric"):
        assert {p.name for p in (out / table).iterdir()} == {
            NULL_PARTITION if y is None else f"report_year={y}" for y in years}
        # The year is in the folder name only (Hive layout): a file does not repeat the column.
        [one_file] = (out / table / "report_year=2026").glob("*.parquet")
        described = read(f"DESCRIBE SELECT * FROM read_parquet('{one_file}', hive_partitioning = false)")
        assert "report_year" not in [column for column, *_ in described]
    assert read(f"SELECT report_id, metric_code, breakdown, value, report_year, evidence "
                f"FROM {exported(out, 'fact_metric')} ORDER BY ALL") == facts
    assert read(f"SELECT report_id, report_year, agency_id, flags, is_current "
                f"FROM {exported(out, 'fact_report')} ORDER BY ALL") == reports
    # Another tool: polars reads the partitions as a column, the NULL partition as null.
    frame = pl.read_parquet(out / "fact_metric", hive_partitioning=True)
    assert frame.height == len(facts)
    assert frame["report_year"].null_count() == sum(f[4] is None for f in facts) > 0
    assert sorted(frame["report_year"].drop_nulls().unique()) == sorted(y for y in years if y is not None)


def test_dimensions_and_views_round_trip(warehouse, tmp_path):
    out = tmp_path / "export"
    assert cli.main(["export", str(out), "--db", str(warehouse)]) == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for sql in ("SELECT * FROM dim_agency ORDER BY ALL", "SELECT * FROM dim_metric ORDER BY ALL",
                    "SELECT report_id, report_year, grant_rate, refusal_rate FROM v_rates ORDER BY ALL"):
            table = sql.split(" FROM ")[1].split()[0]
            assert read(sql.replace(f"FROM {table}", f"FROM {exported(out, table)}")) == con.execute(sql).fetchall()


def test_export_again_replaces_and_drops_stale_years(warehouse, build, tmp_path):
    out = tmp_path / "export"
    for _ in range(2):
        assert cli.main(["export", str(out), "--db", str(warehouse)]) == 0
    assert read(f"SELECT count(*) FROM {exported(out, 'fact_metric')}") == [
        (counts(warehouse, ["fact_metric"])["fact_metric"],)]
    # A warehouse without the 2026 and NULL-year reports, exported over the same folder: their partitions go.
    smaller = build()
    assert cli.main(["export", str(out), "--db", str(smaller)]) == 0
    assert not (out / "fact_metric" / "report_year=2026").exists()
    assert not (out / "fact_report" / NULL_PARTITION).exists()
    assert read(f"SELECT count(*) FROM {exported(out, 'fact_metric')}") == [
        (counts(smaller, ["fact_metric"])["fact_metric"],)]


def test_export_refuses_a_folder_it_did_not_write_before_writing(warehouse, tmp_path, capsys):
    foreign = tmp_path / "export" / "fact_metric" / "notes.txt"
    foreign.parent.mkdir(parents=True)
    foreign.write_text("mine")
    assert cli.main(["export", str(tmp_path / "export"), "--db", str(warehouse)]) == 1
    assert "holds no earlier export" in capsys.readouterr().err
    assert foreign.read_text() == "mine"
    assert [p for p in (tmp_path / "export").rglob("*") if p.is_file()] == [foreign]  # nothing half-written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]  # no work folder left beside it


def test_export_again_keeps_a_file_it_did_not_write(warehouse, tmp_path):
    out = tmp_path / "export"
    assert cli.main(["export", str(out), "--db", str(warehouse)]) == 0
    partition = next((out / "fact_metric").iterdir())
    mine = partition / "notes.txt"
    mine.write_text("mine")
    assert cli.main(["export", str(out), "--db", str(warehouse)]) == 0
    assert mine.read_text() == "mine"
    assert read(f"SELECT count(*) FROM {exported(out, 'fact_metric')}") == [
        (counts(warehouse, ["fact_metric"])["fact_metric"],)]


# ---------------------------------------------------------------- docs

class SchemaPage(HTMLParser):
    """object -> {"kind", "comment", "rows", "columns": {column: [type, null, comment]}} from the schema page."""

    def __init__(self) -> None:
        super().__init__()
        self.objects: dict[str, dict] = {}
        self._object: dict | None = None
        self._column: list[str] | None = None
        self._field: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-object" in attrs:
            self._object = self.objects[attrs["data-object"]] = {
                "kind": attrs["data-kind"], "comment": "", "rows": "", "columns": {}}
        elif self._object is not None and "data-column" in attrs:
            self._column = self._object["columns"][attrs["data-column"]] = []
        elif self._column is not None and tag == "td":
            self._column.append("")
        elif self._object is not None and tag == "p" and attrs.get("class") == "comment":
            self._field = "comment"
        elif self._object is not None and "data-rows" in attrs:
            self._field = "rows"

    def handle_endtag(self, tag):
        if tag in ("p", "span"):
            self._field = None
        elif tag == "tr":
            self._column = None
        elif tag == "section":
            self._object = None

    def handle_data(self, data):
        if self._column:
            self._column[-1] += data
        elif self._field:
            self._object[self._field] += data


def test_docs_builds_schema_page_and_data_docs(warehouse, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(webbrowser, "open", lambda *a, **k: pytest.fail("--no-open opened a browser"))
    out = tmp_path / "docs"
    assert cli.main(["docs", "--db", str(warehouse), "--out", str(out), "--no-open"]) == 0
    printed = capsys.readouterr().out
    assert f"schema page:  {out / 'schema.html'}" in printed
    assert f"data docs:    {docs_index(out)}" in printed

    page = SchemaPage()
    page.feed((out / "schema.html").read_text(encoding="utf-8"))
    tables, views = objects(warehouse, "table"), objects(warehouse, "view")
    assert {n: o["kind"] for n, o in page.objects.items()} == {**dict.fromkeys(tables, "table"),
                                                                 **dict.fromkeys(views, "view")}
    rows = counts(warehouse, page.objects)
    for name, comment in {**tables, **views}.items():
        assert page.objects[name]["comment"] == (comment or ""), name
        assert int(page.objects[name]["rows"]) == rows[name], name
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = con.execute("SELECT table_name, column_name, data_type, is_nullable, comment FROM duckdb_columns() "
                              "WHERE NOT internal").fetchall()
    for table, column, data_type, nullable, comment in columns:
        assert page.objects[table]["columns"][column] == [
            column, data_type, "" if nullable else "NOT NULL", comment or ""], (table, column)
    assert sum(len(o["columns"]) for o in page.objects.values()) == len(columns)
    assert all(tables.values())  # the DDL comments every table: the page shows real text, not blanks

    # Data Docs from the published tables (the sample was never loaded with docs): one result page per table.
    index = docs_index(out)
    assert index.is_file()
    results = index.parent / "validations"
    assert {p.name for p in results.iterdir()} >= set(TABLES)
    assert "Failed expectations of the latest load" in index.read_text(encoding="utf-8")
