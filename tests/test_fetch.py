"""`govreport fetch` against a portal on 127.0.0.1 (tests/portal.py): every report once, the forbidden one and
other sites never, retries, redirects, conditional re-checks, a size limit, WARC, a killed run resumed, and
fetch -> load with the URLs in raw_report."""

from __future__ import annotations

import csv
import os
import subprocess
import sys

import pytest

from sources.fetcher import Fetcher, Settings
from tests.portal import ROOT, Portal, serve

FAST = {"delay": 0, "timeout": 0.5, "retries": 2, "backoff": 0.05, "max_pages": 2}
CLI_FAST = ["--delay", "0", "--timeout", "0.5", "--retries", "2", "--backoff", "0.05", "--pages", "2"]


@pytest.fixture
def portal():
    site = Portal()
    server, base = serve(site)
    site.base = base
    yield site
    server.shutdown()
    server.server_close()


def fetch(out, portal, **settings):
    fetcher = Fetcher(out, Settings(**(FAST | settings)))
    try:
        return fetcher.run([], [portal.base + "/list.html"])
    finally:
        fetcher.close()


def manifest(out) -> dict[str, dict]:
    with open(out / "manifest.csv", encoding="utf-8", newline="") as fh:
        return {row["url"].split("/", 3)[3]: row for row in csv.DictReader(fh)}


def wanted(portal) -> set[str]:
    """What a fetch of the list should download (server paths): every report page it may get, and the PDF."""
    return {p for p in portal.report_paths()} | {"/files/huaian.pdf"}


def listed(portal) -> set[str]:
    """The same as the URLs the manifest names them by: the moved page by its link, not where it moved to."""
    return wanted(portal) - {"/reports/moved.txt"} | {"/old/moved"}


def test_every_report_arrives_once_and_the_forbidden_never(portal, tmp_path):
    out = tmp_path / "inbox"
    summary = fetch(out, portal, warc=True)
    assert {"/" + k for k in manifest(out)} == listed(portal)
    assert {p: portal.downloads(p) for p in wanted(portal)} == dict.fromkeys(wanted(portal), 1)
    asked = {h.path for h in portal.hits}
    assert "/private/secret.html" not in asked  # robots.txt forbids it
    assert not {p for p in asked if p.startswith("http://localhost")}  # another site: never asked
    assert "/about.html" not in asked and "/list_3.html" not in asked  # not a report link; past --pages 2
    assert summary.blocked == [portal.base + "/private/secret.html"]
    assert summary.failed == {portal.base + "/reports/missing.html": "HTTP 404"}
    assert portal.attempts["/reports/flaky.txt"] == 2 and portal.attempts["/reports/slow.txt"] == 2
    rows = manifest(out)
    for url in listed(portal):  # the bytes stored are the bytes served, under the manifest's path
        body = portal.pages["/reports/moved.txt" if url == "/old/moved" else url][0]
        assert (out / rows[url.lstrip("/")]["path"]).read_bytes() == body
    moved = rows["old/moved"]
    assert (moved["final_url"], moved["http_status"]) == (portal.base + "/reports/moved.txt", "200")
    pdf = rows["files/huaian.pdf"]
    assert (pdf["content_type"], pdf["page_url"]) == ("application/pdf", portal.base + "/reports/huaian.html")
    assert pdf["path"].endswith(".pdf") and pdf["retrieved_at"].endswith("Z")
    # the WARC copy holds a response record per stored file (and the list pages)
    from warcio.archiveiterator import ArchiveIterator

    (warc,) = (out / ".warc").iterdir()
    with open(warc, "rb") as fh:
        responses = {r.rec_headers.get_header("WARC-Target-URI"): r.content_stream().read()
                     for r in ArchiveIterator(fh) if r.rec_type == "response"}
    assert responses[portal.base + "/reports/moved.txt"] == portal.pages["/reports/moved.txt"][0]
    assert len(responses) == len(wanted(portal)) + 2


def test_a_second_run_downloads_nothing_and_a_third_only_what_changed(portal, tmp_path):
    out = tmp_path / "inbox"
    fetch(out, portal)
    before = {p: (out / r["path"]).stat().st_mtime_ns for p, r in manifest(out).items()}
    first = len(portal.hits)
    summary = fetch(out, portal)
    # (a late answer is the first run's slow page, logged when its sleep ends: the fetch had given up on it)
    again = [h for h in portal.hits[first:] if h.path in wanted(portal) | {"/list.html", "/list_2.html"}
             and not h.late]
    assert summary.downloaded == [] and summary.list_pages == 0
    assert again and all(h.conditional and h.status == 304 for h in again)  # ETag or Last-Modified: 304
    assert {p: (out / r["path"]).stat().st_mtime_ns for p, r in manifest(out).items()} == before  # untouched
    # a revised report: only it comes again, into the same file
    body, kind = portal.pages["/reports/004_2f71a8a51b63bb23.txt"]
    portal.pages["/reports/004_2f71a8a51b63bb23.txt"] = (body + "（修订）".encode(), kind)
    summary = fetch(out, portal)
    assert summary.downloaded == [portal.base + "/reports/004_2f71a8a51b63bb23.txt"]
    assert (out / manifest(out)["reports/004_2f71a8a51b63bb23.txt"]["path"]).read_bytes().endswith("（修订）".encode())


