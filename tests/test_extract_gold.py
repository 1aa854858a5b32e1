"""End-to-end extraction scored with the spec's own scorer against the hand-checked gold."""

import csv
import importlib.util
import json

import pytest

from flows.cli import CONTRACT_FIELDS, main
from tests.conftest import EXAMPLES, GOLD, REAL


@pytest.fixture(scope="module")
def scorer():
    spec = importlib.util.spec_from_file_location("score_extraction", GOLD.parent / "score_extraction.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def records():
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["extract", str(EXAMPLES)]) == 0
        assert main(["extract", str(REAL)]) == 0
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_contract_shape(records):
    names = [r["source"].rsplit("/", 1)[-1] for r in records]
    assert names == sorted(p.name for p in EXAMPLES.iterdir()) + sorted(p.name for p in REAL.iterdir())
    for r in records:
        assert tuple(r) == CONTRACT_FIELDS
        for m in r["metrics"]:
            assert set(m) == {"code", "breakdown", "value", "unit", "qualifier", "span", "text", "rule", "page"}


def _floors() -> dict[str, dict[str, int]]:
    """tests/fixtures/gold/floors.csv: per real report, what today's extractor reaches. A change may raise a
    floor (edit the row), never fall below one; a report at its gold's full count must stay there."""
    with (GOLD / "floors.csv").open(encoding="utf-8") as fh:
        return {row.pop("report"): {k: int(v) for k, v in row.items()} for row in csv.DictReader(fh)}


def test_every_gold_file_has_a_floor():
    assert set(_floors()) == {p.stem for p in GOLD.glob("*.json")}


@pytest.mark.parametrize("name", sorted(p.stem for p in GOLD.glob("*.json")))
def test_report_against_gold(records, scorer, name):
    gold = json.loads((GOLD / f"{name}.json").read_text(encoding="utf-8"))
    floor = _floors()[name]
    record = next(r for r in records if r["source"].rsplit("/", 1)[-1].rsplit(".", 1)[0] == name)
    tp, owed, emitted, qualifiers_ok, meta_ok, meta_n, missed, extra = scorer.score(record, gold)
    assert tp >= floor["found_at_least"], f"missed {[(g['code'], g.get('breakdown'), g['value']) for g in missed]}"
    assert len(extra) <= floor["extra_at_most"], f"extra {[(f['code'], f['breakdown'], f['value']) for f in extra]}"
    assert tp - qualifiers_ok <= floor["wrong_qualifiers_at_most"]
    assert meta_ok >= floor["meta_at_least"], {k: (record.get(k), gold.get(k)) for k in scorer.META}
