"""Bad input, duplicates, revisions, crashes and overlapping runs: each test really does the bad thing."""

import os
import re
import shutil
import subprocess
import sys

import duckdb
import polars as pl
import pytest

import flows.load as load_module
from flows.discover import listing
from tests.conftest import EXAMPLES, ROOT
from warehouse import db

TABLES = ("raw_report", "dim_agency", "fact_report", "fact_metric", "quarantine")
REPORT = (EXAMPLES / "000_36fb0402640fefb2.txt").read_text(encoding="utf-8")


def snapshot(path) -> dict:
    """Row counts plus the published content that must survive a failed or killed load."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        state = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        state["facts"] = con.execute(
            "SELECT report_id, metric_code, breakdown, value FROM fact_metric ORDER BY ALL").fetchall()
        state["audits"] = con.execute("SELECT count(*) FROM load_audit").fetchone()[0]
        return state
    finally:
        con.close()


def quarantine_reasons(path) -> dict[str, str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("SELECT source_path, reason FROM quarantine").fetchall()
    finally:
        con.close()
    return {os.path.basename(p): r for p, r in rows}


def test_bad_input_is_quarantined_and_the_rest_loads(prefect_harness, tmp_path, monkeypatch):
    inbox = tmp_path / "收件箱" / "nested dir" / "深层"
    inbox.mkdir(parents=True)
    shutil.copy(EXAMPLES / "001_0146034ad01d9358.txt", inbox / "good report 1.txt")
    shutil.copy(EXAMPLES / "004_2f71a8a51b63bb23.txt", inbox.parent / "好报告.txt")
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (inbox / "truncated.txt").write_bytes(REPORT.encode("utf-8")[:-1])
    (inbox / "shift_jis.txt").write_bytes(REPORT.encode("shift_jis", errors="replace"))
    (inbox / "english.txt").write_text("Annual report of the weather service. " * 50, encoding="utf-8")
    (inbox / "news.txt").write_text("今天本市举行马拉松比赛，两万名选手参加，天气晴好，交通有序。" * 20, encoding="utf-8")
    with open(inbox / "huge.txt", "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    vanished = str(inbox / "vanished.txt")
    real_discover = load_module.discover_with_manifests

    def discover_and_vanish(source):
        files, manifests = real_discover(source)
        return pl.concat([files, listing([vanished])]), manifests

    monkeypatch.setattr(load_module, "discover_with_manifests", discover_and_vanish)

    warehouse = tmp_path / "w.duckdb"
    audit = load_module.load_reports(str(tmp_path / "收件箱"), str(warehouse))
    assert audit["published"] is True
    assert (audit["files_seen"], audit["reports_loaded"], audit["rejected"]) == (10, 2, 8)
    reasons = quarantine_reasons(warehouse)
    assert reasons.pop("truncated.txt").startswith("undecodable: truncated utf-8 sequence")
    assert reasons == {
        "empty.txt": "empty_file",
        "image.txt": "binary_file: png",
        "shift_jis.txt": "not_a_report: no mention of information disclosure "
                         "(decoded as gb18030: probably mis-encoded)",
        "english.txt": "not_chinese_text",
        "news.txt": "not_a_report: no mention of information disclosure",
        "huge.txt": f"too_large: {50 * 1024 * 1024} bytes (limit {20 * 1024 * 1024})",
        "vanished.txt": "unreadable: file disappeared before it was read",
    }


def test_duplicate_content_is_one_report_and_the_copy_is_reported(prefect_harness, tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(EXAMPLES / "003_a0033233149e65a0.txt", inbox / "a.txt")
    shutil.copy(EXAMPLES / "003_a0033233149e65a0.txt", inbox / "b copy.txt")
    warehouse = tmp_path / "w.duckdb"
    audit = load_module.load_reports(str(inbox), str(warehouse))
    assert (audit["reports_loaded"], audit["rejected"]) == (1, 1)
    state = snapshot(warehouse)
    assert state["raw_report"] == 1 and state["fact_report"] == 1
    assert quarantine_reasons(warehouse) == {"b copy.txt": f"duplicate: same content as {inbox / 'a.txt'}"}


def test_revised_report_keeps_both_and_the_latest_is_current(prefect_harness, tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "v1.txt").write_text(REPORT, encoding="utf-8")
    revised = REPORT.replace("发布日期:2011-02-17", "发布日期:2011-03-01").replace("便民服务3条", "便民服务4条")
    (inbox / "v2.txt").write_text(revised, encoding="utf-8")
    warehouse = tmp_path / "w.duckdb"
    load_module.load_reports(str(inbox), str(warehouse))
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute("SELECT source_path, is_current FROM fact_report ORDER BY published_on").fetchall()
    current = con.execute("""SELECT m.value FROM fact_metric m JOIN fact_report r USING (report_id)
                             WHERE r.is_current AND m.breakdown = '便民服务'""").fetchall()
    older = con.execute("""SELECT m.value FROM fact_metric m JOIN fact_report r USING (report_id)
                           WHERE NOT r.is_current AND m.breakdown = '便民服务'""").fetchall()
    con.close()
    assert [(os.path.basename(p), c) for p, c in rows] == [("v1.txt", False), ("v2.txt", True)]
    assert (current, older) == ([(4.0,)], [(3.0,)])


def test_report_without_a_year_is_loaded_with_a_flag(prefect_harness, tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "noyear.txt").write_text("某某局政务公开工作总结\n\n我局认真做好政府信息公开工作，全年主动公开信息30条。\n",
                                       encoding="utf-8")
    warehouse = tmp_path / "w.duckdb"
    audit = load_module.load_reports(str(inbox), str(warehouse))
    con = duckdb.connect(str(warehouse), read_only=True)
    year, flags = con.execute("SELECT report_year, flags FROM fact_report").fetchone()
    con.close()
    assert audit["published"] and year is None and "report_year_unknown" in flags
    assert audit["warnings_failed"] >= 1  # report_year not null is a warning expectation


@pytest.fixture
def base_warehouse(prefect_harness, tmp_path):
    """A warehouse holding three published reports; the crash runs then try to load all seven."""
    base = tmp_path / "base"
    base.mkdir()
    for f in sorted(EXAMPLES.iterdir())[:3]:
        shutil.copy(f, base / f.name)
    warehouse = tmp_path / "w.duckdb"
    load_module.load_reports(str(base), str(warehouse))
    return warehouse


STAGES = ("discover", "decode", "normalize", "extract", "stage", "validate", "publish")


def test_sigkill_at_every_stage_leaves_the_published_state(base_warehouse, tmp_path):
    from prefect.settings import PREFECT_API_URL

    before = snapshot(base_warehouse)
    env = dict(os.environ, PREFECT_API_URL=PREFECT_API_URL.value(), PYTHONPATH=str(ROOT))
    for i, stage in enumerate(STAGES):
        proc = subprocess.run(
            [sys.executable, "-m", "flows.cli", "load", str(EXAMPLES), "--db", str(base_warehouse), "--no-docs"],
            env=dict(env, GOVREPORT_FAULT=stage), cwd=ROOT, capture_output=True, timeout=300)
        assert proc.returncode == -9, (stage, proc.stderr.decode()[-2000:])
        # Nothing of a killed run is published; each run first writes the audit row of the one killed before it.
        assert snapshot(base_warehouse) == {**before, "audits": before["audits"] + i}, stage
    audit = load_module.load_reports(str(EXAMPLES), str(base_warehouse))
    after = snapshot(base_warehouse)
    assert audit["published"] and after["fact_report"] == 7 and after["raw_report"] == 7
    assert after["audits"] == before["audits"] + len(STAGES) + 1
    con = duckdb.connect(str(base_warehouse), read_only=True)
    crashed = con.execute("SELECT status, published, message FROM load_audit WHERE status <> 'published'").fetchall()
    con.close()
    assert len(crashed) == len(STAGES)
    assert all(s == "crashed" and not p and "died without a word" in m for s, p, m in crashed)
    con = duckdb.connect(str(base_warehouse), read_only=True)
    dupes = con.execute("SELECT count(*) - count(DISTINCT (report_id, metric_code, breakdown, value)) "
                        "FROM fact_metric").fetchone()[0]
    con.close()
    # The three base reports are still on disk where they were first loaded: their copies in EXAMPLES are
    # duplicates, the four others new.
    assert dupes == 0 and after["fact_metric"] == before["fact_metric"] + audit["facts_loaded"]


def test_second_load_fails_fast_naming_the_running_one_and_reads_still_work(base_warehouse):
    holder = {"run_id": "run-that-is-running", "pid": 12345}
    with db.writer_lock(base_warehouse, holder):
        with pytest.raises(db.WarehouseBusy, match="run-that-is-running"):
            load_module.load_reports(str(EXAMPLES), str(base_warehouse))
        proc = subprocess.run([sys.executable, "-m", "flows.cli", "query", "SELECT count(*) AS n FROM fact_report",
                               "--db", str(base_warehouse)], cwd=ROOT, capture_output=True, timeout=120,
                              env=dict(os.environ, PYTHONPATH=str(ROOT)))
        assert proc.returncode == 0 and "3" in proc.stdout.decode()
    assert snapshot(base_warehouse)["fact_report"] == 3


def test_writer_lock_is_keyed_on_the_resolved_file(tmp_path):
    real = tmp_path / "w.duckdb"
    db.connect(real).close()
    link = tmp_path / "link.duckdb"
    link.symlink_to(real)
    with db.writer_lock(real, {"run_id": "first"}):
        with pytest.raises(db.WarehouseBusy, match="first"):
            with db.writer_lock(link, {"run_id": "second"}):
                pass
        with pytest.raises(db.WarehouseBusy):
            with db.writer_lock(tmp_path / "." / "w.duckdb", {"run_id": "third"}):
                pass


def test_hostile_folder_loads_every_good_report_and_quarantines_the_rest(prefect_harness, tmp_path):
    """A FIFO (would block), a link to /dev/zero (never ends), a GBK file name (not UTF-8), a report dated in
    the future: each costs only itself; the good reports are published in the same run."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(EXAMPLES / "001_0146034ad01d9358.txt", inbox / "good.txt")
    gbk_name = os.fsdecode(os.fsencode(str(inbox)) + b"/" + "报告.txt".encode("gbk"))
    shutil.copy(EXAMPLES / "004_2f71a8a51b63bb23.txt", gbk_name)
    future = REPORT.replace("2010年", "2042年")
    (inbox / "future.txt").write_text(future, encoding="utf-8")
    os.mkfifo(inbox / "pipe.txt")
    (inbox / "zero.txt").symlink_to("/dev/zero")
    warehouse = tmp_path / "w.duckdb"
    audit = load_module.load_reports(str(inbox), str(warehouse))
    assert audit["published"] is True
    assert (audit["reports_loaded"], audit["rejected"]) == (3, 2)
    reasons = quarantine_reasons(warehouse)
    assert reasons == {"pipe.txt": "not_a_regular_file: fifo", "zero.txt": "not_a_regular_file: character device"}
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = dict(con.execute("SELECT regexp_extract(source_path, '[^/]+$'), report_year FROM fact_report").fetchall())
    flags = con.execute("SELECT flags FROM fact_report WHERE source_path LIKE '%future.txt'").fetchone()[0]
    con.close()
    assert rows["future.txt"] is None and "report_year_implausible" in flags
    assert rows["\\udcb1\\udca8\\udcb8\\udce6.txt"] == 2012   # the GBK name, escaped losslessly


