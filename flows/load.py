"""load_reports: discover -> plan -> [decode -> normalize -> extract -> write Parquet] per batch -> stage ->
validate -> publish.

One task per stage over a whole batch, never one per document. The per-batch work (transforms/, pure text)
is the part that scales out: with `workers` > 1 the batches are extracted in local worker processes, with a
`dask_address` on that Dask cluster's workers (Prefect's DaskTaskRunner), each writing its batch as Parquet
into the run's staging folder; local workers end before the writer's tail, so their memory is back first. After that
is the single DuckDB writer: stage exposes the Parquet as views in an in-memory DuckDB, validation reads
them, and publish copies them into the warehouse file with set-based statements in one transaction, so a
crash before that leaves the published warehouse as it was and readers are blocked only for the publish.

Files a published load already read, unchanged (same absolute path, size and mtime), are skipped: a nightly
run over an unchanged inbox only lists the folder.

flows/backfill.py re-derives published reports from raw_report with the same extract_batches (given texts
instead of files) and the same writer_run / stage_validate_publish tail.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import importlib
import json
import os
import pathlib
import shutil
import signal
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from importlib import resources
from typing import Any

import polars as pl
from prefect import flow, get_run_logger, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner

import transforms
from expectations import spans, staged
from flows.discover import discover_with_manifests
from flows.runners import (
    AUTO_WORKERS,
    available_cores,
    batches,
    chunks,
    extract_runner,
    run_shape,
    runner_slots,
)
from transforms.budget import default_seconds as budget_seconds
from transforms.budget import interrupt_armed, stop_requested
from transforms.decode import decode_files
from transforms.extract import extract_records, mark_duplicates
from transforms.normalize import normalize_batch
from warehouse import db

FAULT_ENV = "GOVREPORT_FAULT"
STAGING_ENV = "GOVREPORT_STAGING_DIR"


def fault_point(stage: str) -> None:
    """A stage boundary. A stop request (Ctrl-C, SIGTERM) that was swallowed on its way takes effect here: a
    signal handler's exception raised inside a finalizer is only printed (`Exception ignored in … __del__`),
    and the run would otherwise go on to publish. Fault injection for the crash tests too:
    `GOVREPORT_FAULT=<stage>` SIGKILLs this process right there."""
    stop = stop_requested()
    if stop is not None:
        raise stop
    if os.environ.get(FAULT_ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)


def staging_root(db_path: str) -> pathlib.Path:
    """Where batches are written as Parquet; must be reachable by every Dask worker (a shared folder)."""
    return pathlib.Path(os.environ.get(STAGING_ENV) or f"{db_path}.staging")


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def discover(source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The files to consider, and the provenance their manifest.csv files give (sources/manifest.py)."""
    from sources.manifest import provenance

    files, manifests = discover_with_manifests(source)
    found, problems = provenance(manifests)
    for problem in problems:  # the row gives no provenance; the file it names still loads
        get_run_logger().warning("manifest row ignored: %s", problem)
    return files, found


@task(cache_policy=NO_CACHE)
def plan(db_path: str, listing: pl.DataFrame, force: bool, ocr: bool = False) -> tuple[pl.DataFrame, pl.DataFrame]:
    if force:
        return listing, pl.DataFrame(schema={"path": pl.String, "sha256": pl.String})
    return db.plan_files(db_path, listing, reread_scanned=ocr)


@functools.cache
def extractor_version() -> str:
    """What the derived tables depend on besides the raw text: the transforms' code and vocabularies, the metric
    catalog and the agency aliases (the user's too). Hashed once per process, at first use: close to the code it
    imported."""
    here = pathlib.Path(transforms.__file__).parent
    files = sorted(here.glob("*.py")) + sorted(here.glob("vocab/*.csv"))
    files += [pathlib.Path(str(resources.files("warehouse").joinpath(n)))
              for n in ("metric_catalog.csv", "agency_aliases.csv")]
    if os.environ.get(db.ALIASES_ENV):
        files.append(pathlib.Path(os.environ[db.ALIASES_ENV]))
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=1)
def extract_batches(batches: list[pl.DataFrame], first_no: int, run_dir: str, run_id: str,
                    started: datetime, ocr: bool = False, budget: float | None = None) -> list[dict]:
    """extract_batch for batches first_no, first_no + 1, ... in turn: one task run for a worker's chunk of the
    run (see chunks), each batch's data freed before the next is read. Idempotent (a retry rewrites the same
    Parquet files)."""
    return [extract_batch(batch, no, run_dir, run_id, started, ocr, budget)
            for no, batch in enumerate(batches, first_no)]


