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
import itertools
import math
import operator
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from transforms.facts import APPLICANT_COLUMNS, Fact

FLAG_TOTALS = "totals_do_not_add_up"
FLAG_UNPLACED = "table_rows_unplaced"     # value rows whose template row could not be told: no facts from them
FLAG_UNMAPPED = "table_cells_unmapped"    # rows that lost blank cells: only their 总计 (if any) is placeable
FLAG_AMBIGUOUS = "table_cells_ambiguous"  # 表二 rows with fewer values than columns: which column is unknown

# --- cells and lines ----------------------------------------------------------------------------------

# A parenthetical inside a cell or line is an annotation (（其中修订16件）), never a table value.
_PAREN = re.compile(r"[（(][^（()）\n]*[)）]")
# A value as written: optional sign (本年增/减 may be negative), thousands commas, decimals, a unit of its own.
_NUMBER = re.compile(r"(?P<sign>[+\-－−]|增加?|减少?)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
                     r"(?P<unit>万元|元|件|项|个|条)?")
# Scraped PDFs glue the first value to its label (行政许可0); the label must end in Han or a closing mark.
_GLUED = re.compile(r"(?P<label>.*[\u4e00-\u9fff）)”」])(?P<value>[+\-－−]?\d+(?:\.\d+)?(?:万元|元|件|项)?)")
# The last characters a value or blank cell can have besides digits (_NUMBER's units, _BLANK_CELLS).
_VALUE_ENDS = frozenset("元件项个条-—－/／\\–─;")
_BLANK_CELLS = frozenset({"-", "--", "—", "——", "－", "/", "／", "\\", "–", "─", "—/—", "&nbsp;"})
_MD_SEPARATOR = re.compile(r"\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?")
_TOKEN = re.compile(r"\S+")
_ORDINAL_TAIL = re.compile(r"\s*[.、．]\s*[\u4e00-\u9fff]")  # a line that continues an ordinal cut off above


def _nospace(s: str) -> str:
    """s without whitespace (str.split's whitespace is re's \\s; splitting beats a regex substitution)."""
    return "".join(s.split())


class _Cell(NamedTuple):
    value: float | None  # None: a blank cell (no fact, but it keeps its column)
    unit: str            # unit written inside the cell (元, 万元...), "" when none
    start: int           # evidence span: the text line the cell sits on
    end: int


@dataclass(slots=True)
class _Line:
    start: int
    end: int
    labels: Sequence[str]  # label cells (pipe rows) or the label text before the values
    cells: list[_Cell]     # value cells after the last label, blanks kept
    note: str              # parenthetical annotations that sat next to values
    pipe: bool
    label: str             # _label_text(labels)
    has_values: bool       # a row line: a written number, or (HTML) a labelled row whose cells are all blank


class _Shape(NamedTuple):
    """What a line says, apart from where it is: the parts of a _Line that depend only on its text."""
    labels: tuple[str, ...]
    values: tuple[tuple[float | None, str], ...]  # (value, unit) of each cell
    note: str
    pipe: bool
    label: str
    has_values: bool


def _label_text(labels: Sequence[str]) -> str:
    """Label cells (never blank) joined with `|`, whitespace removed and brackets made full-width, for label
    regexes."""
    return _nospace("|".join(labels)).replace("(", "（").replace(")", "）")


_BLANK = (None, "")  # _cell_value of a blank cell


def _make_shape(labels: Sequence[str], values: list[tuple[float | None, str]], note: str, pipe: bool) -> _Shape:
    written = values.count(_BLANK) < len(values)  # some cell holds a number
    has_values = written or (pipe and bool(labels) and len(values) >= 3)
    return _Shape(tuple(labels), tuple(values), note, pipe, _label_text(labels), has_values)


# Cell texts repeat across reports (the template's labels, 0, blanks): parse each distinct text once.
@functools.lru_cache(maxsize=65536)
def _cell_value(raw: str) -> tuple[float | None, str] | None:
    """(value, unit) of a value cell, (None, "") of a blank one, None for label text."""
    core = _PAREN.sub("", raw).strip()
    if not raw.strip() or core in _BLANK_CELLS:
        return _BLANK
    m = _NUMBER.fullmatch(core.replace(" ", ""))
    if not m:
        return None
    value = float(m.group("num").replace(",", ""))
    if m.group("sign") and m.group("sign")[0] in "-－−减":
        value = -value
    return value, m.group("unit") or ""


