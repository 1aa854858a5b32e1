"""What the commands share: the default warehouse, the read-only connection every reading command opens, the
Prefect API a one-off command starts, and option helpers. Imported by flows/cli.py and every flows/cli_*.py;
it imports none of them."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import pathlib
import sys
import time
from collections.abc import Iterator

# With no Prefect server configured, a flow starts a temporary local API; its first start in an empty
# PREFECT_HOME runs database migrations and can exceed Prefect's 20 s default on a busy 2-core machine.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
# The temporary server's telemetry service only fails here (no network) and races on its first start.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

DEFAULT_DB = os.environ.get("GOVREPORT_DB", "data/govreport.duckdb")


def at_least(minimum: int):
    """An argparse type: a whole number of at least `minimum` (`--limit -1` is refused, exit 2)."""
    def parse(text: str) -> int:
        value = int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return value
    return parse


def docs_dir(db_path: str) -> str:
    return str(pathlib.Path(db_path).resolve().parent / "gx")

@dataclasses.dataclass(frozen=True)
class Api:
    seconds: float  # what starting a server took in this command (0: none started)
    note: str       # one line for the command's summary ("" when a server was configured)


@contextlib.contextmanager
def prefect_api() -> Iterator[Api]:
    """The Prefect API for this command: the configured server (as under `govreport serve`), else the local
    server one-off commands share (flows/prefect_server.py: started by the first, stops itself when idle),
    else, with GOVREPORT_PREFECT_SERVER=temporary, a temporary one started here, once, and timed. Set in the
    environment too, so worker processes use the same one instead of each starting their own."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if PREFECT_API_URL.value():
        yield Api(0.0, "")
        return
    from flows import prefect_server

    if prefect_server.mode() == "shared":
        url, took = prefect_server.shared()
        idle = f"stops after {prefect_server.idle_seconds() / 60:g} min idle; govreport api stop"
        note = (f"shared local server at {url}, started in {took:.1f} s ({idle})" if took is not None
                else f"shared local server at {url}, already running ({idle})")
        try:
            os.environ["PREFECT_API_URL"] = url
            with temporary_settings(updates={PREFECT_API_URL: url}):
                yield Api(took or 0.0, note)
        finally:
            _flush_logs()
            os.environ.pop("PREFECT_API_URL", None)
            prefect_server.touch(prefect_server.home())  # idle from the end of this command
        return
    from prefect.server.api.server import SubprocessASGIServer

    tick = time.perf_counter()
    server = SubprocessASGIServer()
    try:  # started inside: a stop (Ctrl-C, SIGTERM) while it starts still stops it
        server.start()
        os.environ["PREFECT_API_URL"] = server.api_url
        took = time.perf_counter() - tick
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield Api(took, f"temporary local server, started in {took:.1f} s")
    finally:
        _flush_logs()
        os.environ.pop("PREFECT_API_URL", None)
        server.stop()


def _flush_logs() -> None:
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()  # send the run's last log lines before the server goes away


def ocr_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ocr", action="store_true",
                   help="read scanned PDFs (no text layer) by OCR: slow, seconds a page (pip install 'govreport[ocr]')")

def alias_problem() -> str | None:
    """What is wrong with the agency alias tables (the shipped one and GOVREPORT_AGENCY_ALIASES), in one line
    naming the file and line, or None. Checked before a run starts: inside it, the error would surface in a
    worker as a failed task with a traceback."""
    from transforms.agency import AliasError, load_aliases

    try:
        load_aliases(os.environ.get("GOVREPORT_AGENCY_ALIASES") or None)
    except AliasError as exc:
        return str(exc)
    return None

def open_read_only(db_path: str):
    """A read-only connection to the warehouse, or the exit status after saying why there is none:
    2 when there is no warehouse file, 3 while a load's publish holds it, 4 when the file is no DuckDB
    warehouse (empty, damaged, something else). Every reading command uses it."""
    import duckdb  # not warehouse.db: a reader needs none of the writer's imports (pandas, pyarrow: ~0.5 s)

    if not pathlib.Path(db_path).exists():
        print(f"govreport: no warehouse at {db_path}; run `govreport load DIR` first", file=sys.stderr)
        return 2
    try:
        return duckdb.connect(str(db_path), read_only=True)
    except duckdb.IOException as exc:
        if "not a valid DuckDB database file" in str(exc) or pathlib.Path(db_path).stat().st_size == 0:
            print(f"govreport: {db_path} is not a DuckDB warehouse (empty or damaged): nothing to read; restore it "
                  f"from a copy or rebuild it with `govreport load` into a new file ({exc})", file=sys.stderr)
            return 4
        print(f"govreport: {db_path} is being written by a load's publish step right now (it takes seconds); "
              f"retry ({exc})", file=sys.stderr)
        return 3
