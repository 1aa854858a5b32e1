"""Metamorphic tests over every real report: each transformation of tests/metamorphic_cases.py has a known
effect on the reading (most have none: a change of form a reader would not notice), so each report is its
own oracle and the tests hold on reports nobody annotated. The cells that do not yet hold are listed, with
why, in tests/fixtures/metamorphic_known_failures.csv; they are strict xfails, so a fix must strike its line.
The whole grid as a table: `.venv/bin/python scripts/metamorphic_grid.py --failures`."""

import csv
import pathlib

import pytest

from tests.conftest import EXAMPLES, REAL
from tests.metamorphic_cases import TRANSFORMS, check, reading

REPORTS = sorted(p for d in (EXAMPLES, REAL) for p in d.iterdir() if p.suffix != ".pdf")
KNOWN = {(r["transformation"], r["report"]): r["why"] for r in csv.DictReader(
    (pathlib.Path(__file__).parent / "fixtures" / "metamorphic_known_failures.csv").open(encoding="utf-8"))}


@pytest.fixture(scope="module")
def originals() -> dict:
    return {p.name: reading(p.read_bytes()) for p in REPORTS}


def _cases():
    for name in TRANSFORMS:
        for report in REPORTS:
            marks = [pytest.mark.xfail(strict=True, reason=KNOWN[name, report.name])] \
                if (name, report.name) in KNOWN else []
            yield pytest.param(name, report, id=f"{name}-{report.name[:24]}", marks=marks)


@pytest.mark.parametrize("name,report", list(_cases()))
def test_transformation_has_its_known_effect(originals, name: str, report: pathlib.Path):
    verdict = check(TRANSFORMS[name], report.read_bytes(), report.name, originals[report.name])
    if verdict == "n/a":
        pytest.skip(f"{name} does not apply to {report.name}")
    assert verdict is None, verdict


def test_known_failures_name_real_cells():
    assert {t for t, _ in KNOWN} <= set(TRANSFORMS)
    assert {r for _, r in KNOWN} <= {p.name for p in REPORTS}


def test_the_originals_hold_facts(originals):
    """Guard: a pipeline that read nothing would pass every invariance above."""
    assert sum(len(facts) for facts, _ in originals.values()) > 1000


def test_rename_draws_real_bodies_of_other_provinces():
    """The rename's names come from the gazetteer: hundreds of them, across provinces."""
    from tests.metamorphic_cases import _BODIES

    bodies = _BODIES()
    assert len(bodies) > 1000 and len({prov for _, prov, _, _ in bodies}) > 25


def test_shift_years_moves_years_split_by_markup():
    new, info = TRANSFORMS["shift_years"].apply("<p>统计时限为20</span><span>23年</p>".encode(), "k")
    assert new.decode() == "<p>统计时限为20</span><span>24年</p>" and info == {"shift": 1}
