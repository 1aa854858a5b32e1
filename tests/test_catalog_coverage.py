"""Every catalog code that a report can state is exercised by at least one test or gold fixture."""

import csv
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent


def test_every_catalog_code_is_tested():
    with (ROOT.parent / "warehouse" / "metric_catalog.csv").open(encoding="utf-8") as fh:
        codes = [row["code"] for row in csv.DictReader(fh)]
    corpus = "".join(p.read_text(encoding="utf-8") for p in ROOT.glob("test_*.py"))
    corpus += "".join(p.read_text(encoding="utf-8") for p in (ROOT / "fixtures" / "gold").glob("*.json"))
    assert [c for c in codes if f'"{c}"' not in corpus] == []
