"""`govreport summary`: every number the HTML page shows equals SQL written here by hand, in the HTML as written and
in the DOM headless Chromium renders (with a screenshot that must show the charts).

The sample warehouse is examples/reports plus three fabricated reports: a revised version of 006 (上海 2025:
only the revision counts), 006 again for 2026 with 1400 requests received (its table no longer balances, and
its carried_in 189 differs from 2025's carried_out 293), and 005 with no year.
"""

from __future__ import annotations

import contextlib
import copy
import io
import pathlib
import struct
import subprocess
import zlib
from datetime import datetime
from html.parser import HTMLParser

import duckdb
import numpy as np
import pytest

from flows import cli
from flows.discover import list_report_files
from tests.conftest import EXAMPLES, require_tool
from transforms.decode import decode_files
from transforms.extract import extract_records
from transforms.normalize import normalize_batch
from warehouse import db
from warehouse.summary import PALETTE

RATES = ("grant", "refusal", "cannot_provide", "not_processed", "review_correction", "litigation_correction")
CHECKS = ("balance", "row_total", "handled_sum", "review_total", "carry_over", "prose_vs_table")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync")


# ---------------------------------------------------------------- the sample warehouse

def _report(batch, prefix):
    [found] = [r for r in batch if pathlib.Path(r["source"]).name.startswith(prefix + "_")]
    return found


def _copy(batch, prefix, sha_digit, **fields):
    fabricated = copy.deepcopy(_report(batch, prefix))
    fabricated.update(sha256=sha_digit * 64, source=f"fabricated/{sha_digit}_{prefix}.txt", **fields)
    batch.append(fabricated)
    return fabricated


def _set(record, cells):
    for (code, breakdown), value in cells.items():
        [hit] = [m for m in record["metrics"] if m["code"] == code and m["breakdown"] == breakdown]
        hit["value"] = value


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    batch = extract_records(normalize_batch(decode_files(list_report_files(EXAMPLES))))
    _report(batch, "006")["published_on"] = "2026-01-20"
    revised = _copy(batch, "006", "c", published_on="2026-02-01")
    _set(revised, {("requests.granted", ""): 205, ("requests.granted", "natural_person"): 200,
                   ("requests.partially_granted", ""): 3, ("requests.partially_granted", "natural_person"): 3})
    _set(_copy(batch, "006", "a", report_year=2026), {("requests.received", ""): 1400})
    _copy(batch, "005", "b", report_year=None)
    path = tmp_path_factory.mktemp("summary") / "w.duckdb"
    con = db.connect(path)
    db.reset_staging(con)
    db.stage(con, db.frames_from_records(batch, "run1", datetime(2026, 1, 1)))
    db.publish(con)
    con.execute("INSERT INTO quarantine (sha256, source_path, reason, run_id, quarantined_at) "
                "VALUES ('', 'bad/empty.txt', 'empty_file', 'run1', '2026-01-01')")
    con.execute("INSERT INTO load_audit (run_id, flow, started_at, finished_at, files_seen, reports_loaded, rejected, "
                "facts_loaded, expectations_passed, expectations_failed, warnings_failed, published) VALUES "
                "('run1', 'load_reports', '2026-01-01 10:00', '2026-01-01 10:05', 11, 10, 1, 0, 0, 0, 0, true), "
                "('run2', 'load_reports', '2026-01-02 09:00', '2026-01-02 09:01', 1, 0, 0, 0, 0, 1, 0, false)")
    con.close()
    return path