def test_a_response_over_the_size_limit_is_not_stored(portal, tmp_path):
    out = tmp_path / "inbox"
    summary = fetch(out, portal, max_bytes=200_000)  # the PDF is 412,842 bytes
    assert summary.failed[portal.base + "/files/huaian.pdf"].startswith("too_large")
    assert "files/huaian.pdf" not in manifest(out)
    assert not [p for p in out.rglob("*.pdf")]


def test_the_command_line_and_its_exit_status(portal, tmp_path, capsys):
    from flows.cli import main

    urls = tmp_path / "urls.txt"
    urls.write_text(f"{portal.base}/reports/huaian.html,淮安市人民政府\n", encoding="utf-8")
    out = tmp_path / "inbox"
    assert main(["fetch", str(urls), "--out", str(out), *CLI_FAST]) == 0
    assert "downloaded:  2 (new or changed)" in capsys.readouterr().out  # the page and its PDF
    assert {r["publisher"] for r in manifest(out).values()} == {"淮安市人民政府"}
    urls.write_text(f"{portal.base}/reports/missing.html\n", encoding="utf-8")
    assert main(["fetch", str(urls), "--out", str(out), *CLI_FAST]) == 1
    assert "missing.html: HTTP 404" in capsys.readouterr().out
    assert main(["fetch", str(tmp_path / "nope.txt"), "--out", str(out)]) == 2
    assert main(["fetch", "--out", str(out)]) == 2


