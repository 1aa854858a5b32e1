"""A time budget for one file's work: a file whose decoding, normalizing or extraction runs past it is given up
(quarantined `extract_timeout`) and the batch goes on.

Why a watchdog thread and not SIGALRM: a signal handler runs only in a process's main thread, and the batches
run in Prefect's task threads (in process, and on Dask workers). The watchdog raises FileTimeout in the thread
that overran (PyThreadState_SetAsyncExc), which works in any thread of any process. Like a signal handler, it
takes effect between Python bytecodes: a single C call (one regex match, one codec call) finishes first; the
scanners that could run long on hostile text are Python loops (see transforms/prose.py), and the C calls
are linear in the text, which the 20 MB file limit bounds.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from collections.abc import Callable
from typing import TypeVar

ENV = "GOVREPORT_EXTRACT_TIMEOUT"  # seconds one file's step may take; 0 turns the budget off
DEFAULT_SECONDS = 60.0  # a 20 MB saved page or a 100-page PDF takes a few seconds; real reports milliseconds

T = TypeVar("T")


class FileTimeout(BaseException):  # noqa: N818 - raised like KeyboardInterrupt, named for what it means
    """One file's step overran its budget. A BaseException, so the `except Exception` of a library the step
    calls (pdfminer, mammoth) cannot swallow it."""


def default_seconds() -> float:
    """The budget from GOVREPORT_EXTRACT_TIMEOUT (seconds), else DEFAULT_SECONDS; 0 or less: no budget."""
    raw = os.environ.get(ENV, "").strip()
    return float(raw) if raw else DEFAULT_SECONDS


_lock = threading.Condition()
_armed: dict[int, list] = {}  # thread ident -> [deadline (monotonic), fired]
_watchdog: threading.Thread | None = None


def _set_async_exc(ident: int, exc: type[BaseException] | None) -> None:
    """Raise `exc` in thread `ident` at its next bytecode; None clears one still pending (NULL, not Py_None)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident),
                                               ctypes.py_object(exc) if exc else ctypes.c_void_p(0))


def _watch() -> None:
    with _lock:
        while True:
            now = time.monotonic()
            due = [(ident, entry) for ident, entry in _armed.items() if not entry[1] and entry[0] <= now]
            for ident, entry in due:
                entry[1] = True
                _set_async_exc(ident, FileTimeout)
            pending = [e[0] for e in _armed.values() if not e[1]]
            _lock.wait(timeout=max(min(pending) - now, 0.001) if pending else None)


def reason(seconds: float | None, step: str) -> str:
    """The quarantine reason of a file given up in `step` (decode, normalize, extract)."""
    return f"extract_timeout: {step} took over {seconds:g} s ({ENV})"


def within(seconds: float | None, fn: Callable[..., T], *args) -> tuple[bool, T | None]:
    """(True, fn(*args)) when it returns within `seconds` (None or <= 0: no limit), else (False, None).
    Arming costs a lock and a notify per call (microseconds), no thread per call."""
    global _watchdog
    if not seconds or seconds <= 0:
        return True, fn(*args)
    ident = threading.get_ident()
    entry = [time.monotonic() + seconds, False]
    try:
        with _lock:
            if _watchdog is None or not _watchdog.is_alive():  # per process: a forked worker has none
                _watchdog = threading.Thread(target=_watch, name="govreport-file-budget", daemon=True)
                _watchdog.start()
            _armed[ident] = entry
            _lock.notify()
        try:
            return True, fn(*args)
        finally:
            with _lock:
                _armed.pop(ident, None)
            if entry[1]:
                # Fired just as fn returned: clear the exception if it is still pending, so it cannot surface
                # in whatever this thread runs next (raised already, it is being handled right here).
                _set_async_exc(ident, None)
    except FileTimeout:
        return False, None


class Interrupted(BaseException):  # noqa: N818 - like KeyboardInterrupt
    """Raised in a file's step by interrupt_armed: the run is being stopped."""


_stop_requested: list[BaseException] = []


def stop_requested() -> BaseException | None:
    """The stop this process was asked for (the `exc` of the first interrupt_armed call), or None. A stop can
    surface as another error where it lands (DuckDB's `Query interrupted` during a statement)."""
    return _stop_requested[0] if _stop_requested else None


def interrupt_armed(exc: type[BaseException] = Interrupted, *message: str) -> None:
    """Raise `exc` in every thread running a file's step now (a stop request, Ctrl-C or SIGTERM, reaches the
    main thread only; without this the task thread would finish its step first, up to the whole budget)."""
    if exc is not Interrupted and not _stop_requested:
        _stop_requested.append(exc(*message))
    with _lock:
        for ident, entry in _armed.items():
            entry[1] = True  # within() then clears what is still pending once the step has ended
            _set_async_exc(ident, exc)
