"""GX Data Docs of the published warehouse: the load's suites and SQL checks run over what is published now, so
`govreport docs` has Data Docs even when every load ran with --no-docs (and shows the state after all loads)."""

from __future__ import annotations

import pathlib
from datetime import datetime

import duckdb

from expectations import spans, staged
from expectations.suites import Outcome, docs_index, load_checks, validate_batch
from warehouse import db

RUN_NAME = "published"


def build_data_docs(db_path: str | pathlib.Path, docs_dir: str | pathlib.Path) -> tuple[pathlib.Path, list[Outcome]]:
    """Validate the published tables into the GX site under docs_dir; returns its index.html and the outcomes."""
    # The suites and checks read stg_<table>: point those names at the published tables of a read-only attach,
    # so the warehouse file is never opened for writing.
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{str(db_path).replace(chr(39), chr(39) * 2)}' AS wh (READ_ONLY)")
        con.execute("USE wh")
        for table in db.PUBLISHED:
            con.execute(f"CREATE TEMP VIEW stg_{table} AS SELECT * FROM wh.main.{table}")
        outcomes = validate_batch(
            staged.staged_for_validation(con), spans.python_checks(con) | staged.run_checks(con, load_checks()),
            current_year=datetime.now().year,
            unknown_agency_id=db.agency_id(db.UNKNOWN_AGENCY, None), docs_dir=pathlib.Path(docs_dir),
            run_name=RUN_NAME)
    finally:
        con.close()
    return docs_index(pathlib.Path(docs_dir)), outcomes
