"""warehouse/views and warehouse/queries: hand-checked figures from the sample reports.

Figures of 006 (上海市人民政府办公厅 2025) used below, total column unless said otherwise: received 1295,
carried_in 189, granted 206, partially_granted 2, denied 20 (sub-rows 4+0+1+0+9+1+0+5), unavailable 564
(513+48+3), not_processed 80 (62+16+1+1+0), other 319 (43+0+276), handled_total 1191, carried_out 293;
natural_person: received 1259, carried_in 170, granted 201, partially_granted 2, denied sub-rows 19,
unavailable sub-rows 534, not_processed sub-rows 79, other sub-rows 304, handled_total 1139, carried_out 290;
commercial_enterprise granted 5, the other four applicant columns granted 0. Table 四: review 40/0/10/5/55,
direct lawsuits 2/0/4/6/12, after review 6/0/9/7/22 (upheld/corrected/other/pending/total).
005 (沭阳县发展和改革局 2023) fills in only the natural_person and total columns: received 26, granted 26,
handled_total 26, every other request row 0, no group totals; review 0/0/0/1/1, lawsuits all 0.
"""

from __future__ import annotations

import copy
import math
import pathlib
from datetime import datetime

import pytest

from flows.discover import list_report_files
from tests.conftest import EXAMPLES
from transforms.decode import decode_files
from transforms.extract import extract_records
from transforms.normalize import normalize_batch
from warehouse import db

WAREHOUSE = pathlib.Path(db.__file__).resolve().parent
QUERIES = sorted((WAREHOUSE / "queries").glob("*.sql"))
VIEWS = {
    "v_request_outcomes", "v_rates", "v_refusals_by_year", "v_quality_issues", "v_agency_yoy",
    "v_missing_reports", "v_requests_by_agency_year", "v_proactive_by_province_year", "v_appeals_by_year",
}
APPLICANTS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
              "legal_service_org", "other_org")
SHANGHAI, SHUYANG = "006", "005"


# ---------------------------------------------------------------- building sample warehouses

@pytest.fixture(scope="module")
def records():
    return extract_records(normalize_batch(decode_files(list_report_files(EXAMPLES))))


@pytest.fixture(scope="module")
def build(records, tmp_path_factory):
    """build(edit) -> a connection to a fresh warehouse loaded from a deep copy of the records after edit(copy)."""
    def _build(edit=None):
        batch = copy.deepcopy(records)
        if edit is not None:
            edit(batch)
        con = db.connect(tmp_path_factory.mktemp("views") / "w.duckdb")
        db.reset_staging(con)
        db.stage(con, db.frames_from_records(batch, "run1", datetime(2026, 1, 1)))
        db.publish(con)
        return con
    return _build


@pytest.fixture(scope="module")
def con(build):
    return build()


def report(batch, prefix):
    """The record read from examples/reports/<prefix>_*."""
    [found] = [r for r in batch if pathlib.Path(r["source"]).name.startswith(prefix + "_")]
    return found


def cell(record, code, breakdown=""):
    hits = [m for m in record["metrics"] if m["code"] == code and m["breakdown"] == breakdown]
    assert len(hits) == 1, (code, breakdown, hits)
    return hits[0]


def set_cells(record, cells):
    for (code, breakdown), value in cells.items():
        cell(record, code, breakdown)["value"] = value


def drop_cells(record, cells):
    for code, breakdown in cells:
        record["metrics"].remove(cell(record, code, breakdown))


def add_cell(record, code, breakdown, value):
    record["metrics"].append({**record["metrics"][0], "code": code, "breakdown": breakdown, "value": value})


def copy_report(batch, prefix, sha_digit, **fields):
    """A second report fabricated from a sample one: another file (sha256 -> report_id) with changed fields."""
    fabricated = copy.deepcopy(report(batch, prefix))
    fabricated.update(sha256=sha_digit * 64, source=f"fabricated/{sha_digit}_{prefix}.txt", **fields)
    batch.append(fabricated)
    return fabricated


