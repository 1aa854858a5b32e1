"""Ad hoc statistics tables in free-form reports: a label with its unit in brackets and a number at the end of
the line (`通过政府网站公开数(条)             2306`), or two counts in one cell (`培训3次/120人次`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from transforms.facts import Fact
from transforms.numbers import NUMBER, parse_number, to_catalog_unit
from transforms.prose import classify, occurrences

_STAT_ROW = re.compile(
    rf"(?m)^\|?\s*(?:[一二三四五六七八九十]+、)?(?P<label>[^\d|\n]{{2,60}}?)\s*[(（](?P<unit>[^)）\n]{{1,8}})[)）]"
    rf"\s*\|?\s*(?P<num>{NUMBER})\s*(?P<mult>万|亿)?[^\S\n]*\|?[^\S\n]*$")
_COMPOUND_ROW = re.compile(
    r"(?m)^\|?\s*(?P<label>[^\d|\n]{2,40}?)\s*\|?\s*(?P<v1>\d+)(?P<u1>次|期|场|班)\s*/\s*(?P<v2>\d+)(?P<u2>人次|人|名)"
    r"\s*\|?\s*$")
_TABLE_UNIT = {"条": "条", "件": "件", "次": "次", "个": "个", "人次": "人次", "人": "人", "项": "项",
               "平方米": "平方米", "万元": "万元", "元": "元", "期": "期", "场": "场", "名": "人"}


_CATEGORY_ROW = re.compile(r"公开(.{2,30}信息)")
_UNIT_PAREN = re.compile(r"[(（][^)）\n]{1,8}[)）]")
_SLASH = re.compile(r"/\s*\d")


def _ends_in_number(last: str) -> bool:
    return last.isdecimal() or last in "零〇一二两三四五六七八九十百千万亿"


def _ends_in_headcount(last: str) -> bool:
    return last in "次人名"


def _unit_parens(text: str) -> Iterator[re.Match[str]]:
    """The `(条)`-like brackets of the text: _UNIT_PAREN tried at each opening bracket str.find finds."""
    for at in occurrences(text, ("(", "（")):
        m = _UNIT_PAREN.match(text, at)
        if m:
            yield m


def _rows(text: str, markers: Iterator[re.Match[str]], row: re.Pattern[str],
          row_end: Callable[[str], bool]) -> Iterator[re.Match[str]]:
    """Match a row pattern only on the lines that carry one of its markers (most lines are prose; the markers
    in order) and end the way its rows do: `row_end` of the last character before trailing spaces and `|`
    (a cheap test before the regex)."""
    last_line = -1
    for hit in markers:
        start = text.rfind("\n", 0, hit.start()) + 1
        if start == last_line:
            continue
        last_line = start
        end = text.find("\n", hit.end())
        end = len(text) if end < 0 else end
        if not row_end(text[start:end].rstrip().rstrip("|").rstrip()[-1:]):
            continue
        m = row.match(text, start, end)
        if m:
            yield m


def extract_stat_rows(text: str, units: dict[str, str]) -> list[Fact]:
    """Rows of a free-form report's statistics table: `label(unit)   value`, and `培训班次/人数 4次/106人`."""
    facts: list[Fact] = []
    for m in _rows(text, _unit_parens(text), _STAT_ROW, _ends_in_number):
        label, written = m.group("label").strip(), m.group("unit")
        value = parse_number(m.group("num"))
        if value is None or written not in _TABLE_UNIT:
            continue
        cat = _CATEGORY_ROW.fullmatch(label)
        code = "proactive.category" if cat and written == "条" else classify(label, _TABLE_UNIT[written], label)
        if code is None and written in ("条", "个", "次"):
            code = classify(label, "件" if written == "条" else written, label)  # sites mislabel the unit column
        if code in (None, "skip"):
            continue
        breakdown = cat.group(1) if code == "proactive.category" else ""
        mult = m.group("mult") or ""
        catalog_unit = units.get(code, written)
        amount = to_catalog_unit(value, written, mult, catalog_unit) if catalog_unit in ("万元", "元") else value
        facts.append(Fact(code, breakdown, amount, catalog_unit, "exact", m.start("label"), m.end(), "stat_row:label"))
    for m in _rows(text, _SLASH.finditer(text), _COMPOUND_ROW, _ends_in_headcount):
        label = m.group("label")
        for v, u in ((m.group("v1"), m.group("u1")), (m.group("v2"), m.group("u2"))):
            code = classify(label, u, label)
            if code and code != "skip":
                facts.append(Fact(code, "", float(v), units.get(code, u), "exact", m.start("label"), m.end(),
                                  "stat_row:compound"))
    return facts