# Table lines repeat across reports (the template's rows, mostly blank or 0): split each distinct line once.
@functools.lru_cache(maxsize=16384)
def _shape(line: str) -> _Shape | None:
    """Split one text line into label text and value cells (None for markdown separator rows)."""
    stripped = line.strip()
    if stripped.startswith("|"):
        if "---" in stripped and _MD_SEPARATOR.fullmatch(stripped):
            return None
        parts = line.split("|")
        if parts and not parts[0].strip():
            parts = parts[1:]
        if parts and not parts[-1].strip():
            parts = parts[:-1]
        labels: list[str] = []
        cells: list[tuple[float | None, str]] = []
        notes: list[str] = []
        has_paren = "(" in line or "（" in line
        for raw in parts:
            count = raw.strip()
            if count.isdigit() and count.isascii():  # the usual cell, parsed as _cell_value would, without its cache
                cells.append((float(count), ""))
                continue
            cell = _cell_value(raw)
            if cell is None:
                labels.append(count)
                cells = []  # values are the cells after the last label
            else:
                cells.append(cell)
                if has_paren and ("(" in raw or "（" in raw):
                    notes.extend(_PAREN.findall(raw))
        return _make_shape(labels, cells, "".join(notes), True)
    # Prose: its last word is neither a value nor glued to one, so it is all label. (Brackets are masked below,
    # but that cannot change a last character that closes none.)
    last = stripped[-1:]
    if last and last not in ")）" and not last.isdecimal() and last not in _VALUE_ENDS:
        return _make_shape([stripped], [], "", False)
    masked = _PAREN.sub(lambda m: " " * len(m.group()), line) if "(" in line or "（" in line else line
    last = masked.rstrip()[-1:]
    if not last.isdecimal() and last not in _VALUE_ENDS:
        label = line.strip()  # prose, as above
        return _make_shape([label] if label else [], [], "", False)
    tokens = [(m.start(), m.group()) for m in _TOKEN.finditer(masked)]
    values: list[tuple[float | None, str]] = []
    first_value = len(line)
    for pos, tok in reversed(tokens):  # values are the trailing run of value tokens
        cell = _cell_value(tok)
        if cell is None:
            # only a token ending the way a value does can have one glued to it
            glued = _GLUED.fullmatch(tok) if tok[-1].isdecimal() or tok[-1] in "元件项" else None
            if glued and (cell := _cell_value(glued.group("value"))) is not None:
                values.append(cell)
                first_value = pos + glued.start("value")
            break
        values.append(cell)
        first_value = pos
    values.reverse()
    if not any(v is not None for v, _ in values):
        values, first_value = [], len(line)
    label = line[:first_value].strip()
    note = "".join(_PAREN.findall(line[first_value:])) if values else ""
    return _make_shape([label] if label else [], values, note, False)


def _lines(text: str) -> list[_Line]:
    """Every non-empty line of the text, parsed, with its offsets."""
    out: list[_Line] = []
    start = 0
    raws = text.split("\n")
    new = tuple.__new__
    for k, raw in enumerate(raws):
        end = start + len(raw)
        shape = _shape(raw) if raw.strip() else None
        if shape is not None:
            if len(shape.values) == 1 and k + 1 < len(raws) and _ORDINAL_TAIL.match(raws[k + 1]):
                labels = [raw.strip()]  # `1` + `.属于…`: an ordinal cut off its label, not a value
                out.append(_Line(start, end, labels, [], "", shape.pipe, _label_text(labels), False))
            else:
                # tuple.__new__: a _Cell without NamedTuple's Python-level __new__ (hundreds per report)
                cells = [new(_Cell, (value, unit, start, end)) for value, unit in shape.values]
                out.append(_Line(start, end, shape.labels, cells, shape.note, shape.pipe, shape.label,
                                 shape.has_values))
        start = end + 1
    return out


def _fact(code: str, breakdown: str, cell: _Cell, rule: str, value: float | None = None) -> Fact:
    """A table fact: unit from the catalog, qualifier exact, span = the line the value was written on."""
    return Fact(code, breakdown, cell.value if value is None else value, _unit(code), "exact", cell.start, cell.end,
                rule)


@functools.cache
def _unit(code: str) -> str:
    """Catalog unit of the codes this module emits."""
    if code in ("fees.amount", "procurement.amount"):
        return "万元"
    if ".items_" in code or code == "procurement.projects":
        return "项"
    return "件"


def _trim(cells: list[_Cell], width: int) -> list[_Cell]:
    """Drop surplus blank cells at the row's ends (stray empty cells of scraped rows) down to `width`."""
    cells = list(cells)
    while len(cells) > width and cells[-1].value is None:
        cells.pop()
    while len(cells) > width and cells[0].value is None:
        cells.pop(0)
    return cells


def _close(a: float, b: float) -> bool:
    return abs(a - b) < 1e-6


# --- rows from lines ----------------------------------------------------------------------------------


