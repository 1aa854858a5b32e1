"""load_reports: discover -> plan -> [decode -> normalize -> extract -> write Parquet] per batch -> stage ->
validate -> publish.

One task per stage over a whole batch, never one per document. The per-batch work (transforms/, pure text)
is the part that scales out: run the flow with a DaskTaskRunner and the batches are extracted on the
cluster's workers, each writing its batch as Parquet into the run's staging folder. Everything after that
is the single DuckDB writer: stage exposes the Parquet as views in an in-memory DuckDB, validation reads
them, and publish copies them into the warehouse file with set-based statements in one transaction, so a
crash before that leaves the published warehouse as it was and readers are blocked only for the publish.

Files a published load already read, unchanged (same absolute path, size and mtime), are skipped: a nightly
run over an unchanged inbox only lists the folder.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import signal
import time
import uuid
from collections import Counter
from datetime import datetime
from typing import Any

import polars as pl
from prefect import flow, get_run_logger, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner

from expectations.suites import load_checks, validate_batch, validate_quality
from transforms.decode import decode_files
from transforms.extract import extract_records, mark_duplicates
from transforms.normalize import normalize_batch
from warehouse import db

BATCH_SIZE = 2000
FAULT_ENV = "GOVREPORT_FAULT"
STAGING_ENV = "GOVREPORT_STAGING_DIR"


def fault_point(stage: str) -> None:
    """Fault injection for the crash tests: `GOVREPORT_FAULT=<stage>` SIGKILLs this process right there."""
    if os.environ.get(FAULT_ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)


def list_report_files(source: str | pathlib.Path) -> list[str]:
    """Every regular file under a directory (sorted, hidden files and folders skipped), or the file itself."""
    return discover_files(source)["source_path"].to_list()


def discover_files(source: str | pathlib.Path) -> pl.DataFrame:
    """The files under `source` in a stable order: source_path (as reached from `source`), path (absolute),
    size and mtime_ns. Hidden files and folders are skipped."""
    root = pathlib.Path(source)
    if root.is_file():
        entries = [str(root)]
    elif root.is_dir():
        entries = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            entries += [os.path.join(dirpath, f) for f in sorted(filenames) if not f.startswith(".")]
    else:
        raise FileNotFoundError(f"no such file or directory: {root}")
    return listing(entries)


def listing(paths: list[str]) -> pl.DataFrame:
    """Paths with their absolute path, size and mtime; a file gone since it was listed gets -1 for both
    (never "unchanged"), and decode then quarantines it as unreadable."""
    stats = [_stat(p) for p in paths]
    return pl.DataFrame({
        "source_path": paths, "path": [os.path.abspath(p) for p in paths],
        "size": [s[0] for s in stats], "mtime_ns": [s[1] for s in stats],
    }, schema={"source_path": pl.String, "path": pl.String, "size": pl.Int64, "mtime_ns": pl.Int64})


def _stat(path: str) -> tuple[int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return -1, -1
    return st.st_size, st.st_mtime_ns


def staging_root(db_path: str) -> pathlib.Path:
    """Where batches are written as Parquet; must be reachable by every Dask worker (a shared folder)."""
    return pathlib.Path(os.environ.get(STAGING_ENV) or f"{db_path}.staging")


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def discover(source: str) -> pl.DataFrame:
    return discover_files(source)


@task(cache_policy=NO_CACHE)
def plan(db_path: str, listing: pl.DataFrame, force: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
    if force:
        return listing, pl.DataFrame(schema={"path": pl.String, "sha256": pl.String})
    return db.plan_files(db_path, listing)


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=1)
def extract_batch(batch: pl.DataFrame, batch_no: int, run_dir: str, run_id: str, started: datetime) -> dict:
    """decode -> normalize -> extract -> Parquet for one batch of files; returns counts and seconds per stage.
    Runs wherever the task runner puts it (a Dask worker), so it returns no data, only where it wrote it."""
    clock = [time.perf_counter()]

    def lap() -> None:
        clock.append(time.perf_counter())

    decoded = decode_files(batch["source_path"].to_list())
    fault_point("decode")
    lap()
    normalized = normalize_batch(decoded)
    fault_point("normalize")
    lap()
    records = mark_duplicates(extract_records(normalized), {})
    fault_point("extract")
    lap()
    stats = {row[0]: row[1:] for row in batch.select("source_path", "path", "size", "mtime_ns").iter_rows()}
    frames = db.frames_from_records(records, run_id, started)
    frames["source_file"] = db.source_file_frame(records, stats, run_id, started)
    db.write_batch(frames, run_dir, batch_no)
    lap()
    seconds = dict(zip(("decode", "normalize", "extract", "write"),
                       (b - a for a, b in zip(clock, clock[1:], strict=False)), strict=True))
    ok = sum(r["status"] == "ok" for r in records)
    return {"files": len(records), "reports": ok, "seconds": seconds}


@task(cache_policy=NO_CACHE)
def stage(con, run_dir: str | None, prior: pl.DataFrame) -> dict[str, int]:
    db.stage_dir(con, run_dir, prior)
    return db.staged_counts(con)


@task(cache_policy=NO_CACHE)
def validate(con, docs_dir: str | None) -> list:
    return validate_batch(
        db.staged_for_validation(con), db.run_checks(con, load_checks()),
        current_year=datetime.now().year, unknown_agency_id=db.agency_id(db.UNKNOWN_AGENCY, None),
        docs_dir=pathlib.Path(docs_dir) if docs_dir else None)


def _quality_warnings(con) -> dict[str, Any]:
    """Inside the publish transaction: this run's reports' v_quality_issues, as GX warnings in the audit."""
    counts = db.staged_quality_issues(con)
    failed = [o for o in validate_quality(counts) if not o.success]
    return {"quality_issues": counts, "failures_quality": failed}


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def publish(con, db_path: str, audit: dict[str, Any], publish_batch: bool) -> dict[str, Any]:
    """Returns the audit row as written (with this run's quality-issue warnings added)."""
    audit = dict(audit)

    def before_audit(c) -> dict[str, Any]:
        if not publish_batch:
            return {"quality_issues": {}}
        found = _quality_warnings(c)
        failed = found.pop("failures_quality")
        return {**found, "warnings_failed": audit["warnings_failed"] + len(failed),
                "failures": audit["failures"] + [o.__dict__ for o in failed]}

    with db.attached(con, db_path):
        db.publish(con, audit, publish_batch, mid_transaction=lambda: fault_point("publish"),
                   before_audit=before_audit)
    return audit


def batches(todo: pl.DataFrame, batch_size: int) -> list[pl.DataFrame]:
    return [todo.slice(i, batch_size) for i in range(0, todo.height, batch_size)]


@flow(name="load_reports", task_runner=ThreadPoolTaskRunner(max_workers=1))
def load_reports(source: str, db_path: str, docs_dir: str | None = None, batch_size: int = BATCH_SIZE,
                 force: bool = False) -> dict:
    """Load every new or changed report file under `source` into the warehouse at `db_path` (all of them with
    `force`); returns the audit row. With the default task runner batches run one after another; run
    `load_reports.with_options(task_runner=DaskTaskRunner(...))` to extract them on a Dask cluster."""
    logger = get_run_logger()
    run_id = str(flow_run.get_id() or uuid.uuid4())
    started = datetime.now()
    seconds: Counter[str] = Counter()
    with db.writer_lock(db_path, {"run_id": run_id, "pid": os.getpid(), "source": str(source),
                                  "started_at": started.isoformat(timespec="seconds")}):
        tick = time.perf_counter()
        listing = discover(source)
        fault_point("discover")
        todo, prior = plan(db_path, listing, force)
        seconds["discover"] = time.perf_counter() - tick
        logger.info("%d files, %d new or changed, %d unchanged and skipped",
                    listing.height, todo.height, listing.height - todo.height)
        # Holding the writer lock, no other run can be using the staging folder: leftovers are from a crash.
        shutil.rmtree(staging_root(db_path), ignore_errors=True)
        run_dir = staging_root(db_path) / run_id
        con = db.open_staging()
        try:
            parts = batches(todo, batch_size)
            futures = extract_batch.map(parts, range(1, len(parts) + 1), unmapped(str(run_dir)), unmapped(run_id),
                                        unmapped(started))
            done = 0
            for i, future in enumerate(futures, 1):
                result = future.result()
                seconds.update(result["seconds"])
                done += result["files"]
                rate = done / max(time.perf_counter() - tick, 1e-9)
                logger.info("batch %d/%d: %d files, %d reports (%d of %d files, %.0f files/s)",
                            i, len(parts), result["files"], result["reports"], done, todo.height, rate)
            lap = time.perf_counter()
            counts = stage(con, str(run_dir) if parts else None, prior)
            fault_point("stage")
            seconds["stage"] = time.perf_counter() - lap
            lap = time.perf_counter()
            outcomes = validate(con, docs_dir)
            fault_point("validate")
            seconds["validate"] = time.perf_counter() - lap
            critical = [o for o in outcomes if not o.success and o.severity == "critical"]
            warnings = [o for o in outcomes if not o.success and o.severity != "critical"]
            published = not critical
            audit = {
                "run_id": run_id, "flow": "load_reports", "source": str(source), "started_at": started,
                "finished_at": datetime.now(), "files_seen": listing.height,
                "files_skipped": listing.height - todo.height, **counts,
                "expectations_passed": sum(o.success for o in outcomes), "expectations_failed": len(critical),
                "warnings_failed": len(warnings), "failures": [o.__dict__ for o in critical + warnings],
                "published": published, "stage_seconds": {k: round(v, 3) for k, v in seconds.items()},
                "message": "published" if published else "not published: critical expectations failed",
            }
            lap = time.perf_counter()
            audit = publish(con, db_path, audit, published)
            audit["stage_seconds"]["publish"] = round(time.perf_counter() - lap, 3)
            logger.info("%s: %s (%d reports, %d rejected, %d facts; %d quality issues)", run_id, audit["message"],
                        audit["reports_loaded"], audit["rejected"], audit["facts_loaded"],
                        sum(audit.get("quality_issues", {}).values()))
            return audit
        finally:
            con.close()
            shutil.rmtree(run_dir, ignore_errors=True)
