"""load_reports: discover -> decode -> normalize -> extract -> stage -> validate -> publish.

Each task handles a whole batch of files (never one task per document); tasks are thin wrappers over
transforms/ (pure text work), warehouse/ (DuckDB) and expectations/ (GX). Task inputs are large frames,
so input hashing for caching is switched off.

Staging and validation happen in an in-memory DuckDB; the warehouse file is written only inside the
publish transaction, so a crash before it leaves the file as it was and readers are never blocked for
longer than the publish itself.
"""

from __future__ import annotations

import os
import pathlib
import signal
import uuid
from datetime import datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from expectations.suites import load_checks, validate_batch
from transforms.decode import decode_files
from transforms.extract import extract_records, mark_duplicates
from transforms.normalize import normalize_batch
from warehouse import db

BATCH_SIZE = 2000
FAULT_ENV = "GOVREPORT_FAULT"


def fault_point(stage: str) -> None:
    """Fault injection for the crash tests: `GOVREPORT_FAULT=<stage>` SIGKILLs this process right there."""
    if os.environ.get(FAULT_ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)


def list_report_files(source: str | pathlib.Path) -> list[str]:
    """Every regular file under a directory (sorted, hidden files and folders skipped), or the file itself."""
    root = pathlib.Path(source)
    if root.is_file():
        return [str(root)]
    if not root.is_dir():
        raise FileNotFoundError(f"no such file or directory: {root}")
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found += [os.path.join(dirpath, f) for f in sorted(filenames) if not f.startswith(".")]
    return found


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def discover(source: str) -> list[str]:
    return list_report_files(source)


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def decode(paths: list[str]):
    return decode_files(paths)


@task(cache_policy=NO_CACHE)
def normalize(decoded):
    return normalize_batch(decoded)


@task(cache_policy=NO_CACHE)
def extract(normalized) -> list[dict[str, Any]]:
    return extract_records(normalized)


@task(cache_policy=NO_CACHE)
def stage(con, records: list[dict[str, Any]], run_id: str, now: datetime) -> None:
    db.stage(con, db.frames_from_records(records, run_id, now))


@task(cache_policy=NO_CACHE)
def validate(con, docs_dir: str | None) -> list:
    return validate_batch(
        db.staged_for_validation(con), db.run_checks(con, load_checks()),
        current_year=datetime.now().year, unknown_agency_id=db.agency_id(db.UNKNOWN_AGENCY, None),
        docs_dir=pathlib.Path(docs_dir) if docs_dir else None)


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def publish(con, db_path: str, audit: dict[str, Any], publish_batch: bool) -> None:
    with db.attached(con, db_path):
        db.publish(con, audit, publish_batch, mid_transaction=lambda: fault_point("publish"))


@flow(name="load_reports")
def load_reports(source: str, db_path: str, docs_dir: str | None = None, batch_size: int = BATCH_SIZE) -> dict:
    """Load every report file under `source` into the warehouse at `db_path`; returns the audit row."""
    logger = get_run_logger()
    run_id = str(flow_run.get_id() or uuid.uuid4())
    started = datetime.now()
    with db.writer_lock(db_path, {"run_id": run_id, "pid": os.getpid(), "source": str(source),
                                  "started_at": started.isoformat(timespec="seconds")}):
        paths = discover(source)
        fault_point("discover")
        con = db.open_staging()
        try:
            counts = {"files_seen": len(paths), "reports_loaded": 0, "rejected": 0, "facts_loaded": 0}
            seen: dict[str, str] = {}
            for i in range(0, len(paths), batch_size):
                decoded = decode(paths[i:i + batch_size])
                fault_point("decode")
                normalized = normalize(decoded)
                fault_point("normalize")
                records = mark_duplicates(extract(normalized), seen)
                fault_point("extract")
                stage(con, records, run_id, started)
                fault_point("stage")
                ok = [r for r in records if r["status"] == "ok"]
                counts["reports_loaded"] += len(ok)
                counts["rejected"] += len(records) - len(ok)
                counts["facts_loaded"] += sum(len(r["metrics"]) for r in ok)
                logger.info("batch %d: %d files, %d reports, %d facts", i // batch_size + 1, len(records),
                            len(ok), sum(len(r["metrics"]) for r in ok))
            outcomes = validate(con, docs_dir)
            fault_point("validate")
            critical = [o for o in outcomes if not o.success and o.severity == "critical"]
            warnings = [o for o in outcomes if not o.success and o.severity != "critical"]
            published = not critical
            audit = {
                "run_id": run_id, "flow": "load_reports", "source": str(source), "started_at": started,
                "finished_at": datetime.now(), **counts,
                "expectations_passed": sum(o.success for o in outcomes), "expectations_failed": len(critical),
                "warnings_failed": len(warnings), "failures": [o.__dict__ for o in critical + warnings],
                "published": published,
                "message": "published" if published else "not published: critical expectations failed",
            }
            publish(con, db_path, audit, published)
            logger.info("%s: %s", run_id, audit["message"])
            return audit
        finally:
            con.close()
