"""Precision sweep over any folders of reports: every agency the extractor gives passes agency_name's
structural validator, and every report whose title or agency names a place the gazetteer knows has a
province. Prints the violations and exits 1 if there are any.

    .venv/bin/python scripts/metadata_sweep.py examples /tmp/corpus/reports
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from flows.discover import list_report_files
from transforms import agency_name, region
from transforms.decode import decode_files
from transforms.extract import extract_records
from transforms.normalize import normalize_batch


def violations(records: Iterable[dict]) -> list[tuple[str, str, str]]:
    """(source, field, what is wrong) for each record that breaks one of the two promises."""
    found = []
    for r in records:
        if r["status"] != "ok":
            continue
        if r["agency"] is not None and not agency_name.is_agency_name(r["agency"]):
            found.append((r["source"], "agency", f"{r['agency']!r} fails the validator"))
        named = region.resolve_region(r["agency"], "") if r["agency"] else region.UNKNOWN
        if named.province is None and r["title"]:
            named = region.resolve_region(None, r["title"])
        if named.province is not None and r["province"] is None:
            found.append((r["source"], "province", f"null, but {r['agency'] or r['title']!r} names {named.province}"))
    return found


def sweep(paths: list[str], batch: int = 2000) -> tuple[int, list[tuple[str, str, str]]]:
    files = [f for p in paths for f in list_report_files(p)]
    found: list[tuple[str, str, str]] = []
    for i in range(0, len(files), batch):
        found += violations(extract_records(normalize_batch(decode_files(files[i:i + batch]))))
    return len(files), found


def main(argv: list[str]) -> int:
    n, found = sweep(argv)
    for source, field, why in found:
        print(f"{source}\t{field}\t{why}")
    print(f"{n} files, {len(found)} violations")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
