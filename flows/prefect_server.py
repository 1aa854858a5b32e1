"""The local Prefect server that one-off commands share: Prefect's own `prefect server start` (API only, as the
temporary server is), started in the background by the first command that needs one, under PREFECT_HOME, and
stopped by its supervisor (this module run as a script) once no command has used it for IDLE seconds and no
flow run is active. So only the first of a run of commands pays for the server's start.

GOVREPORT_PREFECT_SERVER=temporary gives each command a temporary server of its own instead, as before (the
test suite does, so no server outlives it); a configured PREFECT_API_URL wins over both.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

MODE_ENV = "GOVREPORT_PREFECT_SERVER"      # shared (default) or temporary
IDLE_ENV = "GOVREPORT_PREFECT_IDLE_SECONDS"
IDLE_SECONDS = 600
START_TIMEOUT = 180  # the first start in an empty PREFECT_HOME runs database migrations
STATE, LOCK, LOG = "govreport-api.json", "govreport-api.lock", "govreport-api.log"
POLL_SECONDS = 5.0
ACTIVE = ["RUNNING", "PENDING", "CANCELLING"]


def mode() -> str:
    return "temporary" if os.environ.get(MODE_ENV, "shared").strip().lower() == "temporary" else "shared"


def idle_seconds() -> float:
    return float(os.environ.get(IDLE_ENV) or IDLE_SECONDS)


def home() -> pathlib.Path:
    from prefect.settings import get_current_settings

    return pathlib.Path(get_current_settings().home).expanduser()


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=timeout) as resp:  # noqa: S310 (loopback)
            return resp.status == 200
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _state(where: pathlib.Path) -> dict | None:
    try:
        return json.loads((where / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def running(where: pathlib.Path) -> dict | None:
    """The shared server's state ({pid, url, started}) when its supervisor lives and the API answers."""
    state = _state(where)
    if state and _alive(int(state["pid"])) and healthy(state["url"]):
        return state
    return None


def touch(where: pathlib.Path) -> None:
    """A command used the server now: its idle time starts again."""
    with contextlib.suppress(OSError):
        os.utime(where / STATE)


@contextlib.contextmanager
def _locked(where: pathlib.Path) -> Iterator[None]:
    """One command at a time decides whether to start the server (two at once would start two)."""
    with (where / LOCK).open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shared() -> tuple[str, float | None]:
    """The shared server's API URL, and the seconds its start took when this call started it (None: it was
    running already)."""
    where = home()
    where.mkdir(parents=True, exist_ok=True)
    with _locked(where):
        state = running(where)
        if state:
            touch(where)
            return state["url"], None
        tick = time.perf_counter()
        port = _free_port()
        url = f"http://127.0.0.1:{port}/api"
        with (where / LOG).open("wb") as log:  # the running server's log only
            # Its own session: a Ctrl-C in this terminal does not reach it, and it holds none of our pipes.
            proc = subprocess.Popen([sys.executable, "-m", "flows.prefect_server", str(port)],
                                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True, cwd=pathlib.Path(__file__).resolve().parents[1])
        while not healthy(url, timeout=1.0):
            if proc.poll() is not None or time.perf_counter() - tick > START_TIMEOUT:
                with contextlib.suppress(ProcessLookupError):
                    proc.terminate()
                raise RuntimeError(f"the shared Prefect server did not start; its log: {where / LOG}")
            time.sleep(0.2)
        (where / STATE).write_text(json.dumps({"pid": proc.pid, "url": url, "started": time.time()}),
                                   encoding="utf-8")
        return url, time.perf_counter() - tick


def stop(where: pathlib.Path | None = None, timeout: float = 30.0) -> bool:
    """Stop the shared server (its supervisor stops Prefect's). True when one was running."""
    where = where or home()
    state = _state(where)
    if not state or not _alive(int(state["pid"])):
        with contextlib.suppress(OSError):
            (where / STATE).unlink()
        return False
    os.kill(int(state["pid"]), signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(int(state["pid"])) and time.monotonic() < deadline:
        time.sleep(0.1)
    return True


def _active_runs(url: str) -> int:
    body = json.dumps({"flow_runs": {"state": {"type": {"any_": ACTIVE}}}}).encode()
    req = urllib.request.Request(f"{url}/flow_runs/count", data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:  # noqa: S310 (loopback)
            return int(json.loads(resp.read()))
    except (OSError, ValueError):
        return 1  # cannot tell: keep serving


def supervise(port: int) -> int:
    """Run `prefect server start` and stop it once idle: the script's body."""
    where = home()
    url = f"http://127.0.0.1:{port}/api"
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                               "--port", str(port), "--no-ui", "--no-services", "--analytics-off"],
                              stdin=subprocess.DEVNULL)
    stopping = False

    def on_term(signum, frame):  # noqa: ARG001
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    try:
        poll = min(POLL_SECONDS, max(0.5, idle_seconds() / 2))
        while not stopping and server.poll() is None:
            time.sleep(poll)
            try:
                idle = time.time() - (where / STATE).stat().st_mtime
            except OSError:
                continue  # not written yet (starting) or removed: decided on the next round
            if idle > idle_seconds() and _active_runs(url) == 0:
                break
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        state = _state(where)
        if state and int(state["pid"]) == os.getpid():
            with contextlib.suppress(OSError):
                (where / STATE).unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(supervise(int(sys.argv[1])))
