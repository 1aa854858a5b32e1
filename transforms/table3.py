"""表三 (requests received and how they ended): rows placed by label, or by template order and the table's
own arithmetic where labels float; the identities decide, values are never changed."""

from __future__ import annotations

import functools
import itertools
import math
import operator
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from transforms.facts import APPLICANT_COLUMNS, Fact
from transforms.table_cells import Cell, Line, Row, build_rows, make_fact, nospace, trim_cells, unit_of, values_close

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
    if len(label) > _MAX_LABEL and len(nospace(label)) > _MAX_LABEL:
        return None  # prose: decided without filling the cache with one-off lines
    return _t3_label_code(label)


@functools.lru_cache(maxsize=65536)  # the template's row labels repeat in every report
def _t3_label_code(label: str) -> str | None:
    label = nospace(label).replace("(", "（").replace(")", "）").replace("．", ".")
    if not label or len(label) > _MAX_LABEL or label.endswith("。"):
        return None
    last = next(reversed(list(_T3_ANY.finditer(label))), None)
    return _T3_LABELS[int(last.lastgroup[1:])][0] if last and last.lastgroup else None


_SUBTOTAL = re.compile(r"小计|合计")


def applicant_layout(header: str, n_cells: int | None = None) -> tuple[str | None, ...]:
    """Breakdown of each value column of 表三 from its header: 7 columns, or 8 when a 法人或其他组织 subtotal
    column is present (None at its position, so it is skipped). `n_cells` (cells per data row) overrides."""
    compact = nospace(header)
    subtotal_at: int | None = None
    m = _SUBTOTAL.search(compact)
    if m:
        biz = compact.find("商业")
        subtotal_at = 1 if biz < 0 or m.start() < biz else 6
    else:  # 法人或其他组织 as a leaf cell in the same header row as 商业企业: a subtotal column
        for row in header.split("\n"):
            row_cells = [nospace(c) for c in row.split("|")]
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


def _subtotal_by_sums(rows: Sequence[list[Cell]]) -> int | None:
    """Where an 8-column table keeps its 法人 subtotal: the column that equals the five org columns' sum."""
    votes = Counter()
    for cells in rows:
        vals = [c.value for c in cells]
        if len(vals) != 8 or any(v is None for v in vals):
            continue
        for at in (1, 6):
            rest = vals[:at] + vals[at + 1:]
            if values_close(vals[at], sum(rest[1:6])) and any(rest[1:6]):
                votes[at] += 1
    return votes.most_common(1)[0][0] if votes else None


_NO_ROW = (None,) * 7
_VALUE = operator.itemgetter(0)  # Cell.value, for map()


def _t3_check(tab: dict[str, list[float | None]], fmt: int) -> tuple[int, int]:
    """(failed, held) template identities among those whose inputs are all written; a missing row is unknown."""
    held: list[bool] = []  # one entry per identity checked
    for vals in tab.values():
        if None not in vals:
            held.append(values_close(sum(vals[:6]), vals[6]))  # type: ignore[arg-type]
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
            held.append(values_close(received + carried_in, handled + carried_out))  # type: ignore[operator]
        part_values = list(column[4:4 + len(parts)])
        for at_total, sub_start, sub_end in spans:
            sub = column[sub_start:sub_end]
            sub_sum = sum(sub) if None not in sub else None  # type: ignore[arg-type]
            total = column[at_total]
            if total is not None and sub_sum is not None:
                held.append(values_close(total, sub_sum))
            part_values.append(total if total is not None else sub_sum)
        if handled is not None and None not in part_values:
            held.append(values_close(handled, sum(part_values)))  # type: ignore[arg-type]
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


def _place(rows: list[Row], fmt: int, evaluate: Callable[[dict[int, Row]], tuple[int, int]]
           ) -> tuple[dict[int, Row], int]:
    """Template slot of each value row: labelled rows anchor, unlabeled rows fill the slots between anchors
    in order; when fewer rows than slots, the one placement that the identities confirm best (none failing,
    strictly more holding than any other) is taken, else the rows stay unplaced."""
    slots, optional = SLOTS[fmt], OPTIONAL[fmt]
    index = {code: i for i, code in enumerate(slots)}
    cands = [(k, index[r.code], r.strength) for k, r in enumerate(rows)
             if r.code in index and r.code not in optional]
    anchors = sorted((k, index[rows[k].code]) for k in _weighted_lis(cands))  # type: ignore[index]
    placed: dict[int, Row] = {slot: rows[k] for k, slot in anchors}
    pending: list[tuple[list[Row], list[int]]] = []
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


