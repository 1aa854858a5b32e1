"""`govreport load | query | quarantine` as a user runs them (flows.cli.main, real flow runs)."""

from __future__ import annotations

import re
import shutil

import pytest

from flows.cli import main
from tests.conftest import EXAMPLES


def test_load_then_query_quarantine_and_an_unchanged_reload(prefect_harness, tmp_path, capsys):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("000_36fb0402640fefb2.txt", "006_shanghai_gov_office_2025.txt"):
        shutil.copy(EXAMPLES / name, inbox / name)
    (inbox / "empty.txt").write_bytes(b"")
    db = str(tmp_path / "w.duckdb")

    assert main(["load", str(inbox), "--db", db, "--no-docs"]) == 0
    out = capsys.readouterr().out
    assert "files seen:          3  (0 unchanged, skipped)" in out
    assert "reports loaded:      2" in out and "rejected:            1" in out and "published:           yes" in out

    assert main(["query", "SELECT count(*) AS n_reports FROM fact_report", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "n_reports" in out and re.search(r"│\s*2\s*│", out)

    assert main(["quarantine", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "empty.txt" in out and "empty_file" in out

    assert main(["load", str(inbox), "--db", db, "--no-docs"]) == 0
    assert "files seen:          3  (3 unchanged, skipped)" in capsys.readouterr().out

    assert main(["query", "SELECT * FROM no_such_table", "--db", db]) == 1
    assert main(["query", "SELECT 1", "--db", str(tmp_path / "missing.duckdb")]) == 2


@pytest.fixture
def empty_warehouse(tmp_path):
    from warehouse import db
    path = tmp_path / "w.duckdb"
    db.connect(path).close()
    return path


@pytest.mark.parametrize("sql_of", [
    lambda d: f"COPY (SELECT 1) TO '{d}/written.csv'",
    lambda d: f"ATTACH '{d}/other.duckdb' AS other (READ_WRITE)",
    lambda d: "SELECT * FROM read_text('/etc/passwd')",
    lambda d: "INSTALL httpfs",
    lambda d: "SET enable_external_access = true",
])
def test_query_cannot_touch_other_files(empty_warehouse, tmp_path, capsys, sql_of):
    assert main(["query", sql_of(tmp_path), "--db", str(empty_warehouse)]) == 1
    err = capsys.readouterr().err
    assert "Permission Error" in err or "Cannot change configuration" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb"]


def test_query_reads_the_warehouse_and_files_only_when_allowed(empty_warehouse, tmp_path, capsys):
    assert main(["query", "SELECT count(*) AS n FROM fact_report", "--db", str(empty_warehouse)]) == 0
    assert main(["query", f"COPY (SELECT 1) TO '{tmp_path}/out.csv'", "--db", str(empty_warehouse),
                 "--allow-files"]) == 0
    assert (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("content", [b"", b"not a database at all"])
def test_a_damaged_warehouse_is_not_reported_busy(tmp_path, capsys, content):
    path = tmp_path / "w.duckdb"
    path.write_bytes(content)
    assert main(["query", "SELECT 1", "--db", str(path)]) == 4
    err = capsys.readouterr().err
    assert "not a DuckDB warehouse" in err and "being written" not in err


_ROWS = "SELECT * FROM (VALUES (1, '淮安市人民政府'), (2, NULL)) t(n, agency) ORDER BY n"


@pytest.mark.parametrize("fmt,expected", [
    ("csv", "n,agency\n1,淮安市人民政府\n2,\n"),
    ("json", '{"n":1,"agency":"淮安市人民政府"}\n{"n":2,"agency":null}\n'),
])
def test_query_formats_to_stdout(empty_warehouse, capsys, fmt, expected):
    assert main(["query", _ROWS, "--db", str(empty_warehouse), "--format", fmt]) == 0
    assert capsys.readouterr().out == expected


def test_query_writes_parquet_to_out_and_reads_sql_from_stdin(empty_warehouse, tmp_path, monkeypatch, capsys):
    import io

    import polars as pl

    monkeypatch.setattr("sys.stdin", io.StringIO(_ROWS))
    out = tmp_path / "rows.parquet"
    assert main(["query", "-", "--db", str(empty_warehouse), "--format", "parquet", "--out", str(out)]) == 0
    assert pl.read_parquet(out).to_dicts() == [{"n": 1, "agency": "淮安市人民政府"}, {"n": 2, "agency": None}]
    with pytest.raises(SystemExit, match="needs --out"):
        main(["query", _ROWS, "--db", str(empty_warehouse), "--format", "parquet"])


def test_a_closed_pipe_ends_quietly(empty_warehouse):
    """`govreport query … | head`: no traceback when the reader stops reading."""
    import subprocess
    import sys

    sql = "SELECT range AS n FROM range(200000)"
    proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "query", sql, "--db", str(empty_warehouse),
                             "--format", "csv"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the first row is written
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 141 and b"Traceback" not in err, err.decode()
