"""`govreport summary`: the loaded warehouse at a glance, as terminal text and as one self-contained HTML page.

Every figure comes from warehouse/summary.sql, one query per section. The page loads nothing and runs no
script: its charts are inline SVG drawn here. Each number shown carries `data-metric="<section>.<column>"`
and its row's key (`data-year`, `data-province` or `data-check`; "unknown" for NULL), so a test can read
what a reader sees and compare it with SQL.
"""

from __future__ import annotations

import math
import pathlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any

import duckdb

SQL_FILE = pathlib.Path(__file__).resolve().parent / "summary.sql"
UNKNOWN = "unknown"
NOT_STATED = "–"
PALETTE = ("#3b6ea5", "#e07b39", "#5a9e6f", "#c44e52", "#8172b2", "#937860")
KEY_NAME = {"report_year": "year", "province": "province", "check_name": "check"}  # table header and data-<name>

Row = dict[str, Any]


@dataclass(frozen=True)
class Column:
    name: str            # column of the section's query
    header: str
    kind: str = "count"  # count | rate | year | time: how the value is shown


@dataclass(frozen=True)
class Section:
    name: str                   # query name in summary.sql and data-metric prefix
    title: str
    note: str
    key: str | None             # the column naming a row (None: the section is one row)
    columns: tuple[Column, ...]
    chart: str | None = None    # bars | hbars | lines
    charted: tuple[str, ...] = ()


RATES = (("grant", "granted (in full or part)"), ("refusal", "refused"), ("cannot_provide", "cannot provide"),
         ("not_processed", "not processed"), ("review_correction", "corrected on review"),
         ("litigation_correction", "corrected in court"))

SECTIONS = (
    Section("overview", "Overview", "Current versions only: a revised report counts once, as its latest version.",
            None, (Column("reports", "reports"), Column("superseded_versions", "superseded versions"),
                   Column("agencies", "agencies"), Column("provinces", "provinces"),
                   Column("figures", "figures (fact_metric rows)"), Column("quarantined", "files in quarantine"),
                   Column("last_published_load", "last published load", "time"))),
    Section("reports_per_year", "Reports per year", "Reports and reporting agencies per year the reports cover.",
            "report_year", (Column("reports", "reports"), Column("agencies", "agencies")), "bars", ("reports",)),
    Section("requests_per_year", "Requests per year",
            "Disclosure requests (total column of the request table), summed over the reports stating each "
            f"figure; reports = reports stating requests received. {NOT_STATED} = no report stated it.",
            "report_year",
            (Column("reports", "reports"), Column("received", "received"), Column("handled_total", "handled"),
             Column("granted", "granted"), Column("partially_granted", "partially granted"),
             Column("denied", "refused")),
            "bars", ("received", "handled_total")),
    Section("rates_per_year", "Rates over time",
            "Share of handled requests granted, refused, impossible to provide or not processed, and share of "
            "decided review and court cases that corrected the agency. Pooled over the reports stating every "
            "input (n = how many): the sum of numerators over the sum of denominators.",
            "report_year",
            tuple(c for code, label in RATES
                  for c in (Column(f"{code}_rate", label, "rate"), Column(f"{code}_reports", "n"))),
            "lines", tuple(f"{code}_rate" for code, _ in RATES)),
    Section("provinces", "Coverage by province", "Where the reports come from, and which years they cover.",
            "province", (Column("agencies", "agencies"), Column("reports", "reports"), Column("years", "years"),
                         Column("first_year", "first year", "year"), Column("last_year", "last year", "year")),
            "hbars", ("reports",)),
    Section("quality_by_check", "Quality issues by check",
            "Arithmetic identities of the request and appeal tables that a report breaks (v_quality_issues).",
            "check_name", (Column("issues", "issues"), Column("reports", "reports affected")), "hbars", ("issues",)),
)


def queries() -> dict[str, str]:
    """Query name -> SQL, from the `-- name:` sections of summary.sql."""
    out: dict[str, list[str]] = {}
    current: list[str] = []
    for line in SQL_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("-- name:"):
            current = out.setdefault(line.removeprefix("-- name:").strip(), [])
        else:
            current.append(line)
    return {name: "\n".join(lines).strip() for name, lines in out.items()}


def collect(con: duckdb.DuckDBPyConnection) -> dict[str, list[Row]]:
    """Section name -> its rows."""
    sql = queries()
    data: dict[str, list[Row]] = {}
    for section in SECTIONS:
        cur = con.execute(sql[section.name])
        names = [d[0] for d in cur.description]
        data[section.name] = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    return data


