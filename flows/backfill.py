"""backfill and rebuild: re-derive published reports from the texts raw_report holds (no file is read again).

Both run the load flow's own extract task over raw_report rows and its stage -> validate -> publish tail, so
a re-derived report is what a load would publish today; rederive.sql around publish.sql drops the facts of
reports the extractor now rejects. `rebuild` redoes every report in one run and one transaction. `backfill`
redoes one report year per flow run (`backfill_year`, a subflow of `backfill`), each with its own audit row:
a year whose last published backfill used the current extractor_version is finished and skipped.
"""

from __future__ import annotations

import math
import time
import uuid
from collections import Counter
from datetime import datetime
from typing import Any

import polars as pl
from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.states import Failed, State
from prefect.task_runners import ThreadPoolTaskRunner

from flows import load
from flows.runners import BATCH_SIZE
from warehouse import db

BACKFILL_FLOW = "backfill_year"
NO_PRIOR = pl.DataFrame(schema={"path": pl.String, "sha256": pl.String})


def rederive(db_path: str, year: int | None, flow_name: str, source: str, docs_dir: str | None,
             batch_size: int) -> dict[str, Any]:
    """Re-extract the raw_report rows of `year` (all of them for None) in batches and publish them as one run."""
    logger = get_run_logger()
    run_id = str(flow_run.get_id() or uuid.uuid4())
    started = datetime.now()
    seconds: Counter[str] = Counter()
    scope = db.rederive_scope(year)
    with load.writer_run(db_path, run_id, source, started, flow_name) as (con, run_dir):
        tick = time.perf_counter()
        with db.rederive_batches(db_path, scope, batch_size) as (total, parts):
            seconds["discover"] = time.perf_counter() - tick
            logger.info("%s: %d reports to re-derive from raw_report", source, total)
            progress = load.Progress(math.ceil(total / batch_size), total)
            for batch_no, batch in enumerate(parts, 1):
                (result,) = load.extract_batches([batch], batch_no, str(run_dir), run_id, started)
                seconds.update(result["seconds"])
                progress.batch(result)
        audit = {"run_id": run_id, "flow": flow_name, "source": source, "started_at": started,
                 "files_seen": total, "files_skipped": 0}
        return load.stage_validate_publish(con, db_path, str(run_dir) if total else None, NO_PRIOR, docs_dir,
                                           audit, seconds, rederive=scope)


@flow(name="rebuild", task_runner=ThreadPoolTaskRunner(max_workers=1))
def rebuild(db_path: str, docs_dir: str | None = None, batch_size: int = BATCH_SIZE) -> dict[str, Any]:
    """Re-extract every raw_report row and publish the result atomically (one transaction, one audit row)."""
    return rederive(db_path, None, "rebuild", "raw_report", docs_dir, batch_size)


@flow(name=BACKFILL_FLOW, flow_run_name="backfill-{year}", task_runner=ThreadPoolTaskRunner(max_workers=1))
def backfill_year(year: int, db_path: str, docs_dir: str | None = None,
                  batch_size: int = BATCH_SIZE) -> dict[str, Any]:
    """Re-derive the reports published with report_year = `year`. A report the extractor now dates to another
    year is published under that year: the year a report belongs to is whatever the current extractor says."""
    return rederive(db_path, year, BACKFILL_FLOW, f"year={year}", docs_dir, batch_size)


def _outcome(state: State) -> dict[str, Any]:
    """A subflow's end as a line of the backfill summary: published, or failed with why."""
    if not state.is_completed():
        return {"status": "failed", "message": state.message or state.name}
    audit = state.result()
    seconds = (audit["finished_at"] - audit["started_at"]).total_seconds()
    return {"status": "published" if audit["published"] else "failed", "run_id": audit["run_id"],
            "reports": audit["reports_loaded"], "rejected": audit["rejected"], "facts": audit["facts_loaded"],
            "seconds": round(seconds, 1), "message": audit["message"]}


def describe(key: str, outcome: dict[str, Any]) -> str:
    """One terminal line per year (or for the load of --source)."""
    line = f"{key:<6} {outcome['status']:<10}"
    if "reports" in outcome:
        rate = outcome["reports"] / max(outcome["seconds"], 1e-9)
        line += (f" {outcome['reports']} reports, {outcome['rejected']} rejected, {outcome['facts']} facts in "
                 f"{outcome['seconds']:.1f} s ({rate:.1f} reports/s)")
        if outcome["status"] == "published":
            return line
    return f"{line} {outcome['message']}"


@flow(name="backfill")
def backfill(years: list[int], db_path: str, source: str | None = None, force: bool = False,
             docs_dir: str | None = None, batch_size: int = BATCH_SIZE) -> dict[str, dict[str, Any]] | State:
    """Load `source` first when given (its new files land in raw_report), then one backfill_year run per year
    that is not finished (all of them with `force`). A failed year does not stop the others; the run ends
    Failed when any failed, carrying the summary (year -> outcome) either way."""
    logger = get_run_logger()
    outcomes: dict[str, dict[str, Any]] = {}
    if source:
        outcomes["load"] = _outcome(load.load_reports(source, db_path, docs_dir=docs_dir, batch_size=batch_size,
                                                      return_state=True))
        logger.info("%s", describe("load", outcomes["load"]))
    db.connect(db_path).close()  # a file from before load_audit.extractor_version: migrate it first
    version = load.extractor_version()
    finished = set() if force else db.published_sources(db_path, BACKFILL_FLOW, version)
    for year in years:
        if f"year={year}" in finished:
            outcome = {"status": "skipped", "message": f"finished with this extractor ({version}); --force redoes it"}
        # Counted before each year: an earlier year's run may have moved reports into this one.
        elif not db.reports_per_year(db_path).get(year):
            outcome = {"status": "empty", "message": "no published report of this year"}
        else:
            outcome = _outcome(backfill_year(year, db_path, docs_dir, batch_size, return_state=True))
        outcomes[str(year)] = outcome
        logger.info("%s", describe(str(year), outcome))
    failed = [key for key, o in outcomes.items() if o["status"] == "failed"]
    if failed:
        return Failed(message=f"not published: {', '.join(failed)}", data=outcomes)
    return outcomes