@dataclass
class _Row:
    code: str | None  # from the row's own label (strength 2) or a label on the line(s) before it (1)
    strength: int
    cells: list[_Cell] = field(default_factory=list)


# A row label's own start (`5.`, `（六）`, `1、`): a piece that starts so opens a row, it continues none.
_ORDINAL_START = re.compile(r"\s*[（(]?[一二三四五六七八九十\d]{1,2}[）)、.．]")


def _wrapped_labels(lines: Sequence[_Line], match: Callable[[str], str | None]
                    ) -> list[tuple[_Line, str | None]]:
    """Each line with the row code its label names. A PDF wraps a long label inside its cell, and text
    extraction writes the pieces on lines of their own, the values beside one of them or on a line between:
    `1、…逾期不补` + `正、…其政府信 67 3 …`, or `5.要求…重新出` + `1 0 0 …` + `具已获取信息`. A label piece that
    names no row is joined to the next piece when the two together name one that neither names alone."""
    out: list[tuple[_Line, str | None]] = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        code = match(ln.label) if ln.labels else None
        if code is None and ln.labels and not ln.has_values and i + 1 < len(lines):
            nxt = lines[i + 1]
            if (nxt.labels and not _ORDINAL_START.match(nxt.label) and match(nxt.label) is None
                    and (joined := match(ln.label + nxt.label))):
                out.append((nxt, joined) if nxt.has_values else (ln, joined))
                i += 2
                continue
            after = lines[i + 2] if i + 2 < len(lines) else None
            if (not nxt.labels and nxt.has_values and after is not None and after.labels and not after.has_values
                    and not _ORDINAL_START.match(after.label) and (joined := match(ln.label + after.label))):
                out += [(ln, joined), (nxt, None)]
                i += 3
                continue
        out.append((ln, code))
        i += 1
    return out


def _build_rows(lines: Sequence[_Line], match: Callable[[str], str | None],
                width: Callable[[str | None], int]) -> list[_Row]:
    """Group lines into value rows: a label-only line takes the values on the lines below it, and lines of
    bare numbers continue a row that is still short of its cells (one-cell-per-line flattening)."""
    rows: list[_Row] = []
    cur: _Row | None = None
    for ln, code in _wrapped_labels(lines, match):
        if not ln.has_values:
            if code is not None:
                cur = _Row(code, 1)
                rows.append(cur)
            continue
        if cur is not None and len(cur.cells) < width(cur.code):
            if not cur.cells and code in (None, cur.code):
                cur.strength = 2 if code else cur.strength
                cur.cells.extend(ln.cells)
                continue
            if cur.cells and not ln.labels and len(cur.cells) + len(ln.cells) <= width(cur.code):
                cur.cells.extend(ln.cells)
                continue
        cur = _Row(code, 2 if code else 0, list(ln.cells))
        rows.append(cur)
    return [r for r in rows if r.cells]


# --- table 三: requests -------------------------------------------------------------------------------

_GROUPS = {
    "requests.denied": ("requests.denied.state_secret", "requests.denied.prohibited_by_law",
                        "requests.denied.security_stability", "requests.denied.third_party",
                        "requests.denied.internal_affairs", "requests.denied.process_info",
                        "requests.denied.enforcement_files", "requests.denied.query_matters"),
    "requests.unavailable": ("requests.unavailable.not_held", "requests.unavailable.needs_creation",
                             "requests.unavailable.unclear"),
    "requests.not_processed": ("requests.not_processed.complaint", "requests.not_processed.repeat",
                               "requests.not_processed.publication", "requests.not_processed.mass_repeat",
                               "requests.not_processed.confirmation"),
    "requests.other": ("requests.other.no_correction", "requests.other.unpaid_fee", "requests.other.other"),
}
_HEAD = ("requests.received", "requests.carried_in", "requests.granted", "requests.partially_granted",
         "requests.denied", *_GROUPS["requests.denied"], "requests.unavailable", *_GROUPS["requests.unavailable"],
         "requests.not_processed", *_GROUPS["requests.not_processed"])
_TAIL = ("requests.handled_total", "requests.carried_out")
# Template row order. 2021: 25 value rows, （三）–（六） are group labels; 2019: 23 rows, （六）其他处理 is one row.
SLOTS = {
    2021: (*_HEAD, "requests.other", *_GROUPS["requests.other"], *_TAIL),
    2019: (*_HEAD, "requests.other", *_TAIL),
}
OPTIONAL = {2021: frozenset(_GROUPS), 2019: frozenset(_GROUPS) - {"requests.other"}}