# 4 MB of short hard-wrapped lines: rejoining them is Python work on one text (~15 s here), the kind of
# hostile neighbour a per-file budget exists for. The budget is ~15x less than that and ~100x more than a
# real report's step; nothing below asserts a duration.
def _slow_report() -> str:
    return "政府信息公开工作年度报告\n" + "本年度共收到政府信息公开申请12件，其中\n" * 200_000


@pytest.mark.parametrize("workers", [1, 2])
def test_a_file_over_the_time_budget_is_quarantined_and_the_batch_goes_on(prefect_harness, tmp_path, workers):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(EXAMPLES / "001_0146034ad01d9358.txt", inbox / "good1.txt")
    shutil.copy(EXAMPLES / "004_2f71a8a51b63bb23.txt", inbox / "good2.txt")
    (inbox / "slow.txt").write_text(_slow_report(), encoding="utf-8")
    warehouse = tmp_path / "w.duckdb"
    audit = load_module.load_reports(str(inbox), str(warehouse), workers=workers, batch_size=1,
                                     extract_timeout=1.0)
    assert audit["published"] is True
    assert (audit["reports_loaded"], audit["rejected"]) == (2, 1)
    # which step runs over depends on the machine (normalize or extract of 4 MB of one repeated line)
    [(name, reason)] = quarantine_reasons(warehouse).items()
    assert name == "slow.txt"
    assert re.fullmatch(r"extract_timeout: (normalize|extract) took over 1 s \(GOVREPORT_EXTRACT_TIMEOUT\)", reason)


