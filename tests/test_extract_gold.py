"""End-to-end extraction scored with the spec's own scorer against the hand-checked gold."""

import importlib.util
import json

import pytest

from flows.cli import CONTRACT_FIELDS, main
from tests.conftest import EXAMPLES, GOLD


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
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_contract_shape(records):
    assert [r["source"].rsplit("/", 1)[-1] for r in records] == sorted(p.name for p in EXAMPLES.iterdir())
    for r in records:
        assert tuple(r) == CONTRACT_FIELDS
        for m in r["metrics"]:
            assert set(m) == {"code", "breakdown", "value", "unit", "qualifier", "span", "text"}


@pytest.mark.parametrize("name", sorted(p.stem for p in GOLD.glob("*.json")))
def test_report_matches_gold(records, scorer, name):
    gold = json.loads((GOLD / f"{name}.json").read_text(encoding="utf-8"))
    record = next(r for r in records if r["source"].rsplit("/", 1)[-1].rsplit(".", 1)[0] == name)
    tp, owed, emitted, qualifiers_ok, meta_ok, meta_n, missed, extra = scorer.score(record, gold)
    assert missed == [], f"missed {[(g['code'], g.get('breakdown'), g['value']) for g in missed]}"
    assert extra == [], f"extra {[(f['code'], f['breakdown'], f['value']) for f in extra]}"
    assert qualifiers_ok == tp
    assert meta_ok == meta_n, {k: (record.get(k), gold.get(k)) for k in scorer.META}
