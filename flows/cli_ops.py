"""`govreport backfill`, `rebuild` and `serve`: operating the warehouse over time (flows/backfill.py, serve.py)."""

from __future__ import annotations

import argparse
import os
import pathlib
import re
import sys
import time

from flows.cli_common import DEFAULT_DB, alias_problem, docs_dir, prefect_api


def _defaults() -> tuple[str, str]:
    return DEFAULT_DB, os.environ.get("GOVREPORT_INBOX", "data/inbox")


def parse_years(text: str) -> list[int]:
    """`2008-2018`, `2012` or `2008,2010-2012` -> sorted distinct years (2008 on: the regulation's first)."""
    years: set[int] = set()
    for part in text.split(","):
        match = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", part)
        if not match:
            raise argparse.ArgumentTypeError(f"not a year or range of years: {part!r} (e.g. 2008-2018)")
        first, last = int(match[1]), int(match[2] or match[1])
        if not 2008 <= first <= last:
            raise argparse.ArgumentTypeError(f"years run from 2008 on, first to last: {part!r}")
        years.update(range(first, last + 1))
    return sorted(years)


def _docs(args: argparse.Namespace) -> str | None:
    return None if args.no_docs else docs_dir(args.db)


def _no_warehouse(db_path: str) -> bool:
    if pathlib.Path(db_path).exists():
        return False
    print(f"govreport: no warehouse at {db_path}; run `govreport load DIR` first", file=sys.stderr)
    return True


def _bad_aliases() -> bool:
    """Says what is wrong with the agency alias CSVs (file and line), if anything (cli_common.alias_problem)."""
    problem = alias_problem()
    if problem:
        print(f"govreport: {problem}", file=sys.stderr)
    return bool(problem)


def cmd_backfill(args: argparse.Namespace) -> int:
    from flows.backfill import backfill, describe
    from flows.runners import BATCH_SIZE

    if not args.source and _no_warehouse(args.db) or _bad_aliases():
        return 2
    with prefect_api():
        tick = time.perf_counter()
        state = backfill(args.years, args.db, source=args.source, force=args.force, docs_dir=_docs(args),
                         batch_size=args.batch_size or BATCH_SIZE, return_state=True)
        outcomes = state.result(raise_on_failure=False)
    from warehouse.runs import WarehouseBusy

    if isinstance(outcomes, WarehouseBusy):  # as load and rebuild: a running load holds the warehouse
        print(f"govreport: {outcomes}", file=sys.stderr)
        return 3
    if isinstance(outcomes, BaseException):
        print(f"govreport: backfill failed: {outcomes}", file=sys.stderr)
        return 1
    print(f"backfill {args.years[0]}-{args.years[-1]} in {time.perf_counter() - tick:.1f} s:")
    for key, outcome in outcomes.items():
        print(f"  {describe(key, outcome)}")
    failed = [key for key, o in outcomes.items() if o["status"] == "failed"]
    if failed:
        print(f"not published: {', '.join(failed)}; fix and run the same command again (finished years are "
              "skipped)", file=sys.stderr)
    return 1 if failed else 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    from flows.backfill import rebuild
    from flows.runners import BATCH_SIZE
    from warehouse.runs import WarehouseBusy

    if _no_warehouse(args.db) or _bad_aliases():
        return 2
    with prefect_api():
        tick = time.perf_counter()
        try:
            audit = rebuild(args.db, docs_dir=_docs(args), batch_size=args.batch_size or BATCH_SIZE)
        except WarehouseBusy as exc:
            print(f"govreport: {exc}", file=sys.stderr)
            return 3
    seconds = time.perf_counter() - tick
    print(f"rebuild:   {audit['message']} in {seconds:.1f} s (run {audit['run_id']}, extractor "
          f"{audit['extractor_version']})")
    print(f"reports:   {audit['reports_loaded']} of {audit['files_seen']} ({audit['files_seen'] / seconds:.1f}/s), "
          f"{audit['rejected']} now rejected")
    print(f"facts:     {audit['facts_loaded']}")
    print(f"expectations failed: {audit['expectations_failed']} critical, {audit['warnings_failed']} warnings")
    if not args.no_docs:
        from expectations.paths import docs_index

        print(f"data docs: {docs_index(pathlib.Path(_docs(args)))}")
    return 0 if audit["published"] else 1


def cmd_serve(args: argparse.Namespace) -> int:
    from flows import serve

    failure = serve.problem(args.inbox, args.cron, args.timezone)
    if failure:
        print(f"govreport: {failure}", file=sys.stderr)
        return 2
    serve.serve(args.name, args.inbox, args.db, args.cron, args.timezone, _docs(args))
    return 0


def cmd_api(args: argparse.Namespace) -> int:
    from flows import prefect_server

    where = prefect_server.home()
    if args.action == "stop":
        stopped = prefect_server.stop(where)
        print("shared Prefect server stopped" if stopped else "no shared Prefect server is running")
        return 0
    state = prefect_server.running(where)
    if state:
        print(f"shared Prefect server at {state['url']} (pid {state['pid']}, PREFECT_HOME {where})")
    else:
        print(f"no shared Prefect server is running (PREFECT_HOME {where})")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    db_path, inbox = _defaults()
    p = sub.add_parser("backfill", help="re-derive the facts of some report years from raw_report, a run per year")
    p.add_argument("--years", required=True, type=parse_years, help="e.g. 2008-2018, 2012 or 2008,2010-2012")
    p.add_argument("--source", help="load this directory first (new files join raw_report and the backfill)")
    p.add_argument("--db", default=db_path)
    p.add_argument("--force", action="store_true", help="redo years already backfilled with this extractor")
    p.add_argument("--no-docs", action="store_true", help="skip building GX Data Docs")
    p.add_argument("--batch-size", type=int, help="reports per extract batch (default 2000)")
    p.set_defaults(func=cmd_backfill)
    p = sub.add_parser("rebuild", help="re-extract every report in raw_report and publish it in one transaction")
    p.add_argument("--db", default=db_path)
    p.add_argument("--no-docs", action="store_true", help="skip building GX Data Docs")
    p.add_argument("--batch-size", type=int, help="reports per extract batch (default 2000)")
    p.set_defaults(func=cmd_rebuild)
    p = sub.add_parser("serve", help="serve the load flow on a cron schedule (needs `prefect server start`)")
    p.add_argument("--inbox", default=inbox, help="directory each run loads (env GOVREPORT_INBOX)")
    p.add_argument("--db", default=db_path)
    p.add_argument("--cron", default="0 2 * * *", help="when to load (default: 02:00 every day)")
    p.add_argument("--timezone", default="Asia/Shanghai", help="IANA time zone of the cron schedule")
    p.add_argument("--name", default="nightly", help="deployment name (runs show as load_reports/NAME)")
    p.add_argument("--no-docs", action="store_true", help="skip building GX Data Docs")
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("api", help="the local Prefect server one-off commands share: status, or stop it now")
    p.add_argument("action", choices=["status", "stop"], nargs="?", default="status")
    p.set_defaults(func=cmd_api)
