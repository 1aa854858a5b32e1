"""`govreport release DIR --version V`: the published warehouse as a versioned, citable dataset
(warehouse/release.py; no Prefect involved)."""

from __future__ import annotations

import argparse
import sys

from flows.cli_common import DEFAULT_DB, open_read_only


def cmd_release(args: argparse.Namespace) -> int:
    from warehouse.release import DEFAULT_AUTHOR, build_release

    con = open_read_only(args.db)
    if isinstance(con, int):
        return con
    try:
        result = build_release(con, args.out_dir, args.version, authors=args.author or [DEFAULT_AUTHOR])
    except (FileExistsError, ValueError) as exc:
        print(f"govreport: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    if result.unchanged:
        print(f"release {args.version}: {result.path} exists with the same files (nothing written)")
        return 0
    width = max((len(o.name) for o in result.objects), default=0)
    for obj in result.objects:
        print(f"{obj.name:<{width}}  {obj.rows:>9,} rows")
    c = result.changes
    against = f"against {result.previous}: {c.get('added', 0)} added, {c.get('revised', 0)} revised, " \
              f"{c.get('removed', 0)} removed, {c.get('changed', 0)} changed reports" if result.previous \
        else "first release in this folder"
    print(f"release {args.version}: {result.path}  ({against}; see CHANGES.md)")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("release", help="write the published warehouse as a versioned dataset under DIR/VERSION")
    p.add_argument("out_dir", metavar="DIR")
    p.add_argument("--version", required=True, help="release name, e.g. 2026.1 (ordered naturally: 2026.9 < 2026.10)")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--author", action="append", help="an author for CITATION.cff (repeatable)")
    p.set_defaults(func=cmd_release)