# Row labels as real texts write them (whitespace removed, brackets full-width). The label that sits last
# on a line wins, so `（三）不予公开|1.属于国家秘密` is the 国家秘密 row.
_T3_LABELS: tuple[tuple[str | None, re.Pattern[str]], ...] = tuple((code, re.compile(p)) for code, p in (
    ("requests.received", r"本年新收|新收.{0,12}申请"),
    ("requests.carried_in", r"上一?年度?结转"),
    (None, r"本年度?办理结果"),
    ("requests.granted", r"予以公开"),
    ("requests.partially_granted", r"部分公开"),
    ("requests.denied", r"不予公开"),
    ("requests.denied.state_secret", r"国家秘密"),
    ("requests.denied.prohibited_by_law", r"禁止公开"),
    ("requests.denied.security_stability", r"三安全一稳定|危及"),
    ("requests.denied.third_party", r"第三方"),
    ("requests.denied.internal_affairs", r"内部事务"),
    ("requests.denied.process_info", r"过程性"),
    ("requests.denied.enforcement_files", r"执法案卷"),
    ("requests.denied.query_matters", r"查询事项"),
    ("requests.unavailable", r"无法提供"),
    ("requests.unavailable.not_held", r"不掌握"),
    ("requests.unavailable.needs_creation", r"另行制作|没有现成"),
    ("requests.unavailable.unclear", r"仍不明确|补正后"),
    ("requests.not_processed", r"不予处理"),
    ("requests.not_processed.complaint", r"信访|举报|投诉"),
    ("requests.not_processed.repeat", r"重复申请"),
    ("requests.not_processed.publication", r"出版物"),
    ("requests.not_processed.mass_repeat", r"大量反复|反复申请"),
    ("requests.not_processed.confirmation", r"确认或重新出具|重新出具|已获取信息"),
    ("requests.other", r"其他处理|（六）其他(?=\||$)"),
    ("requests.other.no_correction", r"逾期不补正|不补正"),
    ("requests.other.unpaid_fee", r"缴纳费用|收费通知"),
    ("requests.other.other", r"(?:^|\|)(?:\d[.、]?|（\d）)?其他(?:情形|原因)?(?=\||$)"),
    ("requests.handled_total", r"总计"),
    ("requests.carried_out", r"继续办理|结转下"),
))
# One alternation, scanned left to right: the last match is the label nearest the values.
_T3_ANY = re.compile("|".join(f"(?P<g{k}>{p.pattern})" for k, (_, p) in enumerate(_T3_LABELS)))
_SUBROWS_2021 = re.compile(r"逾期不补正|缴纳费用|收费通知|(?:^|\|)(?:\d[.、]?|（\d）)其他(?=\||$)", re.M)
_MAX_LABEL = 80  # longer label text is prose, not a table row


def t3_label_code(label: str) -> str | None:
    """Code of the 表三 row a label names (group codes included), None when it names none."""
    if len(label) > _MAX_LABEL and len(_nospace(label)) > _MAX_LABEL:
        return None  # prose: decided without filling the cache with one-off lines
    return _t3_label_code(label)


@functools.lru_cache(maxsize=65536)  # the template's row labels repeat in every report
def _t3_label_code(label: str) -> str | None:
    label = _nospace(label).replace("(", "（").replace(")", "）").replace("．", ".")
    if not label or len(label) > _MAX_LABEL or label.endswith("。"):
        return None
    last = next(reversed(list(_T3_ANY.finditer(label))), None)
    return _T3_LABELS[int(last.lastgroup[1:])][0] if last and last.lastgroup else None


_SUBTOTAL = re.compile(r"小计|合计")


def applicant_layout(header: str, n_cells: int | None = None) -> tuple[str | None, ...]:
    """Breakdown of each value column of 表三 from its header: 7 columns, or 8 when a 法人或其他组织 subtotal
    column is present (None at its position, so it is skipped). `n_cells` (cells per data row) overrides."""
    compact = _nospace(header)
    subtotal_at: int | None = None
    m = _SUBTOTAL.search(compact)
    if m:
        biz = compact.find("商业")
        subtotal_at = 1 if biz < 0 or m.start() < biz else 6
    else:  # 法人或其他组织 as a leaf cell in the same header row as 商业企业: a subtotal column
        for row in header.split("\n"):
            row_cells = [_nospace(c) for c in row.split("|")]
            if "法人或其他组织" in row_cells and any(c.startswith("商业") for c in row_cells):
                biz = next(i for i, c in enumerate(row_cells) if c.startswith("商业"))
                subtotal_at = 1 if row_cells.index("法人或其他组织") < biz else 6
    eight = subtotal_at is not None if n_cells is None else n_cells == 8
    if not eight:
        return APPLICANT_COLUMNS
    at = 6 if subtotal_at is None else subtotal_at
    cols: list[str | None] = list(APPLICANT_COLUMNS)
    cols.insert(at, None)
    return tuple(cols)