def fmt(value: Any, kind: str = "count") -> str:
    """A value as the page and the terminal show it."""
    if value is None:
        return NOT_STATED
    if kind == "rate":
        return f"{100 * value:.1f}%"
    if kind == "year":
        return str(value)
    if kind == "time":
        return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else str(value)
    number = float(value)
    return f"{int(number):,}" if number.is_integer() else f"{number:,.2f}"


def key_label(value: Any) -> str:
    return UNKNOWN if value is None else str(value)


# ------------------------------------------------------------------------------------------------------ text

def _width(text: str) -> int:
    # CJK characters take two terminal cells: pad by display width, not len().
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill


def _text_table(rows: list[list[str]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(_pad(cell, w, right=i > 0) for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
            for row in rows]


def render_text(data: dict[str, list[Row]], source: str) -> str:
    lines = [f"govreport summary of {source}"]
    for section in SECTIONS:
        rows = data[section.name]
        lines += ["", section.title]
        if section.key is None:
            lines += _text_table([[c.header, fmt(row[c.name], c.kind)] for row in rows for c in section.columns])
        elif rows:
            lines += _text_table([[KEY_NAME[section.key], *(c.header for c in section.columns)]]
                                 + [[key_label(row[section.key]), *(fmt(row[c.name], c.kind) for c in section.columns)]
                                    for row in rows])
        else:
            lines.append("  (no reports)")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------------ HTML

def _tag(section: Section, column: Column, row: Row) -> str:
    attrs = f'data-metric="{section.name}.{column.name}"'
    if section.key is not None:
        attrs += f' data-{KEY_NAME[section.key]}="{escape(key_label(row[section.key]))}"'
    return attrs


def _legend(columns: list[Column]) -> str:
    items = "".join(f'<span class="swatch" style="background:{PALETTE[i]}"></span>{escape(c.header)} '
                    for i, c in enumerate(columns))
    return f'<p class="legend">{items}</p>'


def _bar_chart(section: Section, rows: list[Row], columns: list[Column]) -> str:
    """Vertical bars, one group per row, one bar per column; a bar's value is written above it when it fits."""
    width, height, left, right, top, bottom = 960, 260, 20, 20, 24, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max((row[c.name] for row in rows for c in columns if row[c.name] is not None), default=0) or 1
    slot = plot_w / len(rows)
    bar = min(56.0, slot * 0.8 / len(columns))
    out = []
    for i, row in enumerate(rows):
        x0 = left + i * slot + (slot - bar * len(columns)) / 2
        for j, column in enumerate(columns):
            value = row[column.name]
            if value is None:
                continue
            h = plot_h * value / top_value
            x, y = x0 + j * bar, top + plot_h - h
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 2:.1f}" height="{h:.1f}" '
                       f'fill="{PALETTE[j]}"/>')
            text = fmt(value, column.kind)
            if len(text) * 6.6 <= slot / len(columns):
                out.append(f'<text x="{x + bar / 2 - 1:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
                           f'{_tag(section, column, row)}>{escape(text)}</text>')
        out.append(f'<text class="axis" x="{left + (i + 0.5) * slot:.1f}" y="{height - 8}" text-anchor="middle">'
                   f'{escape(key_label(row[section.key]))}</text>')
    out.append(f'<line class="base" x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}"/>')
    return _svg(width, height, section.title, out)


def _hbar_chart(section: Section, rows: list[Row], column: Column) -> str:
    """Horizontal bars, one per row, labelled with the row's key and value."""
    width, label_w, row_h, top = 960, 170, 24, 6
    height = top * 2 + row_h * len(rows)
    plot_w = width - label_w - 70
    top_value = max((row[column.name] or 0 for row in rows), default=0) or 1
    out = []
    for i, row in enumerate(rows):
        value = row[column.name]
        y = top + i * row_h
        w = plot_w * (value or 0) / top_value
        out.append(f'<text class="axis" x="{label_w - 8}" y="{y + 16}" text-anchor="end">'
                   f'{escape(key_label(row[section.key]))}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{PALETTE[0]}"/>')
        out.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 16}" {_tag(section, column, row)}>'
                   f'{escape(fmt(value, column.kind))}</text>')
    return _svg(width, height, section.title, out)


