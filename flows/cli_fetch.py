"""`govreport fetch`: download reports from portals into a folder `govreport load` reads (sources/fetcher.py).

Runs without Prefect (a fetch is network-bound and needs no API server); the nightly deployment wraps the
same call in a flow (flows/fetch.py)."""

from __future__ import annotations

import argparse
import os
import pathlib
import sys


def cmd_fetch(args: argparse.Namespace) -> int:
    from sources.fetcher import Fetcher, Settings, read_url_file

    if not args.urls and not args.list:
        print("govreport: give a file of URLs, or --list URL (a portal's annual-report list page)", file=sys.stderr)
        return 2
    try:
        targets = read_url_file(args.urls) if args.urls else []
    except FileNotFoundError:
        print(f"govreport: no such URL file: {args.urls}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"govreport: {exc}", file=sys.stderr)
        return 2
    settings = Settings(delay=args.delay, timeout=args.timeout, max_bytes=args.max_bytes, retries=args.retries,
                        backoff=args.backoff, max_pages=args.pages, warc=args.warc,
                        user_agent=args.user_agent or Settings.user_agent)
    fetcher = Fetcher(args.out, settings, log=lambda msg: print(f"  {msg}", file=sys.stderr))
    try:
        summary = fetcher.run(targets, args.list, publisher=args.publisher)
    finally:
        fetcher.close()
    return report(summary, args.out)


def report(summary, out: str) -> int:
    """Print what a fetch did; 1 when some URLs could not be fetched (listed), else 0."""
    print(f"fetch run:   {summary.run_id}{' (resumed)' if summary.resumed else ''}")
    print(f"list pages:  {summary.list_pages} downloaded")
    print(f"downloaded:  {len(summary.downloaded)} (new or changed)")
    print(f"unchanged:   {len(summary.unchanged)} (304 Not Modified or the same bytes)")
    if summary.resumed_skips:
        print(f"resumed:     {len(summary.resumed_skips)} already settled by the interrupted run")
    print(f"forbidden:   {len(summary.blocked)} by robots.txt")
    print(f"failed:      {len(summary.failed)}")
    for url, why in summary.failed.items():
        print(f"  {url}: {why}")
    print(f"manifest:    {pathlib.Path(out) / 'manifest.csv'} (govreport load {out} reads it)")
    return 1 if summary.failed else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("fetch", help="download report pages and attachments from portals into a folder to load")
    p.add_argument("urls", nargs="?", help="file of report URLs, one a line (optionally `URL,publisher`)")
    p.add_argument("--out", default=os.environ.get("GOVREPORT_INBOX", "data/inbox"),
                   help="folder for the files, manifest.csv and the fetch state (default: the inbox)")
    p.add_argument("--list", action="append", default=[], metavar="URL",
                   help="a portal's annual-report list page: its same-site report links are fetched (repeatable)")
    p.add_argument("--pages", type=int, default=10, help="list pages followed per --list (default 10)")
    p.add_argument("--publisher", help="publisher recorded in the manifest for --list reports")
    p.add_argument("--delay", type=float, default=1.0, help="seconds between requests to one host (default 1)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds for a whole response (default 30)")
    p.add_argument("--max-bytes", type=int, default=20 * 1024 * 1024, help="largest response kept (default 20 MB)")
    p.add_argument("--retries", type=int, default=3, help="retries after an error, 429 or 5xx (default 3)")
    p.add_argument("--backoff", type=float, default=1.0, help="first retry's wait, doubled each time (default 1 s)")
    p.add_argument("--warc", action="store_true", help="also write the exchanges as WARC (needs the warc extra)")
    p.add_argument("--user-agent", help="User-Agent sent, and matched against robots.txt")
    p.set_defaults(func=cmd_fetch)
