"""The State Council template's tables (表二 / 表三 / 表四) in normalized text -> Facts.

Rows are found by their labels and columns by the template's fixed order, never by position in the file:
scraped HTML gives one `| cell | cell |` line per row with blank cells kept, while PDF text loses cells,
splits labels over lines, strips labels off value rows or writes a row's cells one per line. Value rows
that lost their label are placed by template order between the labelled rows around them, and the table's
own arithmetic (一+二 = 七+四, 总计 = the six applicant columns, （七）总计 = the outcome rows, 表四 总计 =
its four parts) decides ambiguous placements and raises `totals_do_not_add_up`; it never changes a value.
A blank cell is no fact, a written 0 is a fact; nothing is derived.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from transforms.facts import Fact
from transforms.table3 import locate_t3, parse_t3
from transforms.table_cells import (
    FLAG_AMBIGUOUS,
    FLAG_TOTALS,
    FLAG_UNMAPPED,
    FLAG_UNPLACED,
    PAREN,
    Cell,
    Line,
    build_rows,
    make_fact,
    nospace,
    text_lines,
    trim_cells,
    values_close,
)

# --- table 二: proactive disclosure ------------------------------------------------------------------

_T2_ROWS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((key, re.compile(p)) for key, p in (
    ("rules", r"规章"),
    ("normative_docs", r"(?:行政)?规范性文件"),
    ("licensing", r"行政许可"),
    ("other_services", r"其他对外管理服务事项"),
    ("penalty", r"行政处罚"),
    ("coercion", r"行政强制"),
    ("fees", r"行政事业性收费"),
    ("procurement", r"政府集中采购"),
))
_T2_ORDINAL = re.compile(r"^(?:[（(]?[一二三四五六七八九十\d]+[)）、.．]?)|[:：]$")
_T2_COLUMNS = {
    2021: {"rules": ("issued", "repealed", "in_force"), "normative_docs": ("issued", "repealed", "in_force"),
           "licensing": ("decisions",), "penalty": ("decisions",), "coercion": ("decisions",),
           "fees": ("amount",)},
    2019: {"rules": ("issued", "newly_published", "in_force"),
           "normative_docs": ("issued", "newly_published", "in_force"),
           "licensing": ("items_prior_year", "items_change", "decisions"),
           "other_services": ("items_prior_year", "items_change", "decisions"),
           "penalty": ("items_prior_year", "items_change", "decisions"),
           "coercion": ("items_prior_year", "items_change", "decisions"),
           "fees": ("items_prior_year", "items_change"), "procurement": ("projects", "amount")},
}
_T2_2019 = re.compile(r"本年新制作|本年新公开|对外公开总数|上一年项目数|本年增")
_T2_2021 = re.compile(r"本年制发|本年废止|现行有效|本年处理决定数量|本年收费金额")
_T2_CAPTION = re.compile(r"第二十条第（[一二三四五六七八九十]+）项")
# A cell pulled out of a two-line PDF cell keeps its annotation: 修订/制定 qualify 制发, 失效/废止 qualify 废止.
_NOTE_ISSUED = re.compile(r"修订|修改|制定|制发|新制")
_NOTE_REPEALED = re.compile(r"失效|废止|撤销|清理")
_AMOUNT_HEADER = re.compile(r"金额")
_YUAN_HEADER = re.compile(r"[（(]\s*(?:单位[:：]\s*)?元\s*[)）]")


@functools.lru_cache(maxsize=4096)  # the template's row labels repeat in every report
def t2_row_key(label: str) -> str | None:
    """表二 row a label names (rules, normative_docs, licensing...), only when the label is just that name and
    perhaps its note (`规范性文件（指各行政机关印发的有正式文号的文件）`)."""
    label = PAREN.sub("", _T2_ORDINAL.sub("", nospace(label).replace("|", "")))
    return next((key for key, p in _T2_ROWS if p.fullmatch(label)), None)


def t2_format(text: str) -> int | None:
    """2019 or 2021 from 表二's column headers, None when the text has no 表二 headers."""
    compact = nospace(text)
    if _T2_2019.search(compact):
        return 2019
    if _T2_2021.search(compact):
        return 2021
    return None