def extract_batch(batch: pl.DataFrame, batch_no: int, run_dir: str, run_id: str, started: datetime,
                  ocr: bool = False, budget: float | None = None) -> dict:
    """decode -> normalize -> extract -> Parquet for one batch; returns its number, counts, seconds per stage and
    the CPU seconds of all four (transforms_cpu).
    `batch` is files to read (a listing: source_path, path, size, mtime_ns) or texts already decoded
    (db.rederive_batches: raw_report rows, which keep their first_seen/last_seen and record no source_file).
    Runs wherever the task runner puts it (a worker process), so it returns no data, only where it wrote it.
    `ocr`: scanned PDFs are read by OCR (transforms/ocr.py) instead of quarantined.
    `budget`: seconds each file's decode, normalize and extract step may take (transforms/budget.py); a file
    over it is quarantined `extract_timeout` and the batch goes on."""
    clock, cpu = [time.perf_counter()], time.process_time()

    def lap() -> None:
        clock.append(time.perf_counter())

    from_files = "text" not in batch.columns
    decoded = decode_files(batch["source_path"].to_list(), ocr, budget) if from_files else batch
    fault_point("decode")
    lap()
    normalized = normalize_batch(decoded, budget)
    fault_point("normalize")
    lap()
    records = mark_duplicates(extract_records(normalized, budget), {})
    fault_point("extract")
    lap()
    frames = db.frames_from_records(records, run_id, started)
    if from_files:
        paths, absolute, size, mtime = (batch[c].to_list() for c in ("source_path", "path", "size", "mtime_ns"))
        stats = dict(zip(paths, zip(absolute, size, mtime, strict=True), strict=True))
        frames["source_file"] = db.source_file_frame(records, stats, run_id, started)
    else:
        seen = batch.select("sha256", "first_seen", "last_seen")
        frames["raw_report"] = frames["raw_report"].drop("first_seen", "last_seen").join(
            seen, on="sha256", how="left", maintain_order="left").select(list(db.RAW_SCHEMA))
    db.write_batch(frames, run_dir, batch_no)
    lap()
    seconds = dict(zip(("decode", "normalize", "extract", "write"),
                       (b - a for a, b in zip(clock, clock[1:], strict=False)), strict=True))
    # And the four's CPU seconds: on a busy machine their wall time also counts what else ran meanwhile.
    seconds["transforms_cpu"] = time.process_time() - cpu
    ok = sum(r["status"] == "ok" for r in records)
    return {"batch": batch_no, "files": len(records), "reports": ok, "seconds": seconds}


class Progress:
    """Per-batch progress in the run's log (the terminal and the Prefect UI): files and reports per second."""

    def __init__(self, batches: int, files: int) -> None:
        self.batches, self.files = batches, files
        self.done = self.reports = 0
        self.tick = time.perf_counter()

    def batch(self, result: dict) -> None:
        self.done += result["files"]
        self.reports += result["reports"]
        elapsed = max(time.perf_counter() - self.tick, 1e-9)
        get_run_logger().info(
            "batch %d/%d: %d files, %d reports (%d of %d files; %.1f files/s, %.1f reports/s)", result["batch"],
            self.batches, result["files"], result["reports"], self.done, self.files, self.done / elapsed,
            self.reports / elapsed)


@task(cache_policy=NO_CACHE)
def stage(con, run_dir: str | None, prior: pl.DataFrame, provenance: pl.DataFrame | None = None) -> dict[str, int]:
    db.stage_dir(con, run_dir, prior, provenance)
    return db.staged_counts(con)


@task(cache_policy=NO_CACHE)
def validate(con, docs_dir: str | None) -> list:
    """GX over the staged run's facts in parts of at most staged.VALIDATION_ROWS (memory stays flat in the run's
    size), the checks once over everything, the span check one batch at a time. Data Docs show the first
    part and the checks."""
    # Imported here, in the writer: workers import this module for extract_batch and need none of
    # Great Expectations (~200 MB per process).
    from expectations.suites import load_checks, merge_outcomes, validate_batch

    first, *rest = staged.validation_parts(con)
    common = {"current_year": datetime.now().year, "unknown_agency_id": db.agency_id(db.UNKNOWN_AGENCY, None)}
    # The span check (numpy, in a thread) runs while GX (Python, holding the GIL) validates the other parts;
    # the first part, with Data Docs and the checks' outcomes, comes last.
    python_checks = spans.staged_python_checks(con)
    checks = staged.run_checks(con, load_checks())
    results = []
    for part in rest:
        results.append(validate_batch(staged.staged_for_validation(con, part, first=False), {}, **common))
        # GX leaves each part's frames in reference cycles: freed now, the writer's memory stays flat in the
        # run's size (it grew ~50 MB a part until a full collection happened to run).
        gc.collect()
    results.insert(0, validate_batch(staged.staged_for_validation(con, first), python_checks() | checks,
                                     docs_dir=pathlib.Path(docs_dir) if docs_dir else None, **common))
    return merge_outcomes(results)