def _subtotal_by_sums(rows: Sequence[list[_Cell]]) -> int | None:
    """Where an 8-column table keeps its 法人 subtotal: the column that equals the five org columns' sum."""
    votes = Counter()
    for cells in rows:
        vals = [c.value for c in cells]
        if len(vals) != 8 or any(v is None for v in vals):
            continue
        for at in (1, 6):
            rest = vals[:at] + vals[at + 1:]
            if _close(vals[at], sum(rest[1:6])) and any(rest[1:6]):
                votes[at] += 1
    return votes.most_common(1)[0][0] if votes else None


_NO_ROW = (None,) * 7
_VALUE = operator.itemgetter(0)  # _Cell.value, for map()


def _t3_check(tab: dict[str, list[float | None]], fmt: int) -> tuple[int, int]:
    """(failed, held) template identities among those whose inputs are all written; a missing row is unknown."""
    held: list[bool] = []  # one entry per identity checked
    for vals in tab.values():
        if None not in vals:
            held.append(_close(sum(vals[:6]), vals[6]))  # type: ignore[arg-type]
    groups = _GROUPS if fmt == 2021 else {k: v for k, v in _GROUPS.items() if k != "requests.other"}
    parts = ("requests.granted", "requests.partially_granted", *(("requests.other",) if fmt == 2019 else ()))
    # Rows in a fixed order, so that each column is one tuple: received, carried in, handled, carried out, the
    # parts, then each group's total and its sub-rows at `spans`.
    order = ["requests.received", "requests.carried_in", "requests.handled_total", "requests.carried_out", *parts]
    spans = []
    for group, subs in groups.items():
        spans.append((len(order), len(order) + 1, len(order) + 1 + len(subs)))
        order += [group, *subs]
    for column in zip(*[tab.get(code, _NO_ROW) for code in order], strict=True):
        received, carried_in, handled, carried_out = column[:4]
        if None not in column[:4]:
            held.append(_close(received + carried_in, handled + carried_out))  # type: ignore[operator]
        part_values = list(column[4:4 + len(parts)])
        for at_total, sub_start, sub_end in spans:
            sub = column[sub_start:sub_end]
            sub_sum = sum(sub) if None not in sub else None  # type: ignore[arg-type]
            total = column[at_total]
            if total is not None and sub_sum is not None:
                held.append(_close(total, sub_sum))
            part_values.append(total if total is not None else sub_sum)
        if handled is not None and None not in part_values:
            held.append(_close(handled, sum(part_values)))  # type: ignore[arg-type]
    n_held = sum(held)
    return len(held) - n_held, n_held


@dataclass
class _T3:
    facts: list[Fact]
    failures: int
    unplaced: int
    partial: bool  # some rows lost cells (PDF blanks): their other columns gave no facts
    end: int  # index of the line after the table


def _weighted_lis(items: list[tuple[int, int, int]]) -> set[int]:
    """Row indices of the heaviest chain of anchors whose template slots strictly increase."""
    if all(a[1] < b[1] and a[2] > 0 for a, b in itertools.pairwise(items)) and (not items or items[-1][2] > 0):
        return {k for k, _, _ in items}  # the rows are in template order already: all of them are the chain
    n = len(items)
    slots = [s for _, s, _ in items]
    best = [w for _, _, w in items]
    prev = [-1] * n
    for i in range(n):
        slot, weight, top, top_prev = slots[i], best[i], best[i], -1
        for j in range(i):
            if slots[j] < slot and best[j] + weight > top:
                top, top_prev = best[j] + weight, j
        best[i], prev[i] = top, top_prev
    if not n:
        return set()
    i = max(range(n), key=lambda k: best[k])
    keep = set()
    while i >= 0:
        keep.add(items[i][0])
        i = prev[i]
    return keep