def _fetch_process(out, portal, fault: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GOVREPORT_FAULT"}
    if fault:
        env["GOVREPORT_FAULT"] = fault
    return subprocess.run([sys.executable, "-m", "flows.cli", "fetch", "--out", str(out), "--list",
                           portal.base + "/list.html", *CLI_FAST], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.slow
def test_a_killed_fetch_resumes_without_downloading_twice(portal, tmp_path):
    out = tmp_path / "inbox"
    killed = _fetch_process(out, portal, fault="fetch_after:5")
    assert killed.returncode == -9, killed.stderr
    stored = [p for p in wanted(portal) if portal.downloads(p)]
    assert len(stored) == 5
    resumed = _fetch_process(out, portal)
    assert resumed.returncode == 1, resumed.stderr  # the 404 stays a failure
    assert "(resumed)" in resumed.stdout and "resumed:     5 already settled" in resumed.stdout
    assert {p: portal.downloads(p) for p in wanted(portal)} == dict.fromkeys(wanted(portal), 1)
    assert {"/" + k for k in manifest(out)} == listed(portal)
    after = len(portal.hits)
    assert _fetch_process(out, portal).returncode == 1  # a new run: conditional requests, nothing downloaded
    assert not [h for h in portal.hits[after:] if h.status == 200 and h.path in wanted(portal) and not h.late]


def test_fetch_then_load_publishes_the_urls(prefect_harness, portal, tmp_path):
    import duckdb

    from flows.load import load_reports

    out = tmp_path / "inbox"
    fetch(out, portal)
    db_path = str(tmp_path / "w.duckdb")
    audit = load_reports(str(out), db_path)
    assert audit["published"]
    assert audit["files_seen"] == len(wanted(portal))  # manifest.csv and the hidden state are no files to load
    con = duckdb.connect(db_path, read_only=True)
    rows = {url: (final, status, retrieved is not None) for url, final, status, retrieved in con.execute(
        "SELECT source_url, final_url, http_status, retrieved_at FROM raw_report").fetchall()}
    quarantined = con.execute("SELECT count(*) FROM quarantine").fetchall()[0][0]
    page = con.execute("SELECT page_index_no, page_disclosed_on::VARCHAR FROM fact_report f JOIN raw_report r "
                       "ON r.sha256 = f.report_id WHERE r.source_url LIKE '%005_shuyang%'").fetchall()
    con.close()
    assert len(rows) + quarantined == len(wanted(portal))
    assert None not in rows and all(s == 200 and t for _, s, t in rows.values())
    assert rows[portal.base + "/old/moved"][0] == portal.base + "/reports/moved.txt"
    assert rows[portal.base + "/files/huaian.pdf"][0] == portal.base + "/files/huaian.pdf"
    assert page == [("014314799/2024-00002", "2024-01-17")]


def test_the_nightly_deployment_fetches_first_only_when_a_url_file_is_configured(tmp_path, monkeypatch):
    from flows import serve

    monkeypatch.delenv("GOVREPORT_FETCH_URLS", raising=False)
    flow, params, _ = serve.nightly(str(tmp_path), str(tmp_path / "w.duckdb"), None)
    assert (flow.name, set(params)) == ("load_reports", {"source", "db_path", "docs_dir", "workers"})
    urls = tmp_path / "urls.txt"
    urls.write_text("http://127.0.0.1:9/a.html\n", encoding="utf-8")
    monkeypatch.setenv("GOVREPORT_FETCH_URLS", str(urls))
    flow, params, _ = serve.nightly(str(tmp_path), str(tmp_path / "w.duckdb"), None)
    assert (flow.name, params["urls_file"], params["source"]) == ("fetch_and_load", str(urls), str(tmp_path))


def test_fetch_and_load_flow(prefect_harness, portal, tmp_path):
    import duckdb

    from flows.fetch import fetch_and_load

    urls = tmp_path / "urls.txt"
    urls.write_text(f"{portal.base}/reports/huaian.html,淮安市人民政府\n{portal.base}/reports/missing.html\n",
                    encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    db_path = str(tmp_path / "w.duckdb")
    result = fetch_and_load(str(urls), str(inbox), db_path, fetch_options=FAST)
    assert list(result["fetch"]["failed"]) == [portal.base + "/reports/missing.html"]  # logged; the rest loads
    assert result["load"]["published"] and result["load"]["files_seen"] == 2
    con = duckdb.connect(db_path, read_only=True)
    found = con.execute("SELECT source_url, publisher FROM raw_report ORDER BY 1").fetchall()
    con.close()
    assert found == [(portal.base + "/files/huaian.pdf", "淮安市人民政府"),
                     (portal.base + "/reports/huaian.html", "淮安市人民政府")]


def test_provenance_of_files_from_elsewhere_and_of_the_same_bytes_from_two_urls(prefect_harness, tmp_path):
    """A manifest written after its files were loaded still counts (they are unchanged, skipped); of two
    retrievals of the same bytes the earliest is kept; re-loading changes nothing."""
    import shutil

    import duckdb

    from flows.load import load_reports
    from tests.conftest import EXAMPLES

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    report = EXAMPLES / "001_0146034ad01d9358.txt"
    shutil.copy(report, inbox / "a.txt")
    db_path = str(tmp_path / "w.duckdb")

    def provenance():
        con = duckdb.connect(db_path, read_only=True)
        try:
            return con.execute("SELECT source_url, final_url, retrieved_at::VARCHAR, http_status, publisher "
                               "FROM raw_report").fetchall()
        finally:
            con.close()

    assert load_reports(str(inbox), db_path)["published"]
    assert provenance() == [(None, None, None, None, None)]  # from disk: unknown
    manifest = inbox / "manifest.csv"
    manifest.write_text("path,url,retrieved_at,publisher\na.txt,http://a.gov.cn/nb.html,2026-03-01T00:00:00Z,"
                        "某市\n", encoding="utf-8")
    audit = load_reports(str(inbox), db_path)
    assert (audit["files_seen"], audit["files_skipped"]) == (1, 1)  # the manifest is no report file
    assert provenance() == [("http://a.gov.cn/nb.html", "http://a.gov.cn/nb.html", "2026-03-01 00:00:00", None,
                             "某市")]
    # the same bytes, retrieved later from a mirror: the first retrieval stays
    shutil.copy(report, inbox / "mirror.txt")
    with manifest.open("a", encoding="utf-8") as fh:
        fh.write("mirror.txt,http://mirror.cn/nb.html,2026-06-01T00:00:00Z,镜像\n")
    assert load_reports(str(inbox), db_path)["published"]
    assert provenance()[0][0] == "http://a.gov.cn/nb.html"
    # ... and retrieved earlier from elsewhere: that one is the first retrieval now
    shutil.copy(report, inbox / "early.txt")
    with manifest.open("a", encoding="utf-8") as fh:
        fh.write("early.txt,http://early.cn/nb.html,2026-01-15T08:00:00+08:00,\n")
    assert load_reports(str(inbox), db_path)["published"]
    assert provenance() == [("http://early.cn/nb.html", "http://early.cn/nb.html", "2026-01-15 00:00:00", None,
                             None)]
    assert load_reports(str(inbox), db_path)["published"]  # nothing changed: the same provenance
    assert provenance()[0][0] == "http://early.cn/nb.html"


def test_warehouses_made_before_provenance_gain_its_columns(tmp_path):
    import duckdb

    from warehouse import db

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE raw_report (sha256 VARCHAR PRIMARY KEY, source_path VARCHAR NOT NULL, n_bytes BIGINT "
                "NOT NULL, encoding VARCHAR NOT NULL, raw_text VARCHAR NOT NULL, first_seen TIMESTAMP NOT NULL, "
                "last_seen TIMESTAMP NOT NULL)")
    con.execute("INSERT INTO raw_report VALUES ('s', 'a.txt', 1, 'utf-8', 'x', now(), now())")
    con.close()
    for _ in range(2):  # the second open finds nothing to migrate
        con = db.connect(path)
        found = dict(con.execute("SELECT column_name, comment FROM duckdb_columns() WHERE table_name IN "
                                 "('raw_report', 'fact_report') AND (column_name IN ('source_url', 'final_url', "
                                 "'retrieved_at', 'http_status', 'publisher') OR starts_with(column_name, 'page_'))"
                                 ).fetchall())
        assert len(found) == 9 and all(found.values())
        assert con.execute("SELECT sha256, source_url FROM raw_report").fetchall() == [("s", None)]
        con.close()
