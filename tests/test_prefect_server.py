"""The local Prefect server one-off commands share: started by the first, used by the next, stopped when idle."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

import psutil
import pytest

from flows import prefect_server
from tests.conftest import EXAMPLES, ROOT


@pytest.mark.parametrize("value,expected", [
    (None, "shared"), ("shared", "shared"), ("temporary", "temporary"), (" Temporary ", "temporary"),
    ("", "shared"), ("other", "shared"),
])
def test_mode(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv(prefect_server.MODE_ENV, raising=False)
    else:
        monkeypatch.setenv(prefect_server.MODE_ENV, value)
    assert prefect_server.mode() == expected


def test_a_stale_state_file_is_no_running_server(tmp_path):
    # A supervisor that died (SIGKILL, reboot) leaves its state: a dead pid is not a server.
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / prefect_server.STATE).write_text(json.dumps({"pid": dead.pid, "url": "http://127.0.0.1:9/api"}))
    assert prefect_server.running(tmp_path) is None
    assert prefect_server.stop(tmp_path) is False
    assert not (tmp_path / prefect_server.STATE).exists()


def _env(home: pathlib.Path, idle: float) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    return dict(env, PREFECT_HOME=str(home), GOVREPORT_PREFECT_SERVER="shared",
                GOVREPORT_PREFECT_IDLE_SECONDS=str(idle), PYTHONPATH=str(ROOT))


def _load(inbox: pathlib.Path, db: pathlib.Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flows.cli", "load", str(inbox), "--db", str(db), "--no-docs"],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _api_line(out: str) -> str:
    return next(line for line in out.splitlines() if line.startswith("prefect api:"))


@pytest.mark.slow
def test_commands_share_one_server_that_stops_when_idle(tmp_path):
    home = tmp_path / "prefect"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(EXAMPLES / "001_0146034ad01d9358.txt", inbox / "a.txt")
    env = _env(home, idle=3)
    try:
        # Two commands at once: one starts the server, the other waits for it and uses the same one.
        procs = [_load(inbox, tmp_path / f"w{i}.duckdb", env) for i in range(2)]
        outs = [p.communicate(timeout=300) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outs
        lines = [_api_line(out) for out, _ in outs]
        assert sum("started in" in ln for ln in lines) == 1 and sum("already running" in ln for ln in lines) == 1
        urls = {ln.split(" at ")[1].split(",")[0] for ln in lines}
        assert len(urls) == 1
        state = json.loads((home / prefect_server.STATE).read_text())
        assert state["url"] == urls.pop() and psutil.pid_exists(state["pid"])
        supervisor = psutil.Process(state["pid"])
        server = supervisor.children(recursive=True)
        assert server, "Prefect's own server runs under the supervisor"
        # A later command uses it too, and `govreport api status` names it.
        out = subprocess.run([sys.executable, "-m", "flows.cli", "api"], env=env, cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout
        assert state["url"] in out
        # Idle (no command, no flow run): it stops by itself, Prefect's server with it.
        deadline = time.monotonic() + 60
        while supervisor.is_running() and supervisor.status() != psutil.STATUS_ZOMBIE and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not psutil.pid_exists(state["pid"]) or supervisor.status() == psutil.STATUS_ZOMBIE
        assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in server)
        assert not (home / prefect_server.STATE).exists()
    finally:
        subprocess.run([sys.executable, "-m", "flows.cli", "api", "stop"], env=env, cwd=ROOT, capture_output=True)


@pytest.mark.slow
def test_api_stop_stops_the_shared_server(tmp_path):
    home = tmp_path / "prefect"
    env = _env(home, idle=600)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    try:
        out, err = _load(inbox, tmp_path / "w.duckdb", env).communicate(timeout=300)
        assert "started in" in _api_line(out), err
        pid = json.loads((home / prefect_server.STATE).read_text())["pid"]
        stop = subprocess.run([sys.executable, "-m", "flows.cli", "api", "stop"], env=env, cwd=ROOT,
                              capture_output=True, text=True, check=True)
        assert "stopped" in stop.stdout
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
        again = subprocess.run([sys.executable, "-m", "flows.cli", "api", "stop"], env=env, cwd=ROOT,
                               capture_output=True, text=True, check=True)
        assert "no shared Prefect server" in again.stdout
    finally:
        subprocess.run([sys.executable, "-m", "flows.cli", "api", "stop"], env=env, cwd=ROOT, capture_output=True)
