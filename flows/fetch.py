"""The nightly fetch -> load: `fetch_and_load` fetches the configured URLs into the inbox (sources/fetcher.py),
then runs load_reports over the inbox as a subflow. `govreport serve` serves it instead of load_reports when
a URL file is configured (GOVREPORT_FETCH_URLS; flows/serve.py)."""

from __future__ import annotations

import dataclasses
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.load import load_reports

URLS_ENV = "GOVREPORT_FETCH_URLS"  # a URL file (sources.fetcher.read_url_file) the nightly run fetches first


@task(cache_policy=NO_CACHE)
def fetch_reports(urls_file: str | None, inbox: str, lists: list[str] | None = None,
                  options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Fetch into the inbox; returns the run's summary. URLs that fail are logged, not raised: what was
    stored is still worth loading, and the next night retries the rest."""
    from sources.fetcher import Fetcher, Settings, read_url_file

    logger = get_run_logger()
    fetcher = Fetcher(inbox, Settings(**(options or {})), log=logger.info)
    try:
        summary = fetcher.run(read_url_file(urls_file) if urls_file else [], lists or [])
    finally:
        fetcher.close()
    for url, why in summary.failed.items():
        logger.warning("not fetched: %s (%s)", url, why)
    logger.info("fetch %s: %d downloaded, %d unchanged, %d forbidden by robots.txt, %d failed", summary.run_id,
                len(summary.downloaded), len(summary.unchanged), len(summary.blocked), len(summary.failed))
    return dataclasses.asdict(summary)


@flow(name="fetch_and_load")
def fetch_and_load(urls_file: str | None, source: str, db_path: str, docs_dir: str | None = None,
                   lists: list[str] | None = None, fetch_options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Fetch the URL file's reports (and the list pages') into `source`, then load `source`."""
    fetched = fetch_reports(urls_file, source, lists, fetch_options)
    return {"fetch": fetched, "load": load_reports(source, db_path, docs_dir=docs_dir)}