def _quality_warnings(con) -> dict[str, Any]:
    """Inside the publish transaction: this run's reports' v_quality_issues, as GX warnings in the audit."""
    counts = db.staged_quality_issues(con)
    if not any(counts.values()):  # every check expects 0 and none has an issue: GX would only say so
        return {"quality_issues": counts, "failures_quality": []}
    from expectations.suites import validate_quality

    failed = [o for o in validate_quality(counts) if not o.success]
    return {"quality_issues": counts, "failures_quality": failed}


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def publish(con, db_path: str, audit: dict[str, Any], publish_batch: bool,
            rederive: str | None = None) -> dict[str, Any]:
    """Returns the audit row exactly as written (with this run's quality-issue warnings added). Its `publish`
    seconds run from this task's start (the wait for readers included) to the audit row, COMMIT excluded:
    the row cannot hold the time of the statement that writes it."""
    audit = dict(audit)
    started = time.perf_counter()

    def before_audit(c) -> dict[str, Any]:
        lap = time.perf_counter()
        seconds = {**audit["stage_seconds"], "publish": round(lap - started, 3)}
        if not publish_batch:
            return {"quality_issues": {}, "stage_seconds": seconds}
        found = _quality_warnings(c)
        failed = found.pop("failures_quality")
        # Validation work done inside publish: its own entry, so publish's seconds are the writing alone.
        seconds["quality"] = round(time.perf_counter() - lap, 3)
        return {**found, "warnings_failed": audit["warnings_failed"] + len(failed),
                "failures": audit["failures"] + [o.__dict__ for o in failed], "stage_seconds": seconds}

    try:
        with db.attached(con, db_path):
            db.publish(con, audit, publish_batch, mid_transaction=lambda: fault_point("publish"),
                       before_audit=before_audit, rederive=rederive)
    except db.ReadersHold as exc:
        # Returned, not raised: a retry of this task would wait the whole GOVREPORT_PUBLISH_WAIT again.
        return {**audit, "deferred": str(exc)}
    return audit


PENDING = "pending"  # in the staging root: a validated run whose publish readers deferred


def keep_for_next_run(db_path: str, run_dir: str | None, prior: pl.DataFrame, audit: dict[str, Any],
                      publish_batch: bool, rederive: str | None, reason: str) -> dict[str, Any]:
    """Readers held the file for all of the publish wait: keep the run's validated Parquet, its `prior` and
    its audit row in <staging>/pending, which the next writer_run publishes before anything else (so the
    files are not extracted again). Returns the audit row as it will be written: status publish_deferred."""
    pending = staging_root(db_path) / PENDING
    shutil.rmtree(pending, ignore_errors=True)  # an older pending run was published before this one began
    pending.mkdir(parents=True)
    if run_dir and pathlib.Path(run_dir).exists():
        shutil.move(run_dir, pending / "batches")
    prior.write_parquet(pending / "prior.parquet")
    audit = {**audit, "status": "publish_deferred",
             "message": f"{audit['message']}, after its publish was deferred: {reason}"}
    # Written last: a folder without it is an interrupted keep, cleared like any leftover.
    (pending / "audit.json").write_text(json.dumps({"audit": audit, "publish_batch": publish_batch,
                                                    "rederive": rederive}, ensure_ascii=False, default=str),
                                        encoding="utf-8")
    get_run_logger().warning("%s: publish deferred (%s); the validated run is kept in %s and the next load "
                             "publishes it first", audit["run_id"], reason, pending)
    return {**audit, "published": False}