def test_the_time_budget_interrupts_python_work_in_any_thread():
    import threading

    from transforms import budget

    def spin() -> None:
        while True:
            pass

    outcome = {}
    worker = threading.Thread(target=lambda: outcome.update(r=budget.within(0.2, spin)))
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive() and outcome["r"] == (False, None)
    assert budget.within(5, sum, [1, 2]) == (True, 3)  # done in time: the value, no exception left pending
    assert budget.within(0, sum, [1]) == (True, 1)


def _hold_read_only(path):
    """Another process reading the warehouse (a dashboard): holds the file's lock until its stdin closes."""
    proc = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1], "
                             "read_only=True); print('ready', flush=True); sys.stdin.read()", str(path)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_readers_blocking_publish_keep_the_run_for_the_next_load(base_warehouse, monkeypatch):
    before = snapshot(base_warehouse)
    monkeypatch.setenv(db.PUBLISH_WAIT_ENV, "0.5")
    reader = _hold_read_only(base_warehouse)
    try:
        deferred = load_module.load_reports(str(EXAMPLES), str(base_warehouse))
    finally:
        reader.stdin.close()
        reader.wait(timeout=60)
    assert deferred["status"] == "publish_deferred" and deferred["published"] is False
    assert snapshot(base_warehouse) == before  # nothing written, not even the audit row
    extracted = []
    real = load_module.extract_batch
    monkeypatch.setattr(load_module, "extract_batch", lambda batch, *a, **k: extracted.append(batch.height)
                        or real(batch, *a, **k))
    again = load_module.load_reports(str(EXAMPLES), str(base_warehouse))
    # The kept run was published first, so every file is unchanged by then: nothing is extracted again.
    assert again["published"] and (again["files_skipped"], again["reports_loaded"]) == (7, 0)
    assert extracted == []
    after = snapshot(base_warehouse)
    assert after["fact_report"] == 7 and after["audits"] == before["audits"] + 2
    con = duckdb.connect(str(base_warehouse), read_only=True)
    row = con.execute("SELECT status, published, reports_loaded, message FROM load_audit WHERE run_id = ?",
                      [deferred["run_id"]]).fetchone()
    con.close()
    assert row[:3] == ("publish_deferred", True, 4)  # the base's three are copies of files still in place
    assert "readers held" in row[3] and again["run_id"] in row[3]