@pytest.fixture(scope="module")
def con(warehouse):
    connection = duckdb.connect(str(warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def page(warehouse, tmp_path_factory):
    """(html path, printed text) of `govreport summary` on the sample warehouse."""
    out = tmp_path_factory.mktemp("page") / "summary.html"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert cli.main(["summary", "--db", str(warehouse), "--out", str(out)]) == 0
    return out, printed.getvalue()


# ---------------------------------------------------------------- the numbers, by hand

def _year(value):
    return "unknown" if value is None else str(value)


def expected_numbers(con) -> dict[tuple[str, str | None], object]:
    """(data-metric, row key) -> the value SQL gives, for every number the page must show."""
    want: dict[tuple[str, str | None], object] = {}
    current = "SELECT report_id FROM fact_report WHERE is_current"

    overview = con.execute(f"""
        SELECT count(*) FILTER (WHERE is_current), count(*) FILTER (WHERE NOT is_current),
               count(DISTINCT agency_id) FILTER (WHERE is_current),
               (SELECT count(DISTINCT province) FROM dim_agency
                WHERE agency_id IN (SELECT agency_id FROM fact_report WHERE is_current)),
               (SELECT count(*) FROM fact_metric WHERE report_id IN ({current})),
               (SELECT count(*) FROM quarantine),
               (SELECT strftime(max(finished_at), '%Y-%m-%d %H:%M') FROM load_audit WHERE published)
        FROM fact_report""").fetchone()
    for name, value in zip(("reports", "superseded_versions", "agencies", "provinces", "figures", "quarantined",
                            "last_published_load"), overview, strict=True):
        want[(f"overview.{name}", None)] = value

    for year, reports, agencies in con.execute(
            "SELECT report_year, count(*), count(DISTINCT agency_id) FROM fact_report WHERE is_current GROUP BY 1"
    ).fetchall():
        want[("reports_per_year.reports", _year(year))] = reports
        want[("reports_per_year.agencies", _year(year))] = agencies

    # Total column, one value per report and cell; denied = the stated total, else its 8 sub-rows when all stated.
    for row in con.execute(f"""
        WITH cells AS (
            SELECT report_id, metric_code, max(value) AS value FROM fact_metric
            WHERE breakdown = '' AND metric_code LIKE 'requests.%' GROUP BY ALL),
        per_report AS (
            SELECT r.report_id, r.report_year,
                   max(value) FILTER (WHERE metric_code = 'requests.received') AS received,
                   max(value) FILTER (WHERE metric_code = 'requests.handled_total') AS handled,
                   max(value) FILTER (WHERE metric_code = 'requests.granted') AS granted,
                   max(value) FILTER (WHERE metric_code = 'requests.partially_granted') AS partial,
                   coalesce(max(value) FILTER (WHERE metric_code = 'requests.denied'),
                            CASE WHEN count(*) FILTER (WHERE metric_code LIKE 'requests.denied.%') = 8
                                 THEN sum(value) FILTER (WHERE metric_code LIKE 'requests.denied.%') END) AS denied
            FROM fact_report r LEFT JOIN cells c ON c.report_id = r.report_id
            WHERE r.report_id IN ({current}) GROUP BY ALL)
        SELECT report_year, count(received), sum(received), sum(handled), sum(granted), sum(partial), sum(denied)
        FROM per_report GROUP BY 1""").fetchall():
        for name, value in zip(("reports", "received", "handled_total", "granted", "partially_granted", "denied"),
                               row[1:], strict=True):
            want[(f"requests_per_year.{name}", _year(row[0]))] = value

    # Pooled rates, over the per-report rates of v_rates (a view test_views checks figure by figure).
    columns = ", ".join(f"{r}_rate, {r}_numerator, {r}_denominator" for r in RATES)
    per_year: dict[str, list[tuple]] = {}
    for row in con.execute(f"SELECT report_year, {columns} FROM v_rates WHERE is_current").fetchall():
        per_year.setdefault(_year(row[0]), []).append(row[1:])
    for year, reports in per_year.items():
        for i, rate in enumerate(RATES):
            defined = [r[3 * i + 1:3 * i + 3] for r in reports if r[3 * i] is not None]
            want[(f"rates_per_year.{rate}_rate", year)] = (
                sum(n for n, _ in defined) / sum(d for _, d in defined) if defined else None)
            want[(f"rates_per_year.{rate}_reports", year)] = len(defined)

    for province, agencies, reports, years, first, last in con.execute(
            "SELECT a.province, count(DISTINCT agency_id), count(*), count(DISTINCT report_year), min(report_year), "
            "max(report_year) FROM fact_report JOIN dim_agency a USING (agency_id) WHERE is_current GROUP BY 1"
    ).fetchall():
        key = "unknown" if province is None else province
        for name, value in (("agencies", agencies), ("reports", reports), ("years", years), ("first_year", first),
                            ("last_year", last)):
            want[(f"provinces.{name}", key)] = value

    issues = {check: (n, reports) for check, n, reports in con.execute(
        f"SELECT check_name, count(*), count(DISTINCT report_id) FROM v_quality_issues "
        f"WHERE report_id IN ({current}) GROUP BY 1").fetchall()}
    for check in CHECKS:
        n, reports = issues.get(check, (0, 0))
        want[("quality_by_check.issues", check)] = n
        want[("quality_by_check.reports", check)] = reports
    return want


def test_expected_numbers_are_what_the_sample_says(con):
    """The hand-written SQL itself, against figures read off the sample reports (see test_views.py)."""
    want = expected_numbers(con)
    assert want[("reports_per_year.reports", "2025")] == 1  # the revision replaces 006
    assert want[("reports_per_year.reports", "unknown")] == 1
    assert want[("requests_per_year.received", "2025")] == 1295
    assert want[("requests_per_year.received", "2026")] == 1400
    assert want[("requests_per_year.denied", "2023")] == 0  # 005: all 8 sub-rows 0, no stated total
    assert want[("rates_per_year.grant_rate", "2025")] == pytest.approx((205 + 3) / 1191)
    assert want[("rates_per_year.grant_rate", "unknown")] == 1.0
    assert want[("rates_per_year.refusal_rate", "2010")] is None
    assert {c: want[("quality_by_check.issues", c)] for c in CHECKS} == {
        "balance": 1, "row_total": 1, "carry_over": 1, "handled_sum": 0, "review_total": 0, "prose_vs_table": 0}
    assert want[("provinces.reports", "上海市")] == 2
    assert (want[("overview.quarantined", None)], want[("overview.last_published_load", None)]) == (
        1, "2026-01-01 10:05")


# ---------------------------------------------------------------- reading the page

class TaggedNumbers(HTMLParser):
    """Text of every element carrying data-metric (keyed by metric and row key), and the <td>s without one."""

    KEYS = ("data-year", "data-province", "data-check")

    def __init__(self) -> None:
        super().__init__()
        self.shown: dict[tuple[str, str | None], list[str]] = {}
        self.untagged_cells = 0
        self._open: tuple[str, str | None] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-metric" in attrs:
            key = next((attrs[k] for k in self.KEYS if k in attrs), None)
            self._open = (attrs["data-metric"], key)
            self.shown.setdefault(self._open, []).append("")
        elif tag == "td":
            self.untagged_cells += 1

    def handle_endtag(self, tag):
        self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self.shown[self._open][-1] += data


def shown_numbers(html: str) -> TaggedNumbers:
    parser = TaggedNumbers()
    parser.feed(html)
    return parser


def matches(text: str, expected: object) -> bool:
    text = text.strip()
    if expected is None:
        return text == "–"
    if isinstance(expected, str):
        return text == expected
    if text.endswith("%"):  # rates are shown in percent, one decimal
        return abs(float(text[:-1]) - 100 * float(expected)) <= 0.05 + 1e-9
    return float(text.replace(",", "")) == float(expected)


def check_page(html: str, con) -> int:
    want = expected_numbers(con)
    page = shown_numbers(html)
    assert page.untagged_cells == 0
    wrong = {key: (texts, want.get(key, "not expected")) for key, texts in page.shown.items()
             if key not in want or not all(matches(t, want[key]) for t in texts)}
    assert wrong == {}
    assert set(want) - set(page.shown) == set()  # every number is on the page
    return sum(map(len, page.shown.values()))


def test_every_number_on_the_page_equals_sql(page, con):
    html = page[0].read_text(encoding="utf-8")
    shown = check_page(html, con)
    assert shown > len(expected_numbers(con))  # tables plus the chart labels


def test_page_is_self_contained(page):
    html = page[0].read_text(encoding="utf-8")
    assert "<svg" in html
    for needle in ("<script", "http://", "https://", "<link", "src="):
        assert needle not in html


def test_a_wrong_number_is_caught(page, con):
    html = page[0].read_text(encoding="utf-8").replace(
        '<td data-metric="requests_per_year.received" data-year="2025">1,295</td>',
        '<td data-metric="requests_per_year.received" data-year="2025">1,296</td>')
    with pytest.raises(AssertionError):
        check_page(html, con)


def test_terminal_summary(page):
    lines = page[1].splitlines()
    assert lines[0].startswith("govreport summary of ")
    for title in ("Overview", "Reports per year", "Requests per year", "Rates over time", "Coverage by province",
                  "Quality issues by check"):
        assert title in lines
    requests = lines[lines.index("Requests per year") + 1:lines.index("Rates over time")]
    assert requests[0].split() == ["year", "reports", "received", "handled", "granted", "partially", "granted", "refused"]
    assert ["2026", "1", "1,400", "1,191", "206", "2", "20"] in [line.split() for line in requests]
    quality = [line.split() for line in lines[lines.index("Quality issues by check"):]]
    assert ["carry_over", "1", "1"] in quality and ["handled_sum", "0", "0"] in quality
    assert lines[-1] == f"HTML summary: {page[0].resolve()}"


def test_missing_warehouse(tmp_path, capsys):
    assert cli.main(["summary", "--db", str(tmp_path / "none.duckdb")]) == 2
    assert "no warehouse" in capsys.readouterr().err


# ---------------------------------------------------------------- in a real browser

def _chromium() -> str:
    return require_tool("chromium", "apt-get install chromium")


def _run_chromium(tmp_path: pathlib.Path, name: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / name}", *args],
                          capture_output=True, text=True, timeout=120, check=True)


def read_png(data: bytes) -> np.ndarray:
    """RGB pixels of an 8-bit, non-interlaced RGB(A) PNG (what Chromium writes), as a height x width x 3 array."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, bytearray()
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
    assert (depth, interlace) == (8, 0) and colour in (2, 6)
    bpp = 3 if colour == 2 else 4
    raw = np.frombuffer(zlib.decompress(bytes(idat)), dtype=np.uint8).reshape(height, width * bpp + 1)
    out = np.zeros((height, width * bpp), dtype=np.uint8)
    prev = np.zeros(width * bpp, dtype=np.uint8)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:]
        if kind == 0:
            row = line.copy()
        elif kind == 1:  # Sub: a running sum per channel
            row = (line.reshape(width, bpp).astype(np.int64).cumsum(axis=0) % 256).astype(np.uint8).ravel()
        elif kind == 2:  # Up
            row = line + prev
        else:  # Average and Paeth depend on the byte just decoded: byte by byte
            row = bytearray(line.tobytes())
            for i in range(len(row)):
                a = row[i - bpp] if i >= bpp else 0
                b, c = int(prev[i]), (int(prev[i - bpp]) if i >= bpp else 0)
                if kind == 3:
                    row[i] = (row[i] + (a + b) // 2) & 255
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            row = np.frombuffer(bytes(row), dtype=np.uint8)
        out[y] = prev = row
    return out.reshape(height, width, bpp)[:, :, :3]


def test_page_in_headless_chromium(page, con, tmp_path):
    uri = page[0].resolve().as_uri()
    dom = _run_chromium(tmp_path, "dom", "--dump-dom", uri).stdout
    assert "<svg" in dom
    check_page(dom, con)

    png = tmp_path / "summary.png"
    _run_chromium(tmp_path, "shot", f"--screenshot={png}", "--window-size=1280,2000", uri)
    pixels = read_png(png.read_bytes())
    assert pixels.shape == (2000, 1280, 3)
    packed = pixels.astype(np.uint32) @ np.array([1 << 16, 1 << 8, 1], dtype=np.uint32)
    assert len(np.unique(packed)) > 50  # text, lines and bars, not a blank or one-colour page
    bar = int(PALETTE[0][1:], 16)  # the first series' fill: the bar charts were drawn
    assert (packed == bar).sum() > 5000
