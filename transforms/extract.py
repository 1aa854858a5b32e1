"""Normalized report text -> the extract contract's record (metadata + metric facts)."""

from __future__ import annotations

import bisect
import functools
import gc
import re
from collections.abc import Callable
from typing import Any

import polars as pl

from transforms import budget as file_budget
from transforms import division_history, prose, region, stat_rows, tables
from transforms.facts import Fact
from transforms.metadata import extract_metadata
from transforms.page_fields import page_fields
from warehouse.catalog import metric_rows

catalog = metric_rows  # metric code -> catalog row (unit, section, label_zh, signed, notes)
LAYOUTS = ("free_form", "standard_table")


@functools.cache
def units() -> dict[str, str]:
    return {code: row["unit"] for code, row in catalog().items()}


def merge_facts(facts: list[Fact]) -> list[Fact]:
    """One fact per (code, breakdown, value), earliest source first (tables before prose); a `stated_none`
    zero yields to any stated figure of the same metric (a table's 0 cell is the fact, not the sentence)."""
    stated = {f.code for f in facts if f.qualifier != "stated_none"}
    first: dict[tuple[str, str, float], Fact] = {}
    for f in facts:
        if f.qualifier != "stated_none" or f.code not in stated:
            first.setdefault(f[:3], f)  # f[:3] = (code, breakdown, value)
    return list(first.values())


# No count or amount in a disclosure report reaches 10^8 (the largest seen: ~4 million licensing decisions of a
# prefecture; amounts are in 万元): a larger value is a misread, not a figure.
MAX_PLAUSIBLE = 1e8
_PAGE_BREAK = re.compile("\f")
PAGED_ENCODINGS = ("pdf", "docx", "doc", "wps", "ocr")  # documents whose text keeps its page breaks as \f


def _page_finder(text: str, paged: bool) -> Callable[[int], int | None]:
    """offset -> 1-based page, counting the form feeds before it; None for text that has no pages."""
    if not paged:
        return lambda _offset: None
    breaks = [m.start() for m in _PAGE_BREAK.finditer(text)]
    return lambda offset: bisect.bisect_right(breaks, offset) + 1


def stops_in_figure(raw: str) -> bool:
    """The file as read stops in a digit: a page its source cut short there (nothing after it, not even the
    site's footer) may have cut that number too (`…| 0 | 1` of a row whose total was 12)."""
    return raw.rstrip()[-1:].isdigit()


def not_cut_off(text: str, facts: list[Fact]) -> list[Fact]:
    """The facts, less those read from the very end of the normalized text of a page that stops in a figure
    (the closing bar normalization gives its last row is not the page's). A table row's facts share the row's
    span, so the whole row goes; cells one a line lose only the last."""
    end = len(text.rstrip().removesuffix("|").rstrip())
    return [f for f in facts if f.end < end]


def extract_report(text: str, paged: bool = False, cut: bool = False) -> dict[str, Any]:
    """Every metadata field and fact of one normalized report (the contract's fields after `script`).
    `paged`: the text came from a paged document (PDF, Word), so each fact gets the page it stands on.
    `cut`: the file stops in a figure (stops_in_figure of its raw text): the figure it stops in is none."""
    page_of = _page_finder(text, paged)
    meta = extract_metadata(text)
    flags = list(meta.flags)
    standard = tables.is_standard_layout(text)
    facts: list[Fact] = []
    if standard:
        table_facts, table_flags = tables.parse_standard_tables(text)
        facts += table_facts
        flags += table_flags
    else:
        facts += stat_rows.extract_stat_rows(text, units())
    facts += prose.extract_prose(text, units())
    facts += prose.extract_zero_statements(text, units())
    plausible = [f for f in facts if abs(f.value) < MAX_PLAUSIBLE]
    if len(plausible) < len(facts):  # a misread run of digits is no figure: dropped, and the report says so
        flags.append("implausible_magnitude")
        facts = plausible
    whole = not_cut_off(text, facts) if cut else facts
    if len(whole) < len(facts):
        flags.append("text_cut_in_figure")
        facts = whole
    if meta.report_year is None:
        flags.append("report_year_unknown")
    place = region.resolve_region(meta.agency, text)
    block = page_fields(text)
    if place.level == "unknown":
        flags.append("agency_region_unknown")
    written = meta.agency or meta.title or ""  # names the predecessor where divisions merged
    history = division_history.lineage(place.code, written) if place.code else None
    code_then = history.code_in(place.code, meta.report_year) if history else None
    if place.code and meta.report_year is not None and code_then is None:
        flags.append("division_code_in_year_unknown")
    return {
        "title": meta.title,
        "agency": meta.agency,
        "agency_as_written": meta.agency_as_written,
        "province": place.province,
        "city": place.city,
        "county": place.county,
        "division_code": place.code,
        "division_code_in_year": code_then,
        "former_division_codes": history.former_codes if history else [],
        "report_year": meta.report_year,
        "published_on": meta.published_on,
        "signed_on": meta.signed_on,
        "layout": "standard_table" if standard else "free_form",
        **page_columns(block.index_no, block.publisher, block.disclosed_on, block.document_no),
        "metrics": [
            {"code": code, "breakdown": breakdown,
             "value": int(value) if float(value).is_integer() else value,  # JSON numbers as written: 11, not 11.0
             "unit": unit, "qualifier": qualifier, "span": [start, end], "text": text[start:end],
             "rule": rule, "page": page_of(start)}
            for code, breakdown, value, unit, qualifier, start, end, rule in merge_facts(facts)
        ],
        "flags": sorted(set(flags)),
    }


