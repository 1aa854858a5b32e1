"""The metadata block of a saved disclosure page: 索引号, 发布机构, 公开日期, 文号.

Portals print it above the report in one of three shapes, which survive normalization as:
a table row (`| 索引号 | 014314799/2024-00002 | 分类 | 信息公开年报 |`), a label on its own line with the value on
the next (`索引号` / `620700036/2021-00008`), or `label：value` inline. The labels are data
(vocab/page_field_labels.csv), including the block's other labels (分类, 关键词, …): where a value should be
and another label stands instead, the value is empty, not the next label.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from transforms.metadata import DATE_CN, DATE_ISO, _iso
from transforms.numbers import small_numeral, year_from_numeral
from transforms.vocabulary import rows

# The block stands at the page's head; the same words later in the prose (本机关文号…) are no field.
HEAD_CHARS = 4000
MAX_VALUE = 60
FIELDS = ("index_no", "publisher", "disclosed_on", "document_no")
_COLONS = "：:"
_CJK = re.compile(r"[一-鿿]")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class PageFields:
    index_no: str | None = None
    publisher: str | None = None
    disclosed_on: str | None = None  # ISO date
    document_no: str | None = None


@functools.cache
def _labels() -> dict[str, str]:
    """label -> field ('' for the block's other labels), longest label first (信息索引号 before 索引号)."""
    found = {r["label"]: r["field"] for r in rows("page_field_labels.csv")}
    unknown = set(found.values()) - {"", *FIELDS}
    if unknown:
        raise ValueError(f"vocab/page_field_labels.csv: unknown field(s) {sorted(unknown)}")
    return dict(sorted(found.items(), key=lambda kv: -len(kv[0])))


def _as_label(cell: str) -> str | None:
    """The label a whole cell or line is (`索引号`, `索引号：`, `索 引 号`), or None."""
    bare = re.sub(r"\s+", "", cell).rstrip(_COLONS)
    return bare if bare in _labels() else None


def _inline(line: str) -> list[tuple[str, str]]:
    """`索引号：A 发布机构：B` -> [(索引号, A), (发布机构, B)]: every `label:` in the line, valued up to the next."""
    marks: list[tuple[int, int, str]] = []
    for label in _labels():
        start = 0
        while (at := line.find(label, start)) >= 0:
            end = at + len(label)
            rest = line[end:].lstrip(" \t")
            taken = any(a <= at < b for a, b, _ in marks)
            if rest[:1] and rest[0] in _COLONS and not taken:
                marks.append((at, end + (len(line[end:]) - len(rest)) + 1, label))
            start = end
    marks.sort()
    return [(label, line[value_at:marks[i + 1][0] if i + 1 < len(marks) else len(line)])
            for i, (_, value_at, label) in enumerate(marks)]


def _pairs(head: str) -> list[tuple[str, str | None]]:
    """(label, raw value or None when empty) in page order, from all three shapes."""
    lines = [line.strip() for line in head.split("\n")]
    out: list[tuple[str, str | None]] = []
    for i, line in enumerate(lines):
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            for j, cell in enumerate(cells):
                if label := _as_label(cell):
                    value = cells[j + 1] if j + 1 < len(cells) else ""
                    out.append((label, None if _as_label(value) else value))
            continue
        if label := _as_label(line):
            following = next((x for x in lines[i + 1:i + 3] if x), "")
            out.append((label, None if _as_label(following) or following.startswith("|") else following))
            continue
        out += _inline(line)
    return out


def _date(value: str) -> str | None:
    if m := DATE_ISO.search(value):
        return _iso(int(m[1]), int(m[2]), int(m[3]))
    if m := DATE_CN.search(value):
        year, month, day = year_from_numeral(m[1]), small_numeral(m[2]), small_numeral(m[3])
        return _iso(year, month, day) if year and year > 1900 and month and day else None
    return None


def _clean(field: str, value: str | None) -> str | None:
    """A field's value if it looks like one: an index or number has a digit, a publisher is a Chinese name,
    a date parses; anything longer than MAX_VALUE is prose, not a field."""
    if value is None:
        return None
    value = re.sub(r"\s+", " ", value).strip(" |" + _COLONS)
    if not value or len(value) > MAX_VALUE:
        return None
    if field == "disclosed_on":
        return _date(value)
    if field == "publisher":
        return value if _CJK.search(value) and not _DIGIT.search(value) and len(value) <= 40 else None
    return value.replace(" ", "") if _DIGIT.search(value) else None


def page_fields(text: str) -> PageFields:
    """The four fields of the page's metadata block, each None when absent, empty or not plausible; the first
    occurrence of a field counts."""
    found: dict[str, str | None] = {}
    for label, value in _pairs(text[:HEAD_CHARS]):
        field = _labels()[label]
        if field and field not in found:
            found[field] = _clean(field, value)
    return PageFields(**{f: found.get(f) for f in FIELDS})