def _place(rows: list[_Row], fmt: int, evaluate: Callable[[dict[int, _Row]], tuple[int, int]]
           ) -> tuple[dict[int, _Row], int]:
    """Template slot of each value row: labelled rows anchor, unlabeled rows fill the slots between anchors
    in order; when fewer rows than slots, the one placement that the identities confirm best (none failing,
    strictly more holding than any other) is taken, else the rows stay unplaced."""
    slots, optional = SLOTS[fmt], OPTIONAL[fmt]
    index = {code: i for i, code in enumerate(slots)}
    cands = [(k, index[r.code], r.strength) for k, r in enumerate(rows)
             if r.code in index and r.code not in optional]
    anchors = sorted((k, index[rows[k].code]) for k in _weighted_lis(cands))  # type: ignore[index]
    placed: dict[int, _Row] = {slot: rows[k] for k, slot in anchors}
    pending: list[tuple[list[_Row], list[int]]] = []
    unplaced = 0
    bounds = [(-1, -1), *anchors, (len(rows), len(slots))]
    for (ka, sa), (kb, sb) in itertools.pairwise(bounds):
        between = rows[ka + 1:kb]
        if not between:
            continue
        required = [s for s in range(sa + 1, sb) if slots[s] not in optional]
        hinted = [r for r in between if r.code in optional and sa < index[r.code] < sb]
        if len(between) == len(required):
            placed.update(zip(required, between, strict=True))
        elif hinted and len(between) - len(hinted) == len(required):
            rest = [r for r in between if not any(r is h for h in hinted)]
            placed.update(zip(required, rest, strict=True))
            placed.update({index[r.code]: r for r in hinted})  # type: ignore[index]
        elif len(between) < len(required) and math.comb(len(required), len(between)) <= 5000:
            pending.append((between, required))
        else:
            unplaced += len(between)
    for between, required in pending:  # ambiguous gaps last, when the rest of the table is known
        scored = []
        for combo in itertools.combinations(required, len(between)):
            fails, held = evaluate(placed | dict(zip(combo, between, strict=True)))
            if not fails:
                scored.append((held, combo))
        scored.sort(reverse=True)
        if scored and (len(scored) == 1 or scored[0][0] > scored[1][0]):
            placed.update(zip(scored[0][1], between, strict=True))
        else:
            unplaced += len(between)
    return placed, unplaced


def _stream_rows(lines: Sequence[_Line], ncols: int) -> list[_Row] | None:
    """A label-less number stream of exactly 25 or 23 rows (2021 / 2019) split into rows, row-major."""
    cells = [c for ln in lines if ln.has_values and not ln.labels for c in ln.cells]
    if len(cells) not in (25 * ncols, 23 * ncols):
        return None
    return [_Row(None, 0, cells[i:i + ncols]) for i in range(0, len(cells), ncols)]


# Identities an in-order reading must satisfy before it is believed: each row's total column (25 rows) plus
# the column balances; a handful could hold by chance in a table of zeros.
_MIN_IDENTITIES = 20


def _rows_in_order(lines: Sequence[_Line], ncols: int, n_slots: int) -> list[_Row] | None:
    """Every line that holds a whole row of values, in order, as unlabeled rows: when there are exactly as
    many as the template has rows."""
    rows = [_Row(None, 0, list(ln.cells)) for ln in lines
            if ln.has_values and len(_trim(ln.cells, ncols)) == ncols]
    return rows if len(rows) == n_slots else None


def _t3_end(lines: list[_Line], first: int) -> int:
    """Index of the line after 表三: after the 结转 row's values, or at the next section / 表四 heading."""
    carried_out = False
    for k in range(first, min(len(lines), first + 200)):
        ln = lines[k]
        code = t3_label_code(ln.label) if ln.labels else None
        lab = ln.label
        if carried_out and (ln.labels or len(ln.cells) >= 7):
            return k + (not ln.labels)
        if code == "requests.carried_out":
            if ln.has_values and len(ln.cells) >= 7:
                return k + 1
            carried_out = True
        elif k > first and code is None and not ln.has_values and (
                lab.startswith(("四、", "五、", "六、")) or ("行政复议" in lab and len(lab) <= 40)):
            return k
    return min(len(lines), first + 200)


def _is_t3_heading(ln: _Line) -> bool:
    """The heading (or caption) of 表三, not a preamble sentence that lists the sections."""
    return "收到和处理政府信息公开申请" in ln.label and len(ln.label) <= 40 and not ln.cells


def _locate_t3(lines: list[_Line], caption: int | None) -> tuple[int | None, int | None]:
    """(heading, first labelled row) of 表三; the heading is the last one above the 本年新收 row, or without
    row labels the first one below 表二's caption (a table of contents may name the section earlier)."""
    start = next((i for i, ln in enumerate(lines)
                  if ln.labels and t3_label_code(ln.label) == "requests.received"), None)
    if start is not None:
        above = [i for i in range(max(0, start - 40), start) if _is_t3_heading(lines[i])]
        return (above[-1] if above else None), start
    return next((i for i in range(caption or 0, len(lines)) if _is_t3_heading(lines[i])), None), None