def _stream_rows(lines: Sequence[Line], ncols: int) -> list[Row] | None:
    """A label-less number stream of exactly 25 or 23 rows (2021 / 2019) split into rows, row-major."""
    cells = [c for ln in lines if ln.has_values and not ln.labels for c in ln.cells]
    if len(cells) not in (25 * ncols, 23 * ncols):
        return None
    return [Row(None, 0, cells[i:i + ncols]) for i in range(0, len(cells), ncols)]


# Identities an in-order reading must satisfy before it is believed: each row's total column (25 rows) plus
# the column balances; a handful could hold by chance in a table of zeros.
_MIN_IDENTITIES = 20


def _rows_in_order(lines: Sequence[Line], ncols: int, n_slots: int) -> list[Row] | None:
    """Every line that holds a whole row of values, in order, as unlabeled rows: when there are exactly as
    many as the template has rows."""
    rows = [Row(None, 0, list(ln.cells)) for ln in lines
            if ln.has_values and len(trim_cells(ln.cells, ncols)) == ncols]
    return rows if len(rows) == n_slots else None


def _t3_end(lines: list[Line], first: int) -> int:
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


def _is_t3_heading(ln: Line) -> bool:
    """The heading (or caption) of 表三, not a preamble sentence that lists the sections."""
    return "收到和处理政府信息公开申请" in ln.label and len(ln.label) <= 40 and not ln.cells


def locate_t3(lines: list[Line], caption: int | None) -> tuple[int | None, int | None]:
    """(heading, first labelled row) of 表三; the heading is the last one above the 本年新收 row, or without
    row labels the first one below 表二's caption (a table of contents may name the section earlier)."""
    start = next((i for i, ln in enumerate(lines)
                  if ln.labels and t3_label_code(ln.label) == "requests.received"), None)
    if start is not None:
        above = [i for i in range(max(0, start - 40), start) if _is_t3_heading(lines[i])]
        return (above[-1] if above else None), start
    return next((i for i in range(caption or 0, len(lines)) if _is_t3_heading(lines[i])), None), None


def parse_t3(lines: list[Line], t2_format: int | None, heading: int | None, start: int | None) -> _T3 | None:
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
    rows = build_rows(region, t3_label_code, lambda _code: ncols)
    if not any(r.code for r in rows):
        rows = _stream_rows(region, ncols) or rows
    if not subrows_2021 and t2_format is None and len(rows) == 23:
        fmt = 2019
    if ncols == 8 and len(layout) == 7:  # the header does not place the subtotal: its sums do
        at = _subtotal_by_sums([trim_cells(r.cells, 8) for r in rows])
        layout = applicant_layout(header, 8) if at is None else (*APPLICANT_COLUMNS[:at], None, *APPLICANT_COLUMNS[at:])
    elif ncols == 7:
        layout = APPLICANT_COLUMNS
    slots = SLOTS[fmt]
    subtotal = layout.index(None) if None in layout else None  # the column that is no breakdown

    def table(placed: dict[int, Row]) -> dict[str, list[float | None]]:
        tab: dict[str, list[float | None]] = {}
        for slot, row in placed.items():
            cells = trim_cells(row.cells, ncols)
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
    partial: list[tuple[str, list[Cell]]] = []
    for slot, row in sorted(placed.items()):
        code = slots[slot]
        cells = trim_cells(row.cells, ncols)
        if len(cells) != ncols:
            partial.append((code, cells))
            continue
        unit = unit_of(code)
        for (value, _, line_start, line_end), breakdown in zip(cells, layout, strict=True):  # make_fact, inlined:
            if breakdown is not None and value is not None and value >= 0:
                facts.append(Fact(code, breakdown, value, unit, "exact", line_start, line_end, rule))
    # PDF rows that lost their blank cells: only the last value is placeable, as 总计, and only when every
    # such row's last value is the sum of the others (the total column is written throughout).
    if partial:
        sums_hold = all(len(c) >= 2 and all(x.value is not None for x in c)
                        and values_close(sum(x.value for x in c[:-1]), c[-1].value) for _, c in partial)  # type: ignore[misc]
        if sums_hold and any(c[-1].value for _, c in partial):
            facts.extend(make_fact(code, "", cells[-1], "table3:total_only") for code, cells in partial)
    return _T3(facts, _t3_check(table(placed), fmt)[0], unplaced, bool(partial), end)