def _line_chart(section: Section, rows: list[Row], columns: list[Column]) -> str:
    """Rates (0..1) against the year: one line per column, broken where a year has no value."""
    rows = [row for row in rows if row[section.key] is not None]  # a report of unknown year has no place in time
    values = [row[c.name] for row in rows for c in columns if row[c.name] is not None]
    if not values:
        return ""
    width, height, left, right, top, bottom = 960, 280, 52, 20, 16, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max(0.1, math.ceil(max(values) * 10) / 10)
    years = [row[section.key] for row in rows]
    first, span = min(years), (max(years) - min(years)) or 1

    def xy(year: int, value: float) -> tuple[float, float]:
        x = left + plot_w * ((year - first) / span if len(years) > 1 else 0.5)
        return x, top + plot_h * (1 - value / top_value)

    out = []
    for k in range(5):
        value = top_value * k / 4
        _, y = xy(first, value)
        out.append(f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"/>'
                   f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{100 * value:.0f}%</text>')
    for year in years:
        x, _ = xy(year, 0)
        out.append(f'<text class="axis" x="{x:.1f}" y="{height - 8}" text-anchor="middle">{year}</text>')
    for j, column in enumerate(columns):
        segment: list[str] = []
        for row in [*rows, None]:  # the trailing None closes the last segment
            value = row[column.name] if row is not None else None
            if value is None:
                if len(segment) > 1:
                    out.append(f'<polyline fill="none" stroke="{PALETTE[j]}" stroke-width="2" '
                               f'points="{" ".join(segment)}"/>')
                segment = []
                continue
            x, y = xy(row[section.key], value)
            segment.append(f"{x:.1f},{y:.1f}")
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{PALETTE[j]}"/>')
    return _svg(width, height, section.title, out)


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
            f'aria-label="{escape(title)}">' + "".join(body) + "</svg>")


def _chart(section: Section, rows: list[Row]) -> str:
    columns = [c for c in section.columns if c.name in section.charted]
    if section.chart == "bars":
        return (_legend(columns) if len(columns) > 1 else "") + _bar_chart(section, rows, columns)
    if section.chart == "hbars":
        return _hbar_chart(section, rows, columns[0])
    if section.chart == "lines":
        lines = _line_chart(section, rows, columns)
        return _legend(columns) + lines if lines else ""
    return ""


def _table(section: Section, rows: list[Row]) -> str:
    if section.key is None:
        body = "".join(f'<tr><th scope="row">{escape(c.header)}</th>'
                       f'<td {_tag(section, c, row)}>{escape(fmt(row[c.name], c.kind))}</td></tr>'
                       for row in rows for c in section.columns)
        return f'<table class="overview"><tbody>{body}</tbody></table>'
    head = "".join(f"<th>{escape(h)}</th>" for h in (KEY_NAME[section.key], *(c.header for c in section.columns)))
    body = "".join(
        f'<tr><th scope="row">{escape(key_label(row[section.key]))}</th>'
        + "".join(f'<td {_tag(section, c, row)}>{escape(fmt(row[c.name], c.kind))}</td>' for c in section.columns)
        + "</tr>"
        for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


STYLE = """
body { font-family: system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; color: #222;
       max-width: 1000px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 1.5em; margin-bottom: 0; } h2 { font-size: 1.2em; margin-top: 2em; }
p.meta, p.note { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; margin: 8px 0; font-size: 0.9em; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 10px; }
th { text-align: left; font-weight: 600; } td { text-align: right; font-variant-numeric: tabular-nums; }
svg { max-width: 100%; height: auto; display: block; font-size: 12px; }
svg .axis { fill: #555; } svg .grid { stroke: #eee; } svg .base { stroke: #999; }
.legend { font-size: 0.85em; } .swatch { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 10px;
                                       vertical-align: -1px; }
"""


def render_html(data: dict[str, list[Row]], source: str, generated: datetime) -> str:
    parts = []
    for section in SECTIONS:
        rows = data[section.name]
        content = (_chart(section, rows) if rows else "") + _table(section, rows)
        parts.append(f'<section id="{section.name}" data-section="{section.name}"><h2>{escape(section.title)}</h2>'
                     f'<p class="note">{escape(section.note)}</p>{content}</section>')
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>govreport summary</title><style>{STYLE}</style></head><body>"
            f'<h1>govreport summary</h1><p class="meta">Warehouse {escape(source)}, '
            f'{escape(generated.strftime("%Y-%m-%d %H:%M"))}</p>' + "".join(parts) + "</body></html>\n")


def write_summary(con: duckdb.DuckDBPyConnection, out: str | pathlib.Path, source: str) -> str:
    """Write the HTML page to `out` and return the text summary."""
    data = collect(con)
    out = pathlib.Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(data, source, datetime.now()), encoding="utf-8")
    return render_text(data, source)
