"""The metric catalog (warehouse/metric_catalog.csv): the one reader of it. Codes are stable: add, never rename."""

from __future__ import annotations

import csv
import functools
from importlib import resources

CATALOG_FILE = "metric_catalog.csv"


@functools.cache
def metric_rows() -> dict[str, dict[str, str]]:
    """metric code -> its catalog row (unit, section, label_zh, signed, notes), in the catalog's order."""
    with resources.files("warehouse").joinpath(CATALOG_FILE).open(encoding="utf-8", newline="") as fh:
        return {row["code"]: row for row in csv.DictReader(fh)}


def path() -> str:
    """The catalog file, for DuckDB's read_csv in the DDL."""
    return str(resources.files("warehouse").joinpath(CATALOG_FILE))


@functools.cache
def signed() -> dict[str, bool]:
    """metric code -> whether its value may be negative (`*.items_change`)."""
    return {code: row["signed"].strip().lower() == "true" for code, row in metric_rows().items()}