def publish_pending(db_path: str, run_id: str) -> None:
    """Publish the run keep_for_next_run kept, as validated then, with its own audit row (finished now), before
    this run (`run_id`) plans anything. Readers still holding the file: WarehouseBusy, and it stays kept."""
    pending = staging_root(db_path) / PENDING
    saved_file = pending / "audit.json"
    if not saved_file.exists():
        shutil.rmtree(pending, ignore_errors=True)
        return
    saved = json.loads(saved_file.read_text(encoding="utf-8"))
    audit = saved["audit"]
    for key in ("started_at", "finished_at"):
        audit[key] = datetime.fromisoformat(audit[key])
    if not db.audited(db_path, audit["run_id"]):  # else it committed and the process died before clearing
        con = db.open_staging()
        try:
            batches = pending / "batches"
            db.stage_dir(con, str(batches) if batches.exists() else None, pl.read_parquet(pending / "prior.parquet"))
            audit = {**audit, "finished_at": datetime.now(),
                     "message": f"{audit['message']}; published by run {run_id}"}
            written = publish(con, db_path, audit, saved["publish_batch"], saved["rederive"])
        finally:
            con.close()
        if "deferred" in written:
            raise db.WarehouseBusy(f"run {audit['run_id']} is validated and waits to be published, but "
                                   f"{written['deferred']}; it stays kept for the next load")
        get_run_logger().info("%s: published the run readers had deferred (%d reports)", audit["run_id"],
                              audit["reports_loaded"])
    shutil.rmtree(pending, ignore_errors=True)


@contextmanager
def writer_run(db_path: str, run_id: str, source: str, started: datetime,
               flow_name: str = "load_reports") -> Iterator[tuple[Any, pathlib.Path]]:
    """The writer lock on the warehouse, this run's staging folder and its in-memory staging database. A run
    before this one that did not end (an exception, SIGKILL) gets its load_audit row first, status crashed."""
    with db.writer_lock(db_path, {"run_id": run_id, "flow": flow_name, "pid": os.getpid(), "source": source,
                                  "started_at": started.isoformat(timespec="microseconds")}) as previous:
        if previous is not None:
            db.record_crashed(db_path, previous, run_id)
            get_run_logger().warning("the run before this one did not end: %s", previous)
        # Holding the writer lock, no other run can be using the staging folder: leftovers are from a crash,
        # but for a validated run readers kept from publishing, which is published first.
        root = staging_root(db_path)
        for leftover in root.iterdir() if root.is_dir() else ():
            if leftover.name != PENDING:
                shutil.rmtree(leftover, ignore_errors=True)
        publish_pending(db_path, run_id)
        run_dir = staging_root(db_path) / run_id
        con = db.open_staging()
        try:
            yield con, run_dir
        finally:
            con.close()
            shutil.rmtree(run_dir, ignore_errors=True)


def stage_validate_publish(con, db_path: str, run_dir: str | None, prior: pl.DataFrame, docs_dir: str | None,
                           audit: dict[str, Any], seconds: Counter[str], rederive: str | None = None,
                           provenance: pl.DataFrame | None = None) -> dict:
    """The single-writer tail of a run whose batches are written: stage -> validate -> publish. `audit` holds
    the run's identity and file counts; returns the audit row as written."""
    logger = get_run_logger()
    lap = time.perf_counter()
    counts = stage(con, run_dir, prior, provenance)
    fault_point("stage")
    seconds["stage"] = time.perf_counter() - lap
    lap = time.perf_counter()
    if counts["reports_loaded"] or counts["rejected"]:
        outcomes = validate(con, docs_dir)
    else:  # nothing new (a no-change nightly run): no row to check, so no Great Expectations at all
        outcomes = []
        logger.info("nothing staged: validation skipped; the last run's Data Docs stand")
    fault_point("validate")
    seconds["validate"] = time.perf_counter() - lap
    critical = [o for o in outcomes if not o.success and o.severity == "critical"]
    warnings = [o for o in outcomes if not o.success and o.severity != "critical"]
    published = not critical
    # Each critical failure names the files behind it: what an operator removes or reports upstream.
    blocking = [{**o.__dict__, "files": db.files_behind(con, o.__dict__)} for o in critical]
    audit = {
        **audit, "finished_at": datetime.now(), **counts,
        "expectations_passed": sum(o.success for o in outcomes), "expectations_failed": len(critical),
        "warnings_failed": len(warnings), "failures": blocking + [o.__dict__ for o in warnings],
        "published": published, "stage_seconds": {k: round(v, 3) for k, v in seconds.items()},
        "message": "published" if published else f"not published: critical expectations failed: {blame(blocking)}",
        "status": "published" if published else "not_published",
        "extractor_version": extractor_version(),
    }
    written = publish(con, db_path, audit, published, rederive)
    if "deferred" in written:
        return keep_for_next_run(db_path, run_dir, prior, audit, published, rederive, written["deferred"])
    audit = written
    logger.info("%s: %s (%d reports, %d rejected, %d facts; %d quality issues)", audit["run_id"], audit["message"],
                audit["reports_loaded"], audit["rejected"], audit["facts_loaded"],
                sum(audit.get("quality_issues", {}).values()))
    return audit


