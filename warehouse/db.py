"""The writer's API in one import: `from warehouse import db`. Each job has its own module:

- `warehouse.schema`: open the file, apply the DDL and views (migrating older files), run .sql files;
- `warehouse.frames`: extract records to staging frames (agency canonicalisation, explicit schemas);
- `warehouse.staging`: a run's Parquet batches as stg_* views in memory; which files a load reads;
- `warehouse.publish`: the one transaction that moves the staged run in, waiting for readers first;
- `warehouse.audit`: the load_audit row and what goes in it;
- `warehouse.runs`: the writer lock and the audit row of a run that did not end;
- `warehouse.rederive`: backfill and rebuild reading the stored raw reports back.

Write -> audit -> publish: a run is staged as Parquet behind views of an in-memory database (never visible to
readers, gone if the process dies), validated (`expectations/`), then moved into the published tables in one
explicit transaction (DuckDB 2.0 no longer wraps a multi-statement string in one).
"""

from warehouse.audit import FILES_NAMED, audited, files_behind, record_audit, staged_quality_issues
from warehouse.frames import (
    AGENCY_SCHEMA,
    ALIASES_ENV,
    METRIC_SCHEMA,
    PAGE_COLUMNS,
    QUARANTINE_SCHEMA,
    RAW_SCHEMA,
    REPORT_SCHEMA,
    SOURCE_FILE_SCHEMA,
    UNKNOWN_AGENCY,
    agency_id,
    canonical_name,
    frames_from_records,
    source_file_frame,
)
from warehouse.publish import PUBLISH_WAIT_ENV, ROW_GROUP_SIZE, ReadersHold, attached, publish, waiting_for_readers
from warehouse.rederive import published_sources, rederive_batches, rederive_scope, reports_per_year
from warehouse.runs import STOPS, WarehouseBusy, record_crashed, stop_in, writer_lock
from warehouse.schema import PUBLISHED, connect, run_script, sql_files, table_counts
from warehouse.staging import (
    STAGED,
    WRITER_MEMORY,
    open_staging,
    plan_files,
    reset_staging,
    stage,
    stage_dir,
    staged_counts,
    write_batch,
)

__all__ = [
    "AGENCY_SCHEMA", "ALIASES_ENV", "FILES_NAMED", "METRIC_SCHEMA", "PAGE_COLUMNS", "PUBLISHED", "PUBLISH_WAIT_ENV",
    "QUARANTINE_SCHEMA", "RAW_SCHEMA", "REPORT_SCHEMA", "ROW_GROUP_SIZE", "SOURCE_FILE_SCHEMA", "STAGED", "STOPS",
    "UNKNOWN_AGENCY", "WRITER_MEMORY", "ReadersHold", "WarehouseBusy", "agency_id", "attached", "audited",
    "canonical_name", "connect", "files_behind", "frames_from_records", "open_staging", "plan_files", "publish",
    "published_sources", "record_audit", "record_crashed", "rederive_batches", "rederive_scope", "reports_per_year",
    "reset_staging", "run_script", "source_file_frame", "sql_files", "stage", "stage_dir", "staged_counts",
    "staged_quality_issues", "stop_in", "table_counts", "waiting_for_readers", "write_batch", "writer_lock",
]
