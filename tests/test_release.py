"""`govreport release DIR --version V` on the sample warehouse (examples/reports), built in process
(no Prefect), and on the same warehouse after a second load that adds one report and revises another."""

from __future__ import annotations

import copy
import hashlib
import json
import pathlib
import re
import shutil
from datetime import datetime

import duckdb
import frictionless
import pandas as pd
import polars as pl
import pytest
import yaml

from flows import cli
from flows.discover import list_report_files
from tests.conftest import EXAMPLES
from transforms.decode import decode_files
from transforms.extract import extract_records
from transforms.normalize import normalize_batch
from warehouse import db
from warehouse.release import (
    BOM,
    PANEL,
    PANEL_ID_COLUMNS,
    SUMS,
    build_release,
    previous_version,
    stata_names,
    version_key,
)

SHANGHAI, SHUYANG = "006", "005"  # 006: 1295 requests received in 2025; 005: 沭阳县发展和改革局 2023


@pytest.fixture(scope="module")
def records():
    return extract_records(normalize_batch(decode_files(list_report_files(EXAMPLES))))


def sample(batch, prefix):
    [found] = [r for r in batch if pathlib.Path(r["source"]).name.startswith(prefix + "_")]
    return found


def load(path: pathlib.Path, batch: list[dict], run: str) -> None:
    """Stage and publish a batch into the warehouse at path, as a load does (a second call is a second load)."""
    con = db.connect(path)
    try:
        db.reset_staging(con)
        db.stage(con, db.frames_from_records(batch, run, datetime(2026, 1, 1)))
        db.publish(con)
    finally:
        con.close()


def second_load(records) -> tuple[list[dict], str, str]:
    """The second load's batch: 005 again as its 2026 report (a new agency-year), and a revision of 006
    (same agency and year, published later, 1400 requests received instead of 1295)."""
    added = copy.deepcopy(sample(records, SHUYANG))
    added.update(sha256="a" * 64, source="fabricated/a_005.html", report_year=2026)
    revised = copy.deepcopy(sample(records, SHANGHAI))
    revised.update(sha256="b" * 64, source="fabricated/b_006.txt", published_on="2026-03-01")
    [received] = [m for m in revised["metrics"] if m["code"] == "requests.received" and m["breakdown"] == ""]
    received["value"] = 1400
    return [added, revised], "a" * 64, "b" * 64


def release(db_path: pathlib.Path, out: pathlib.Path, version: str):
    con = db.connect(db_path, read_only=True)
    try:
        return build_release(con, out, version)
    finally:
        con.close()


@pytest.fixture(scope="module")
def warehouse(records, tmp_path_factory) -> pathlib.Path:
    path = tmp_path_factory.mktemp("release_wh") / "w.duckdb"
    load(path, copy.deepcopy(records), "run1")
    return path


@pytest.fixture(scope="module")
def first(warehouse, tmp_path_factory) -> pathlib.Path:
    return release(warehouse, tmp_path_factory.mktemp("releases"), "1.0").path


@pytest.fixture(scope="module")
def two_releases(records, tmp_path_factory) -> tuple[pathlib.Path, pathlib.Path, str, str, pathlib.Path]:
    """Release 1.0 of the sample warehouse, then 1.1 of the same warehouse after the second load
    (-> the two release folders, the added and the revised report_id, the warehouse)."""
    path = tmp_path_factory.mktemp("release_wh2") / "w.duckdb"
    load(path, copy.deepcopy(records), "run1")
    out = tmp_path_factory.mktemp("releases2")
    old = release(path, out, "1.0").path
    batch, added, revised = second_load(records)
    load(path, batch, "run2")
    return old, release(path, out, "1.1").path, added, revised, path


def query(sql: str, params=()) -> list[tuple]:
    with duckdb.connect() as con:
        return con.execute(sql, list(params)).fetchall()


