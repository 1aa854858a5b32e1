"""Table text as cells, lines and rows: a value as written, a line split into a label and its cells, labels
wrapped over lines joined, value rows found under their labels. Shared by the three table parsers."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from transforms.facts import Fact

FLAG_TOTALS = "totals_do_not_add_up"
FLAG_UNPLACED = "table_rows_unplaced"     # value rows whose template row could not be told: no facts from them
FLAG_UNMAPPED = "table_cells_unmapped"    # rows that lost blank cells: only their 总计 (if any) is placeable
FLAG_AMBIGUOUS = "table_cells_ambiguous"  # 表二 rows with fewer values than columns: which column is unknown

# --- cells and lines ----------------------------------------------------------------------------------

# A parenthetical inside a cell or line is an annotation (（其中修订16件）), never a table value.
PAREN = re.compile(r"[（(][^（()）\n]*[)）]")
# A value as written: optional sign (本年增/减 may be negative), thousands commas, decimals, a unit of its own.
_NUMBER = re.compile(r"(?P<sign>[+\-－−]|增加?|减少?)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
                     r"(?P<unit>万元|元|件|项|个|条)?")
# Scraped PDFs glue the first value to its label (行政许可0); the label must end in Han or a closing mark.
_GLUED = re.compile(r"(?P<label>.*[\u4e00-\u9fff）)”」])(?P<value>[+\-－−]?\d+(?:\.\d+)?(?:万元|元|件|项)?)")
# The last characters a value or blank cell can have besides digits (_NUMBER's units, BLANK_CELLS).
_VALUE_ENDS = frozenset("元件项个条-—－/／\\–─;")
BLANK_CELLS = frozenset({"-", "--", "—", "——", "－", "/", "／", "\\", "–", "─", "—/—", "&nbsp;"})
_MD_SEPARATOR = re.compile(r"\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?")
_TOKEN = re.compile(r"\S+")
_ORDINAL_TAIL = re.compile(r"\s*[.、．]\s*[\u4e00-\u9fff]")  # a line that continues an ordinal cut off above


def nospace(s: str) -> str:
    """s without whitespace (str.split's whitespace is re's \\s; splitting beats a regex substitution)."""
    return "".join(s.split())


class Cell(NamedTuple):
    value: float | None  # None: a blank cell (no fact, but it keeps its column)
    unit: str            # unit written inside the cell (元, 万元...), "" when none
    start: int           # evidence span: the text line the cell sits on
    end: int


@dataclass(slots=True)
class Line:
    start: int
    end: int
    labels: Sequence[str]  # label cells (pipe rows) or the label text before the values
    cells: list[Cell]     # value cells after the last label, blanks kept
    note: str              # parenthetical annotations that sat next to values
    pipe: bool
    label: str             # _label_text(labels)
    has_values: bool       # a row line: a written number, or (HTML) a labelled row whose cells are all blank


class _Shape(NamedTuple):
    """What a line says, apart from where it is: the parts of a Line that depend only on its text."""
    labels: tuple[str, ...]
    values: tuple[tuple[float | None, str], ...]  # (value, unit) of each cell
    note: str
    pipe: bool
    label: str
    has_values: bool


def _label_text(labels: Sequence[str]) -> str:
    """Label cells (never blank) joined with `|`, whitespace removed and brackets made full-width, for label
    regexes."""
    return nospace("|".join(labels)).replace("(", "（").replace(")", "）")


_BLANK = (None, "")  # _cell_value of a blank cell


def _make_shape(labels: Sequence[str], values: list[tuple[float | None, str]], note: str, pipe: bool) -> _Shape:
    written = values.count(_BLANK) < len(values)  # some cell holds a number
    has_values = written or (pipe and bool(labels) and len(values) >= 3)
    return _Shape(tuple(labels), tuple(values), note, pipe, _label_text(labels), has_values)


# Cell texts repeat across reports (the template's labels, 0, blanks): parse each distinct text once.
@functools.lru_cache(maxsize=65536)
def _cell_value(raw: str) -> tuple[float | None, str] | None:
    """(value, unit) of a value cell, (None, "") of a blank one, None for label text."""
    core = PAREN.sub("", raw).strip()
    if not raw.strip() or core in BLANK_CELLS:
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
                    notes.extend(PAREN.findall(raw))
        return _make_shape(labels, cells, "".join(notes), True)
    # Prose: its last word is neither a value nor glued to one, so it is all label. (Brackets are masked below,
    # but that cannot change a last character that closes none.)
    last = stripped[-1:]
    if last and last not in ")）" and not last.isdecimal() and last not in _VALUE_ENDS:
        return _make_shape([stripped], [], "", False)
    masked = PAREN.sub(lambda m: " " * len(m.group()), line) if "(" in line or "（" in line else line
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
    note = "".join(PAREN.findall(line[first_value:])) if values else ""
    return _make_shape([label] if label else [], values, note, False)


def text_lines(text: str) -> list[Line]:
    """Every non-empty line of the text, parsed, with its offsets."""
    out: list[Line] = []
    start = 0
    raws = text.split("\n")
    new = tuple.__new__
    for k, raw in enumerate(raws):
        end = start + len(raw)
        shape = _shape(raw) if raw.strip() else None
        if shape is not None:
            if len(shape.values) == 1 and k + 1 < len(raws) and _ORDINAL_TAIL.match(raws[k + 1]):
                labels = [raw.strip()]  # `1` + `.属于…`: an ordinal cut off its label, not a value
                out.append(Line(start, end, labels, [], "", shape.pipe, _label_text(labels), False))
            else:
                # tuple.__new__: a Cell without NamedTuple's Python-level __new__ (hundreds per report)
                cells = [new(Cell, (value, unit, start, end)) for value, unit in shape.values]
                out.append(Line(start, end, shape.labels, cells, shape.note, shape.pipe, shape.label,
                                 shape.has_values))
        start = end + 1
    return out


def make_fact(code: str, breakdown: str, cell: Cell, rule: str, value: float | None = None) -> Fact:
    """A table fact: unit from the catalog, qualifier exact, span = the line the value was written on."""
    return Fact(code, breakdown, cell.value if value is None else value, unit_of(code), "exact", cell.start, cell.end,
                rule)


@functools.cache
def unit_of(code: str) -> str:
    """Catalog unit of the codes this module emits."""
    if code in ("fees.amount", "procurement.amount"):
        return "万元"
    if ".items_" in code or code == "procurement.projects":
        return "项"
    return "件"


def trim_cells(cells: list[Cell], width: int) -> list[Cell]:
    """Drop surplus blank cells at the row's ends (stray empty cells of scraped rows) down to `width`."""
    cells = list(cells)
    while len(cells) > width and cells[-1].value is None:
        cells.pop()
    while len(cells) > width and cells[0].value is None:
        cells.pop(0)
    return cells