def report_id(con, prefix):
    return con.execute("SELECT report_id FROM fact_report WHERE source_path LIKE ?",
                       [f"%/{prefix}_%"]).fetchone()[0]


def rows(con, sql, params=()):
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def one(con, sql, params=()):
    [row] = rows(con, sql, params)
    return row


def issues(con):
    return {(r["report_year"], r["check_name"], r["breakdown"], r["detail"])
            for r in rows(con, "SELECT * FROM v_quality_issues")}


# ---------------------------------------------------------------- catalog

def test_every_view_exists_and_has_a_comment(con, tmp_path):
    views = dict(con.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal AND NOT temporary").fetchall())
    assert VIEWS <= views.keys()
    assert {name for name, comment in views.items() if not comment} == set()
    # Reconnecting re-applies every view file (CREATE OR REPLACE drops a comment; the files set it again).
    path = tmp_path / "again.duckdb"
    db.connect(path).close()
    again = db.connect(path)
    undocumented = again.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal AND comment IS NULL")
    assert undocumented.fetchall() == []


# ---------------------------------------------------------------- v_request_outcomes

OUTCOME_COLUMNS = [
    "report_id", "agency_id", "agency_name", "province", "report_year", "breakdown",
    "received", "carried_in", "granted", "partially_granted", "denied", "denied_state_secret",
    "denied_prohibited_by_law", "denied_security_stability", "denied_third_party", "denied_internal_affairs",
    "denied_process_info", "denied_enforcement_files", "denied_query_matters", "unavailable",
    "unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear", "not_processed",
    "not_processed_complaint", "not_processed_repeat", "not_processed_publication", "not_processed_mass_repeat",
    "not_processed_confirmation", "other", "other_no_correction", "other_unpaid_fee", "other_other",
    "handled_total", "carried_out", "is_current",
]


def test_request_outcomes_columns(con):
    assert [r[0] for r in con.execute("DESCRIBE v_request_outcomes").fetchall()] == OUTCOME_COLUMNS


def test_request_outcomes_shanghai_2025(con):
    rid = report_id(con, SHANGHAI)
    total = one(con, "SELECT * FROM v_request_outcomes WHERE report_id = ? AND breakdown = ''", [rid])
    assert (total["agency_name"], total["province"], total["report_year"]) == ("上海市人民政府办公厅", "上海市", 2025)
    assert {k: total[k] for k in ("received", "carried_in", "granted", "partially_granted", "denied",
                                  "denied_state_secret", "denied_internal_affairs", "unavailable",
                                  "unavailable_not_held", "not_processed", "not_processed_repeat", "other",
                                  "other_other", "handled_total", "carried_out")} == {
        "received": 1295, "carried_in": 189, "granted": 206, "partially_granted": 2, "denied": 20,
        "denied_state_secret": 4, "denied_internal_affairs": 9, "unavailable": 564, "unavailable_not_held": 513,
        "not_processed": 80, "not_processed_repeat": 16, "other": 319, "other_other": 276,
        "handled_total": 1191, "carried_out": 293}
    person = one(con, "SELECT * FROM v_request_outcomes WHERE report_id = ? AND breakdown = 'natural_person'", [rid])
    assert (person["received"], person["granted"], person["handled_total"], person["carried_out"]) == (
        1259, 201, 1139, 290)
    assert person["denied"] is None  # group totals are stated only for the total column (in the prose)
    breakdowns = {r[0] for r in con.execute("SELECT breakdown FROM v_request_outcomes WHERE report_id = ?",
                                            [rid]).fetchall()}
    assert breakdowns == {"", *APPLICANTS}


def test_request_outcomes_leave_out_blank_applicant_columns(con):
    got = rows(con, "SELECT breakdown, received, granted, denied, denied_state_secret, handled_total "
                    "FROM v_request_outcomes WHERE report_id = ? ORDER BY breakdown", [report_id(con, SHUYANG)])
    assert got == [
        {"breakdown": "", "received": 26, "granted": 26, "denied": None, "denied_state_secret": 0,
         "handled_total": 26},
        {"breakdown": "natural_person", "received": 26, "granted": 26, "denied": None, "denied_state_secret": 0,
         "handled_total": 26},
    ]


def test_request_outcomes_only_reports_with_request_figures(build):
    def edit(batch):  # 003 states only "尚未收到公开申请" (requests.received 0): take that away
        drop_cells(report(batch, "003"), [("requests.received", "")])

    con = build(edit)
    in_view = {r[0] for r in con.execute("SELECT DISTINCT report_id FROM v_request_outcomes").fetchall()}
    assert len(in_view) == 6 and report_id(con, "003") not in in_view
    # Free-form reports appear with what they state: received 0, everything else NULL.
    free = one(con, "SELECT * FROM v_request_outcomes WHERE report_id = ?", [report_id(con, "000")])
    assert free["received"] == 0 and free["breakdown"] == ""
    assert all(free[c] is None for c in OUTCOME_COLUMNS[7:-1]) and free["is_current"] is True


# ---------------------------------------------------------------- v_rates

def rates(con, prefix):
    return one(con, "SELECT * FROM v_rates WHERE report_id = ?", [report_id(con, prefix)])


def test_rates_shanghai_2025(con):
    r = rates(con, SHANGHAI)
    assert (r["grant_numerator"], r["grant_denominator"]) == (208, 1191)
    assert r["grant_rate"] == pytest.approx((206 + 2) / 1191)
    assert (r["refusal_numerator"], r["refusal_denominator"], r["refusal_rate"]) == (20, 1191, pytest.approx(20 / 1191))
    assert (r["cannot_provide_numerator"], r["cannot_provide_rate"]) == (564, pytest.approx(564 / 1191))
    assert (r["not_processed_numerator"], r["not_processed_rate"]) == (80, pytest.approx(80 / 1191))
    # 0 corrected out of 55 reviews of which 5 pending: a defined rate of 0, not NULL.
    assert (r["review_correction_numerator"], r["review_correction_denominator"]) == (0, 55 - 5)
    assert r["review_correction_rate"] == 0
    assert (r["litigation_correction_numerator"], r["litigation_correction_denominator"]) == (0, 12 + 22 - 6 - 7)
    assert r["litigation_correction_rate"] == 0


def test_rates_derive_groups_from_sub_rows_and_are_null_for_a_zero_denominator(con):
    r = rates(con, SHUYANG)
    assert (r["grant_rate"], r["grant_numerator"], r["grant_denominator"]) == (1.0, 26, 26)
    # No group totals stated: the groups are the sums of their (all zero) sub-rows, so the rates are 0.
    assert (r["refusal_rate"], r["refusal_numerator"]) == (0.0, 0)
    assert (r["cannot_provide_rate"], r["not_processed_rate"]) == (0.0, 0.0)
    # review: total 1, pending 1 -> nothing decided yet; lawsuits: none at all.
    assert (r["review_correction_rate"], r["review_correction_numerator"], r["review_correction_denominator"]) == (
        None, 0, 0)
    assert (r["litigation_correction_rate"], r["litigation_correction_denominator"]) == (None, 0)


def test_rates_null_when_inputs_unstated(con):
    assert con.execute("SELECT count(*) FROM v_rates").fetchone() == (7,)  # one row per report
    r = rates(con, "000")  # free-form: "不涉及依申请公开" gives received 0, no handled_total, no table 四
    rate_columns = [k for k in r if k.endswith(("_rate", "_numerator", "_denominator"))]
    assert len(rate_columns) == 18
    assert {k: r[k] for k in rate_columns} == dict.fromkeys(rate_columns)


def test_rates_null_for_zero_handled_total_and_for_partial_sub_rows(build):
    def edit(batch):
        shuyang = report(batch, SHUYANG)
        set_cells(shuyang, {("requests.handled_total", ""): 0})
        drop_cells(shuyang, [("requests.denied.query_matters", "")])  # 7 of the 8 denial sub-rows left

    r = rates(build(edit), SHUYANG)
    assert (r["grant_rate"], r["grant_numerator"], r["grant_denominator"]) == (None, 26, 0)
    assert (r["cannot_provide_rate"], r["cannot_provide_numerator"]) == (None, 0)
    assert (r["refusal_rate"], r["refusal_numerator"]) == (None, None)
    assert all(v is None or math.isfinite(v) for k, v in r.items() if k.endswith("_rate"))


def test_rates_from_sub_rows_equal_the_stated_group_totals(build):
    def edit(batch):  # without the prose's group totals the groups come from the table's sub-rows
        drop_cells(report(batch, SHANGHAI), [(f"requests.{group}", "")
                                             for group in ("denied", "unavailable", "not_processed", "other")])

    r = rates(build(edit), SHANGHAI)
    assert (r["refusal_numerator"], r["cannot_provide_numerator"], r["not_processed_numerator"]) == (
        4 + 0 + 1 + 0 + 9 + 1 + 0 + 5, 513 + 48 + 3, 62 + 16 + 1 + 1 + 0)
    assert r["refusal_rate"] == pytest.approx(20 / 1191)


# ---------------------------------------------------------------- v_refusals_by_year

def test_refusals_by_year(con):
    got = {(r["report_year"], r["reason"]): (r["requests_denied"], r["reporting_agencies"], r["reports"])
           for r in rows(con, "SELECT * FROM v_refusals_by_year")}
    assert len(got) == 16  # 8 reasons in each of 2023 (005) and 2025 (006)
    assert got[(2025, "state_secret")] == (4, 1, 1)
    assert got[(2025, "internal_affairs")] == (9, 1, 1)
    assert sum(v[0] for (year, _), v in got.items() if year == 2025) == 20
    assert got[(2023, "state_secret")] == (0, 1, 1)


def test_refusals_by_year_count_the_total_column_only(build):
    con = build(lambda batch: drop_cells(report(batch, SHANGHAI), [("requests.denied.state_secret", "")]))
    got = rows(con, "SELECT report_year FROM v_refusals_by_year WHERE reason = 'state_secret'")
    assert got == [{"report_year": 2023}]  # 006's natural_person column alone does not count


# ---------------------------------------------------------------- v_quality_issues

def test_quality_issues_empty_on_the_sample_warehouse(con):
    assert issues(con) == set()


def test_quality_one_changed_granted_cell(build):
    # natural_person granted 201 -> 202 touches two identities: the granted row's total (206 = 201 + 5) and
    # the natural_person column's handled sum (1139 = 201 + 2 + 19 + 534 + 79 + 304). received + carried_in =
    # handled_total + carried_out does not involve granted, so balance still holds.
    con = build(lambda batch: set_cells(report(batch, SHANGHAI), {("requests.granted", "natural_person"): 202}))
    assert issues(con) == {
        (2025, "row_total", "", "granted: total 206 <> natural_person 202 + commercial_enterprise 5"
                                " + research_institution 0 + social_welfare_org 0 + legal_service_org 0 + other_org 0"),
        (2025, "handled_sum", "natural_person", "handled_total 1139 <> granted 202 + partially_granted 2"
                                                " + denied sub-rows 19 + unavailable sub-rows 534"
                                                " + not_processed sub-rows 79 + other sub-rows 304"),
    }


def test_quality_one_changed_received_cell(build):
    con = build(lambda batch: set_cells(report(batch, SHANGHAI), {("requests.received", "natural_person"): 1260}))
    assert issues(con) == {
        (2025, "balance", "natural_person", "received 1260 + carried_in 170 <> handled_total 1139 + carried_out 290"),
        (2025, "row_total", "", "received: total 1295 <> natural_person 1260 + commercial_enterprise 36"
                                " + research_institution 0 + social_welfare_org 0 + legal_service_org 0 + other_org 0"),
    }


def test_quality_one_changed_total_sub_row(build):
    # The total column's state_secret 4 -> 5: its row total, the total column's handled sum, and the prose's
    # "不予公开 20 件" against the table's sub-rows.
    con = build(lambda batch: set_cells(report(batch, SHANGHAI), {("requests.denied.state_secret", ""): 5}))
    assert issues(con) == {
        (2025, "row_total", "", "denied_state_secret: total 5 <> natural_person 4 + commercial_enterprise 0"
                                " + research_institution 0 + social_welfare_org 0 + legal_service_org 0 + other_org 0"),
        (2025, "handled_sum", "", "handled_total 1191 <> granted 206 + partially_granted 2 + denied sub-rows 21"
                                  " + unavailable sub-rows 564 + not_processed sub-rows 80 + other sub-rows 319"),
        (2025, "prose_vs_table", "", "denied 20 <> state_secret 5 + prohibited_by_law 0 + security_stability 1"
                                     " + third_party 0 + internal_affairs 9 + process_info 1 + enforcement_files 0"
                                     " + query_matters 5"),
    }


def test_quality_review_and_litigation_totals(build):
    def edit(batch):
        set_cells(report(batch, SHANGHAI), {("review.upheld", ""): 41, ("litigation.after_review.pending", ""): 8})

    assert issues(build(edit)) == {
        (2025, "review_total", "", "review: total 55 <> upheld 41 + corrected 0 + other 10 + pending 5"),
        (2025, "review_total", "", "litigation.after_review: total 22 <> upheld 6 + corrected 0 + other 9 + pending 8"),
    }


def test_quality_skips_checks_with_unstated_inputs(build):
    def edit(batch):
        shanghai = report(batch, SHANGHAI)
        # Without natural_person's carried_out its balance cannot be checked (and the carried_out row has only
        # five applicant columns), so the changed received cell breaks only the received row's total.
        drop_cells(shanghai, [("requests.carried_out", "natural_person")])
        set_cells(shanghai, {("requests.received", "natural_person"): 1260})
        # A group total without all its sub-rows is not compared: "other 319" against two of three sub-rows.
        drop_cells(shanghai, [("requests.other.unpaid_fee", "")])

    assert {(check, breakdown) for _, check, breakdown, _ in issues(build(edit))} == {("row_total", "")}


def test_quality_2019_format_single_other_row(build):
    def as_2019_format(other_natural_person):
        def edit(batch):
            shuyang = report(batch, SHUYANG)
            for breakdown, value in (("", 0), ("natural_person", other_natural_person)):
                drop_cells(shuyang, [(f"requests.other.{sub}", breakdown)
                                     for sub in ("no_correction", "unpaid_fee", "other")])
                add_cell(shuyang, "requests.other", breakdown, value)
        return edit

    assert issues(build(as_2019_format(0))) == set()
    assert issues(build(as_2019_format(1))) == {
        (2023, "handled_sum", "natural_person", "handled_total 26 <> granted 26 + partially_granted 0"
                                                " + denied sub-rows 0 + unavailable sub-rows 0"
                                                " + not_processed sub-rows 0 + other 1"),
    }


# ---------------------------------------------------------------- second-year warehouse: yoy, gaps, carry-over

@pytest.fixture(scope="module")
def two_years(build):
    def edit(batch):
        # 006 again for 2026 (another file, same agency) with 1400 requests received instead of 1295.
        shanghai_2026 = copy_report(batch, SHANGHAI, "a", report_year=2026)
        set_cells(shanghai_2026, {("requests.received", ""): 1400})
        # 005 again for 2024, proactive.total 249 -> 300; its table is unchanged and carries 0 over as before.
        shuyang_2024 = copy_report(batch, SHUYANG, "b", report_year=2024)
        set_cells(shuyang_2024, {("proactive.total", ""): 300})
        # 006 unchanged for 2028 after a gap: nothing to compare it with (2027 is missing), not 2026 or 2025.
        copy_report(batch, SHANGHAI, "e", report_year=2028)
    return build(edit)


def yoy(con, agency, metric, breakdown, year):
    return one(con, "SELECT value, previous_value, change FROM v_agency_yoy WHERE agency_name = ? "
                    "AND metric_code = ? AND breakdown = ? AND report_year = ?", [agency, metric, breakdown, year])


def test_agency_yoy(two_years):
    assert yoy(two_years, "上海市人民政府办公厅", "requests.received", "", 2026) == {
        "value": 1400, "previous_value": 1295, "change": 105}
    assert yoy(two_years, "上海市人民政府办公厅", "requests.received", "natural_person", 2026) == {
        "value": 1259, "previous_value": 1259, "change": 0}
    assert yoy(two_years, "上海市人民政府办公厅", "requests.received", "", 2025) == {
        "value": 1295, "previous_value": None, "change": None}
    assert yoy(two_years, "沭阳县发展和改革局", "proactive.total", "", 2024) == {
        "value": 300, "previous_value": 249, "change": 51}
    assert yoy(two_years, "上海市人民政府办公厅", "requests.received", "", 2028) == {
        "value": 1295, "previous_value": None, "change": None}


def test_agency_yoy_has_no_previous_without_a_second_year(con):
    assert con.execute("SELECT count(*), count(previous_value), count(change) FROM v_agency_yoy").fetchone() == (
        con.execute("SELECT count(*) FROM (SELECT DISTINCT agency_id, report_year, metric_code, breakdown "
                    "FROM fact_metric)").fetchone()[0], 0, 0)


def test_missing_reports(con, two_years):
    base = {(r["agency_name"], r["last_year"], r["missing_year"]) for r in rows(con, "SELECT * FROM v_missing_reports")}
    assert base == {
        ("泰安市市直机关事务管理局", 2010, 2011), ("张掖市发展和改革委员会", 2010, 2011), ("亳州市民政局", 2012, 2013),
        ("阿尔山市", 2012, 2013), ("机关管理局", 2023, 2024), ("沭阳县发展和改革局", 2023, 2024),
    }  # 上海 reported for 2025, the latest year: not yet a gap
    fabricated = {(r["agency_name"], r["last_year"], r["missing_year"])
                  for r in rows(two_years, "SELECT * FROM v_missing_reports")}
    # Latest year now 2028. 沭阳 has 2023 and 2024 but not 2025; 上海 has 2025, 2026 and 2028 but not 2027.
    assert fabricated == base - {("沭阳县发展和改革局", 2023, 2024)} | {
        ("沭阳县发展和改革局", 2024, 2025), ("上海市人民政府办公厅", 2026, 2027)}


def test_unknown_agencies_are_not_compared_across_years(build):
    def edit(batch):  # two reports whose agency could not be read, in consecutive years and one place
        copy_report(batch, SHUYANG, "f", agency=None, report_year=2021)
        unknown = copy_report(batch, SHUYANG, "9", agency=None, report_year=2022)
        set_cells(unknown, {("requests.carried_in", ""): 7})

    con = build(edit)
    assert con.execute("SELECT count(DISTINCT agency_id) FROM fact_report JOIN dim_agency USING (agency_id) "
                       "WHERE agency_name = '(unknown)'").fetchone() == (1,)
    for view in ("v_agency_yoy", "v_missing_reports"):
        assert con.execute(f"SELECT count(*) FROM {view} WHERE agency_name = '(unknown)'").fetchone() == (0,)
    assert {check for _, check, _, _ in issues(con)} == {"balance"}  # carried_in 7 breaks no carry_over


def test_quality_issues_across_years(two_years):
    # The 2026 copy: received 1400 breaks its total column's balance and the received row's total, and its
    # carried_in 189 differs from 2025's carried_out 293. The 2024 copy of 005 carries 0 in as 2023 carried 0 out;
    # the 2028 copy has no 2027 report to be compared with.
    assert issues(two_years) == {
        (2026, "balance", "", "received 1400 + carried_in 189 <> handled_total 1191 + carried_out 293"),
        (2026, "row_total", "", "received: total 1400 <> natural_person 1259 + commercial_enterprise 36"
                                " + research_institution 0 + social_welfare_org 0 + legal_service_org 0 + other_org 0"),
        (2026, "carry_over", "", "carried_in 189 <> carried_out 293 of the 2025 report"),
    }


# ---------------------------------------------------------------- operations views

def test_requests_by_agency_year(con):
    got = one(con, "SELECT * FROM v_requests_by_agency_year WHERE agency_name = '上海市人民政府办公厅'")
    assert {k: got[k] for k in ("province", "report_year", "received", "handled_total", "granted",
                                "partially_granted", "denied")} == {
        "province": "上海市", "report_year": 2025, "received": 1295, "handled_total": 1191, "granted": 206,
        "partially_granted": 2, "denied": 20}
    assert got["refusal_rate"] == pytest.approx(20 / 1191)
    shuyang = one(con, "SELECT denied, refusal_rate FROM v_requests_by_agency_year WHERE report_year = 2023 "
                       "AND agency_name = '沭阳县发展和改革局'")
    assert shuyang == {"denied": 0, "refusal_rate": 0}  # denied from its 8 sub-rows
    assert con.execute("SELECT count(*) FROM v_requests_by_agency_year").fetchone() == (7,)


def test_operations_views_over_two_reports_per_year(build):
    def edit(batch):
        # A revised version of 006 published later (fact_report.is_current marks it the latest): one request
        # moved from granted to partially granted in both columns it concerns, so its table still adds up.
        report(batch, SHANGHAI)["published_on"] = "2026-01-20"
        revised = copy_report(batch, SHANGHAI, "c", published_on="2026-02-01")
        set_cells(revised, {("requests.granted", ""): 205, ("requests.granted", "natural_person"): 200,
                            ("requests.partially_granted", ""): 3, ("requests.partially_granted", "natural_person"): 3})
        # Another agency's 2025 report built from 005: 3 refused as state secrets (in both columns it fills in),
        # 23 granted, so its table still adds up.
        other = copy_report(batch, SHUYANG, "d", report_year=2025, agency="沭阳县审计局")
        for breakdown in ("", "natural_person"):
            set_cells(other, {("requests.denied.state_secret", breakdown): 3, ("requests.granted", breakdown): 23})

    con = build(edit)
    assert issues(con) == set()
    # Per-report views keep both versions and say which is current; the by-year views use the revision.
    versions = rows(con, "SELECT report_id, granted, is_current FROM v_request_outcomes "
                         "WHERE agency_name = '上海市人民政府办公厅' AND breakdown = '' ORDER BY granted")
    assert versions == [{"report_id": "c" * 64, "granted": 205, "is_current": True},
                        {"report_id": report_id(con, SHANGHAI), "granted": 206, "is_current": False}]
    assert [r["grant_numerator"] for r in rows(con, "SELECT * FROM v_rates WHERE is_current AND "
                                                    "agency_name = '上海市人民政府办公厅'")] == [208]
    shanghai = rows(con, "SELECT report_id, granted, partially_granted FROM v_requests_by_agency_year "
                         "WHERE agency_name = '上海市人民政府办公厅'")
    assert shanghai == [{"report_id": "c" * 64, "granted": 205, "partially_granted": 3}]
    assert yoy(con, "上海市人民政府办公厅", "requests.granted", "", 2025)["value"] == 205  # not max(205, 206)
    audit = one(con, "SELECT denied, refusal_rate FROM v_requests_by_agency_year WHERE agency_name = '沭阳县审计局'")
    assert (audit["denied"], audit["refusal_rate"]) == (3, pytest.approx(3 / 26))
    secret = one(con, "SELECT requests_denied, reporting_agencies, reports FROM v_refusals_by_year "
                      "WHERE report_year = 2025 AND reason = 'state_secret'")
    assert secret == {"requests_denied": 4 + 3, "reporting_agencies": 2, "reports": 2}  # 上海 counted once
    appeals = one(con, "SELECT * FROM v_appeals_by_year WHERE report_year = 2025")
    assert (appeals["reports_with_appeals"], appeals["review_total"], appeals["litigation_total"]) == (2, 55 + 1, 34)
    proactive = {r["province"]: r for r in rows(con, "SELECT * FROM v_proactive_by_province_year "
                                                     "WHERE report_year = 2025")}
    assert (proactive["江苏省"]["reports"], proactive["江苏省"]["proactive_total"]) == (1, 249)
    assert (proactive["上海市"]["reports"], proactive["上海市"]["proactive_website"]) == (1, 13528)


def test_proactive_by_province_year(con):
    got = {(r["province"], r["report_year"]): r for r in rows(con, "SELECT * FROM v_proactive_by_province_year")}
    assert len(got) == 7
    shanghai = got[("上海市", 2025)]
    assert (shanghai["reports"], shanghai["proactive_total"], shanghai["proactive_website"],
            shanghai["proactive_category"]) == (1, None, 13528, 196 + 84 + 34 + 22)
    jiangsu = got[("江苏省", 2023)]
    assert (jiangsu["proactive_total"], jiangsu["proactive_category"]) == (249, 249)
    # 004 states its website figure twice (2306 in its statistics table, 2302 in prose): one value, not both.
    assert got[("内蒙古自治区", 2012)]["proactive_website"] == 2306


def test_appeals_by_year(con):
    got = {r["report_year"]: r for r in rows(con, "SELECT * FROM v_appeals_by_year")}
    assert set(got) == {2010, 2012, 2023, 2025}
    assert {k: got[2025][k] for k in ("reports_with_appeals", "review_total", "review_corrected", "litigation_total",
                                      "litigation_direct_total", "litigation_after_review_total",
                                      "litigation_corrected")} == {
        "reports_with_appeals": 1, "review_total": 55, "review_corrected": 0, "litigation_total": 12 + 22,
        "litigation_direct_total": 12, "litigation_after_review_total": 22, "litigation_corrected": 0}
    # 2012: 阿尔山's statistics table has 行政诉讼数量 5, 亳州's prose says none: free-form litigation.total.
    assert (got[2012]["reports_with_appeals"], got[2012]["litigation_total"], got[2012]["review_total"]) == (2, 5, 0)


# ---------------------------------------------------------------- warehouse/queries

def test_there_are_worked_queries():
    assert len(QUERIES) >= 8


@pytest.mark.parametrize("path", QUERIES, ids=[p.name for p in QUERIES])
def test_query_runs_and_says_what_it_answers(path, con, two_years):
    sql = path.read_text(encoding="utf-8")
    assert sql.startswith("-- Question: ")
    con.sql(sql).fetchall()
    # The two-year warehouse has something for every question (gaps, changes, tables that do not add up).
    assert two_years.sql(sql).fetchall(), path.name


def test_staged_quality_issues_scoped_to_the_staged_agencies_equal_the_view(two_years):
    """The publish-time count reads scoped copies of the views: for any staged subset it must equal the view."""
    subsets = {"all": "true", "2024-2025": "report_year IN (2024, 2025)", "2026 only": "report_year = 2026"}
    for name, where in subsets.items():
        two_years.execute(f"CREATE OR REPLACE TEMP VIEW stg_fact_report AS SELECT * FROM fact_report WHERE {where}")
        expected = dict(two_years.execute(
            "SELECT check_name, count(*) FROM v_quality_issues WHERE report_id IN (SELECT report_id FROM "
            "stg_fact_report) GROUP BY 1").fetchall())
        assert db.staged_quality_issues(two_years) == expected, name
    assert expected == {"balance": 1, "row_total": 1, "carry_over": 1}  # the 2026 report's, found in scope
