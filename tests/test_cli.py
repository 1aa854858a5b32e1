"""`govreport load | query | quarantine` as a user runs them (flows.cli.main, real flow runs)."""

from __future__ import annotations

import re
import shutil

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