def _parse_t3(lines: list[_Line], t2_format: int | None, heading: int | None, start: int | None) -> _T3 | None:
    """Facts of 表三 (收到和处理政府信息公开申请情况)."""
    if start is None and heading is None:
        return None
    if start is None:  # no row labels: the table starts at its first value line below the heading
        first = next((k for k in range(heading + 1, min(len(lines), heading + 40))  # type: ignore[operator]
                      if lines[k].has_values), None)
        if first is None:
            return None
    else:
        first = start
    near = heading is not None and (start is None or start - heading <= 30)
    header_from = heading + 1 if near else max(0, first - 12)  # type: ignore[operator]
    header = "\n".join("|".join(ln.labels) for ln in lines[header_from:first])
    end = _t3_end(lines, first)
    region = lines[first:end]
    widths = Counter()
    for ln in region:
        if ln.has_values:
            width = len(ln.cells)  # up to the last written value
            while width and ln.cells[width - 1].value is None:
                width -= 1
            if width in (7, 8):
                widths[width] += 1
    layout = applicant_layout(header)
    ncols = 8 if widths[8] > widths[7] or (not widths and len(layout) == 8) else 7
    fmt = 2021
    subrows_2021 = _SUBROWS_2021.search("\n".join([ln.label for ln in region if ln.labels]))
    if not subrows_2021 and t2_format == 2019:
        fmt = 2019
    rows = _build_rows(region, t3_label_code, lambda _code: ncols)
    if not any(r.code for r in rows):
        rows = _stream_rows(region, ncols) or rows
    if not subrows_2021 and t2_format is None and len(rows) == 23:
        fmt = 2019
    if ncols == 8 and len(layout) == 7:  # the header does not place the subtotal: its sums do
        at = _subtotal_by_sums([_trim(r.cells, 8) for r in rows])
        layout = applicant_layout(header, 8) if at is None else (*APPLICANT_COLUMNS[:at], None, *APPLICANT_COLUMNS[at:])
    elif ncols == 7:
        layout = APPLICANT_COLUMNS
    slots = SLOTS[fmt]
    subtotal = layout.index(None) if None in layout else None  # the column that is no breakdown

    def table(placed: dict[int, _Row]) -> dict[str, list[float | None]]:
        tab: dict[str, list[float | None]] = {}
        for slot, row in placed.items():
            cells = _trim(row.cells, ncols)
            if len(cells) == ncols:
                values = list(map(_VALUE, cells))
                if subtotal is not None:
                    del values[subtotal]
                tab[slots[slot]] = values
        return tab

    placed, unplaced = _place(rows, fmt, lambda p: _t3_check(table(p), fmt))
    rule = "table3:row"
    if not placed and len(rows) > 1 and (stream := _stream_rows(region, ncols)):
        placed, unplaced = _place(stream, 2021 if len(stream) == 25 else 2019, lambda p: (0, 0))
        fmt = 2021 if len(stream) == 25 else 2019
        slots = SLOTS[fmt]
        rule = "table3:stream"
    elif unplaced or _t3_check(table(placed), fmt)[0]:
        # Labels that float away from their values (a broken PDF-to-markdown table) misplace rows. When the
        # value rows, read in order, are exactly the template's rows and every identity then holds, the
        # template's arithmetic has decoded the table: that reading replaces the labels'.
        required = [k for k, code in enumerate(slots) if code not in OPTIONAL[fmt]]
        in_order = _rows_in_order(region, ncols, len(required))
        if in_order is not None:
            by_order = dict(zip(required, in_order, strict=True))
            fails, held = _t3_check(table(by_order), fmt)
            if not fails and held >= _MIN_IDENTITIES:
                placed, unplaced, rule = by_order, 0, "table3:order"
    facts: list[Fact] = []
    partial: list[tuple[str, list[_Cell]]] = []
    for slot, row in sorted(placed.items()):
        code = slots[slot]
        cells = _trim(row.cells, ncols)
        if len(cells) != ncols:
            partial.append((code, cells))
            continue
        unit = _unit(code)
        for (value, _, line_start, line_end), breakdown in zip(cells, layout, strict=True):
            if breakdown is not None and value is not None and value >= 0:
                facts.append(Fact(code, breakdown, value, unit, "exact", line_start, line_end, rule))  # _fact inlined
    # PDF rows that lost their blank cells: only the last value is placeable, as 总计, and only when every
    # such row's last value is the sum of the others (the total column is written throughout).
    if partial:
        sums_hold = all(len(c) >= 2 and all(x.value is not None for x in c)
                        and _close(sum(x.value for x in c[:-1]), c[-1].value) for _, c in partial)  # type: ignore[misc]
        if sums_hold and any(c[-1].value for _, c in partial):
            facts.extend(_fact(code, "", cells[-1], "table3:total_only") for code, cells in partial)
    return _T3(facts, _t3_check(table(placed), fmt)[0], unplaced, bool(partial), end)


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
    """表二 row a label names (rules, normative_docs, licensing...), only when the label is just that name."""
    label = _T2_ORDINAL.sub("", _nospace(label).replace("|", ""))
    return next((key for key, p in _T2_ROWS if p.fullmatch(label)), None)


