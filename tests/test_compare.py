"""`govreport diff` and `govreport rank` (warehouse/compare.py, flows/cli_analysis.py) on a sample warehouse.

The warehouse is examples/reports plus reports fabricated from them (figures hand-set below):

沭阳县发展和改革局 (005, 2023) gets a 2022 report ("b"; agency written 沭阳县发改局): proactive.total 200,
received 20 / granted 18 / denied.state_secret 2 / handled_total 20 in both the total and natural_person columns,
carried_out 1 in the total column only (so 2022's total column does not balance and 2023's carried_in 0 breaks
carry-over), satisfaction.rate "95%以上" (at_least 95), staff.full_time 3 (2022 only), no consultations (2023 only).
Its 2023 report is revised ("c", published later): proactive.total 250; diff must use the revision, not 249.
So 2022 -> 2023: proactive.total 200 -> 250 (+50, +25.0%), received 20 -> 26 (+6, +30.0%), satisfaction 95 -> 100
(+5, +5.3%), refusal_rate 2/20 = 10% -> 0/26 = 0% (-10.00 pp), grant_rate 18/20 = 90% -> 26/26 = 100%.

2025 (上海 006: refusal 20/1191 = 1.68%, received 1295, review corrected 0 of 50 decided) gets five more reports
made from 005 (26 requests handled unless said) and 000 (free-form, "no requests" only):
"d" 沭阳县审计局 and "e" 沭阳县财政局: 3 refused, 23 granted -> 3/26 = 11.54% each (a tie);
"g" 沭阳县财政局国库支付中心: 0/26; "f" 沭阳县民政局: 0 received and handled -> refusal rate undefined;
"h" 泰安市档案局 (from 000, without its "no requests" sentence): no request figure at all, hotline.cases 13.

Two 2021 reports whose agency could not be read ("1", "2" from 005) share the agency "(unknown)".
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from datetime import datetime

import pytest

from flows.cli import main
from flows.discover import list_report_files
from tests.conftest import EXAMPLES
from tests.test_views import add_cell, cell, copy_report, drop_cells, report, set_cells
from transforms.decode import decode_files
from transforms.extract import extract_records
from transforms.normalize import normalize_batch
from warehouse import compare, db

SHUYANG = "沭阳县发展和改革局"
SHUYANG_ID = db.agency_id(SHUYANG, "321322")
UNKNOWN_ID = db.agency_id(db.UNKNOWN_AGENCY, "321322")
BOTH = ("", "natural_person")


def _fabricate(batch: list[dict]) -> None:
    # 005's 100% is satisfaction with handling deputies' proposals, which extraction rightly leaves out (its gold
    # has it optional): the comparison's satisfaction figures are fabricated like the rest.
    base = report(batch, "005")
    if not any(m["code"] == "satisfaction.rate" for m in base["metrics"]):
        add_cell(base, "satisfaction.rate", "", 100)
        cell(base, "satisfaction.rate").update(unit="%", qualifier="exact", rule="prose:satisfaction.rate")
    y2022 = copy_report(batch, "005", "b", report_year=2022, agency_as_written="沭阳县发改局",
                        published_on="2023-01-20", signed_on="2023-01-20")
    set_cells(y2022, {("proactive.total", ""): 200, ("requests.carried_out", ""): 1,
                      ("satisfaction.rate", ""): 95})
    for breakdown in BOTH:
        set_cells(y2022, {("requests.received", breakdown): 20, ("requests.granted", breakdown): 18,
                          ("requests.denied.state_secret", breakdown): 2, ("requests.handled_total", breakdown): 20})
    cell(y2022, "satisfaction.rate")["qualifier"] = "at_least"
    drop_cells(y2022, [("consultations.total", "网络问政")])
    add_cell(y2022, "staff.full_time", "", 3)
    cell(y2022, "staff.full_time")["unit"] = "人"
    revised = copy_report(batch, "005", "c", published_on="2024-03-01")
    set_cells(revised, {("proactive.total", ""): 250})

    def agency_2025(digit: str, name: str, prefix: str = "005") -> dict:
        return copy_report(batch, prefix, digit, report_year=2025, agency=name, agency_as_written=name)

    for digit, name in (("d", "沭阳县审计局"), ("e", "沭阳县财政局")):
        refusing = agency_2025(digit, name)
        for breakdown in BOTH:
            set_cells(refusing, {("requests.denied.state_secret", breakdown): 3, ("requests.granted", breakdown): 23})
    agency_2025("g", "沭阳县财政局国库支付中心")
    empty = agency_2025("f", "沭阳县民政局")
    for breakdown in BOTH:
        set_cells(empty, {(code, breakdown): 0 for code in
                          ("requests.received", "requests.granted", "requests.handled_total")})
    drop_cells(agency_2025("h", "泰安市档案局", prefix="000"), [("requests.received", "")])
    for digit in "12":
        copy_report(batch, "005", digit, report_year=2021, agency=None, agency_as_written=None)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """Path of the sample warehouse, closed after loading so that the commands can open it read-only."""
    batch = extract_records(normalize_batch(decode_files(list_report_files(EXAMPLES))))
    batch = copy.deepcopy(batch)
    _fabricate(batch)
    path = tmp_path_factory.mktemp("compare") / "w.duckdb"
    con = db.connect(path)
    db.reset_staging(con)
    db.stage(con, db.frames_from_records(batch, "run1", datetime(2026, 1, 1)))
    db.publish(con)
    con.close()
    return str(path)


@pytest.fixture(scope="module")
def con(warehouse):
    con = db.connect(warehouse, read_only=True)
    yield con
    con.close()


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def columns(line: str) -> list[str]:
    """A line of a text table split into its cells (cells are separated by two or more spaces)."""
    return re.split(r"\s{2,}", line.strip())


# ---------------------------------------------------------------- agency matching

@pytest.mark.parametrize("text", [SHUYANG, SHUYANG_ID, "沭阳县发改局", " 发展和改革局 ", "发改局"])
def test_find_agency_by_id_name_written_name_or_substring(con, text):
    found = compare.find_agency(con, text)
    assert (found.agency_id, found.agency_name, found.years) == (SHUYANG_ID, SHUYANG, (2022, 2023))
    assert found.place == "江苏省 宿迁市 沭阳县"


def test_find_agency_exact_name_before_substring(con):
    assert compare.find_agency(con, "沭阳县财政局").agency_name == "沭阳县财政局"  # not also 国库支付中心
    with pytest.raises(compare.AmbiguousAgency) as info:
        compare.find_agency(con, "财政局")
    assert [c.agency_name for c in info.value.candidates] == ["沭阳县财政局", "沭阳县财政局国库支付中心"]


@pytest.mark.parametrize("text", ["不存在的机关", "", "   ", "(unknown)", "unknown"])  # "(unknown)" is no name
def test_find_agency_without_a_match(con, text):
    with pytest.raises(compare.CompareError) as info:
        compare.find_agency(con, text)
    assert not isinstance(info.value, compare.AmbiguousAgency)


# ---------------------------------------------------------------- diff

@pytest.fixture(scope="module")
def shuyang_diff(con):
    return compare.diff(con, compare.find_agency(con, SHUYANG), 2022, 2023)


def test_diff_uses_the_current_version(shuyang_diff):
    assert shuyang_diff.reports == ("b" * 64, "c" * 64)  # the revision "c", not the original 005


def test_diff_metrics(shuyang_diff):
    got = {(m["metric_code"], m["breakdown"]): m for m in shuyang_diff.metrics}

    def row(code, breakdown=""):
        m = got[(code, breakdown)]
        return m["value_a"], m["value_b"], m["change"], m["change_pct"]

    assert row("proactive.total") == (200, 250, 50, pytest.approx(25.0))
    assert row("requests.received") == (20, 26, 6, pytest.approx(30.0))
    assert row("requests.received", "natural_person") == (20, 26, 6, pytest.approx(30.0))
    assert row("requests.denied.state_secret") == (2, 0, -2, pytest.approx(-100.0))
    assert row("requests.carried_out") == (1, 0, -1, pytest.approx(-100.0))
    assert row("requests.carried_in") == (0, 0, 0, None)  # percent change from 0 is undefined
    assert row("satisfaction.rate") == (95, 100, 5, pytest.approx(100 * 5 / 95))
    assert (got[("satisfaction.rate", "")]["qualifier_a"], got[("satisfaction.rate", "")]["qualifier_b"]) == (
        "at_least", "exact")
    assert row("staff.full_time") == (3, None, None, None)
    assert got[("staff.full_time", "")]["unit"] == "人"
    assert row("consultations.total", "网络问政") == (None, 182, None, None)
    assert got[("proactive.total", "")]["label_zh"] == "主动公开政府信息总数"
    # 005 states 87 (metric, breakdown) cells; the 2022 copy drops one (still in 2023) and adds staff.full_time.
    assert len(got) == 87 + 1
    codes = [m["metric_code"] for m in shuyang_diff.metrics]
    assert codes.index("proactive.total") < codes.index("requests.received") < codes.index("review.total")


def test_diff_rates_and_issues(shuyang_diff):
    rates = {r["rate"]: r for r in shuyang_diff.rates}
    assert list(rates) == list(compare.RATES)
    refusal = rates["refusal_rate"]
    assert (refusal["value_a"], refusal["numerator_a"], refusal["denominator_a"]) == (pytest.approx(0.1), 2, 20)
    assert (refusal["value_b"], refusal["numerator_b"], refusal["denominator_b"]) == (0, 0, 26)
    assert refusal["change"] == pytest.approx(-0.1)
    assert (rates["grant_rate"]["value_a"], rates["grant_rate"]["value_b"]) == (pytest.approx(0.9), 1)
    # review: 1 case, 1 pending -> nothing decided in either year: undefined, and so no change.
    assert (rates["review_correction_rate"]["value_a"], rates["review_correction_rate"]["change"]) == (None, None)
    assert shuyang_diff.issues == [
        {"report_year": 2022, "check_name": "balance", "breakdown": "",
         "detail": "received 20 + carried_in 0 <> handled_total 20 + carried_out 1"},
        {"report_year": 2023, "check_name": "carry_over", "breakdown": "",
         "detail": "carried_in 0 <> carried_out 1 of the 2022 report"},
    ]


@pytest.mark.parametrize(("agency", "years", "message"), [
    (SHUYANG, (2021, 2023), "no report for 2021 (years with a report: 2022, 2023)"),
    (SHUYANG, (2023, 2024), "no report for 2024"),
    (SHUYANG, (2023, 2023), "two different years"),
    # "(unknown)" lumps unrelated bodies: two current reports for one year, neither is "the" report.
    (UNKNOWN_ID, (2021, 2023), f"(unknown) has 2 current reports for 2021 ({'1' * 12}, {'2' * 12})"),
])
def test_diff_needs_one_report_for_each_of_two_years(con, agency, years, message):
    with pytest.raises(compare.CompareError, match=re.escape(message)):
        compare.diff(con, compare.find_agency(con, agency), *years)


def test_cli_diff_text(warehouse, capsys):
    code, out, err = cli(capsys, "diff", "沭阳县发改局", "--years", "2022", "2023", "--db", warehouse)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"{SHUYANG}  江苏省 宿迁市 沭阳县  (agency_id {SHUYANG_ID})"
    assert lines[1] == f"2022: report {'b' * 12}   2023: report {'c' * 12}"
    table = {tuple(columns(line)[:2]): columns(line)[2:] for line in lines}
    assert table[("主动公开政府信息总数", "(total)")] == ["200", "250", "+50", "+25.0%", "条", "proactive.total"]
    assert table[("本年新收政府信息公开申请数量", "natural_person")][:4] == ["20", "26", "+6", "+30.0%"]
    assert table[("群众满意率", "(total)")][:4] == ["95 (at least)", "100", "+5", "+5.3%"]
    assert table[("上年结转政府信息公开申请数量", "(total)")][:4] == ["0", "0", "0", "-"]
    assert table[("信息公开专职人员数", "(total)")] == ["3", "-", "-", "-", "人", "staff.full_time"]
    assert table[("不予公开率", "refusal_rate")] == ["10.00%", "2/20", "0.00%", "0/26", "-10.00 pp"]
    assert table[("予以公开率（含部分公开）", "grant_rate")] == ["90.00%", "18/20", "100.00%", "26/26", "+10.00 pp"]
    assert table[("2022", "balance")] == ["(total)", "received 20 + carried_in 0 <> handled_total 20 + carried_out 1"]
    assert table[("2023", "carry_over")] == ["(total)", "carried_in 0 <> carried_out 1 of the 2022 report"]
    # CJK labels take two columns each: the value columns line up on screen.
    ends = {compare.display_width(line[:line.index(" 条 ")]) for line in lines if " 条 " in line}
    assert len(ends) == 1


def test_cli_diff_json_and_csv(warehouse, capsys):
    code, out, _ = cli(capsys, "diff", SHUYANG_ID, "--years", "2022", "2023", "--format", "json", "--db", warehouse)
    assert code == 0
    got = json.loads(out)
    assert (got["years"], got["reports"], got["agency"]["agency_name"]) == ([2022, 2023], ["b" * 64, "c" * 64], SHUYANG)
    metrics = {(m["metric_code"], m["breakdown"]): m for m in got["metrics"]}
    assert metrics[("proactive.total", "")] | {"change_pct": 25} == {
        "metric_code": "proactive.total", "breakdown": "", "label_zh": "主动公开政府信息总数", "unit": "条",
        "value": [200, 250], "qualifier": ["exact", "exact"], "change": 50, "change_pct": 25}
    assert metrics[("proactive.total", "")]["change_pct"] == pytest.approx(25.0)
    refusal = next(r for r in got["rates"] if r["rate"] == "refusal_rate")
    assert (refusal["numerator"], refusal["denominator"]) == ([2, 0], [20, 26])
    assert [i["check_name"] for i in got["issues"]] == ["balance", "carry_over"]

    code, out, _ = cli(capsys, "diff", SHUYANG, "--years", "2022", "2023", "--format", "csv", "--db", warehouse)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    by_key = {(r["section"], r["code"], r["breakdown"]): r for r in rows}
    total = by_key[("metric", "proactive.total", "")]
    assert (total["value_2022"], total["value_2023"], total["change"], total["change_pct"]) == ("200", "250", "50", "25")
    assert by_key[("metric", "satisfaction.rate", "")]["note_2022"] == "at_least"
    assert (by_key[("rate", "refusal_rate", "")]["note_2022"], by_key[("rate", "refusal_rate", "")]["value_2022"]) == (
        "2/20", "0.1")
    assert by_key[("issue", "carry_over", "")]["note_2023"] == "carried_in 0 <> carried_out 1 of the 2022 report"
    assert len(rows) == 88 + len(compare.RATES) + 2  # metrics, rates, issues


@pytest.mark.parametrize(("argv", "message"), [
    (["发展和改革"], ["2 agencies match '发展和改革'", "张掖市发展和改革委员会", SHUYANG, "2022, 2023"]),
    (["不存在的机关"], ["no agency matches '不存在的机关'"]),
    ([SHUYANG, "--years", "2021", "2023"], ["has no report for 2021"]),
])
def test_cli_diff_exit_2(warehouse, capsys, argv, message):
    if "--years" not in argv:
        argv = [*argv, "--years", "2022", "2023"]
    code, out, err = cli(capsys, "diff", *argv, "--db", warehouse)
    assert (code, out) == (2, "")
    assert all(part in err for part in message), err


def test_cli_without_a_warehouse(tmp_path, capsys):
    code, _, err = cli(capsys, "rank", "refusal_rate", "--year", "2025", "--db", str(tmp_path / "none.duckdb"))
    assert code == 2 and "no warehouse at" in err


# ---------------------------------------------------------------- rank

def ranked(ranking):
    return [(r["rank"], r["agency_name"]) for r in ranking.rows]


def test_rank_refusal_rate_ties_and_undefined_rates(con):
    r = compare.rank(con, "refusal_rate", 2025)
    assert ranked(r) == [(1, "沭阳县审计局"), (1, "沭阳县财政局"), (3, "上海市人民政府办公厅"),
                         (4, "沭阳县财政局国库支付中心")]
    assert [row["value"] for row in r.rows] == [pytest.approx(3 / 26)] * 2 + [pytest.approx(20 / 1191), 0]
    assert [(row["numerator"], row["denominator"]) for row in r.rows] == [(3, 26), (3, 26), (20, 1191), (0, 26)]
    assert (r.ranked, r.no_value, r.below_min_volume) == (4, 2, 0)  # 民政局 (0 handled) and 泰安市档案局


def test_rank_ascending_and_limit(con):
    assert ranked(compare.rank(con, "refusal_rate", 2025, ascending=True)) == [
        (1, "沭阳县财政局国库支付中心"), (2, "上海市人民政府办公厅"), (3, "沭阳县审计局"), (3, "沭阳县财政局")]
    r = compare.rank(con, "refusal_rate", 2025, limit=2)
    assert (ranked(r), r.ranked) == ([(1, "沭阳县审计局"), (1, "沭阳县财政局")], 4)


def test_rank_min_volume_is_the_rate_denominator(con):
    r = compare.rank(con, "refusal_rate", 2025, min_volume=100)
    assert ranked(r) == [(1, "上海市人民政府办公厅")]
    assert (r.no_value, r.below_min_volume) == (2, 3)
    assert compare.rank(con, "refusal_rate", 2025, min_volume=26).ranked == 4  # at least N: 26 handled is enough
    # review_correction_rate's denominator is the decided reviews: 上海 50 (55 - 5 pending), the 005 copies 0.
    r = compare.rank(con, "review_correction_rate", 2025, min_volume=1)
    assert ([(row["rank"], row["agency_name"], row["value"], row["denominator"]) for row in r.rows], r.no_value) == (
        [(1, "上海市人民政府办公厅", 0, 50)], 5)


def test_rank_a_catalog_metric(con):
    r = compare.rank(con, "requests.received", 2025)
    assert [(row["rank"], row["agency_name"], row["value"]) for row in r.rows] == [
        (1, "上海市人民政府办公厅", 1295), (2, "沭阳县审计局", 26), (2, "沭阳县财政局", 26),
        (2, "沭阳县财政局国库支付中心", 26), (5, "沭阳县民政局", 0)]
    assert r.no_value == 1  # 泰安市档案局
    by_person = compare.rank(con, "requests.received", 2025, breakdown="natural_person")
    assert (by_person.rows[0]["value"], by_person.ranked, by_person.no_value) == (1259, 5, 1)  # free-form: no column
    # For a metric the volume is requests received: only 上海 received 100 or more.
    granted = compare.rank(con, "requests.granted", 2025, min_volume=100)
    assert ([(row["agency_name"], row["value"], row["volume"]) for row in granted.rows], granted.no_value,
            granted.below_min_volume) == ([("上海市人民政府办公厅", 206, 1295)], 1, 4)
    # A report that states no requests received has no volume: it never passes a --min-volume, even 0.
    assert [(row["agency_name"], row["value"]) for row in compare.rank(con, "hotline.cases", 2025).rows] == [
        ("泰安市档案局", 13)]
    hotline = compare.rank(con, "hotline.cases", 2025, min_volume=0)
    assert (hotline.ranked, hotline.no_value, hotline.below_min_volume) == (0, 5, 1)


@pytest.mark.parametrize(("args", "message"), [
    (("refusal", 2025), "did you mean refusal_rate"),
    (("refusal_rate", 2019), "no reports for 2019 (years in the warehouse: 2010, 2012, 2021, 2022, 2023, 2025)"),
])
def test_rank_errors(con, args, message):
    with pytest.raises(compare.CompareError, match=re.escape(message)):
        compare.rank(con, *args)
    with pytest.raises(compare.CompareError, match="total column only"):
        compare.rank(con, "refusal_rate", 2025, breakdown="natural_person")


def test_cli_rank_text(warehouse, capsys):
    code, out, err = cli(capsys, "rank", "refusal_rate", "--year", "2025", "--db", warehouse)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == ("refusal_rate, 2025, highest first: 4 ranked; not ranked: 2 with no value "
                        "(rate undefined: an input unstated or a zero denominator)")
    assert columns(lines[2]) == ["rank", "agency", "province", "city", "value", "numerator", "denominator", "report"]
    assert [columns(line) for line in lines[3:]] == [
        ["1", "沭阳县审计局", "江苏省", "宿迁市", "11.54%", "3", "26", "d" * 12],
        ["1", "沭阳县财政局", "江苏省", "宿迁市", "11.54%", "3", "26", "e" * 12],
        ["3", "上海市人民政府办公厅", "上海市", "-", "1.68%", "20", "1191", columns(lines[5])[-1]],
        ["4", "沭阳县财政局国库支付中心", "江苏省", "宿迁市", "0.00%", "0", "26", "g" * 12],
    ]
    # Names of 6 to 12 CJK characters: every data row has the same width on screen.
    assert len({compare.display_width(line) for line in lines[3:]}) == 1


def test_cli_rank_min_volume_csv(warehouse, con, capsys):
    code, out, err = cli(capsys, "rank", "requests.granted", "--year", "2025", "--min-volume", "100",
                         "--format", "csv", "--db", warehouse)
    assert code == 0
    [shanghai] = con.execute("SELECT report_id FROM fact_report WHERE source_path LIKE '%/006_%'").fetchone()
    assert list(csv.DictReader(io.StringIO(out))) == [{
        "rank": "1", "agency_name": "上海市人民政府办公厅", "province": "上海市", "city": "", "value": "206",
        "qualifier": "exact", "volume": "1295", "report_id": shanghai}]
    assert "4 below --min-volume 100 (requests received; or volume not stated)" in err  # stdout stays pure CSV


def test_cli_rank_json(warehouse, capsys):
    code, out, _ = cli(capsys, "rank", "requests.granted", "--year", "2025", "--min-volume", "100",
                       "--format", "json", "--db", warehouse)
    assert code == 0
    got = json.loads(out)
    assert {k: got[k] for k in ("metric", "kind", "year", "min_volume", "ranked", "no_value", "below_min_volume")} == {
        "metric": "requests.granted", "kind": "metric", "year": 2025, "min_volume": 100, "ranked": 1, "no_value": 1,
        "below_min_volume": 4}
    assert [(r["rank"], r["agency_name"], r["value"], r["volume"]) for r in got["rows"]] == [
        (1, "上海市人民政府办公厅", 206, 1295)]


@pytest.mark.parametrize(("argv", "message"), [
    (["refusal", "--year", "2025"], "unknown metric 'refusal'"),
    (["refusal_rate", "--year", "2019"], "no reports for 2019"),
    (["refusal_rate", "--year", "2025", "--breakdown", "natural_person"], "total column only"),
])
def test_cli_rank_exit_2(warehouse, capsys, argv, message):
    code, out, err = cli(capsys, "rank", *argv, "--db", warehouse)
    assert (code, out) == (2, "") and message in err


@pytest.mark.parametrize("limit", ["-1", "0"])
def test_cli_rank_refuses_a_limit_below_one(warehouse, capsys, limit):
    with pytest.raises(SystemExit) as exc:  # argparse's own refusal: exit 2 with the reason
        main(["rank", "refusal_rate", "--year", "2025", "--limit", limit, "--db", warehouse])
    assert exc.value.code == 2 and "must be at least 1" in capsys.readouterr().err


# ---------------------------------------------------------------- formatting

def test_text_table_aligns_by_display_width():
    table = compare.text_table(["name", "n"], [["上海市", "1"], ["ab", "22"], ["沭阳县审计局x", "333"]], right=(1,))
    assert table.splitlines() == [
        "name             n",
        "上海市           1",
        "ab              22",
        "沭阳县审计局x  333",
    ]
    assert compare.display_width("上海a１") == 7  # fullwidth digit: two columns