def test_a_critical_failure_names_the_files_behind_it(prefect_harness, tmp_path, monkeypatch):
    import json

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, example in (("good.txt", "001_0146034ad01d9358.txt"), ("negative.txt", "004_2f71a8a51b63bb23.txt"),
                          ("bad span.txt", "003_a0033233149e65a0.txt")):
        shutil.copy(EXAMPLES / example, inbox / name)
    real = load_module.extract_records

    def corrupting(normalized, *budget):
        records = real(normalized, *budget)
        for r in records:
            fact = {"code": "requests.received", "breakdown": "injected", "unit": "件", "qualifier": "exact",
                    "span": [0, 2], "text": r["normalized_text"][:2], "rule": "test:injected", "page": None}
            if r["source"].endswith("negative.txt"):  # a GX column expectation: value >= 0
                r["metrics"].append({**fact, "value": -5})
            if r["source"].endswith("bad span.txt"):  # a Python check's rows: evidence not at its span
                r["metrics"].append({**fact, "value": 5, "text": "不对"})
        return records

    monkeypatch.setattr(load_module, "extract_records", corrupting)
    warehouse = tmp_path / "w.duckdb"
    audit = load_module.load_reports(str(inbox), str(warehouse))
    assert audit["published"] is False and audit["status"] == "not_published"
    negative, bad_span = str(inbox / "negative.txt"), str(inbox / "bad span.txt")
    assert f"fact_metric.value expect_column_values_to_be_between in {negative}" in audit["message"]
    assert f"sql_check:span_inside_text in {bad_span}" in audit["message"]
    assert "good.txt" not in audit["message"]
    con = duckdb.connect(str(warehouse), read_only=True)
    failures, message = con.execute("SELECT failures, message FROM load_audit").fetchone()
    con.close()
    named = {f["expectation"]: f["files"] for f in json.loads(failures) if f["severity"] == "critical"}
    assert named == {"expect_column_values_to_be_between": [negative], "sql_check:span_inside_text": [bad_span]}
    assert message == audit["message"]


