"""scripts/metadata_sweep.py: every agency passes the validator and every nameable place has a province, over
the real reports (fast) and a generated corpus (slow; the script runs the same check on any folder)."""

import importlib.util
import pathlib

import pytest

from tests.conftest import EXAMPLES, REAL

_SPEC = importlib.util.spec_from_file_location(
    "metadata_sweep", pathlib.Path(__file__).resolve().parents[1] / "scripts" / "metadata_sweep.py")
sweep = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(sweep)


def _record(**kw):
    return {"source": "x", "status": "ok", "agency": None, "title": None, "province": None} | kw


@pytest.mark.parametrize("record,fields", [
    (_record(agency="淮安市人民政府", province="江苏省"), []),
    (_record(agency="现将我乡", province=None), ["agency"]),                               # a sentence piece
    (_record(agency="淮安市人民政府", province=None), ["province"]),                        # the name names a place
    (_record(title="2022年万全区农业农村局政府信息公开工作年度报告"), ["province"]),        # so does the title
    (_record(title="政府信息公开工作年度报告"), []),                                        # nothing to name
    (_record(agency="现将我乡", status="rejected"), []),                                    # rejected: not read
])
def test_violations(record, fields):
    assert [f for _, f, _ in sweep.violations([record])] == fields


def test_real_reports_keep_both_promises():
    n, found = sweep.sweep([str(EXAMPLES), str(REAL)])
    assert n >= 20 and found == []


@pytest.mark.slow
def test_generated_corpus_keeps_both_promises(tmp_path):
    from bench.make_corpus import make_corpus

    make_corpus(2000, tmp_path, 11, 0.01)
    n, found = sweep.sweep([str(tmp_path / "reports")])
    assert n == 2000 and found == []
