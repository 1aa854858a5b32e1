"""`govreport diff` and `govreport rank`: argparse glue over warehouse/compare.py (read-only)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from flows.cli_common import DEFAULT_DB, at_least, open_read_only

if TYPE_CHECKING:
    import duckdb


def _run(db_path: str, answer: Callable[[duckdb.DuckDBPyConnection], None]) -> int:
    """Open the warehouse and print `answer`: 2 for a question it cannot answer, 1 for a DuckDB error."""
    import duckdb

    from warehouse.compare import CompareError

    con = open_read_only(db_path)
    if isinstance(con, int):
        return con
    try:
        answer(con)
    except CompareError as exc:
        print(f"govreport: {exc}", file=sys.stderr)
        return 2
    except duckdb.Error as exc:
        print(f"govreport: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from warehouse import compare

    def answer(con: duckdb.DuckDBPyConnection) -> None:
        result = compare.diff(con, compare.find_agency(con, args.agency), *args.years)
        print(compare.format_diff(result, args.format))

    return _run(args.db, answer)


def cmd_rank(args: argparse.Namespace) -> int:
    from warehouse import compare

    def answer(con: duckdb.DuckDBPyConnection) -> None:
        ranking = compare.rank(con, args.metric, args.year, min_volume=args.min_volume, breakdown=args.breakdown,
                               ascending=args.ascending, limit=args.limit)
        if args.format == "csv":  # keep stdout pure CSV; say what was left out on stderr
            print(compare.ranking_summary(ranking), file=sys.stderr)
        print(compare.format_ranking(ranking, args.format))

    return _run(args.db, answer)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `diff` and `rank` to the `govreport` subcommands."""
    from warehouse.compare import FORMATS, RATES

    p = sub.add_parser("diff", help="one agency's figures, rates and quality issues in two years, side by side")
    p.add_argument("agency", help="agency_id, or (part of) the agency name or a name as written in a report")
    p.add_argument("--years", nargs=2, type=int, required=True, metavar=("A", "B"),
                   help="compare year A with year B (change = B - A)")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--db", default=DEFAULT_DB)
    p.set_defaults(func=cmd_diff)
    p = sub.add_parser("rank", help="rank agencies of one year by a rate or a metric")
    p.add_argument("metric", help=f"a rate ({', '.join(RATES)}) or a metric_code of the catalog")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--min-volume", type=float, metavar="N",
                   help="only reports whose volume is at least N: for a rate its denominator (requests handled; "
                        "decided reviews/lawsuits for the correction rates), for a metric requests received")
    p.add_argument("--breakdown", help="rank a metric's breakdown (e.g. natural_person) instead of its total")
    p.add_argument("--limit", type=at_least(1), default=20)
    p.add_argument("--ascending", action="store_true", help="lowest first")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--db", default=DEFAULT_DB)
    p.set_defaults(func=cmd_rank)
