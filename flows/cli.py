"""`govreport` command line: load, extract, query, quarantine."""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys

DEFAULT_DB = os.environ.get("GOVREPORT_DB", "data/govreport.duckdb")
# With no Prefect server configured, a flow starts a temporary local API; its first start in an empty
# PREFECT_HOME runs database migrations and can exceed Prefect's 20 s default on a busy 2-core machine.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
CONTRACT_FIELDS = ("source", "sha256", "status", "error", "encoding", "script", "title", "agency", "province", "city",
                   "county", "report_year", "published_on", "signed_on", "layout", "metrics", "flags")


def _docs_dir(db_path: str) -> str:
    return str(pathlib.Path(db_path).resolve().parent / "gx")


def cmd_load(args: argparse.Namespace) -> int:
    from flows.load import load_reports
    from warehouse.db import WarehouseBusy

    try:
        audit = load_reports(str(args.source), args.db, docs_dir=None if args.no_docs else _docs_dir(args.db))
    except WarehouseBusy as exc:
        print(f"govreport: {exc}", file=sys.stderr)
        return 3
    print(f"files seen:          {audit['files_seen']}")
    print(f"reports loaded:      {audit['reports_loaded']}")
    print(f"rejected:            {audit['rejected']}  (see: govreport quarantine)")
    print(f"facts loaded:        {audit['facts_loaded']}")
    print(f"expectations passed: {audit['expectations_passed']}")
    print(f"expectations failed: {audit['expectations_failed']} critical, {audit['warnings_failed']} warnings")
    print(f"published:           {'yes' if audit['published'] else 'no'}")
    if not args.no_docs:
        from expectations.suites import docs_index

        print(f"data docs:           {docs_index(pathlib.Path(_docs_dir(args.db)))}")
    return 0 if audit["published"] else 1


def cmd_extract(args: argparse.Namespace) -> int:
    from flows.load import list_report_files
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
    for record in extract_records(normalize_batch(decode_files(paths))):
        print(json.dumps({k: record[k] for k in CONTRACT_FIELDS}, ensure_ascii=False))
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    import duckdb

    from warehouse import db

    if not pathlib.Path(args.db).exists():
        print(f"govreport: no warehouse at {args.db}; run `govreport load DIR` first", file=sys.stderr)
        return 2
    try:
        con = db.connect(args.db, read_only=True)
    except duckdb.IOException as exc:
        print(f"govreport: {args.db} is being written by a load's publish step right now (it takes seconds); "
              f"retry ({exc})", file=sys.stderr)
        return 3
    try:
        rel = con.sql(args.sql)
        if rel is not None:
            rel.show(max_width=200, max_rows=args.max_rows)
    except duckdb.Error as exc:
        print(f"govreport: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    return 0


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
    p.set_defaults(func=cmd_load)
    p = sub.add_parser("extract", help="print the extraction of report files as JSON Lines")
    p.add_argument("paths", nargs="+")
    p.set_defaults(func=cmd_extract)
    p = sub.add_parser("query", help="run SQL against the warehouse (read-only)")
    p.add_argument("sql")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--max-rows", type=int, default=100)
    p.set_defaults(func=cmd_query)
    p = sub.add_parser("quarantine", help="list rejected files and why")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--max-rows", type=int, default=1000)
    p.set_defaults(func=cmd_quarantine)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
