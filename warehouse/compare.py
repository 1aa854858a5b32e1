"""Agency comparisons over the published warehouse: one agency across two years (`diff`) and all agencies of
one year by a rate or metric (`rank`). Pure DuckDB reads plus formatting; the SQL lives in compare/*.sql.

Only current report versions (fact_report.is_current) are compared, as in the views that add reports up.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import get_close_matches
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

from warehouse.catalog import metric_rows

if TYPE_CHECKING:
    import duckdb

FORMATS = ("text", "csv", "json")
# The rate columns of v_rates, with a Chinese label for the text output.
RATES: dict[str, str] = {
    "grant_rate": "予以公开率（含部分公开）",
    "refusal_rate": "不予公开率",
    "cannot_provide_rate": "无法提供率",
    "not_processed_rate": "不予处理率",
    "review_correction_rate": "行政复议纠错率",
    "litigation_correction_rate": "行政诉讼纠错率",
}
QUALIFIER_TEXT = {"at_least": "at least", "approx": "approx.", "stated_none": "stated none"}
SHORT_ID = 12


class CompareError(ValueError):
    """A request the warehouse cannot answer as asked (unknown agency or metric, missing year): exit 2."""


class AmbiguousAgency(CompareError):
    def __init__(self, text: str, candidates: list[Agency]) -> None:
        table = text_table(["agency_id", "agency", "place", "years"],
                           [[c.agency_id, c.agency_name, c.place or "-", ", ".join(map(str, c.years)) or "none"]
                            for c in candidates])
        super().__init__(f"{len(candidates)} agencies match {text!r}; pass one agency_id:\n{table}")
        self.candidates = candidates


@dataclass(frozen=True)
class Agency:
    agency_id: str
    agency_name: str
    province: str | None
    city: str | None
    county: str | None
    years: tuple[int, ...]  # years with a current report

    @property
    def place(self) -> str:
        return " ".join(p for p in (self.province, self.city, self.county) if p)


@dataclass(frozen=True)
class Diff:
    agency: Agency
    years: tuple[int, int]
    reports: tuple[str, str]
    metrics: list[dict[str, Any]]  # diff_metrics.sql rows
    rates: list[dict[str, Any]]  # one per RATES entry: value/numerator/denominator _a and _b, change
    issues: list[dict[str, Any]]  # v_quality_issues rows of the two reports


@dataclass(frozen=True)
class Ranking:
    metric: str
    kind: Literal["rate", "metric"]
    year: int
    breakdown: str
    min_volume: float | None
    ascending: bool
    rows: list[dict[str, Any]]  # ranked rows, at most `limit`
    ranked: int  # all ranked reports, before the limit
    no_value: int
    below_min_volume: int


@cache
def _sql(name: str) -> str:
    return resources.files("warehouse").joinpath("compare", name).read_text(encoding="utf-8")


def _catalog_order() -> list[str]:
    return list(metric_rows())


def _dicts(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


# ---------------------------------------------------------------- diff

def find_agency(con: duckdb.DuckDBPyConnection, text: str) -> Agency:
    """The one agency `text` names (agency_id, name or name as written, exact before substring)."""
    text = text.strip()
    if not text:
        raise CompareError("empty agency name")
    found = [Agency(**{**r, "years": tuple(r["years"])})
             for r in _dicts(con.execute(_sql("agency_match.sql"), {"text": text}))]
    if not found:
        raise CompareError(f"no agency matches {text!r} (by agency_id, name or name as written in a report)")
    if len(found) > 1:
        raise AmbiguousAgency(text, found)
    return found[0]


def diff(con: duckdb.DuckDBPyConnection, agency: Agency, year_a: int, year_b: int) -> Diff:
    """Every figure of the agency's current reports for two years side by side, their rates and quality issues."""
    if year_a == year_b:
        raise CompareError("give two different years")
    found = con.execute("SELECT report_year, report_id FROM fact_report WHERE agency_id = ? AND report_year IN (?, ?) "
                        "AND is_current IS NOT FALSE ORDER BY report_id", [agency.agency_id, year_a, year_b]).fetchall()
    reports = []
    for year in (year_a, year_b):
        ids = [rid for y, rid in found if y == year]
        if not ids:
            have = ", ".join(map(str, agency.years)) or "none"
            raise CompareError(f"{agency.agency_name} has no report for {year} (years with a report: {have})")
        if len(ids) > 1:  # "(unknown)" lumps unrelated bodies; a warehouse loaded before is_current existed
            raise CompareError(f"{agency.agency_name} has {len(ids)} current reports for {year} "
                               f"({', '.join(i[:SHORT_ID] for i in ids)}): cannot tell which one to compare")
        reports.append(ids[0])
    report_a, report_b = reports
    metrics = _dicts(con.execute(_sql("diff_metrics.sql"), {
        "report_a": report_a, "report_b": report_b, "catalog_order": _catalog_order()}))
    rate_rows = {r["report_id"]: r for r in _dicts(con.execute("SELECT * FROM v_rates WHERE report_id IN (?, ?)",
                                                               reports))}
    rates = []
    for rate in RATES:
        stem = rate.removesuffix("_rate")
        row: dict[str, Any] = {"rate": rate, "label_zh": RATES[rate]}
        for side, rid in (("a", report_a), ("b", report_b)):
            row[f"value_{side}"] = rate_rows[rid][rate]
            row[f"numerator_{side}"] = rate_rows[rid][f"{stem}_numerator"]
            row[f"denominator_{side}"] = rate_rows[rid][f"{stem}_denominator"]
        both = row["value_a"] is not None and row["value_b"] is not None
        row["change"] = row["value_b"] - row["value_a"] if both else None
        rates.append(row)
    issues = _dicts(con.execute("SELECT report_year, check_name, breakdown, detail FROM v_quality_issues "
                                "WHERE report_id IN (?, ?) ORDER BY report_year, check_name, breakdown, detail",
                                reports))
    return Diff(agency, (year_a, year_b), (report_a, report_b), metrics, rates, issues)


