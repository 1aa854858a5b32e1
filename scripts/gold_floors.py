"""Raise tests/fixtures/gold/floors.csv to what an extract run reaches on the real reports.

    govreport extract examples/reports > x.jsonl && python scripts/gold_floors.py x.jsonl

A floor only rises (found, meta) or falls (extra, wrong qualifiers) toward the gold; a run that does worse
on some report is reported and leaves that report's row as it was.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import pathlib
import sys

GOLD = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "gold"
FIELDS = ("report", "found_at_least", "extra_at_most", "meta_at_least", "wrong_qualifiers_at_most")


def main(extract: str) -> int:
    spec = importlib.util.spec_from_file_location("score_extraction", GOLD.parent / "score_extraction.py")
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    records = {}
    for line in pathlib.Path(extract).read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        records[r["source"].rsplit("/", 1)[-1].rsplit(".", 1)[0]] = r
    path = GOLD / "floors.csv"
    with path.open(encoding="utf-8") as fh:
        old = {row["report"]: row for row in csv.DictReader(fh)}
    rows, worse = [], []
    for gold_path in sorted(GOLD.glob("*.json")):
        name = gold_path.stem
        tp, _, _, q_ok, meta_ok, _, _, extra = scorer.score(records[name], json.loads(gold_path.read_text("utf-8")))
        new = {"report": name, "found_at_least": tp, "extra_at_most": len(extra), "meta_at_least": meta_ok,
               "wrong_qualifiers_at_most": tp - q_ok}
        prev = old.get(name)
        if prev and (tp < int(prev["found_at_least"]) or len(extra) > int(prev["extra_at_most"])
                     or meta_ok < int(prev["meta_at_least"])
                     or tp - q_ok > int(prev["wrong_qualifiers_at_most"])):
            worse.append(name)
            rows.append(prev)
        else:
            rows.append(new)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    for name in worse:
        print(f"worse than its floor, row kept: {name}", file=sys.stderr)
    return 1 if worse else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
