"""`govreport export`, `docs` and `summary`: read-only outputs of the published warehouse (no Prefect involved)."""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import webbrowser

from flows.cli_common import DEFAULT_DB, docs_dir, open_read_only


def cmd_export(args: argparse.Namespace) -> int:
    from warehouse.export import export_parquet

    con = open_read_only(args.db)
    if isinstance(con, int):
        return con
    try:
        written = export_parquet(con, args.out_dir)
    except FileExistsError as exc:
        print(f"govreport: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    width = max(map(len, written), default=0)
    for name, (rows, path) in written.items():
        print(f"{name:<{width}}  {rows:>9,} rows  {path}{'/' if path.is_dir() else ''}")
    return 0


def _can_open() -> bool:
    # On a Linux machine without a screen webbrowser would start a console browser (or nothing): print only.
    return sys.platform in ("darwin", "win32") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def cmd_docs(args: argparse.Namespace) -> int:
    from expectations.suites import CRITICAL, docs_index
    from warehouse.data_docs import build_data_docs
    from warehouse.schema_page import write_schema_page

    out = pathlib.Path(args.out or docs_dir(args.db)).resolve()
    con = open_read_only(args.db)
    if isinstance(con, int):
        return con
    try:
        page = write_schema_page(con, out / "schema.html", args.db, str(docs_index(out).relative_to(out)))
    finally:
        con.close()  # before the Data Docs build attaches the same file
    index, outcomes = build_data_docs(args.db, out)
    failed = [o for o in outcomes if not o.success]
    critical = sum(o.severity == CRITICAL for o in failed)
    print(f"schema page:  {page}")
    print(f"data docs:    {index}")
    print(f"expectations: {len(outcomes) - len(failed)} passed, {critical} critical and "
          f"{len(failed) - critical} warnings failed on the published tables")
    if not args.no_open and _can_open():
        webbrowser.open(page.as_uri())
        webbrowser.open(index.as_uri())
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from warehouse.summary import write_summary

    out = pathlib.Path(args.out or pathlib.Path(args.db).resolve().parent / "summary.html")
    con = open_read_only(args.db)
    if isinstance(con, int):
        return con
    try:
        text = write_summary(con, out, args.db)
    finally:
        con.close()
    print(text)
    print(f"HTML summary: {out.resolve()}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the subcommands to `govreport`'s subparsers."""
    p = sub.add_parser("export", help="write the published warehouse as Parquet (facts partitioned by year)")
    p.add_argument("out_dir", metavar="DIR")
    p.add_argument("--format", choices=["parquet"], default="parquet")
    p.add_argument("--db", default=DEFAULT_DB)
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("docs", help="build the schema page and GX Data Docs of the published warehouse")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--out", help="docs folder (default: gx/ next to the database, where loads write Data Docs)")
    p.add_argument("--no-open", action="store_true", help="only print the paths, do not open a browser")
    p.set_defaults(func=cmd_docs)
    p = sub.add_parser("summary", help="print a summary and write it as an HTML page with charts")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--out", metavar="FILE.html", help="default: summary.html next to the database")
    p.set_defaults(func=cmd_summary)