def _amount_scale(lines: Sequence[Line], at: int) -> float:
    """Factor to 万元 for an amount column without its own unit: 1/10000 when its header says 元 only."""
    for ln in reversed(lines[max(0, at - 4):at]):
        lab = ln.label
        if _AMOUNT_HEADER.search(lab):
            return 1e-4 if _YUAN_HEADER.search(lab) and "万元" not in lab else 1.0
    return 1.0


def _t2_value(code: str, cell: Cell, scale: float) -> float | None:
    """Value in the catalog unit; amounts in 元 become 万元; a negative is only valid for 本年增/减."""
    value = cell.value
    if value is None:
        return None
    if code.endswith(".amount"):
        value = value / 10000 if cell.unit == "元" else value * (1.0 if cell.unit == "万元" else scale)
        value = round(value, 6)
    if value < 0 and not code.endswith(".items_change"):
        return None
    return value


def _parse_t2(lines: list[Line], fmt: int) -> tuple[list[Fact], bool]:
    """Facts of 表二 (主动公开政府信息情况) from the lines between its first caption and 表三, and whether some
    row's values could not be told apart (fewer written than the row has columns: no fact from them)."""
    columns = _T2_COLUMNS[fmt]
    rows = build_rows(lines, t2_row_key, lambda key: len(columns.get(key, ())) if key else 1)
    facts: list[Fact] = []
    ambiguous = False
    deficient: list[tuple[str, list[Cell]]] = []
    loose: list[tuple[Cell, str]] = []
    line_of = {id(c): k for k, ln in enumerate(lines) for c in ln.cells}
    for row in rows:
        if row.code is None:
            cell = row.cells[0]
            if len(row.cells) == 1 and cell.value is not None:
                k = line_of[id(cell)]
                note = lines[k].note
                nxt = lines[k + 1] if k + 1 < len(lines) else None
                if not note and nxt is not None and not nxt.cells and PAREN.fullmatch(nxt.label or "-"):
                    note = nxt.label
                loose.append((cell, note))
            continue
        names = columns.get(row.code)
        if not names:
            continue
        cells = trim_cells(row.cells, len(names))
        if len(cells) == len(names) - 1 and row.code in ("rules", "normative_docs") and fmt == 2021:
            deficient.append((row.code, cells))
            continue
        if len(cells) != len(names):
            ambiguous = ambiguous or any(c.value is not None for c in cells)
            continue
        scale = _amount_scale(lines, line_of[id(row.cells[0])])
        for name, cell in zip(names, cells, strict=True):
            code = f"{row.code}.{name}"
            value = _t2_value(code, cell, scale)
            if value is not None:
                facts.append(make_fact(code, "", cell, "table2:row", value))
    if deficient and len(deficient) == len(loose):
        for (key, cells), (extra, note) in zip(deficient, loose, strict=True):
            if _NOTE_REPEALED.search(note):
                order = ("issued", "in_force", "repealed")
            elif _NOTE_ISSUED.search(note):
                order = ("repealed", "in_force", "issued")
            else:
                ambiguous = True
                continue  # which cell went missing is unknown: no guess
            for name, cell in zip(order, [*cells, extra], strict=True):
                if cell.value is not None and cell.value >= 0:
                    facts.append(make_fact(f"{key}.{name}", "", cell, "table2:row"))
    elif deficient:
        ambiguous = True
    return facts, ambiguous


# --- table 四: administrative review and litigation ----------------------------------------------------

T4_CODES = tuple(f"{group}.{part}" for group in ("review", "litigation.direct", "litigation.after_review")
                 for part in ("upheld", "corrected", "other", "pending", "total"))
_T4_HEADER_WORD = re.compile(r"^(?:结果)?(?:维持|纠正)$|^其他结果$|^尚未审结$|^总计$")
_SECTION = re.compile(r"^[五六七]、")