def blame(failures: list[dict[str, Any]], shown: int = 5) -> str:
    """One line naming each failed critical expectation and the files behind it (up to `shown` each)."""
    parts = []
    for f in failures:
        what = f"{f['table']}.{f['column']} {f['expectation']}" if f.get("column") else f["expectation"]
        files = f.get("files") or []
        more = f" and {len(files) - shown} more" if len(files) > shown else ""
        parts.append(f"{what} in {', '.join(files[:shown])}{more}" if files else f"{what} (no file to name)")
    return "; ".join(parts)


def _import_gx_meanwhile() -> None:
    """The writer needs Great Expectations (4-5 s to import) only once the batches are extracted: import it
    in the background meanwhile (workers never import it). A thread of this process: while it imports, the
    flow's own Python work waits for the GIL (listing 100k files took 4 s instead of 0.7 s)."""
    import threading

    threading.Thread(target=importlib.import_module, args=("expectations.suites",), daemon=True).start()


@flow(name="load_reports", task_runner=ThreadPoolTaskRunner(max_workers=1))
def load_reports(source: str, db_path: str, docs_dir: str | None = None, batch_size: int | None = None,
                 force: bool = False, workers: int = 1, dask_address: str | None = None, ocr: bool = False,
                 extract_timeout: float | None = None) -> dict:
    """Load every new or changed report file under `source` into the warehouse at `db_path` (all of them with
    `force`); returns the audit row. Batches are extracted where extract_runner(workers, dask_address) says;
    `workers` AUTO_WORKERS decides by the run's size (run_shape), `batch_size` None by where they run.
    `ocr`: scanned PDFs are read by OCR, and those an earlier load quarantined as scanned are read again.
    `extract_timeout`: seconds per file step (default GOVREPORT_EXTRACT_TIMEOUT, else 60; 0: none), read here
    and passed to the batches, so workers on other machines apply the writer's setting."""
    logger = get_run_logger()
    auto = workers == AUTO_WORKERS and not dask_address
    run_id = str(flow_run.get_id() or uuid.uuid4())
    started = datetime.now()
    seconds: Counter[str] = Counter()
    budget = budget_seconds() if extract_timeout is None else extract_timeout
    with writer_run(db_path, run_id, str(source), started) as (con, run_dir):
        tick = time.perf_counter()
        listing, provenance = discover(source)
        fault_point("discover")
        todo, prior = plan(db_path, listing, force, ocr)
        seconds["discover"] = time.perf_counter() - tick
        logger.info("%d files, %d new or changed, %d unchanged and skipped",
                    listing.height, todo.height, listing.height - todo.height)
        if ocr:
            from transforms.ocr import MAX_PAGES, SECONDS_PER_PAGE

            logger.info("--ocr: a scanned PDF is read by OCR at ~%d s a page (at most %d pages a file); each one is "
                        "named on stderr when its OCR starts", SECONDS_PER_PAGE, MAX_PAGES)
        workers, batch_size = run_shape(workers, batch_size, todo.height, available_cores(), bool(dask_address))
        on_workers = workers > 1 or bool(dask_address)
        if auto and on_workers:
            logger.info("%d files: extracting on %d local workers, one per core (--workers 1: in process)",
                        todo.height, workers)
        elif todo.height:  # in process the extraction holds the GIL: import before it; nothing to read, no GX
            _import_gx_meanwhile()
        parts = batches(todo, batch_size)
        progress = Progress(len(parts), todo.height)
        with extract_runner(workers, dask_address) as runner:
            groups = chunks(len(parts), runner_slots(runner, workers))
            futures = runner.map(extract_batches, {
                "batches": [parts[g.start:g.stop] for g in groups], "first_no": [g.start + 1 for g in groups],
                "run_dir": unmapped(str(run_dir)), "run_id": unmapped(run_id), "started": unmapped(started),
                "ocr": unmapped(ocr), "budget": unmapped(budget)})
            if on_workers:
                _import_gx_meanwhile()
            try:
                for future in futures:
                    for result in future.result():
                        seconds.update(result["seconds"])
                        progress.batch(result)
            except BaseException:
                # Stopped (SIGTERM, Ctrl-C) or failed: the task thread's current file step stops too, or leaving
                # the task runner would wait for it (up to the whole budget).
                interrupt_armed()
                raise
        audit = {"run_id": run_id, "flow": "load_reports", "source": str(source), "started_at": started,
                 "files_seen": listing.height, "files_skipped": listing.height - todo.height}
        return stage_validate_publish(con, db_path, str(run_dir) if parts else None, prior, docs_dir, audit, seconds,
                                      provenance=provenance)
