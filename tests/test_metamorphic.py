"""Metamorphic tests over every real report: a change of form that a reader would not notice leaves every
fact and the agency, region, year and layout as they were. No expected values are written here: each report
is its own oracle, so the tests hold on reports nobody annotated."""

import pathlib

import opencc
import pytest

from tests.conftest import EXAMPLES, REAL, read_report

REPORTS = sorted(p for d in (EXAMPLES, REAL) for p in d.iterdir() if p.suffix != ".pdf")
_S2T = opencc.OpenCC("s2t")
META = ("agency", "province", "city", "county", "report_year", "layout")


def _text(data: bytes) -> str:
    return data.decode("utf-8-sig")


TRANSFORMS = {
    # line ends of a Windows editor
    "crlf": lambda b: _text(b).replace("\n", "\r\n").encode(),
    # the legacy encoding most Chinese sites served
    "gb18030": lambda b: _text(b).encode("gb18030"),
    # the same report on a traditional-script site (or through a reading aid)
    "traditional": lambda b: _S2T.convert(_text(b)).encode(),
    "utf8_bom": lambda b: b"\xef\xbb\xbf" + b,
    # a site's own navigation and footer around the report
    "site_chrome": lambda b: ("首页 > 政务公开 > 年度报告\n【打印本页】【关闭窗口】\n" + _text(b)
                              + "\n版权所有：某某人民政府网站\n").encode(),
    # pages typed with ASCII punctuation, or with full-width digits
    "ascii_punctuation": lambda b: _text(b).translate(str.maketrans("，；：（）！？", ",;:()!?")).encode(),
    "fullwidth_digits": lambda b: _text(b).translate(str.maketrans("0123456789", "０１２３４５６７８９")).encode(),
}


def _read(data: bytes) -> tuple[set, tuple]:
    record = read_report(data)
    return {(m["code"], m["breakdown"], m["value"]) for m in record["metrics"]}, tuple(record[k] for k in META)


@pytest.fixture(scope="module")
def originals() -> dict[str, tuple[set, tuple]]:
    return {p.name: _read(p.read_bytes()) for p in REPORTS}


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
@pytest.mark.parametrize("report", REPORTS, ids=lambda p: p.name[:24])
def test_form_changes_leave_the_reading_unchanged(originals, report: pathlib.Path, name: str):
    facts, meta = originals[report.name]
    got_facts, got_meta = _read(TRANSFORMS[name](report.read_bytes()))
    assert got_meta == meta
    assert got_facts - facts == set(), "facts that appeared"
    assert facts - got_facts == set(), "facts that disappeared"


def test_the_originals_hold_facts(originals):
    """Guard: a pipeline that read nothing would pass every invariance above."""
    assert sum(len(facts) for facts, _ in originals.values()) > 1000