def values_close(a: float, b: float) -> bool:
    return abs(a - b) < 1e-6


# --- rows from lines ----------------------------------------------------------------------------------


@dataclass
class Row:
    code: str | None  # from the row's own label (strength 2) or a label on the line(s) before it (1)
    strength: int
    cells: list[Cell] = field(default_factory=list)


# A row label's own start (`5.`, `（六）`, `1、`): a piece that starts so opens a row, it continues none.
_ORDINAL_START = re.compile(r"\s*[（(]?[一二三四五六七八九十\d]{1,2}[）)、.．]")


def wrapped_labels(lines: Sequence[Line], match: Callable[[str], str | None]
                    ) -> list[tuple[Line, str | None]]:
    """Each line with the row code its label names. A PDF wraps a long label inside its cell, and text
    extraction writes the pieces on lines of their own, the values beside one of them or on a line between:
    `1、…逾期不补` + `正、…其政府信 67 3 …`, or `5.要求…重新出` + `1 0 0 …` + `具已获取信息`. A label piece that
    names no row is joined to the next piece when the two together name one that neither names alone."""
    out: list[tuple[Line, str | None]] = []
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


def _own_label(ln: Line) -> bool:
    """Whether a value line carries a label of its own, not only a note or a piece of a wrapped label."""
    return len(ln.label) > _OWN_LABEL_MIN and not PAREN.fullmatch(ln.label)


_OWN_LABEL_MIN = 4


def build_rows(lines: Sequence[Line], match: Callable[[str], str | None],
                width: Callable[[str | None], int]) -> list[Row]:
    """Group lines into value rows: a label-only line takes the values on the lines below it, and lines of
    bare numbers continue a row that is still short of its cells (one-cell-per-line flattening)."""
    rows: list[Row] = []
    cur: Row | None = None
    for ln, code in wrapped_labels(lines, match):
        if not ln.has_values:
            if code is not None:
                cur = Row(code, 1)
                rows.append(cur)
            continue
        if cur is not None and len(cur.cells) < width(cur.code):
            # values on the line below a label-only line are that row's, unless they stand beside a label of
            # their own that names no row (`规范性文件（含…） | 2 | 0 | 83 |` under a blank 规章 row)
            if not cur.cells and (code == cur.code or (code is None and not _own_label(ln))):
                cur.strength = 2 if code else cur.strength
                cur.cells.extend(ln.cells)
                continue
            if cur.cells and not ln.labels and len(cur.cells) + len(ln.cells) <= width(cur.code):
                cur.cells.extend(ln.cells)
                continue
        cur = Row(code, 2 if code else 0, list(ln.cells))
        rows.append(cur)
    return [r for r in rows if r.cells]