# ---------------------------------------------------------------- rank

def rank(con: duckdb.DuckDBPyConnection, metric: str, year: int, min_volume: float | None = None,
         breakdown: str | None = None, ascending: bool = False, limit: int = 20) -> Ranking:
    """Current reports of `year` ranked by a v_rates rate or a catalog metric (see compare/rank.sql)."""
    if metric in RATES:
        kind: Literal["rate", "metric"] = "rate"
        if breakdown:
            raise CompareError(f"{metric} is computed on the total column only; drop --breakdown")
    elif con.execute("SELECT 1 FROM dim_metric WHERE metric_code = ?", [metric]).fetchone():
        kind = "metric"
    else:
        close = get_close_matches(metric, [*RATES, *_catalog_order()], n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise CompareError(f"unknown metric {metric!r}: use a rate ({', '.join(RATES)}) or a metric_code of "
                           f"warehouse/metric_catalog.csv{hint}")
    if not con.execute("SELECT 1 FROM fact_report WHERE report_year = ? AND is_current IS NOT FALSE",
                       [year]).fetchone():
        years = [y for (y,) in con.execute("SELECT DISTINCT report_year FROM fact_report "
                                           "WHERE report_year IS NOT NULL ORDER BY 1").fetchall()]
        raise CompareError(f"no reports for {year} (years in the warehouse: {', '.join(map(str, years)) or 'none'})")
    rows = _dicts(con.execute(_sql("rank.sql"), {
        "metric": metric, "year": year, "breakdown": breakdown or "", "min_volume": min_volume,
        "ascending": ascending}))
    ranked = [r for r in rows if r["status"] == "ranked"]
    return Ranking(metric, kind, year, breakdown or "", min_volume, ascending, ranked[:limit], len(ranked),
                   sum(r["status"] == "no_value" for r in rows), sum(r["status"] == "below_min_volume" for r in rows))


# ---------------------------------------------------------------- formatting

def display_width(text: str) -> int:
    """Terminal columns: wide and fullwidth characters (CJK) take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """An aligned plain-text table; columns whose index is in `right` are right-aligned (numbers)."""
    widths = [max(display_width(r[i]) for r in (header, *rows)) for i in range(len(header))]
    lines = []
    for r in (header, *rows):
        cells = [" " * (w - display_width(c)) + c if i in right else c + " " * (w - display_width(c))
                 for i, (c, w) in enumerate(zip(r, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _num(v: float | None) -> str:
    return "" if v is None else format(v, ".15g")  # whole numbers without ".0", as the views' printf


def _signed(v: float | None, spec: str = ".15g", suffix: str = "") -> str:
    if v is None:
        return ""
    return f"{v:{spec}}{suffix}" if v == 0 else f"{v:+{spec}}{suffix}"


def _pct(v: float | None) -> str:
    return "" if v is None else f"{100 * v:.2f}%"


def _plain(v: Any) -> Any:
    """JSON-friendly figures: 26.0 -> 26."""
    return int(v) if isinstance(v, float) and v.is_integer() else v


def _with_qualifier(value: float | None, qualifier: str | None) -> str:
    text = _num(value) or "-"
    return f"{text} ({QUALIFIER_TEXT.get(qualifier, qualifier)})" if qualifier not in (None, "exact") else text


def _ratio(numerator: float | None, denominator: float | None) -> str:
    return f"{_num(numerator) or '?'}/{_num(denominator) or '?'}"


def format_diff(d: Diff, fmt: str) -> str:
    ya, yb = d.years
    if fmt == "json":
        return json.dumps({
            "agency": {"agency_id": d.agency.agency_id, "agency_name": d.agency.agency_name,
                       "province": d.agency.province, "city": d.agency.city, "county": d.agency.county},
            "years": [ya, yb], "reports": list(d.reports),
            "metrics": [{"metric_code": m["metric_code"], "breakdown": m["breakdown"], "label_zh": m["label_zh"],
                         "unit": m["unit"], "value": [_plain(m["value_a"]), _plain(m["value_b"])],
                         "qualifier": [m["qualifier_a"], m["qualifier_b"]], "change": _plain(m["change"]),
                         "change_pct": m["change_pct"]} for m in d.metrics],
            "rates": [{"rate": r["rate"], "label_zh": r["label_zh"], "value": [r["value_a"], r["value_b"]],
                       "numerator": [_plain(r["numerator_a"]), _plain(r["numerator_b"])],
                       "denominator": [_plain(r["denominator_a"]), _plain(r["denominator_b"])],
                       "change": r["change"]} for r in d.rates],
            "issues": d.issues,
        }, ensure_ascii=False, indent=2)
    if fmt == "csv":
        # One table for spreadsheets: `section` tells metric, rate and issue rows apart; note_<year> holds a
        # figure's qualifier, a rate's numerator/denominator or an issue's detail.
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["section", "code", "breakdown", "label_zh", "unit", f"value_{ya}", f"value_{yb}", "change",
                    "change_pct", f"note_{ya}", f"note_{yb}"])
        for m in d.metrics:
            w.writerow(["metric", m["metric_code"], m["breakdown"], m["label_zh"], m["unit"], _num(m["value_a"]),
                        _num(m["value_b"]), _num(m["change"]), _num(m["change_pct"]), m["qualifier_a"] or "",
                        m["qualifier_b"] or ""])
        for r in d.rates:
            w.writerow(["rate", r["rate"], "", r["label_zh"], "", _num(r["value_a"]), _num(r["value_b"]),
                        _num(r["change"]), "", _ratio(r["numerator_a"], r["denominator_a"]),
                        _ratio(r["numerator_b"], r["denominator_b"])])
        for i in d.issues:
            notes = [i["detail"], ""] if i["report_year"] == ya else ["", i["detail"]]
            w.writerow(["issue", i["check_name"], i["breakdown"], "", "", "", "", "", "", *notes])
        return out.getvalue().rstrip("\n")
    a = d.agency
    parts = ["  ".join(p for p in (a.agency_name, a.place, f"(agency_id {a.agency_id})") if p),
             f"{ya}: report {d.reports[0][:SHORT_ID]}   {yb}: report {d.reports[1][:SHORT_ID]}", ""]
    parts.append(text_table(
        ["metric", "breakdown", str(ya), str(yb), "change", "change %", "unit", "code"],
        [[m["label_zh"] or "", m["breakdown"] or "(total)", _with_qualifier(m["value_a"], m["qualifier_a"]),
          _with_qualifier(m["value_b"], m["qualifier_b"]), _signed(m["change"]) or "-",
          _signed(m["change_pct"], ".1f", "%") or "-", m["unit"] or "", m["metric_code"]] for m in d.metrics],
        right=(2, 3, 4, 5)))
    parts += ["", text_table(
        ["rate", "", str(ya), "", str(yb), "", "change"],
        [[r["label_zh"], r["rate"], _pct(r["value_a"]) or "-", _ratio(r["numerator_a"], r["denominator_a"]),
          _pct(r["value_b"]) or "-", _ratio(r["numerator_b"], r["denominator_b"]),
          _signed(None if r["change"] is None else 100 * r["change"], ".2f", " pp") or "-"] for r in d.rates],
        right=(2, 3, 4, 5, 6))]
    parts.append("")
    if d.issues:
        parts.append("quality issues (v_quality_issues):")
        parts.append(text_table(["year", "check", "breakdown", "detail"],
                                [[str(i["report_year"]), i["check_name"], i["breakdown"] or "(total)", i["detail"]]
                                 for i in d.issues]))
    else:
        parts.append("quality issues (v_quality_issues): none")
    return "\n".join(parts)


def ranking_summary(r: Ranking) -> str:
    """What was ranked and what was left out, and why."""
    what = r.metric + (f" [{r.breakdown}]" if r.breakdown else "")
    order = "lowest first" if r.ascending else "highest first"
    text = f"{what}, {r.year}, {order}: {r.ranked} ranked"
    if r.ranked > len(r.rows):
        text += f" (first {len(r.rows)} shown)"
    missing = "rate undefined: an input unstated or a zero denominator" if r.kind == "rate" else "not stated"
    text += f"; not ranked: {r.no_value} with no value ({missing})"
    if r.min_volume is not None:
        volume = "the rate's denominator" if r.kind == "rate" else "requests received"
        text += f", {r.below_min_volume} below --min-volume {_num(r.min_volume)} ({volume}; or volume not stated)"
    return text


def format_ranking(r: Ranking, fmt: str) -> str:
    is_rate = r.kind == "rate"
    columns = ["rank", "agency_name", "province", "city", "value", *(("numerator", "denominator") if is_rate else
                                                                      ("qualifier", "volume")), "report_id"]
    if fmt == "json":
        return json.dumps({
            "metric": r.metric, "kind": r.kind, "year": r.year, "breakdown": r.breakdown,
            "min_volume": r.min_volume, "ascending": r.ascending, "ranked": r.ranked, "no_value": r.no_value,
            "below_min_volume": r.below_min_volume,
            "rows": [{c: _plain(row[c]) for c in columns} for row in r.rows],
        }, ensure_ascii=False, indent=2)
    if fmt == "csv":
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(columns)
        for row in r.rows:
            w.writerow([_num(v) if isinstance(v, float) else ("" if v is None else v)
                        for v in (row[c] for c in columns)])
        return out.getvalue().rstrip("\n")
    # Beside a metric, the volume column only when --min-volume filtered on it (a rate's volume is its denominator).
    extra = ["numerator", "denominator"] if is_rate else ["received"] if r.min_volume is not None else []
    header = ["rank", "agency", "province", "city", "value", *extra, "report"]
    body = []
    for row in r.rows:
        value = _pct(row["value"]) if is_rate else _with_qualifier(row["value"], row["qualifier"])
        figures = {"numerator": row["numerator"], "denominator": row["denominator"], "received": row["volume"]}
        body.append([str(row["rank"]), row["agency_name"], row["province"] or "-", row["city"] or "-", value,
                     *(_num(figures[c]) or "-" for c in extra), row["report_id"][:SHORT_ID]])
    right = (0, 4, *range(5, 5 + len(extra)))
    return ranking_summary(r) + "\n\n" + (text_table(header, body, right) if body else "(nothing to rank)")
