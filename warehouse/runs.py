"""One writer at a time: the writer lock, and the audit row of a run that did not end (crashed or stopped)."""

from __future__ import annotations

import fcntl
import json
import logging
import pathlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from warehouse.audit import audited, record_audit
from warehouse.publish import ReadersHold, waiting_for_readers
from warehouse.schema import connect

_log = logging.getLogger("govreport.warehouse")

class WarehouseBusy(RuntimeError):
    """Another load holds the warehouse's writer lock."""


@contextmanager
def writer_lock(path: str | pathlib.Path, holder: dict[str, Any]) -> Iterator[dict[str, Any] | None]:
    """One load at a time per warehouse: a lock file next to it names the running load. Fails fast. The lock
    sits next to the resolved file, so a symlinked or relative `--db` names the same lock.

    Yields the run that held it last if that run did not end cleanly, else None: a run that ends cleanly
    empties the file; one that raised leaves its holder with `error`; one killed (SIGKILL, OOM, power) leaves
    its holder as it was. The kernel drops the flock itself when a process dies, so a dead run never blocks."""
    lock_path = pathlib.Path(f"{pathlib.Path(path).resolve()}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            raise WarehouseBusy(f"another load is running on {path}: {fh.read().strip() or 'unknown'}") from None
        fh.seek(0)
        left = fh.read().strip()
        try:
            previous = json.loads(left) if left else None
        except ValueError:  # cut short while being written: still a run that did not end
            previous = {"error": f"unreadable lock file content {left[:80]!r}"}
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(holder, ensure_ascii=False, default=str))
        fh.flush()
        ended = ""
        try:
            yield previous if isinstance(previous, dict) else None
        except WarehouseBusy:
            raise  # it found the warehouse busy and did nothing: no run to record
        except BaseException as exc:
            cause = stop_in(exc) or exc
            ended = json.dumps({**holder, "error": f"{type(cause).__name__}: {cause}"[:500]}, ensure_ascii=False,
                               default=str)
            raise
        finally:
            fh.seek(0)
            fh.truncate()
            fh.write(ended)
            fh.flush()
            fcntl.flock(fh, fcntl.LOCK_UN)


STOPS = ("KeyboardInterrupt", "Stopped", "TerminationSignal")  # Ctrl-C; SIGTERM (flows/cli.py's, Prefect's)


def stop_in(exc: BaseException | None) -> BaseException | None:
    """The stop request (Ctrl-C, SIGTERM) behind `exc`, if any: Prefect's crash handling can raise its own error
    while a KeyboardInterrupt unwinds it ("Task run is not set"), which must not turn a stop into a crash."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if type(exc).__name__ in STOPS:
            return exc
        exc = exc.__cause__ or exc.__context__
    from transforms.budget import stop_requested

    return stop_requested()  # a stop that surfaced as another error where it landed (`Query interrupted`)


_CRASH_COUNTS = ("files_seen", "reports_loaded", "rejected", "facts_loaded", "expectations_passed",
                 "expectations_failed", "warnings_failed")


def record_crashed(path: str | pathlib.Path, crashed: dict[str, Any], by_run: str) -> bool:
    """The load_audit row of a run that did not end (writer_lock's `previous`), written by run `by_run` in
    its own short transaction: status crashed (stopped: interrupted by Ctrl-C or SIGTERM), published false.
    Nothing when that run has a row already (it died after its COMMIT). False when readers held the file
    for all of the publish wait (the row is then not written)."""
    run_id = crashed.get("run_id") or f"unknown-{by_run}"
    if audited(path, run_id):
        return True
    error = crashed.get("error")
    stopped = bool(error) and error.split(":", 1)[0] in STOPS
    how = (f"stopped: {error}" if stopped else f"crashed: {error}" if error else
           "crashed: the process died without a word (SIGKILL, out of memory, power)")
    row = {"run_id": run_id, "flow": crashed.get("flow") or "load_reports", "source": crashed.get("source"),
           "started_at": datetime.fromisoformat(crashed["started_at"]) if crashed.get("started_at") else
           datetime.now(), "finished_at": None, **dict.fromkeys(_CRASH_COUNTS, 0), "published": False,
           "status": "stopped" if stopped else "crashed",
           "message": f"{how}; nothing it staged was published (pid {crashed.get('pid')}; recorded by run {by_run})"}

    def write() -> None:
        con = connect(path)
        try:
            con.execute("BEGIN TRANSACTION")
            record_audit(con, row)
            con.execute("COMMIT")
        finally:
            con.close()

    try:
        waiting_for_readers(path, write)
    except ReadersHold as exc:
        _log.warning("could not record the run %s that did not end: %s", run_id, exc)
        return False
    return True