def sums(folder: pathlib.Path) -> dict[str, str]:
    return {line.split("  ", 1)[1]: line.split("  ", 1)[0]
            for line in (folder / SUMS).read_text(encoding="utf-8").splitlines()}


# ---------------------------------------------------------------- a Frictionless data package


def test_release_validates_as_a_frictionless_data_package(first):
    report = frictionless.Package(str(first / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])[:20]
    names = [t.name for t in report.tasks]
    assert {"dim_agency", "dim_metric", "dim_year", "fact_report", "fact_metric", PANEL,
            "v_metric_detail", "v_rates", "v_request_outcomes", "v_quality_issues", "v_report_sources"} <= set(names)


def test_a_release_says_where_each_report_came_from(first, warehouse):
    """A figure is citable with its report's address and retrieval date: v_report_sources carries them."""
    sources = pl.read_csv(first / "csv" / "v_report_sources.csv")
    assert {"report_id", "source_path", "source_url", "final_url", "retrieved_at", "http_status"} <= set(sources.columns)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert sources.height == con.execute("SELECT count(*) FROM fact_report").fetchone()[0] > 0


def test_datapackage_schema_comes_from_the_database(first, warehouse):
    package = json.loads((first / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        comments = dict(((t, c), comment) for t, c, comment in con.execute(
            "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE table_name LIKE 'fact%'").fetchall())
        columns = [r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = "
                                             "'fact_report' ORDER BY column_index").fetchall()]
        codes = sorted(r[0] for r in con.execute("SELECT metric_code FROM dim_metric").fetchall())
    fields = {f["name"]: f for f in resources["fact_metric"]["schema"]["fields"]}
    assert fields["value"]["description"] == comments[("fact_metric", "value")]
    assert fields["value"]["type"] == "number" and fields["span_start"]["type"] == "integer"
    assert fields["metric_code"]["constraints"]["enum"] == codes
    assert [f["name"] for f in resources["fact_report"]["schema"]["fields"]] == columns
    report_fields = {f["name"]: f for f in resources["fact_report"]["schema"]["fields"]}
    assert report_fields["flags"]["type"] == "array" and report_fields["published_on"]["type"] == "date"
    assert resources["fact_report"]["schema"]["primaryKey"] == ["report_id"]
    assert {"fields": ["metric_code"], "reference": {"resource": "dim_metric", "fields": ["metric_code"]}} in \
        resources["fact_metric"]["schema"]["foreignKeys"]
    assert resources[PANEL]["schema"]["primaryKey"] == ["agency_id", "report_year"]


def test_validation_finds_a_broken_release(first, tmp_path):
    """The check above can fail: a foreign key to no report, and a file whose bytes are not the listed ones."""
    broken = tmp_path / "broken"
    shutil.copytree(first, broken)
    path = broken / "csv" / "fact_metric.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[1] = "f" * 64 + lines[1][64:]  # the first fact now names a report the release does not have
    path.write_text("\n".join(lines), encoding="utf-8")
    descriptor = json.loads((broken / "datapackage.json").read_text(encoding="utf-8"))
    report = frictionless.Package(descriptor, basepath=str(broken)).validate()
    assert not report.valid
    errors = {e.type for task in report.tasks for e in task.errors}
    assert "hash-count" in errors
    for resource in descriptor["resources"]:
        del resource["hash"], resource["bytes"]
    errors = {e.type for task in frictionless.Package(descriptor, basepath=str(broken)).validate().tasks
              for e in task.errors}
    assert errors == {"foreign-key"}


# ---------------------------------------------------------------- the same warehouse, the same bytes


def test_same_warehouse_gives_identical_bytes(first, warehouse, tmp_path):
    again = release(warehouse, tmp_path, "1.0").path
    assert (again / SUMS).read_bytes() == (first / SUMS).read_bytes()
    listed = sums(again)
    on_disk = sorted(p.relative_to(again).as_posix() for p in again.rglob("*") if p.is_file() and p.name != SUMS)
    assert sorted(listed) == on_disk
    for rel, digest in listed.items():
        assert hashlib.sha256((again / rel).read_bytes()).hexdigest() == digest, rel


def test_rerun_into_the_same_folder_is_a_no_op(first, warehouse):
    before = {p: p.stat().st_mtime_ns for p in first.rglob("*")}
    result = release(warehouse, first.parent, "1.0")
    assert result.unchanged and result.path == first
    assert {p: p.stat().st_mtime_ns for p in first.rglob("*")} == before
    assert sorted(p.name for p in first.parent.iterdir()) == ["1.0"]  # no temporary folder left behind


def test_a_different_release_of_an_existing_version_is_refused(two_releases):
    old, _, _, _, db_path = two_releases
    before = (old / SUMS).read_bytes()
    with pytest.raises(FileExistsError, match="not overwritten"):
        release(db_path, old.parent, "1.0")
    assert (old / SUMS).read_bytes() == before
    assert sorted(p.name for p in old.parent.iterdir()) == ["1.0", "1.1"]


def test_csv_for_spreadsheets_is_the_plain_csv_after_a_bom(first):
    for plain in (first / "csv").glob("*.csv"):
        assert (first / "csv_bom" / plain.name).read_bytes() == BOM + plain.read_bytes()
        assert not plain.read_bytes().startswith(BOM)


def test_parquet_holds_the_rows_of_the_warehouse(first, warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        expected = con.execute("SELECT * FROM fact_metric ORDER BY ALL").fetchall()
        flags = con.execute("SELECT report_id, flags FROM fact_report ORDER BY report_id").fetchall()
    assert query(f"SELECT * FROM read_parquet('{first}/parquet/fact_metric.parquet')") == expected
    assert query(f"SELECT report_id, flags FROM read_parquet('{first}/parquet/fact_report.parquet')") == flags
    csv_flags = pl.read_csv(first / "csv" / "fact_report.csv")["flags"].to_list()
    assert [json.loads(f) for f in csv_flags] == [f for _, f in flags]


# ---------------------------------------------------------------- the panel and its Stata file


def test_panel_has_one_row_per_agency_and_year_with_the_reports_totals(first, warehouse):
    panel = pl.read_csv(first / "csv" / f"{PANEL}.csv", infer_schema_length=None)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        # A report may state two totals for a metric (004 gives proactive.website as 2302 and 2306): the larger.
        totals = con.execute("SELECT r.agency_id, r.report_year, m.metric_code, max(m.value) FROM fact_metric m "
                             "JOIN fact_report r USING (report_id) WHERE m.breakdown = '' AND r.is_current "
                             "GROUP BY ALL").fetchall()
        n_codes = con.execute("SELECT count(*) FROM dim_metric").fetchone()[0]
        current = con.execute("SELECT count(*) FROM fact_report WHERE is_current").fetchone()[0]
    assert panel.height == current == 7
    assert panel.select("agency_id", "report_year").is_unique().all()
    assert panel.width == len(PANEL_ID_COLUMNS) + n_codes
    for agency, year, code, value in totals:
        row = panel.filter((pl.col("agency_id") == agency) & (pl.col("report_year") == year))
        assert row[code].item() == value, (agency, year, code)
    stated = sum(panel[c].is_not_null().sum() for c in panel.columns[len(PANEL_ID_COLUMNS):])
    assert stated == len(totals)  # and no figure the reports do not state


def test_panel_takes_the_current_version_of_a_revised_report(two_releases):
    _, new, added, revised, _ = two_releases
    panel = pl.read_parquet(new / "parquet" / f"{PANEL}.parquet")
    shanghai = panel.filter(pl.col("agency_name") == "上海市人民政府办公厅")
    assert shanghai["report_id"].to_list() == [revised]
    assert shanghai["requests.received"].to_list() == [1400]
    assert panel.filter(pl.col("report_id") == added)["report_year"].to_list() == [2026]


def test_stata_file_holds_the_panel(first):
    panel = pd.read_csv(first / "csv" / f"{PANEL}.csv", dtype={"division_code": str, "division_code_in_year": str})
    names = stata_names(list(panel.columns[len(PANEL_ID_COLUMNS):]))
    with pd.io.stata.StataReader(first / "stata" / f"{PANEL}.dta") as reader:
        dta = reader.read()
        labels = reader.variable_labels()
    assert list(dta.columns) == list(panel.columns[:len(PANEL_ID_COLUMNS)]) + [names[c] for c in panel.columns[len(PANEL_ID_COLUMNS):]]
    assert all(len(n) <= 32 and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n) for n in dta.columns)
    assert labels[names["requests.received"]] == "requests.received"
    assert dta["agency_name"].tolist() == panel["agency_name"].tolist()  # Chinese survives (format 118)
    pd.testing.assert_series_equal(dta[names["requests.received"]], panel["requests.received"], check_names=False)


def test_stata_names_are_unique_when_cut_to_32_characters():
    codes = ["requests.not_processed.confirmation", "requests.not_processed.confirmation_x", "a.b"]
    names = stata_names(codes)
    assert names["a.b"] == "a_b"
    assert len(set(names.values())) == 3 and all(len(n) <= 32 for n in names.values())


# ---------------------------------------------------------------- CHANGES.md and versions


def changes_table(text: str, section: str) -> list[list[str]]:
    """The rows of one `## <section> (n)` table of CHANGES.md, cells stripped."""
    block = re.search(rf"^## {section} \((\d+)\)\n\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert block, section
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in block[2].splitlines()
            if line.startswith("|")][2:]
    assert len(rows) == int(block[1])
    return rows


def test_changes_lists_exactly_the_reports_the_second_load_changed(two_releases, records):
    old, new, added, revised, _ = two_releases
    text = (new / "CHANGES.md").read_text(encoding="utf-8")
    assert "Compared with release 1.0" in text
    [row] = changes_table(text, "Added reports")
    assert row[:3] == [added, "沭阳县发展和改革局", "2026"]
    assert int(row[3]) == len(sample(records, SHUYANG)["metrics"]) and row[4] == "0"
    [row] = changes_table(text, "Revised reports")
    original = query(f"SELECT report_id FROM read_parquet('{old}/parquet/fact_report.parquet') "
                     "WHERE source_path LIKE '%/006_%'")[0][0]
    assert row[0] == revised and row[5] == original
    assert changes_table(text, "Removed reports") == [] and changes_table(text, "Changed reports") == []
    facts = len(sample(records, SHUYANG)["metrics"]) + len(sample(records, SHANGHAI)["metrics"])
    assert f"Facts: {facts:,} added, 0 removed" in text
    assert (old / "CHANGES.md").read_text(encoding="utf-8").startswith("# Changes in release 1.0\n\nFirst release")


def test_changes_lists_changed_and_removed_reports(records, tmp_path):
    """A report whose figures changed in place (as a rebuild with a better extractor does) and one that is gone."""
    path = tmp_path / "w.duckdb"
    load(path, copy.deepcopy(records), "run1")
    release(path, tmp_path / "out", "2026.9")
    with duckdb.connect(str(path)) as con:
        shanghai, shuyang = (con.execute("SELECT report_id FROM fact_report WHERE source_path LIKE ?",
                                         [f"%/{p}_%"]).fetchone()[0] for p in (SHANGHAI, SHUYANG))
        con.execute("UPDATE fact_metric SET value = 1296 WHERE report_id = ? AND metric_code = 'requests.received' "
                    "AND breakdown = ''", [shanghai])
        con.execute("DELETE FROM fact_metric WHERE report_id = ?", [shuyang])
        con.execute("DELETE FROM fact_report WHERE report_id = ?", [shuyang])
    text = (release(path, tmp_path / "out", "2026.10").path / "CHANGES.md").read_text(encoding="utf-8")
    assert "Compared with release 2026.9" in text  # 10 > 9: versions are ordered as numbers
    [row] = changes_table(text, "Changed reports")
    assert row[0] == shanghai and row[3:5] == ["1", "1"]
    [row] = changes_table(text, "Removed reports")
    assert row[0] == shuyang and int(row[4]) == len(sample(records, SHUYANG)["metrics"])
    assert changes_table(text, "Added reports") == changes_table(text, "Revised reports") == []


def test_versions_are_ordered_naturally(tmp_path):
    assert version_key("1.9") < version_key("1.10") < version_key("2026.1") < version_key("2026.1.1")
    for name in ("1.0", "1.2", "1.10", ".1.5.release-x", "no-package"):
        (tmp_path / name).mkdir()
        if not name.startswith((".", "no")):
            (tmp_path / name / "datapackage.json").write_text("{}")
    assert previous_version(tmp_path, "1.9") == "1.2"
    assert previous_version(tmp_path, "2.0") == "1.10"
    assert previous_version(tmp_path, "1.0") is None


def test_citation_cff(first):
    cff = yaml.safe_load((first / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0" and cff["version"] == "1.0" and cff["type"] == "dataset"
    assert cff["authors"] == [{"name": "govreport contributors"}]
    assert str(cff["date-released"]) == "2024-01-17"  # the latest publication date of a sample report


def test_codebook_documents_every_column_and_metric(first):
    text = (first / "CODEBOOK.md").read_text(encoding="utf-8")
    package = json.loads((first / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        assert f"## {resource['name']}\n" in text
    assert "| requests.received | requests_received | 件 |" in text
    assert "Breakdowns (applicant columns" in text
    assert "In this release: 7 current reports, 7 of them in the panel (0 of unknown year or agency)." in text


# ---------------------------------------------------------------- the command


def test_release_command(warehouse, tmp_path, capsys):
    assert cli.main(["release", str(tmp_path), "--version", "v1", "--db", str(warehouse), "--author", "A. Researcher"]) == 0
    assert "first release in this folder" in capsys.readouterr().out
    assert yaml.safe_load((tmp_path / "v1" / "CITATION.cff").read_text())["authors"] == [{"name": "A. Researcher"}]
    assert cli.main(["release", str(tmp_path), "--version", "../x", "--db", str(warehouse)]) == 1
    assert "version '../x'" in capsys.readouterr().err
    assert cli.main(["release", str(tmp_path), "--version", "v2", "--db", str(tmp_path / "none.duckdb")]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v1"]


def audit_row(con, run_id: str, finished: str, reports: int) -> None:
    con.execute("INSERT INTO load_audit (run_id, flow, started_at, finished_at, files_seen, reports_loaded, rejected, "
                "facts_loaded, expectations_passed, expectations_failed, warnings_failed, published) "
                "VALUES (?, 'load_reports', ?, ?, 0, ?, 0, 0, 0, 0, 0, true)", [run_id, finished, finished, reports])


def test_the_release_date_is_the_last_load_that_published_reports(records, tmp_path):
    path = tmp_path / "w.duckdb"
    load(path, copy.deepcopy(records), "run1")
    with duckdb.connect(str(path)) as con:
        audit_row(con, "run1", "2026-11-30 02:00:05", 7)
    first = release(path, tmp_path / "out", "1")
    with duckdb.connect(str(path)) as con:
        audit_row(con, "run2", "2026-12-01 02:00:03", 0)  # a nightly run that found nothing new
    again = release(path, tmp_path / "out", "1")
    assert again.unchanged
    assert str(yaml.safe_load((first.path / "CITATION.cff").read_text())["date-released"]) == "2026-11-30"
    with pd.io.stata.StataReader(first.path / "stata" / f"{PANEL}.dta") as reader:
        assert reader.time_stamp == "30 Nov 2026 00:00"


def test_a_column_added_to_a_table_is_released_with_its_comment(records, tmp_path):
    """Another branch adds columns to fact_report (source_url, …): they are released without a code change,
    and CHANGES.md against a release without them compares the columns both have."""
    path = tmp_path / "w.duckdb"
    load(path, copy.deepcopy(records), "run1")
    release(path, tmp_path / "out", "1")
    with duckdb.connect(str(path)) as con:
        con.execute("ALTER TABLE fact_report ADD COLUMN source_url VARCHAR")
        con.execute("COMMENT ON COLUMN fact_report.source_url IS 'Where the report was downloaded from.'")
        con.execute("UPDATE fact_report SET source_url = 'https://example.org/' || report_id")
    new = release(path, tmp_path / "out", "2").path
    package = json.loads((new / "datapackage.json").read_text(encoding="utf-8"))
    [resource] = [r for r in package["resources"] if r["name"] == "fact_report"]
    assert {"name": "source_url", "type": "string", "description": "Where the report was downloaded from."} in \
        resource["schema"]["fields"]
    assert frictionless.Package(str(new / "datapackage.json")).validate().valid
    text = (new / "CHANGES.md").read_text(encoding="utf-8")
    assert all(changes_table(text, s) == [] for s in ("Added reports", "Revised reports", "Removed reports",
                                                       "Changed reports"))


@pytest.mark.slow  # a subprocess (the project's convention for the fast loop)
def test_another_process_gives_identical_bytes(first, warehouse, tmp_path):
    """The command in a fresh interpreter with another hash seed (set and dict order of strings changes with
    it) writes the same files as the release made in this process."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "flows.cli", "release", str(tmp_path), "--version", "1.0",
                    "--db", str(warehouse)], check=True, env=env, cwd=pathlib.Path(__file__).parent.parent,
                   capture_output=True)
    assert (tmp_path / "1.0" / SUMS).read_bytes() == (first / SUMS).read_bytes()


def test_a_revision_supersedes_the_version_that_was_current(records, tmp_path):
    """A second revision of one report: CHANGES.md names the first revision (current in the earlier release) as
    the one it supersedes, not the original as well."""
    path = tmp_path / "w.duckdb"
    load(path, copy.deepcopy(records), "run1")
    _, _, first_revision = second_load(records)
    for version, (digit, published) in enumerate((("b", "2026-03-01"), ("c", "2026-04-01")), start=1):
        release(path, tmp_path / "out", str(version))
        revision = copy.deepcopy(sample(records, SHANGHAI))
        revision.update(sha256=digit * 64, source=f"fabricated/{digit}_006.txt", published_on=published)
        load(path, [revision], f"run{version + 1}")
    text = (release(path, tmp_path / "out", "3").path / "CHANGES.md").read_text(encoding="utf-8")
    [row] = changes_table(text, "Revised reports")
    assert row[0] == "c" * 64 and row[5] == first_revision == "b" * 64


def test_parquet_row_groups_have_a_fixed_size(warehouse, tmp_path, monkeypatch):
    """Cut into row groups of exactly ROW_GROUP_SIZE rows whatever batches DuckDB hands over (here 50 rows
    for the sample's 369 facts), with no row lost or repeated."""
    import pyarrow.parquet as pq

    from warehouse import release as release_module

    monkeypatch.setattr(release_module, "ROW_GROUP_SIZE", 50)
    out = release(warehouse, tmp_path, "1").path
    meta = pq.ParquetFile(out / "parquet" / "fact_metric.parquet").metadata
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        expected = con.execute("SELECT * FROM fact_metric ORDER BY ALL").fetchall()
    assert sizes == [50] * (len(expected) // 50) + [len(expected) % 50]
    assert query(f"SELECT * FROM read_parquet('{out}/parquet/fact_metric.parquet')") == expected
    csv = pl.read_csv(out / "csv" / "fact_metric.csv", infer_schema_length=None)
    assert csv["span_start"].to_list() == [row[8] for row in expected]  # the CSV in the same order
