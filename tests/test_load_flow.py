"""Real Prefect flow runs into real DuckDB files (Prefect test harness, ephemeral API)."""

import json
import shutil

import duckdb
import pytest

import flows.load as load_module
from expectations.suites import docs_index
from tests.conftest import EXAMPLES
from warehouse import db

TABLES = ("raw_report", "dim_agency", "fact_report", "fact_metric", "quarantine")


def counts(path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in (*TABLES, "load_audit")}
    finally:
        con.close()


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "inbox" / "子目录 with space"
    folder.mkdir(parents=True)
    for f in EXAMPLES.iterdir():
        shutil.copy(f, folder / f.name)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "scan.txt").write_bytes(b"%PDF-1.4\n%binary")
    return tmp_path / "inbox"


def test_load_publishes_validates_and_quarantines(prefect_harness, inbox, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    audit = load_module.load_reports(str(inbox), str(warehouse), docs_dir=str(tmp_path / "gx"))
    assert audit["published"] is True
    assert audit["files_seen"] == 9
    assert audit["reports_loaded"] == 7
    assert audit["rejected"] == 2
    assert audit["expectations_failed"] == 0
    assert audit["expectations_passed"] > 10
    stages = audit["stage_seconds"]
    assert set(stages) == {"discover", "decode", "normalize", "extract", "write", "transforms_cpu", "stage",
                           "validate", "quality", "publish"}
    assert all(v > 0 for v in stages.values()), stages
    con = duckdb.connect(str(warehouse), read_only=True)
    recorded = json.loads(con.execute("SELECT stage_seconds FROM load_audit").fetchone()[0])
    con.close()
    assert recorded == stages  # the stored audit row is the one returned: nothing is patched after COMMIT
    got = counts(warehouse)
    assert got["fact_report"] == 7 and got["raw_report"] == 7 and got["quarantine"] == 2
    assert got["fact_metric"] == audit["facts_loaded"] > 300
    con = duckdb.connect(str(warehouse), read_only=True)
    reasons = dict(con.execute("SELECT regexp_extract(source_path, '[^/]+$'), reason FROM quarantine").fetchall())
    assert reasons == {"empty.txt": "empty_file", "scan.txt": "unreadable_pdf: No /Root object! - Is this really a PDF?"}
    # Provenance: every evidence string is exactly the span of the stored normalized text.
    bad_spans = con.execute("""SELECT count(*) FROM fact_metric m JOIN fact_report r USING (report_id)
                           WHERE substring(r.normalized_text, m.span_start + 1, m.span_end - m.span_start)
                                 <> m.evidence""").fetchone()[0]
    assert bad_spans == 0
    documented = con.execute("SELECT count(*) FROM duckdb_columns() WHERE table_name IN ('fact_metric', 'fact_report') "
                         "AND comment IS NULL").fetchone()[0]
    assert documented == 0
    con.close()
    assert list((tmp_path / "gx").rglob("index.html"))


def test_reloading_changes_no_row_count(prefect_harness, inbox, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    load_module.load_reports(str(inbox), str(warehouse))
    first = counts(warehouse)
    audit = load_module.load_reports(str(inbox), str(warehouse))
    assert audit["files_skipped"] == 9 and audit["reports_loaded"] == 0  # nothing changed: nothing read
    forced = load_module.load_reports(str(inbox), str(warehouse), force=True)
    assert forced["files_skipped"] == 0 and forced["reports_loaded"] == 7
    second = counts(warehouse)
    assert {t: second[t] for t in TABLES} == {t: first[t] for t in TABLES}
    assert second["load_audit"] == first["load_audit"] + 2


def test_changed_new_and_copied_files_are_read_and_the_rest_skipped(prefect_harness, inbox, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    load_module.load_reports(str(inbox), str(warehouse))
    folder = next(inbox.iterdir())
    changed = folder / "000_36fb0402640fefb2.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("11条", "12条"), encoding="utf-8")
    shutil.copy(folder / "001_0146034ad01d9358.txt", folder / "copy_of_001.txt")
    audit = load_module.load_reports(str(inbox), str(warehouse))
    assert audit["files_seen"] == 10 and audit["files_skipped"] == 8
    assert audit["reports_loaded"] == 1 and audit["rejected"] == 1
    con = duckdb.connect(str(warehouse), read_only=True)
    reason = con.execute("SELECT reason FROM quarantine WHERE source_path LIKE '%copy_of_001.txt'").fetchall()
    values = con.execute("SELECT value FROM fact_metric m JOIN fact_report r USING (report_id) "
                         "WHERE r.source_path LIKE '%000_36fb%' AND metric_code = 'proactive.category' "
                         "AND breakdown LIKE '机构职能%' ORDER BY r.published_on, value").fetchall()
    con.close()
    assert reason and reason[0][0].startswith("duplicate: same content as ") and reason[0][0].endswith("001_0146034ad01d9358.txt")
    assert (12.0,) in values


def test_critical_failure_publishes_nothing(prefect_harness, inbox, tmp_path, monkeypatch):
    warehouse = tmp_path / "w.duckdb"
    load_module.load_reports(str(inbox), str(warehouse))
    before = counts(warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    snapshot = con.execute("SELECT report_id, metric_code, breakdown, value FROM fact_metric ORDER BY ALL").fetchall()
    con.close()

    real = load_module.extract_records

    def corrupting(normalized, *budget):
        records = real(normalized, *budget)
        for r in records:
            if r["status"] == "ok":
                r["metrics"].append({"code": "requests.received", "breakdown": "", "value": -5, "unit": "件",
                                     "qualifier": "exact", "span": [0, 1], "text": r["normalized_text"][:1], "rule": "test:injected", "page": None})
        return records

    monkeypatch.setattr(load_module, "extract_records", corrupting)
    audit = load_module.load_reports(str(inbox), str(warehouse), docs_dir=str(tmp_path / "gx"), force=True)
    assert audit["published"] is False
    assert audit["expectations_failed"] >= 1
    after = counts(warehouse)
    assert {t: after[t] for t in TABLES} == {t: before[t] for t in TABLES}
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("SELECT report_id, metric_code, breakdown, value FROM fact_metric ORDER BY ALL").fetchall() \
        == snapshot
    published, failures = con.execute(
        "SELECT published, failures FROM load_audit ORDER BY started_at DESC LIMIT 1").fetchone()
    con.close()
    assert published is False
    failed = json.loads(failures)
    value_check = [f for f in failed if f["table"] == "fact_metric" and f["severity"] == "critical"
                   and f["column"] == "value"]
    assert value_check and value_check[0]["examples"]
    page = docs_index(tmp_path / "gx").read_text(encoding="utf-8")
    assert value_check[0]["expectation"] in page


def test_agency_ids_are_stable():
    assert db.agency_id("亳州市民政局", "341600") == db.agency_id("亳州市民政局", "341600")
    assert db.agency_id("亳州市民政局", "341600") != db.agency_id("亳州市民政局", None)