def _audit_rows(path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT run_id, status, published, message FROM load_audit ORDER BY started_at").fetchall()
    finally:
        con.close()


def test_a_crashed_load_exits_5_and_the_next_load_records_it(base_warehouse, monkeypatch, capsys):
    from flows.cli import main

    before = snapshot(base_warehouse)

    def broken(normalized, *budget):
        raise RuntimeError("extractor bug on a hostile file")

    monkeypatch.setattr(load_module, "extract_records", broken)
    assert main(["load", str(EXAMPLES), "--db", str(base_warehouse), "--no-docs"]) == 5
    err = capsys.readouterr().err
    assert "the load crashed: RuntimeError: extractor bug on a hostile file" in err
    assert snapshot(base_warehouse) == before  # nothing published, and no row yet: the process might be dying
    monkeypatch.undo()
    assert main(["load", str(EXAMPLES), "--db", str(base_warehouse), "--no-docs"]) == 0
    rows = _audit_rows(base_warehouse)
    assert [r[1:3] for r in rows] == [("published", True), ("crashed", False), ("published", True)]
    assert "crashed: RuntimeError: extractor bug on a hostile file" in rows[1][3] and rows[2][0] in rows[1][3]


@pytest.mark.parametrize("signum, status", [(15, 143), (2, 130)])
def test_sigterm_or_ctrl_c_stops_a_load_cleanly_and_the_next_one_succeeds(prefect_harness, tmp_path, signum, status):
    """A real `govreport load` with its own temporary Prefect server, stopped while it reads a slow file (a
    FIFO beside it): the writer lock is released, the server is gone, and the next load publishes."""
    import json
    import time

    import psutil

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(EXAMPLES / "001_0146034ad01d9358.txt", inbox / "good.txt")
    (inbox / "slow.txt").write_text(_slow_report(), encoding="utf-8")
    os.mkfifo(inbox / "pipe.txt")
    warehouse = tmp_path / "w.duckdb"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}  # so it starts a temporary server
    proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "load", str(inbox), "--db", str(warehouse),
                             "--no-docs"], env=dict(env, PYTHONPATH=str(ROOT)), cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lock = tmp_path / "w.duckdb.lock"
    try:
        # Inside the flow once the lock file names this run; the slow file keeps it in the batch from then.
        while proc.poll() is None and not (lock.exists() and '"run_id"' in lock.read_text(encoding="utf-8")):
            time.sleep(0.2)
        children = psutil.Process(proc.pid).children(recursive=True)
        assert children, "the temporary Prefect server runs as a child process"
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == status, err.decode()[-3000:]
    assert "nothing of this run was published" in err.decode()
    gone, alive = psutil.wait_procs(children, timeout=30)
    assert alive == [], "the temporary Prefect server was left running"
    assert not (tmp_path / "w.duckdb.staging").exists() or not any((tmp_path / "w.duckdb.staging").iterdir())
    stopped = json.loads(lock.read_text(encoding="utf-8"))
    # Stopped by the command's own handler, or by Prefect's while the flow runs (TerminationSignal)
    assert stopped["error"].startswith(("Stopped: SIGTERM", "TerminationSignal", "KeyboardInterrupt"))
    audit = load_module.load_reports(str(inbox), str(warehouse), extract_timeout=1.0)
    assert audit["published"] and audit["reports_loaded"] == 1
    rows = _audit_rows(warehouse)
    assert [r[1] for r in rows] == ["stopped", "published"] and stopped["run_id"] == rows[0][0]