def t2_format(text: str) -> int | None:
    """2019 or 2021 from 表二's column headers, None when the text has no 表二 headers."""
    compact = _nospace(text)
    if _T2_2019.search(compact):
        return 2019
    if _T2_2021.search(compact):
        return 2021
    return None


def _amount_scale(lines: Sequence[_Line], at: int) -> float:
    """Factor to 万元 for an amount column without its own unit: 1/10000 when its header says 元 only."""
    for ln in reversed(lines[max(0, at - 4):at]):
        lab = ln.label
        if _AMOUNT_HEADER.search(lab):
            return 1e-4 if _YUAN_HEADER.search(lab) and "万元" not in lab else 1.0
    return 1.0


def _t2_value(code: str, cell: _Cell, scale: float) -> float | None:
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


def _parse_t2(lines: list[_Line], fmt: int) -> tuple[list[Fact], bool]:
    """Facts of 表二 (主动公开政府信息情况) from the lines between its first caption and 表三, and whether some
    row's values could not be told apart (fewer written than the row has columns: no fact from them)."""
    columns = _T2_COLUMNS[fmt]
    rows = _build_rows(lines, t2_row_key, lambda key: len(columns.get(key, ())) if key else 1)
    facts: list[Fact] = []
    ambiguous = False
    deficient: list[tuple[str, list[_Cell]]] = []
    loose: list[tuple[_Cell, str]] = []
    line_of = {id(c): k for k, ln in enumerate(lines) for c in ln.cells}
    for row in rows:
        if row.code is None:
            cell = row.cells[0]
            if len(row.cells) == 1 and cell.value is not None:
                k = line_of[id(cell)]
                note = lines[k].note
                nxt = lines[k + 1] if k + 1 < len(lines) else None
                if not note and nxt is not None and not nxt.cells and _PAREN.fullmatch(nxt.label or "-"):
                    note = nxt.label
                loose.append((cell, note))
            continue
        names = columns.get(row.code)
        if not names:
            continue
        cells = _trim(row.cells, len(names))
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
                facts.append(_fact(code, "", cell, "table2:row", value))
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
                    facts.append(_fact(f"{key}.{name}", "", cell, "table2:row"))
    elif deficient:
        ambiguous = True
    return facts, ambiguous


# --- table 四: administrative review and litigation ----------------------------------------------------

T4_CODES = tuple(f"{group}.{part}" for group in ("review", "litigation.direct", "litigation.after_review")
                 for part in ("upheld", "corrected", "other", "pending", "total"))
_T4_HEADER_WORD = re.compile(r"^(?:结果)?(?:维持|纠正)$|^其他结果$|^尚未审结$|^总计$")
_SECTION = re.compile(r"^[五六七]、")


def _t4_cells(lines: Sequence[_Line]) -> list[_Cell] | None:
    """The 15 cells of 表四's data row below its heading: one row, or bare numbers over several lines."""
    acc: list[_Cell] = []
    for ln in lines[:30]:
        lab = ln.label
        if not ln.has_values:
            if _SECTION.match(lab) or (len(lab) > 40 and "。" in lab):
                break
            continue
        cells = _trim(ln.cells, 15)
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


def _parse_t4(lines: list[_Line]) -> tuple[list[Fact], int]:
    """Facts of 表四 and the number of its 总计 that are not the sum of their four parts."""
    for i, ln in enumerate(lines):
        if "行政复议" in ln.label and not ln.has_values:
            cells = _t4_cells(lines[i + 1:])
            if cells is None:
                continue
            facts = [_fact(code, "", c, "table4:row") for code, c in zip(T4_CODES, cells, strict=True)
                     if c.value is not None and c.value >= 0]
            fails = 0
            for g in range(3):
                vals = [c.value for c in cells[5 * g:5 * g + 5]]
                if all(v is not None for v in vals) and not _close(sum(vals[:4]), vals[4]):  # type: ignore[arg-type]
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
    return any(_STD_T2_LINE.fullmatch(_nospace(line)) for line in text.split("\n") if "二十条" in line)


def parse_standard_tables(text: str) -> tuple[list[Fact], list[str]]:
    """Facts of 表二, 表三 and 表四 of a standard-template report, and data-quality flags."""
    lines = _lines(text)
    caption = next((i for i, ln in enumerate(lines) if _T2_CAPTION.search(ln.label) and len(ln.label) <= 30), None)
    t3_heading, t3_row = _locate_t3(lines, caption)
    t3_start = t3_heading if t3_heading is not None else t3_row
    t2_lines: list[_Line] = []
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
    t3 = _parse_t3(lines, fmt2, t3_heading, t3_row)
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
