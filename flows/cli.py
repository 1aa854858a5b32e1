"""`govreport` command line: load, extract, query, quarantine."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pathlib
import sys
import time
from collections.abc import Iterator

from flows.cli_common import (
    DEFAULT_DB,
    alias_problem,
    at_least,
    docs_dir,
    ocr_option,
    open_read_only,
    prefect_api,
)

CONTRACT_FIELDS = ("source", "sha256", "status", "error", "encoding", "script", "title", "agency", "province", "city",
                   "county", "division_code", "division_code_in_year", "former_division_codes", "report_year",
                   "published_on", "signed_on", "layout", "metrics", "flags")


class Stopped(BaseException):  # noqa: N818 - a stop request, like KeyboardInterrupt
    """SIGTERM: raised in the main thread so that a load unwinds as from Ctrl-C, releasing its writer lock and
    staging folder and stopping the temporary Prefect server, instead of dying with them left behind."""


# Exit statuses of a load that did not finish (README's exit-status table).
EXIT_CRASHED, EXIT_INTERRUPTED, EXIT_TERMINATED = 5, 130, 143


@contextlib.contextmanager
def recording_prefect_sigterm() -> Iterator[None]:
    """While a flow runs, SIGTERM reaches Prefect's own handler (it raises TerminationSignal), not this
    command's. Raised inside a DuckDB statement it becomes `RuntimeError: Query interrupted` and Prefect never
    sees it, so the stop would pass for a crash: Prefect's handler is wrapped to record the stop first
    (transforms.budget.stop_requested), as this command's own handler does. If Prefect no longer has that
    handler (a future version), nothing is wrapped and such a stop is reported as a crash, as before."""
    from prefect.utilities import engine

    from transforms import budget

    bridge = getattr(engine, "_prefect_sigterm_handler", None)
    if bridge is None:
        yield
        return

    def recording(sig_num, *args):
        budget.interrupt_armed(TerminationSignal, sig_num)
        bridge(sig_num, *args)

    from prefect.exceptions import TerminationSignal

    engine._prefect_sigterm_handler = recording
    try:
        yield
    finally:
        engine._prefect_sigterm_handler = bridge


def cmd_load(args: argparse.Namespace) -> int:
    """A load with its stops: Ctrl-C (130) and SIGTERM (143) unwind it cleanly; an unexpected error ends it
    with status 5 (its audit row, status crashed, is written by the next load)."""
    import signal

    from transforms import budget

    def stop(exc: type[BaseException], *message: str):
        def handler(signum, frame):
            budget.interrupt_armed(exc, *message)  # the task thread's file step too, not only this thread
            raise exc(*message)
        return handler

    from prefect.exceptions import TerminationSignal  # Prefect's own SIGTERM handler, while a flow runs

    if problem := alias_problem():
        print(f"govreport: {problem}", file=sys.stderr)
        return 2
    handlers = {signal.SIGTERM: signal.signal(signal.SIGTERM, stop(Stopped, "SIGTERM")),
                signal.SIGINT: signal.signal(signal.SIGINT, stop(KeyboardInterrupt))}
    try:
        with recording_prefect_sigterm():
            return _load(args)
    except KeyboardInterrupt:
        print("govreport: interrupted (Ctrl-C): nothing of this run was published", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (Stopped, TerminationSignal):
        print("govreport: stopped (SIGTERM): nothing of this run was published", file=sys.stderr)
        return EXIT_TERMINATED
    except Exception as exc:  # noqa: BLE001 - one line and a status of its own; Prefect logged the traceback
        from warehouse.runs import stop_in

        stop = stop_in(exc)  # a stop that Prefect's own error handling masked
        if stop is not None:
            kind = "interrupted (Ctrl-C)" if isinstance(stop, KeyboardInterrupt) else "stopped (SIGTERM)"
            print(f"govreport: {kind}: nothing of this run was published", file=sys.stderr)
            return EXIT_INTERRUPTED if isinstance(stop, KeyboardInterrupt) else EXIT_TERMINATED
        print(f"govreport: the load crashed: {type(exc).__name__}: {exc}; nothing of this run was published "
              "(the next load records it in load_audit as crashed)", file=sys.stderr)
        return EXIT_CRASHED
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)


def _load(args: argparse.Namespace) -> int:
    from flows.load import load_reports
    from warehouse.runs import WarehouseBusy

    with prefect_api() as api:
        tick = time.perf_counter()
        try:
            audit = load_reports(str(args.source), args.db, docs_dir=None if args.no_docs else docs_dir(args.db),
                                 batch_size=args.batch_size,
                                 force=args.force, workers=args.workers, dask_address=args.dask_address,
                                 ocr=args.ocr, extract_timeout=args.extract_timeout)
        except WarehouseBusy as exc:
            print(f"govreport: {exc}", file=sys.stderr)
            return 3
        flow_seconds = time.perf_counter() - tick
    if api.note:
        print(f"prefect api:         {api.note}")
    print(f"flow run:            {flow_seconds:.1f} s")
    print(f"files seen:          {audit['files_seen']}  ({audit['files_skipped']} unchanged, skipped)")
    print(f"reports loaded:      {audit['reports_loaded']}")
    print(f"rejected:            {audit['rejected']}  (see: govreport quarantine)")
    print(f"facts loaded:        {audit['facts_loaded']}")
    print(f"expectations passed: {audit['expectations_passed']}")
    print(f"expectations failed: {audit['expectations_failed']} critical, {audit['warnings_failed']} warnings")
    issues = audit.get("quality_issues") or {}
    print(f"quality issues:      {sum(issues.values())}  {json.dumps(issues) if issues else ''}".rstrip())
    print(f"published:           {'yes' if audit['published'] else 'no'}")
    if not audit["published"] and audit.get("status") == "not_published":  # which expectations, which files
        print(f"govreport: {audit['message']}", file=sys.stderr)
    if audit.get("status") == "publish_deferred":  # readers held the file: kept, the next load publishes it
        print(f"govreport: {audit['message']}", file=sys.stderr)
        return 3
    if not args.no_docs:
        from expectations.paths import docs_index

        print(f"data docs:           {docs_index(pathlib.Path(docs_dir(args.db)))}")
    return 0 if audit["published"] else 1


def cmd_extract(args: argparse.Namespace) -> int:
    from flows.discover import list_report_files
    from transforms.decode import decode_files
    from transforms.extract import extract_records
    from transforms.normalize import normalize_batch

    paths: list[str] = []
    for p in args.paths:
        try:
            paths += list_report_files(p)
        except FileNotFoundError as exc:
            print(f"govreport: {exc}", file=sys.stderr)
            return 2
    for record in extract_records(normalize_batch(decode_files(paths, ocr=args.ocr))):
        print(json.dumps({k: record[k] for k in CONTRACT_FIELDS}, ensure_ascii=False))
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    import duckdb

    con = open_read_only(args.db)
    if isinstance(con, int):
        return con
    if not getattr(args, "allow_files", False):
        # The warehouse file is read-only, but SQL could still write or read other files (COPY … TO, ATTACH …
        # READ_WRITE, read_text('/etc/passwd')) or install extensions: all of that is off, and stays off.
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    sql = sys.stdin.read() if args.sql == "-" else args.sql
    fmt = getattr(args, "format", "table")
    try:
        rel = con.sql(sql)
        if rel is not None:
            if fmt == "table" and not getattr(args, "out", None):
                rel.show(max_width=200, max_rows=args.max_rows)
            else:
                _write_result(rel.pl(), fmt, getattr(args, "out", None))
    except duckdb.Error as exc:
        print(f"govreport: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    return 0


def _write_result(frame, fmt: str, out: str | None) -> None:
    """The query's rows as csv, json (one object per line) or parquet, to --out or standard output. The
    file is written here, by the CLI, not by the SQL: the query connection may not touch files."""
    if fmt == "parquet" and not out:
        raise SystemExit("govreport: --format parquet needs --out FILE")
    if fmt == "table":
        text = str(frame)
    elif fmt == "csv":
        text = frame.write_csv()
    elif fmt == "json":
        text = frame.write_ndjson()
    else:
        frame.write_parquet(out)
        return
    if out:
        pathlib.Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def cmd_quarantine(args: argparse.Namespace) -> int:
    args.sql = "SELECT source_path, reason, quarantined_at, run_id FROM quarantine ORDER BY quarantined_at, source_path"
    return cmd_query(args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="govreport", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("load", help="load a directory of report files into the warehouse")
    p.add_argument("source")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--no-docs", action="store_true", help="skip building GX Data Docs")
    p.add_argument("--force", action="store_true", help="read every file again, even unchanged ones")
    p.add_argument("--batch-size", type=int,
                   help="files per extract batch (default 2000 in process, 1000 on workers to spread the work)")
    p.add_argument("--dask-address", default=os.environ.get("GOVREPORT_DASK_ADDRESS"),
                   help="extract on this Dask cluster, e.g. tcp://host:8786 (env GOVREPORT_DASK_ADDRESS)")
    p.add_argument("--workers", type=at_least(0), default=0, metavar="N",
                   help="extract in N local worker processes (default: one per available core when the run has "
                        "more than one batch, else in this process; 1: always in this process)")
    ocr_option(p)
    p.add_argument("--extract-timeout", type=float, metavar="SECONDS",
                   help="give up a file whose decode, normalize or extract step takes longer, quarantined "
                        "extract_timeout (default: env GOVREPORT_EXTRACT_TIMEOUT, else 60; 0: no limit)")
    p.set_defaults(func=cmd_load)
    p = sub.add_parser("extract", help="print the extraction of report files as JSON Lines")
    p.add_argument("paths", nargs="+")
    ocr_option(p)
    p.set_defaults(func=cmd_extract)
    p = sub.add_parser("query", help="run SQL against the warehouse (read-only)")
    p.add_argument("sql", help="the SQL, or - to read it from standard input")
    p.add_argument("--format", choices=("table", "csv", "json", "parquet"), default="table",
                   help="table (default), csv, json (one object per line) or parquet (needs --out)")
    p.add_argument("--out", help="write the rows to this file instead of standard output")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--max-rows", type=int, default=100)
    p.add_argument("--allow-files", action="store_true",
                   help="let the SQL read and write other files and load extensions (off by default)")
    p.set_defaults(func=cmd_query)
    p = sub.add_parser("quarantine", help="list rejected files and why")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--max-rows", type=int, default=1000)
    p.set_defaults(func=cmd_quarantine)
    from flows import cli_analysis, cli_fetch, cli_ops, cli_release, cli_reports

    cli_analysis.register(sub)
    cli_reports.register(sub)
    cli_ops.register(sub)
    cli_fetch.register(sub)
    cli_release.register(sub)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        # `govreport diff … | head`: the reader has what it wanted. Quiet, with the status a shell gives a
        # process killed by SIGPIPE; stdout is pointed at devnull so the interpreter's final flush cannot fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