# The page's metadata block (transforms/page_fields.py), as fact_report's columns of the same names.
PAGE_COLUMNS = ("page_index_no", "page_publisher", "page_disclosed_on", "page_document_no")


def page_columns(*values: str | None) -> dict[str, str | None]:
    return dict(zip(PAGE_COLUMNS, values, strict=True))


def extract_records(normalized: pl.DataFrame, budget: float | None = None) -> list[dict[str, Any]]:
    """A normalized batch (transforms.normalize.normalize_batch) -> one contract record per file, in order.

    Records also carry `n_bytes`, `raw_text` and `normalized_text` for the warehouse; `govreport extract`
    drops them. Rejected files keep their reason in `error` and `status` = rejected; so does a file whose
    extraction takes over `budget` seconds (`extract_timeout`).
    """
    # The batch's records hold no reference cycles, but the collector would walk them again and again as they
    # pile up (a fifth of the extraction time, measured): it is held off until the batch is done.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        if not budget or budget <= 0:
            return [_record(row) for row in normalized.iter_rows(named=True)]
        # Unarmed for rejected rows (nothing to extract), and after a warm-up: the extractor's first call in
        # a process loads its vocabularies and region tables, which is no file's fault.
        extract_report("")
        return [_record_within(row, budget) for row in normalized.iter_rows(named=True)]
    finally:
        if gc_was_enabled:
            gc.enable()


def _record_within(row: dict[str, Any], budget: float) -> dict[str, Any]:
    if row["error"]:
        return _record(row)
    done, record = file_budget.within(budget, _record, row)
    return record if done else _record({**row, "error": file_budget.reason(budget, "extract")})


def _record(row: dict[str, Any]) -> dict[str, Any]:
    """The contract record of one row of a normalized batch."""
    record: dict[str, Any] = {
        "source": row["source"], "sha256": row["sha256"] or None,
        "status": "rejected" if row["error"] else "ok", "error": row["error"],
        "encoding": row["encoding"], "script": None if row["error"] else row["script"],
        "n_bytes": row["n_bytes"], "raw_text": row["text"], "normalized_text": row["norm_text"],
    }
    if row["error"]:
        record.update(dict.fromkeys(("title", "agency", "agency_as_written", "province", "city", "county",
                                     "division_code", "division_code_in_year", "report_year", "published_on",
                                     "signed_on", "layout", *PAGE_COLUMNS)))
        record.update(metrics=[], flags=[], former_division_codes=[])
    else:
        paged = row["encoding"] in PAGED_ENCODINGS  # a document's text is whole or unreadable, never cut
        record.update(extract_report(row["norm_text"], paged=paged,
                                     cut=not paged and stops_in_figure(row["text"] or "")))
        if row["encoding"] == "ocr":  # text a machine read off a picture: its figures may be misread
            record["flags"] = sorted({*record["flags"], "ocr_text"})
    return record


def mark_duplicates(records: list[dict[str, Any]], seen: dict[str, str]) -> list[dict[str, Any]]:
    """The same bytes under a second name are one report: later copies become rejected records that name
    the first path (so they are reported, not silently dropped). `seen` (sha256 -> path) spans batches."""
    out = []
    for r in records:
        first = seen.get(r["sha256"]) if r["status"] == "ok" else None
        if first is None:
            if r["status"] == "ok":
                seen[r["sha256"]] = r["source"]
            out.append(r)
            continue
        dup = dict(r, status="rejected", error=f"duplicate: same content as {first}", metrics=[], flags=[])
        out.append(dup)
    return out
