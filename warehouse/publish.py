"""Publish: the staged run moved into the warehouse file in one transaction with its audit row, after
waiting (bounded) for readers to let go of the file."""

from __future__ import annotations

import logging
import os
import pathlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

import duckdb

from warehouse.audit import record_audit
from warehouse.rederive import rederive_sql
from warehouse.schema import connect

ROW_GROUP_SIZE = 16_384


PUBLISH_WAIT_ENV = "GOVREPORT_PUBLISH_WAIT"  # seconds publish waits for readers to release the file


_PUBLISH_WAIT_DEFAULT = 300.0


_log = logging.getLogger("govreport.warehouse")


class ReadersHold(duckdb.IOException):
    """Readers held the warehouse file for all of the publish wait: nothing was written. An IOException, as
    DuckDB's own lock error it stands for."""


def waiting_for_readers(path: str | pathlib.Path, step: Callable[[], Any]) -> None:
    """Run step, again and again while another process holds the file's lock, within the publish wait;
    ReadersHold when they still hold it at the end."""
    deadline = time.monotonic() + float(os.environ.get(PUBLISH_WAIT_ENV, _PUBLISH_WAIT_DEFAULT))
    pause, said = 0.2, False
    while True:
        try:
            step()
            return
        except duckdb.IOException as exc:
            if "Could not set lock" not in str(exc):
                raise
            if time.monotonic() + pause > deadline:
                raise ReadersHold(f"readers held {path} for all of {PUBLISH_WAIT_ENV}="
                                  f"{os.environ.get(PUBLISH_WAIT_ENV, _PUBLISH_WAIT_DEFAULT)} s: {exc}") from exc
            if not said:
                _log.warning("waiting for readers to close %s before publishing (%s); up to %s s (%s)", path,
                             str(exc).split(":", 2)[-1].strip()[:120], os.environ.get(PUBLISH_WAIT_ENV,
                                                                                       _PUBLISH_WAIT_DEFAULT),
                             PUBLISH_WAIT_ENV)
                said = True
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


@contextmanager
def attached(con: duckdb.DuckDBPyConnection, path: str | pathlib.Path) -> Iterator[None]:
    """Make the warehouse file the default catalog of the staging connection (temp stg_* stay visible).
    Readers (a long `govreport query`, a dashboard) hold the file's lock: publish waits for them to leave, up
    to PUBLISH_WAIT_ENV seconds, saying so, before it gives up with the lock error."""
    # Row groups smaller than DuckDB's default (122,880 rows): a transaction's insert is written to the file
    # as it goes only in whole row groups, so the 100k texts of a run were held back and spilled under the
    # memory cap, then written by COMMIT (10 s per text table at 100k reports; now written while inserted).
    attach = f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS wh (ROW_GROUP_SIZE {ROW_GROUP_SIZE})"
    waiting_for_readers(path, lambda: connect(path).close())  # create or migrate the schema first
    waiting_for_readers(path, lambda: con.execute(attach))
    con.execute("USE wh")
    try:
        yield
    finally:
        con.execute("USE memory")
        con.execute("DETACH wh")


def publish(con: duckdb.DuckDBPyConnection, audit: dict[str, Any] | None = None, publish_batch: bool = True,
            mid_transaction: Callable[[], None] | None = None,
            before_audit: Callable[[duckdb.DuckDBPyConnection], dict[str, Any]] | None = None,
            rederive: str | None = None) -> None:
    """In one transaction: move the staged batch into the published tables (when publish_batch) and add the
    run's load_audit row, so data and audit commit together or not at all. `mid_transaction` runs between
    the statements (the crash tests kill the process there); `before_audit` sees the published state inside
    the transaction and returns fields to add to the audit row (the quality-issue warnings). `rederive`
    (a rederive_scope predicate) marks a batch re-derived from raw_report: rederive.sql's sections run
    around publish.sql."""
    sql = resources.files("warehouse").joinpath("publish.sql").read_text(encoding="utf-8")
    if rederive is not None:
        sql = "\n".join((rederive_sql("before_publish", rederive), sql, rederive_sql("after_publish", rederive)))
    statements = con.extract_statements(sql) if publish_batch else []
    con.execute("BEGIN TRANSACTION")
    try:
        for i, stmt in enumerate(statements):
            con.execute(stmt)
            if mid_transaction and i == len(statements) // 2:
                mid_transaction()
        if audit is not None:
            if before_audit is not None:
                audit.update(before_audit(con))
            record_audit(con, audit)
        con.execute("COMMIT")
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass  # a failed COMMIT has ended the transaction already: the error to report is the COMMIT's own
        raise