def _t4_cells(lines: Sequence[Line]) -> list[Cell] | None:
    """The 15 cells of 表四's data row below its heading: one row, or bare numbers over several lines."""
    acc: list[Cell] = []
    for ln in lines[:30]:
        lab = ln.label
        if not ln.has_values:
            if _SECTION.match(lab) or (len(lab) > 40 and "。" in lab):
                break
            continue
        cells = trim_cells(ln.cells, 15)
        if len(cells) == 15 and len(lab) <= 8:
            return cells
        if not ln.labels or _T4_HEADER_WORD.match(lab):
            acc.extend(ln.cells)
            if len(acc) == 15:
                return acc
            if len(acc) > 15:
                acc = []
        else:
            acc = []
    return None


def _parse_t4(lines: list[Line]) -> tuple[list[Fact], int]:
    """Facts of 表四 and the number of its 总计 that are not the sum of their four parts."""
    for i, ln in enumerate(lines):
        if "行政复议" in ln.label and not ln.has_values:
            cells = _t4_cells(lines[i + 1:])
            if cells is None:
                continue
            facts = [make_fact(code, "", c, "table4:row") for code, c in zip(T4_CODES, cells, strict=True)
                     if c.value is not None and c.value >= 0]
            fails = 0
            for g in range(3):
                vals = [c.value for c in cells[5 * g:5 * g + 5]]
                if all(v is not None for v in vals) and not values_close(sum(vals[:4]), vals[4]):  # type: ignore[arg-type]
                    fails += 1
            return facts, fails
    return [], 0


# --- entry points ---------------------------------------------------------------------------------------



def _spaced(word: str) -> str:
    """Regex for the word with any whitespace between its characters: a search of the text that finds what a
    search of the text without its whitespace finds, without building that copy."""
    return r"\s*".join(word)


_STD_T3 = re.compile(_spaced("本年新收政府信息公开申请"))
_STD_T3_WITH = re.compile(f"{_spaced('予以公开')}|{_spaced('办理结果')}")
_STD_T2_LINE = re.compile(r"\|?第二十条第[（(]一[)）]项\|*(?:信息内容.*)?")  # `|…项||||`: blank cells after it


def is_standard_layout(text: str) -> bool:
    """True when the text holds the State Council template tables, not just a mention of the template."""
    if _STD_T3.search(text) and _STD_T3_WITH.search(text):
        return True
    if "二十条" not in text:
        return False
    return any(_STD_T2_LINE.fullmatch(nospace(line)) for line in text.split("\n") if "二十条" in line)


def parse_standard_tables(text: str) -> tuple[list[Fact], list[str]]:
    """Facts of 表二, 表三 and 表四 of a standard-template report, and data-quality flags."""
    lines = text_lines(text)
    caption = next((i for i, ln in enumerate(lines) if _T2_CAPTION.search(ln.label) and len(ln.label) <= 30), None)
    t3_heading, t3_row = locate_t3(lines, caption)
    t3_start = t3_heading if t3_heading is not None else t3_row
    t2_lines: list[Line] = []
    if caption is not None and (t3_start is None or caption < t3_start):
        t2_lines = lines[caption:t3_start]
    else:
        heads = [i for i, ln in enumerate(lines[:t3_start]) if ln.label.endswith("主动公开政府信息情况")
                 and len(ln.label) <= 20]
        if heads:
            t2_lines = lines[heads[-1]:t3_start]
    fmt2 = t2_format("\n".join(ln.label for ln in t2_lines)) if t2_lines else None
    facts, t2_ambiguous = _parse_t2(t2_lines, fmt2 or 2021) if t2_lines else ([], False)
    flags: list[str] = [FLAG_AMBIGUOUS] if t2_ambiguous else []
    failures = 0
    t3 = parse_t3(lines, fmt2, t3_heading, t3_row)
    after = 0
    if t3 is not None:
        facts.extend(t3.facts)
        failures += t3.failures
        after = t3.end
        if t3.unplaced:
            flags.append(FLAG_UNPLACED)
        if t3.partial:
            flags.append(FLAG_UNMAPPED)
    t4_facts, t4_fails = _parse_t4(lines[after:])
    facts.extend(t4_facts)
    failures += t4_fails
    if failures:
        flags.insert(0, FLAG_TOTALS)
    return facts, flags