@pytest.mark.parametrize("content, message", [
    ("kind,alias,canonical,note\nname,某局,某市某局,\nabbrev,发改委,发展和改革委员会,\n",
     "aliases.csv:3: kind must be one of"),
    ("kind,alias,canonical,note\nname,旧局名,新局名,改名\n".encode("gbk"),
     "aliases.csv:2: the agency alias file is not UTF-8 (byte 31); it reads as GBK/GB18030: save it as UTF-8"),
    ("kind,alias\nname,某局\n", "aliases.csv:1: header must name kind,alias,canonical (missing canonical)"),
    (None, "aliases.csv: no such agency alias file (GOVREPORT_AGENCY_ALIASES)"),
])
@pytest.mark.parametrize("command", [["load", str(EXAMPLES)], ["rebuild"], ["backfill", "--years", "2010"]])
def test_a_bad_alias_csv_is_one_line_naming_file_and_line(tmp_path, monkeypatch, capsys, content, message, command):
    from flows.cli import main

    aliases = tmp_path / "aliases.csv"
    if isinstance(content, str):
        aliases.write_text(content, encoding="utf-8")
    elif content is not None:
        aliases.write_bytes(content)
    monkeypatch.setenv(db.ALIASES_ENV, str(aliases))
    warehouse = tmp_path / "w.duckdb"
    db.connect(warehouse).close()
    assert main([*command, "--db", str(warehouse)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"govreport: {tmp_path}/{message}") and err.count("\n") == 1  # one line, no traceback


def test_the_same_files_in_a_second_folder_are_duplicates_and_source_path_stays(prefect_harness, tmp_path):
    first, second = tmp_path / "first", tmp_path / "mirror"
    first.mkdir()
    second.mkdir()
    for name in ("001_0146034ad01d9358.txt", "004_2f71a8a51b63bb23.txt"):
        shutil.copy(EXAMPLES / name, first / name)
        shutil.copy(EXAMPLES / name, second / f"copy of {name}")
    shutil.copy(EXAMPLES / "003_a0033233149e65a0.txt", second / "new.txt")
    warehouse = tmp_path / "w.duckdb"
    load_module.load_reports(str(first), str(warehouse))
    audit = load_module.load_reports(str(second), str(warehouse))
    assert (audit["published"], audit["reports_loaded"], audit["rejected"]) == (True, 1, 2)
    assert quarantine_reasons(warehouse) == {
        f"copy of {n}": f"duplicate: same content as {first / n}"
        for n in ("001_0146034ad01d9358.txt", "004_2f71a8a51b63bb23.txt")}
    con = duckdb.connect(str(warehouse), read_only=True)
    paths = sorted(p for (p,) in con.execute("SELECT source_path FROM fact_report").fetchall())
    con.close()
    assert paths == sorted([str(first / "001_0146034ad01d9358.txt"), str(first / "004_2f71a8a51b63bb23.txt"),
                            str(second / "new.txt")])
    # The originals gone, --force reads the copies again and the reports move to them.
    shutil.rmtree(first)
    moved = load_module.load_reports(str(second), str(warehouse), force=True)
    assert (moved["reports_loaded"], moved["rejected"]) == (3, 0)
    con = duckdb.connect(str(warehouse), read_only=True)
    paths = {p for (p,) in con.execute("SELECT source_path FROM fact_report").fetchall()}
    con.close()
    assert all(p.startswith(str(second)) for p in paths) and len(paths) == 3


def test_a_stop_that_surfaces_as_another_error_is_still_a_stop():
    """SIGTERM during a DuckDB statement surfaces as `RuntimeError: Query interrupted`, not as the stop: the
    stop the process was asked for decides (exit 143, lock marker `Stopped`), not the error it became."""
    import subprocess
    import sys

    code = ("from transforms import budget\n"
            "from warehouse.db import stop_in\n"
            "assert stop_in(RuntimeError('Query interrupted')) is None\n"
            "class Stopped(BaseException): pass\n"
            "budget.interrupt_armed(Stopped, 'SIGTERM')\n"
            "s = stop_in(RuntimeError('Query interrupted'))\n"
            "print(type(s).__name__, s)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "Stopped SIGTERM"


@pytest.mark.slow
def test_files_just_under_the_size_limit_publish_under_the_writers_memory_cap(prefect_harness, tmp_path):
    """Eight 19 MB reports (the limit is 20 MB) publish under the default 512 MB cap (GOVREPORT_DUCKDB_MEMORY):
    whatever the size limit admits, the writer publishes."""
    from transforms.decode import MAX_FILE_BYTES

    assert db.WRITER_MEMORY == os.environ.get("GOVREPORT_DUCKDB_MEMORY", "512MB")
    page = (EXAMPLES / "006_shanghai_gov_office_2025.txt").read_bytes() + b"\n"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(8):
        body = page * ((MAX_FILE_BYTES - 1024 * 1024) // len(page)) + str(i).encode()  # distinct, ~19 MB
        (inbox / f"big{i}.txt").write_bytes(body)
    warehouse = tmp_path / "w.duckdb"
    audit = load_module.load_reports(str(inbox), str(warehouse))
    assert audit["published"] and audit["reports_loaded"] == 8 and audit["rejected"] == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT min(n_bytes) > 18 * 1024 * 1024, count(*) FROM raw_report").fetchone() == (True, 8)



_PREFECTS_HANDLER = """
import signal
from prefect.exceptions import TerminationSignal
from prefect.utilities import engine
from flows.cli import recording_prefect_sigterm
from transforms import budget
from warehouse.runs import stop_in
original = engine._prefect_sigterm_handler
with recording_prefect_sigterm():
    try:
        engine._prefect_sigterm_handler(signal.SIGTERM)  # what a SIGTERM runs while a flow runs
    except TerminationSignal:
        pass
    # the stop as DuckDB passes it on when the signal lands inside a statement
    print(type(stop_in(RuntimeError("Query interrupted"))).__name__)
print(engine._prefect_sigterm_handler is original)
"""


def test_sigterm_through_prefects_handler_is_recorded_as_the_stop():
    """While a flow runs, SIGTERM reaches Prefect's handler; raised inside a DuckDB statement it becomes
    `RuntimeError: Query interrupted`, which Prefect never sees. The command wraps that handler so the stop is
    recorded first (exit 143 and a 'stopped' audit row, not a crash), and unwraps it after."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _PREFECTS_HANDLER], capture_output=True, text=True, timeout=120,
                         cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert out.stdout.split() == ["TerminationSignal", "True"], out.stderr[-2000:]


def test_a_swallowed_stop_takes_effect_at_the_next_stage_boundary():
    """Ctrl-C's KeyboardInterrupt raised inside a finalizer is only printed (`Exception ignored in … __del__`);
    the stop it recorded still ends the run at the next stage boundary, before anything is published."""
    import subprocess
    import sys

    code = ("from flows.load import fault_point\n"
            "from transforms import budget\n"
            "fault_point('stage')\n"  # no stop: nothing happens
            "budget.interrupt_armed(KeyboardInterrupt)\n"  # what the handler records before it raises
            "try:\n"
            "    fault_point('validate')\n"
            "except KeyboardInterrupt:\n"
            "    print('stopped at the boundary')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert out.stdout.strip() == "stopped at the boundary", out.stderr[-2000:]
