"""`govreport backfill`, `rebuild` and `serve`: real flow runs on real DuckDB files, a real Prefect server for serve."""

from __future__ import annotations

import datetime
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zoneinfo

import duckdb
import pytest

import flows.load as load_module
from flows.cli import main
from tests.conftest import EXAMPLES, ROOT

# Two reports of 2010, two of 2012, one of 2023, and a copy (quarantined as a duplicate).
FILES = ("000_36fb0402640fefb2.txt", "003_a0033233149e65a0.txt", "001_0146034ad01d9358.txt",
         "004_2f71a8a51b63bb23.txt", "002_7c87eaa59cda9d84.txt")
TABLES = ("raw_report", "dim_agency", "fact_report", "fact_metric", "quarantine")
IN_2010 = "report_year = 2010"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def query(path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def execute(path, *statements: str) -> None:
    con = duckdb.connect(str(path))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()


def published(path) -> dict[str, list[tuple]]:
    """Everything a re-derivation must reproduce (run ids aside), plus the audit row count."""
    state = {t: query(path, f"SELECT * EXCLUDE (run_id) FROM {t} ORDER BY ALL") for t in ("fact_report", "quarantine")}
    state |= {t: query(path, f"SELECT * FROM {t} ORDER BY ALL") for t in ("raw_report", "dim_agency", "fact_metric")}
    state["audits"] = query(path, "SELECT count(*) FROM load_audit")
    return state


def audits(path, flow: str = "backfill_year") -> list[tuple]:
    return query(path, f"SELECT source, published, extractor_version FROM load_audit WHERE flow = '{flow}' "
                       "ORDER BY started_at")


def corrupt(path) -> None:
    """What a buggy extractor or a hand edit could have left: a wrong value, a lost fact, a fact from nowhere."""
    execute(path,
            f"UPDATE fact_metric SET value = value + 1000 WHERE {IN_2010} AND metric_code = 'proactive.total'",
            "DELETE FROM fact_metric WHERE report_year = 2012 AND metric_code LIKE 'requests.%'",
            f"INSERT INTO fact_metric SELECT * REPLACE ('requests.received' AS metric_code, 'bogus' AS breakdown) "
            f"FROM fact_metric WHERE {IN_2010} LIMIT 1")


@pytest.fixture(scope="module")
def base(prefect_harness, tmp_path_factory):
    """A warehouse loaded from FILES, and its published state."""
    folder = tmp_path_factory.mktemp("base")
    inbox = folder / "inbox"
    inbox.mkdir()
    for name in FILES:
        shutil.copy(EXAMPLES / name, inbox / name)
    shutil.copy(EXAMPLES / FILES[0], inbox / "copy.txt")
    warehouse = folder / "w.duckdb"
    assert load_module.load_reports(str(inbox), str(warehouse))["published"]
    state = published(warehouse)
    assert query(warehouse, "SELECT report_year, count(*) FROM fact_report GROUP BY 1 ORDER BY 1") == [
        (2010, 2), (2012, 2), (2023, 1)]
    assert query(warehouse, "SELECT count(*) FROM quarantine WHERE reason LIKE 'duplicate: %'") == [(1,)]
    return warehouse, state


@pytest.fixture
def warehouse(base, tmp_path):
    path = tmp_path / "w.duckdb"
    shutil.copy(base[0], path)
    return path


def without_audits(state: dict) -> dict:
    return {k: v for k, v in state.items() if k != "audits"}


def test_backfill_rederives_each_year_in_its_own_run_and_resumes(base, warehouse, capsys, monkeypatch):
    corrupt(warehouse)
    assert main(["backfill", "--years", "2010-2012", "--db", str(warehouse), "--no-docs"]) == 0
    assert "2011   empty" in capsys.readouterr().out
    version = load_module.extractor_version()
    assert audits(warehouse) == [("year=2010", True, version), ("year=2012", True, version)]
    assert without_audits(published(warehouse)) == without_audits(base[1])  # facts re-derived, nothing else
    assert query(warehouse, "SELECT DISTINCT r.run_id = a.run_id FROM fact_report r JOIN load_audit a "
                            "ON a.source = 'year=' || r.report_year WHERE r.report_year IN (2010, 2012)") == [(True,)]

    assert main(["backfill", "--years", "2010-2012", "--db", str(warehouse), "--no-docs"]) == 0
    assert capsys.readouterr().out.count("skipped    finished with this extractor") == 2
    assert len(audits(warehouse)) == 2

    # --force redoes a finished year; a report the extractor now dates to 2011 moves there with its facts.
    moved = query(warehouse, "SELECT min(report_id) FROM fact_report WHERE report_year = 2012")[0][0]
    real = load_module.extract_records
    monkeypatch.setattr(load_module, "extract_records", lambda normalized, *budget: [
        dict(r, report_year=2011) if r["sha256"] == moved else r for r in real(normalized, *budget)])
    assert main(["backfill", "--years", "2012", "--db", str(warehouse), "--no-docs", "--force"]) == 0
    assert query(warehouse, f"SELECT DISTINCT report_year FROM fact_metric WHERE report_id = '{moved}'") == [(2011,)]
    assert query(warehouse, "SELECT report_year, count(*) FROM fact_report GROUP BY 1 ORDER BY 1") == [
        (2010, 2), (2011, 1), (2012, 1), (2023, 1)]

    monkeypatch.setattr(load_module, "extractor_version", lambda: "changed-extractor")
    assert main(["backfill", "--years", "2010", "--db", str(warehouse), "--no-docs"]) == 0
    assert [a[0] for a in audits(warehouse)] == ["year=2010", "year=2012", "year=2012", "year=2010"]
    assert audits(warehouse)[-1][2] == "changed-extractor"


def test_a_failed_year_is_reported_the_others_publish_and_a_rerun_redoes_only_it(warehouse, capsys, monkeypatch):
    before_2012 = query(warehouse, "SELECT * EXCLUDE (run_id) FROM fact_report WHERE report_year = 2012 ORDER BY ALL")
    real = load_module.extract_records

    def broken(normalized, *budget):
        records = real(normalized, *budget)
        for r in records:
            if r["report_year"] == 2010:
                raise RuntimeError("extractor bug on a 2010 report")
            if r["report_year"] == 2012:  # a negative count: a critical expectation fails
                r["metrics"][0] = dict(r["metrics"][0], value=-5)
        return records

    monkeypatch.setattr(load_module, "extract_records", broken)
    assert main(["backfill", "--years", "2010-2023", "--db", str(warehouse), "--no-docs"]) == 1
    out = capsys.readouterr()
    assert "2010   failed     Flow run encountered an exception: RuntimeError: extractor bug" in out.out
    assert "2012   failed     2 reports, 0 rejected" in out.out and "critical expectations failed" in out.out
    assert "2023   published" in out.out and "not published: 2010, 2012" in out.err
    # The year whose run raised gets its audit row (crashed) from the run after it.
    assert audits(warehouse) == [("year=2010", False, None), ("year=2012", False, load_module.extractor_version()),
                                 ("year=2023", True, load_module.extractor_version())]
    assert query(warehouse, "SELECT * EXCLUDE (run_id) FROM fact_report WHERE report_year = 2012 "
                            "ORDER BY ALL") == before_2012

    monkeypatch.setattr(load_module, "extract_records", real)
    assert main(["backfill", "--years", "2010-2023", "--db", str(warehouse), "--no-docs"]) == 0
    assert [a[:2] for a in audits(warehouse)] == [("year=2010", False), ("year=2012", False), ("year=2023", True),
                                                  ("year=2010", True), ("year=2012", True)]


def test_rebuild_is_atomic_drops_what_the_extractor_no_longer_finds_and_restores_the_rest(base, warehouse, capsys,
                                                                                         monkeypatch):
    from flows.backfill import rebuild

    corrupt(warehouse)
    execute(warehouse, "DELETE FROM fact_report WHERE report_year = 2023")
    damaged = published(warehouse)
    real = load_module.extract_records
    seen_meanwhile = []

    def reading_meanwhile(normalized, *budget):  # a reader during the run sees the published state, damage included
        seen_meanwhile.append(published(warehouse))
        return real(normalized, *budget)

    def failing_in_transaction(stage: str) -> None:
        if stage == "publish":
            raise RuntimeError("failure half way through the publish transaction")

    monkeypatch.setattr(load_module, "extract_records", reading_meanwhile)
    monkeypatch.setattr(load_module, "fault_point", failing_in_transaction)
    monkeypatch.setattr(load_module, "publish", load_module.publish.with_options(retries=0))  # fail at once
    with pytest.raises(RuntimeError, match="half way"):
        rebuild(str(warehouse), batch_size=2)
    assert seen_meanwhile == [damaged] * 3  # three batches of at most 2
    assert published(warehouse) == damaged  # rolled back, audit row included
    monkeypatch.undo()

    rejected = query(warehouse, "SELECT report_id FROM fact_report WHERE report_year = 2012 ORDER BY 1")[0][0]

    def rejecting(normalized, *budget):
        return [dict(r, status="rejected", error="not_a_report: test", metrics=[]) if r["sha256"] == rejected else r
                for r in real(normalized, *budget)]

    monkeypatch.setattr(load_module, "extract_records", rejecting)
    audit = rebuild(str(warehouse), batch_size=2)
    assert (audit["published"], audit["files_seen"], audit["reports_loaded"], audit["rejected"]) == (True, 5, 4, 1)
    assert query(warehouse, f"SELECT count(*) FROM fact_metric WHERE report_id = '{rejected}'") == [(0,)]
    assert query(warehouse, f"SELECT reason FROM quarantine WHERE sha256 = '{rejected}'") == [("not_a_report: test",)]
    assert query(warehouse, f"SELECT count(*) FROM raw_report WHERE sha256 = '{rejected}'") == [(1,)]
    assert len(query(warehouse, "SELECT * FROM dim_agency")) == len(base[1]["dim_agency"]) - 1

    monkeypatch.undo()
    assert main(["rebuild", "--db", str(warehouse), "--no-docs", "--batch-size", "2"]) == 0
    assert "reports:   5 of 5" in capsys.readouterr().out
    assert without_audits(published(warehouse)) == without_audits(base[1])
    assert query(warehouse, "SELECT flow, source, published, files_seen FROM load_audit WHERE flow = 'rebuild' "
                            "ORDER BY started_at") == [("rebuild", "raw_report", False, 0),  # the one that raised
                                                       ("rebuild", "raw_report", True, 5), ("rebuild", "raw_report", True, 5)]


def test_backfill_and_rebuild_need_a_warehouse(tmp_path, capsys):
    assert main(["rebuild", "--db", str(tmp_path / "none.duckdb")]) == 2
    assert main(["backfill", "--years", "2010", "--db", str(tmp_path / "none.duckdb")]) == 2
    assert capsys.readouterr().err.count("no warehouse at") == 2
    with pytest.raises(SystemExit):
        main(["backfill", "--years", "2007-2009"])


def test_serve_refuses_without_a_prefect_server(tmp_path, capsys, monkeypatch):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        assert main(["serve", "--inbox", str(tmp_path), "--db", str(tmp_path / "w.duckdb")]) == 2
    err = capsys.readouterr().err
    assert "prefect server start" in err and "prefect config set PREFECT_API_URL=http://127.0.0.1:4200/api" in err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(what: str, check, timeout: float, proc: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"{what}: process exited with {proc.returncode}")
        try:
            if found := check():
                return found
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module", autouse=True)
def prefect_server(tmp_path_factory):
    """A real `prefect server start` in a temporary PREFECT_HOME (what `govreport serve` needs). Started with the
    module, so its ~20 s start (database migrations) overlaps the flow tests; the serve test waits for it."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = dict(os.environ, PREFECT_HOME=str(home), PREFECT_API_URL=url, PYTHONPATH=str(ROOT),
               PREFECT_SERVER_UI_ENABLED="false", PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_RUNNER_POLL_FREQUENCY="1", PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="1")
    with (home / "server.log").open("wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                                   "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield url, env, server
        finally:
            _stop(server)


def test_serve_deploys_a_nightly_schedule_and_runs_the_load_under_a_real_server(prefect_server, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    url, env, server = prefect_server
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(EXAMPLES / FILES[0], inbox / FILES[0])
    warehouse = tmp_path / "w.duckdb"
    _wait("the Prefect server", lambda: urllib.request.urlopen(f"{url}/health", timeout=2).status == 200, 120, server)
    with (tmp_path / "serve.log").open("wb") as log:
        served = subprocess.Popen(
            [sys.executable, "-m", "flows.cli", "serve", "--inbox", str(inbox), "--db", str(warehouse), "--no-docs",
             "--name", "nightly-test", "--cron", "0 2 * * *", "--timezone", "Asia/Shanghai"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            with temporary_settings(updates={PREFECT_API_URL: url}), get_client(sync_client=True) as client:
                deployment = _wait("the deployment", lambda: _deployment(client), 120, served)
                schedule = deployment.schedules[0].schedule
                assert (schedule.cron, schedule.timezone) == ("0 2 * * *", "Asia/Shanghai")
                assert deployment.parameters == {"source": str(inbox), "db_path": str(warehouse), "docs_dir": None,
                                                 "workers": 0}
                nightly = _wait("the server's scheduler", lambda: _scheduled(client, deployment.id), 60, served)
                assert {t.astimezone(SHANGHAI).strftime("%H:%M") for t in nightly} == {"02:00"}
                run = client.create_flow_run_from_deployment(deployment.id)
                final = _wait("the triggered run", lambda: _final(client, run.id), 180, served)
                assert final.is_completed(), final.message
                # Logs reach the server in batches, a moment after the run's final state.
                run_logs = _wait("the run's progress log", lambda: [
                    m for m in (e.message for e in client.read_logs(log_filter=_logs_of(run.id)))
                    if m.startswith("batch 1/1: 1 files, 1 reports")], 30, served)
        finally:
            _stop(served)
    assert query(warehouse, "SELECT run_id, flow, source, published, reports_loaded FROM load_audit") == [
        (str(run.id), "load_reports", str(inbox), True, 1)]
    assert run_logs  # the run logged its progress to Prefect


def _deployment(client):
    from prefect.exceptions import ObjectNotFound

    try:
        return client.read_deployment_by_name("load_reports/nightly-test")
    except ObjectNotFound:
        return None


def _scheduled(client, deployment_id) -> list[datetime.datetime]:
    from prefect.client.schemas import filters
    from prefect.client.schemas.objects import StateType

    runs = client.read_flow_runs(
        deployment_filter=filters.DeploymentFilter(id=filters.DeploymentFilterId(any_=[deployment_id])),
        flow_run_filter=filters.FlowRunFilter(state=filters.FlowRunFilterState(
            type=filters.FlowRunFilterStateType(any_=[StateType.SCHEDULED]))))
    return [run.expected_start_time for run in runs]


def _final(client, run_id):
    state = client.read_flow_run(run_id).state
    return state if state is not None and state.is_final() else None


def _logs_of(run_id):
    from prefect.client.schemas import filters

    return filters.LogFilter(flow_run_id=filters.LogFilterFlowRunId(any_=[run_id]))
