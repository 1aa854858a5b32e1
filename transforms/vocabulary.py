"""The one reader of transforms/vocab/*.csv: the word lists the extraction rules read, as data, not regexes."""

from __future__ import annotations

import csv
import functools
from importlib import resources


@functools.cache
def rows(name: str) -> tuple[dict[str, str], ...]:
    """The rows of vocab/<name> (read once per process)."""
    with resources.files("transforms").joinpath("vocab", name).open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def column(name: str, key: str) -> list[str]:
    return [r[key] for r in rows(name)]


def mapping(name: str, key: str, value: str) -> dict[str, str]:
    return {r[key]: r[value] for r in rows(name)}
