"""transforms.tables: the State Council template's tables (表二 / 表三 / 表四) -> Facts.

Scored against the gold files of the two shared standard-template reports, plus synthetic tables built
from the template's own labels in each flattening real texts show (HTML rows with blank cells, space- or
tab-separated PDF rows, one cell per line, bare number streams, the 2019 trial format, an 8-column table).
"""

from __future__ import annotations

import csv
import functools
import json
import pathlib
import re
from pathlib import Path

import pytest

from transforms.decode import decode_bytes
from transforms.facts import APPLICANT_COLUMNS, Fact
from transforms.normalize import normalize_text
from transforms.table3 import applicant_layout, t3_label_code
from transforms.table_cells import FLAG_TOTALS
from transforms.tables import is_standard_layout, parse_standard_tables, t2_row_key

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "reports"
LOCAL_GOLD = Path(__file__).parent / "fixtures" / "gold"
GOLD = LOCAL_GOLD if LOCAL_GOLD.is_dir() else Path("/work/shared/spec/gold")
TABLE_PREFIXES = ("rules.", "normative_docs.", "licensing.", "penalty.", "coercion.", "fees.", "requests.",
                  "review.", "litigation.")
# 006's group totals exist only in its prose (the 2021 table has no cells for them): another module's facts.
PROSE_ONLY = {"006_shanghai_gov_office_2025": {("requests.denied", "", 20.0), ("requests.unavailable", "", 564.0),
                                               ("requests.not_processed", "", 80.0), ("requests.other", "", 319.0)}}


@functools.cache
def normalized(name: str) -> str:
    text, _ = normalize_text(decode_bytes((EXAMPLES / name).read_bytes()).text)
    return text


@functools.cache
def catalog_units() -> dict[str, str]:
    path = ROOT / "warehouse" / "metric_catalog.csv"
    if not path.exists():
        path = Path("/work/shared/spec/metric_catalog.csv")
    with path.open(encoding="utf-8") as f:
        return {row["code"]: row["unit"] for row in csv.DictReader(f)}


def triples(facts: list[Fact]) -> set[tuple[str, str, float]]:
    return {(f.code, f.breakdown, float(f.value)) for f in facts}


def _digits(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def assert_well_formed(text: str, facts: list[Fact]) -> None:
    """Catalog unit, exact qualifier, and a span whose text holds the value's digits."""
    units = catalog_units()
    for f in facts:
        assert f.unit == units[f.code], f
        assert f.qualifier == "exact", f
        assert 0 <= f.start < f.end <= len(text), f
        written = text[f.start:f.end].replace(",", "")
        assert _digits(abs(f.value)) in written or f.code.endswith(".amount"), (f, written)


# --- gold --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["005_shuyang_drc_2023.html", "006_shanghai_gov_office_2025.txt"])
def test_gold_recall_and_precision(name: str) -> None:
    stem = name.rsplit(".", 1)[0]
    gold = json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))
    text = normalized(name)
    assert is_standard_layout(text)
    facts, flags = parse_standard_tables(text)
    got = triples(facts)
    owed = {(m["code"], m["breakdown"], float(m["value"])) for m in gold["metrics"]
            if m["code"].startswith(TABLE_PREFIXES) and m.get("qualifier", "exact") == "exact"}
    owed -= PROSE_ONLY.get(stem, set())
    allowed = {(m["code"], m["breakdown"], float(m["value"])) for m in gold["metrics"] + gold.get("optional", [])}
    assert owed - got == set(), "missed"
    assert got - allowed == set(), "extra"
    assert FLAG_TOTALS not in flags  # both reports add up (gold notes)
    assert_well_formed(text, facts)


def test_gold_006_placements_come_from_the_right_lines() -> None:
    """The unlabeled rows of 006 land on the template rows the gold notes name."""
    text = normalized("006_shanghai_gov_office_2025.txt")
    facts, _ = parse_standard_tables(text)
    by_code = {(f.code, f.breakdown): text[f.start:f.end] for f in facts}
    assert "40 | 1 | 0 | 0 | 2 | 0 | 43" in by_code[("requests.other.no_correction", "")]
    assert "缴纳费用" in by_code[("requests.other.unpaid_fee", "")]
    assert by_code[("requests.partially_granted", "natural_person")].startswith("| 2 |")


# --- row labels ---------------------------------------------------------------------------------------

T3_LABELS = [
    ("一、本年新收政府信息公开申请数量", "requests.received"),
    ("二、上年结转政府信息公开申请数量", "requests.carried_in"),
    ("三、本年度办理结果|（一）予以公开", "requests.granted"),
    ("(一)予以公开", "requests.granted"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "requests.partially_granted"),
    ("（三）不予公开", "requests.denied"),
    ("(三) 不予公开", "requests.denied"),
    ("（三）不予公开|1.属于国家秘密", "requests.denied.state_secret"),
    ("（三）不|4.保护第三方合法权益", "requests.denied.third_party"),
    ("予公开|5.属于三类内部事务信息", "requests.denied.internal_affairs"),
    ("2.其他法律行政法规禁止公开", "requests.denied.prohibited_by_law"),
    ("3.危及“三安全一稳定”", "requests.denied.security_stability"),
    ("6.属于四类过程性信息", "requests.denied.process_info"),
    ("7.属于行政执法案卷", "requests.denied.enforcement_files"),
    ("8．属于行政查询事项", "requests.denied.query_matters"),
    ("（四）无 1.本机关不掌握相关政府信息", "requests.unavailable.not_held"),
    ("2.没有现成信息需要另行制作", "requests.unavailable.needs_creation"),
    ("3.补正后申请内容仍不明确", "requests.unavailable.unclear"),
    ("（五）不予处理|1.信访举报投诉类申请", "requests.not_processed.complaint"),
    ("2.重复申请", "requests.not_processed.repeat"),
    ("3.要求提供公开出版物", "requests.not_processed.publication"),
    ("4.无正当理由大量反复申请", "requests.not_processed.mass_repeat"),
    ("5.要求行政机关确认或重新出具已获取信息", "requests.not_processed.confirmation"),
    ("（六）其他处理", "requests.other"),
    ("(六) 其他", "requests.other"),
    ("（六）其他处理|1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
     "requests.other.no_correction"),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "requests.other.unpaid_fee"),
    ("缴纳费用、|行政机关不再处理其政", "requests.other.unpaid_fee"),
    ("3.其他", "requests.other.other"),
    ("（七）总计", "requests.handled_total"),
    ("四、结转下年度继续办理", "requests.carried_out"),
    ("四、结转下一年度继续办理", "requests.carried_out"),
    # not rows: fragments, headers, prose
    ("行政机关不再处理其政府信息公", None),
    ("形，不计其他情形）", None),
    ("三、本年度办理结果", None),
    ("法人或其他组织", None),
    ("本年度共新收政府信息公开申请26件，其中予以公开20件，部分公开3件，不予公开2件，无法提供1件，"
     "上年结转的申请均已办结完毕，全部在法定期限内答复，未发生因依申请公开引起的行政复议。", None),
]


@pytest.mark.parametrize(("label", "code"), T3_LABELS)
def test_t3_row_labels(label: str, code: str | None) -> None:
    assert t3_label_code(label) == code


T2_LABELS = [
    ("规章", "rules"), ("规范性文件", "normative_docs"), ("行政规范性文件", "normative_docs"),
    ("行政许可", "licensing"), ("其他对外管理服务事项", "other_services"), ("行政处罚", "penalty"),
    ("行政强制", "coercion"), ("行政事业性收费", "fees"), ("政府集中采购", "procurement"),
    ("市政府规章", None), ("信息内容", None), ("第二十条第（一）项", None),
    # a label with its note; a note is no label
    ("规范性文件（指各行政机关印发的有正式文号的文件）", "normative_docs"), ("规范性文件(指…)", "normative_docs"),
    ("其他对外管理服务事项（指行政许可以外的事项）", "other_services"), ("（指行政许可以外的事项）", None),
]


@pytest.mark.parametrize(("label", "key"), T2_LABELS)
def test_t2_row_labels(label: str, key: str | None) -> None:
    assert t2_row_key(label) == key


# --- applicant columns --------------------------------------------------------------------------------

HEADER_7 = "| 自然人 | 法人或其他组织 | 总计 |\n| 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |"


@pytest.mark.parametrize(("header", "n_cells", "skipped_at"), [
    (HEADER_7, None, None),
    ("自然人\n法人或其他组织\n总计商 业 企\n业\n科研机\n构\n社会公益\n组织\n法 律 服 务\n机构\n其他", None, None),
    ("| 自然人 | 法人或其他组织 | 总计 |\n| 小计 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |", None, 1),
    ("| 自然人 | 法人或其他组织 | 总计 |\n| 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 小计 |", None, 6),
    ("| 自然人 | 法人或其他组织 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |", None, 1),
    (HEADER_7, 8, 6),
])
def test_applicant_header_detection(header: str, n_cells: int | None, skipped_at: int | None) -> None:
    layout = applicant_layout(header, n_cells)
    if skipped_at is None:
        assert layout == APPLICANT_COLUMNS
    else:
        assert len(layout) == 8 and layout[skipped_at] is None
        assert tuple(b for b in layout if b is not None) == APPLICANT_COLUMNS


# --- synthetic tables from the template labels --------------------------------------------------------

ROWS_2021 = [
    ("一、本年新收政府信息公开申请数量", "requests.received"),
    ("二、上年结转政府信息公开申请数量", "requests.carried_in"),
    ("三、本年度办理结果 （一）予以公开", "requests.granted"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "requests.partially_granted"),
    ("（三）不予公开 1.属于国家秘密", "requests.denied.state_secret"),
    ("2.其他法律行政法规禁止公开", "requests.denied.prohibited_by_law"),
    ("3.危及“三安全一稳定”", "requests.denied.security_stability"),
    ("4.保护第三方合法权益", "requests.denied.third_party"),
    ("5.属于三类内部事务信息", "requests.denied.internal_affairs"),
    ("6.属于四类过程性信息", "requests.denied.process_info"),
    ("7.属于行政执法案卷", "requests.denied.enforcement_files"),
    ("8.属于行政查询事项", "requests.denied.query_matters"),
    ("（四）无法提供 1.本机关不掌握相关政府信息", "requests.unavailable.not_held"),
    ("2.没有现成信息需要另行制作", "requests.unavailable.needs_creation"),
    ("3.补正后申请内容仍不明确", "requests.unavailable.unclear"),
    ("（五）不予处理 1.信访举报投诉类申请", "requests.not_processed.complaint"),
    ("2.重复申请", "requests.not_processed.repeat"),
    ("3.要求提供公开出版物", "requests.not_processed.publication"),
    ("4.无正当理由大量反复申请", "requests.not_processed.mass_repeat"),
    ("5.要求行政机关确认或重新出具已获取信息", "requests.not_processed.confirmation"),
    ("（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
     "requests.other.no_correction"),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "requests.other.unpaid_fee"),
    ("3.其他", "requests.other.other"),
    ("（七）总计", "requests.handled_total"),
    ("四、结转下年度继续办理", "requests.carried_out"),
]
ROWS_2019 = [*ROWS_2021[:20], ("（六）其他处理", "requests.other"), *ROWS_2021[23:]]
HEAD_T3 = ("三、收到和处理政府信息公开申请情况\n（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\n"
           "申请人情况\n自然人 法人或其他组织 总计\n商业企业 科研机构 社会公益组织 法律服务机构 其他\n")
T4 = ("四、政府信息公开行政复议、行政诉讼情况\n行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计\n"
      "2 0 1 0 3 1 0 0 1 2 0 0 0 0 0\n五、存在的主要问题及改进情况\n")
T4_FACTS = {("review.upheld", "", 2.0), ("review.corrected", "", 0.0), ("review.other", "", 1.0),
            ("review.pending", "", 0.0), ("review.total", "", 3.0), ("litigation.direct.upheld", "", 1.0),
            ("litigation.direct.corrected", "", 0.0), ("litigation.direct.other", "", 0.0),
            ("litigation.direct.pending", "", 1.0), ("litigation.direct.total", "", 2.0),
            *((f"litigation.after_review.{p}", "", 0.0) for p in ("upheld", "corrected", "other", "pending", "total"))}


def consistent_values(n_outcomes: int) -> list[list[int]]:
    """Rows of 6 applicant columns + 总计 in template order that satisfy every template identity."""
    outcomes = [[(3 * k + c) % 4 for c in range(6)] for k in range(n_outcomes)]
    handled = [sum(o[c] for o in outcomes) for c in range(6)]
    carried_out = [1, 0, 0, 0, 1, 0]
    carried_in = [2, 1, 0, 0, 0, 0]
    received = [handled[c] + carried_out[c] - carried_in[c] for c in range(6)]
    return [[*r, sum(r)] for r in (received, carried_in, *outcomes, handled, carried_out)]


VALUES_2021 = consistent_values(21)
VALUES_2019 = consistent_values(19)
PAIRS_2021 = list(zip(ROWS_2021, VALUES_2021, strict=True))


def expected(rows: list[tuple[str, str]], values: list[list[int]]) -> set[tuple[str, str, float]]:
    return {(code, b, float(v)) for (_, code), row in zip(rows, values, strict=True)
            for b, v in zip(APPLICANT_COLUMNS, row, strict=True)}


def request_facts(facts: list[Fact]) -> set[tuple[str, str, float]]:
    return {t for t in triples(facts) if t[0].startswith("requests.")}


def _space(values: list[int], sep: str = " ") -> str:
    return sep.join(map(str, values))


FLATTENINGS = {
    "space_separated": lambda: "\n".join(f"{lab} {_space(v)}" for (lab, _), v in PAIRS_2021),
    "tab_separated": lambda: "\n".join(f"{lab}\t{_space(v, chr(9))}" for (lab, _), v in PAIRS_2021),
    "one_cell_per_line": lambda: "\n".join(f"{lab}\n{_space(v, chr(10))}" for (lab, _), v in PAIRS_2021),
    "labels_split_over_lines": lambda: "\n".join(
        f"{lab[:len(lab) // 2]}\n{lab[len(lab) // 2:]} {_space(v)}" if len(lab) > 12 else f"{lab} {_space(v)}"
        for (lab, _), v in PAIRS_2021),
    "pipe_rows": lambda: "\n".join(f"| {lab.replace(' ', ' | ')} | {_space(v, ' | ')} |"
                                   for (lab, _), v in PAIRS_2021),
    "bare_rows_no_labels": lambda: "\n".join(_space(v) for v in VALUES_2021),
    "bare_stream_one_per_line": lambda: "\n".join(str(x) for v in VALUES_2021 for x in v),
    "bare_stream_ten_per_line": lambda: "\n".join(
        _space([x for v in VALUES_2021 for x in v][i:i + 10]) for i in range(0, 175, 10)),
}


@pytest.mark.parametrize("kind", sorted(FLATTENINGS))
def test_flattenings_of_the_2021_request_table(kind: str) -> None:
    text = HEAD_T3 + FLATTENINGS[kind]() + "\n" + T4
    facts, flags = parse_standard_tables(text)
    assert request_facts(facts) == expected(ROWS_2021, VALUES_2021)
    assert T4_FACTS <= triples(facts)
    assert flags == []
    assert_well_formed(text, facts)


def test_lost_label_placed_by_the_identities() -> None:
    """（七）总计 lost its label and the 结转 row is missing: only the 总计 slot makes （七） = the outcomes."""
    rows = list(zip(ROWS_2021, VALUES_2021, strict=True))[:-1]
    body = "\n".join(_space(v) if code == "requests.handled_total" else f"{lab} {_space(v)}"
                     for (lab, code), v in rows)
    facts, _ = parse_standard_tables(HEAD_T3 + body)
    assert request_facts(facts) == expected(ROWS_2021[:-1], VALUES_2021[:-1])


def test_ambiguous_lost_label_stays_unplaced() -> None:
    """A row without label next to a missing row could be either: no guess, a flag instead."""
    rows = [(r, v) for r, v in zip(ROWS_2021, VALUES_2021, strict=True) if r[1] != "requests.denied.third_party"]
    body = "\n".join(_space(v) if code == "requests.denied.security_stability" else f"{lab} {_space(v)}"
                     for (lab, code), v in rows)
    facts, flags = parse_standard_tables(HEAD_T3 + body)
    got = request_facts(facts)
    assert got <= expected(ROWS_2021, VALUES_2021)
    assert not any(code in ("requests.denied.security_stability", "requests.denied.third_party") for code, _, _ in got)
    assert "table_rows_unplaced" in flags


def test_group_total_rows_with_their_own_values() -> None:
    """A 2021 table that writes （三）不予公开 as its own row with values: that row is requests.denied."""
    lines = []
    for (lab, code), v in zip(ROWS_2021, VALUES_2021, strict=True):
        if code == "requests.denied.state_secret":
            denied = [sum(VALUES_2021[4 + k][c] for k in range(8)) for c in range(7)]
            lines.append(f"（三）不予公开 {_space(denied)}")
            lab = "1.属于国家秘密"
        lines.append(f"{lab} {_space(v)}")
    facts, flags = parse_standard_tables(HEAD_T3 + "\n".join(lines))
    denied_total = sum(VALUES_2021[4 + k][6] for k in range(8))
    assert ("requests.denied", "", float(denied_total)) in triples(facts)
    assert request_facts(facts) - {t for t in triples(facts) if t[0] == "requests.denied"} == expected(
        ROWS_2021, VALUES_2021)
    assert flags == []


def test_eight_columns_with_subtotal_are_skipped() -> None:
    header = ("三、收到和处理政府信息公开申请情况\n| 申请人情况 |\n| 自然人 | 法人或其他组织 | 总计 |\n"
              "| 小计 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |\n")
    body = "\n".join(f"| {lab} | {_space([v[0], sum(v[1:6]), *v[1:]], ' | ')} |"
                     for (lab, _), v in zip(ROWS_2021, VALUES_2021, strict=True))
    facts, flags = parse_standard_tables(header + body)
    assert request_facts(facts) == expected(ROWS_2021, VALUES_2021)
    # without any header, the subtotal column is found by its sums
    body = "\n".join(f"{lab} {_space([*v[:6], sum(v[1:6]), v[6]])}" for (lab, _), v in PAIRS_2021)
    facts, flags = parse_standard_tables("三、收到和处理政府信息公开申请情况\n" + body)
    assert request_facts(facts) == expected(ROWS_2021, VALUES_2021)
    assert flags == []


def _html(rows: list[list[str]], before: str = "", after: str = "") -> str:
    table = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<html><body><p>{before}</p><table>{table}</table><p>{after}</p></body></html>"


def test_blank_cells_are_no_facts_but_zero_is() -> None:
    """HTML cells: empty, &nbsp;, -, / and — are blank (no fact, column kept); a written 0 is a fact."""
    blanks = ["", "&nbsp;", "-", "/", "—"]
    rows = [["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
            ["自然人", "法人或其他组织", "总计"], ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]]
    want = set()
    for k, ((lab, code), v) in enumerate(zip(ROWS_2021, VALUES_2021, strict=True)):
        cells = [str(v[0]), blanks[k % 5], "0", blanks[(k + 2) % 5], "0", blanks[(k + 4) % 5], str(v[0])]
        rows.append([*lab.split(" "), *cells])
        want |= {(code, APPLICANT_COLUMNS[c], float(cells[c])) for c in (0, 2, 4, 6)}
    t4 = [["行政复议", "行政诉讼"], ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"],
          ["", "&nbsp;", "0", "1", "1", "-", "", "", "", "", "0", "0", "0", "0", "0"]]
    html = (_html(rows, "三、收到和处理政府信息公开申请情况") + _html(t4, "四、政府信息公开行政复议、行政诉讼情况"))
    text, _ = normalize_text(html)
    facts, flags = parse_standard_tables(text)
    assert request_facts(facts) == want
    got4 = {t for t in triples(facts) if not t[0].startswith("requests.")}
    assert got4 == {("review.other", "", 0.0), ("review.pending", "", 1.0), ("review.total", "", 1.0),
                    *((f"litigation.after_review.{p}", "", 0.0)
                      for p in ("upheld", "corrected", "other", "pending", "total"))}
    assert flags == []
    assert_well_formed(text, facts)


T2_2019 = """二、主动公开政府信息情况
| 第二十条第（一）项 |
| 信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |
| 规章 | 0 | 0 | 0 |
| 规范性文件 | 3 | 3 | 20 |
| 第二十条第（五）项 |
| 信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |
| 行政许可 | 10 | -2 | 233 |
| 其他对外管理服务事项 | 5 | 0 | 12 |
| 第二十条第（六）项 |
| 信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |
| 行政处罚 | 8 | 1 | 45 |
| 行政强制 | 2 |  | 3 |
| 第二十条第（八）项 |
| 信息内容 | 上一年项目数量 | 本年增/减 |
| 行政事业性收费 | 4 | -1 |
| 第二十条第（九）项 |
| 信息内容 | 采购项目数量 | 采购总金额 |
| 政府集中采购 | 5 | 251000元 |
"""
T2_2019_FACTS = {
    ("rules.issued", "", 0.0), ("rules.newly_published", "", 0.0), ("rules.in_force", "", 0.0),
    ("normative_docs.issued", "", 3.0), ("normative_docs.newly_published", "", 3.0),
    ("normative_docs.in_force", "", 20.0),
    ("licensing.items_prior_year", "", 10.0), ("licensing.items_change", "", -2.0), ("licensing.decisions", "", 233.0),
    ("other_services.items_prior_year", "", 5.0), ("other_services.items_change", "", 0.0),
    ("other_services.decisions", "", 12.0),
    ("penalty.items_prior_year", "", 8.0), ("penalty.items_change", "", 1.0), ("penalty.decisions", "", 45.0),
    ("coercion.items_prior_year", "", 2.0), ("coercion.decisions", "", 3.0),
    ("fees.items_prior_year", "", 4.0), ("fees.items_change", "", -1.0),
    ("procurement.projects", "", 5.0), ("procurement.amount", "", 25.1),
}


def test_2019_trial_format() -> None:
    """2019 table 二 columns, a single （六）其他处理 row (23 rows), 251000元 -> 25.1 万元."""
    body = "\n".join(f"| {lab.replace(' ', ' | ')} | {_space(v, ' | ')} |" for (lab, _), v in zip(ROWS_2019, VALUES_2019, strict=True))
    text = T2_2019 + HEAD_T3 + body + "\n" + T4
    facts, flags = parse_standard_tables(text)
    got = triples(facts)
    assert {t for t in got if not t[0].startswith(("requests.", "review.", "litigation."))} == T2_2019_FACTS
    assert request_facts(facts) == expected(ROWS_2019, VALUES_2019)
    assert ("requests.other", "", float(VALUES_2019[20][6])) in got
    assert not any(code.startswith("requests.other.") for code, _, _ in got)
    assert flags == []
    assert_well_formed(text, facts)


def test_2019_number_stream_of_23_rows() -> None:
    text = HEAD_T3 + "\n".join(_space(v) for v in VALUES_2019) + "\n" + T4
    facts, _ = parse_standard_tables(text)
    assert request_facts(facts) == expected(ROWS_2019, VALUES_2019)


T2_2021_PDF = """二、主动公开政府信息情况
第二十条第（一）项
信息内容 本年制发件数 本年废止件数 现行有效件数
规章 1 0 12
行政规范性文件 4 2 35
第二十条第（五）项
信息内容 本年处理决定数量
行政许可 517645
第二十条第（六）项
信息内容 本年处理决定数量
行政处罚 3,985
行政强制 -
第二十条第（八）项
信息内容 本年收费金额（单位：万元）
行政事业性收费 4068.208
"""


def test_2021_table_two_from_pdf_lines() -> None:
    facts, _ = parse_standard_tables(T2_2021_PDF + HEAD_T3)
    assert triples(facts) == {
        ("rules.issued", "", 1.0), ("rules.repealed", "", 0.0), ("rules.in_force", "", 12.0),
        ("normative_docs.issued", "", 4.0), ("normative_docs.repealed", "", 2.0),
        ("normative_docs.in_force", "", 35.0), ("licensing.decisions", "", 517645.0),
        ("penalty.decisions", "", 3985.0), ("fees.amount", "", 4068.208)}


@pytest.mark.parametrize(("header", "cell", "value"), [
    ("本年收费金额（单位：万元）", "3.5", 3.5),
    ("本年收费金额（单位：元）", "35000", 3.5),
    ("本年收费金额（单位：万元）", "251000元", 25.1),
])
def test_fee_units(header: str, cell: str, value: float) -> None:
    text = f"第二十条第（八）项\n| 信息内容 | {header} |\n| 行政事业性收费 | {cell} |\n三、收到和处理政府信息公开申请情况\n"
    facts, _ = parse_standard_tables(text)
    assert triples(facts) == {("fees.amount", "", value)}
    assert facts[0].unit == "万元"


def test_totals_that_do_not_add_up_are_flagged_not_fixed() -> None:
    values = [list(v) for v in VALUES_2021]
    values[2][0] += 5  # 予以公开 自然人: breaks its row sum, its column's （七） and 一+二 = 七+四
    body = "\n".join(f"{lab} {_space(v)}" for (lab, _), v in zip(ROWS_2021, values, strict=True))
    t4 = T4.replace("2 0 1 0 3", "2 0 1 0 4")
    facts, flags = parse_standard_tables(HEAD_T3 + body + "\n" + t4)
    assert flags.count(FLAG_TOTALS) == 1
    assert request_facts(facts) == expected(ROWS_2021, values)  # as written, nothing corrected
    assert ("review.total", "", 4.0) in triples(facts)


def test_table_four_only_mangled_header() -> None:
    text = ("四、政府信息公开行政复议、行政诉讼情况\n行政复议行政诉讼\n未经复议直接起诉复议后起诉\n结果结果其他尚未\n"
            "总计结果结果其他尚未结果结果其他尚未\n维持纠正结果审结维持纠正结果审结\n"
            "| 40 | 0 | 10 | 5 | 55 | 2 | 0 | 4 | 6 | 12 | 6 | 0 | 9 | 7 | 22 |\n")
    facts, flags = parse_standard_tables(text)
    assert [f.value for f in facts] == [40, 0, 10, 5, 55, 2, 0, 4, 6, 12, 6, 0, 9, 7, 22]
    assert [f.code for f in facts][::5] == ["review.upheld", "litigation.direct.upheld",
                                            "litigation.after_review.upheld"]
    assert flags == []


# --- layout detection ---------------------------------------------------------------------------------


def test_is_standard_layout() -> None:
    assert not is_standard_layout(normalized("000_36fb0402640fefb2.txt"))
    assert is_standard_layout(normalized("005_shuyang_drc_2023.html"))
    assert is_standard_layout(normalized("006_shanghai_gov_office_2025.txt"))
    prose = ("本报告依据《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）编制。"
             "按照《条例》第二十条第（一）项规定主动公开规章。")
    assert not is_standard_layout(prose)
    assert is_standard_layout(T2_2021_PDF)


def test_free_form_report_gives_no_table_facts() -> None:
    facts, flags = parse_standard_tables(normalized("000_36fb0402640fefb2.txt"))
    assert facts == [] and flags == []


def test_spans_hold_the_values_in_every_example() -> None:
    for name in ("005_shuyang_drc_2023.html", "006_shanghai_gov_office_2025.txt"):
        text = normalized(name)
        facts, _ = parse_standard_tables(text)
        for f in facts:
            assert re.search(rf"(?<!\d){re.escape(_digits(f.value))}(?!\d)", text[f.start:f.end]), f


def test_rows_that_lost_their_blank_cells_give_only_their_totals() -> None:
    """PDF text of a table whose 法人 cells were blank: `26 26` cannot say which column 26 is, except 总计."""
    body = "\n".join(f"{lab} {v[0]} {v[0]}" for (lab, _), v in PAIRS_2021)
    facts, flags = parse_standard_tables(HEAD_T3 + body + "\n" + T4)
    assert request_facts(facts) == {(code, "", float(v[0])) for (_, code), v in PAIRS_2021}
    assert "table_cells_unmapped" in flags


def test_table_of_contents_does_not_hide_table_two() -> None:
    toc = "目录\n一、总体情况\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n四、政府信息公开行政复议、行政诉讼情况\n"
    body = "\n".join(f"{lab} {_space(v)}" for (lab, _), v in PAIRS_2021)
    facts, flags = parse_standard_tables(toc + T2_2021_PDF + HEAD_T3 + body + "\n" + T4)
    assert ("licensing.decisions", "", 517645.0) in triples(facts)
    assert request_facts(facts) == expected(ROWS_2021, VALUES_2021)
    assert flags == []


def test_2019_coercion_change_may_be_negative() -> None:
    text = T2_2019.replace("| 行政强制 | 2 |  | 3 |", "| 行政强制 | 2 | -1 | 3 |")
    facts, _ = parse_standard_tables(text)
    assert ("coercion.items_change", "", -1.0) in triples(facts)


@pytest.mark.parametrize("text,codes", [
    # the label wrapped around its values line (pdftotext -layout of a 2021 template)
    ("5.要求行政机关确认或重新出\n1 0 0 0 0 0 1\n具已获取信息",
     ["requests.not_processed.confirmation", None]),
    # the label's first piece alone, the values beside its second piece
    ("1、申请人无正当理由逾期不补\n正、行政机关不再处理其政府信 67 3 0 0 1 0 71",
     ["requests.other.no_correction"]),
    # a piece that opens with an ordinal opens a row of its own: no join
    ("1、申请人无正当理由\n2.重复申请 25 0 0 0 0 0 25", [None, "requests.not_processed.repeat"]),
    # a label that names its row alone is left as it is
    ("2.重复申请 25 0 0 0 0 0 25\n3.要求提供公开出版物 0 0 0 0 0 0 0",
     ["requests.not_processed.repeat", "requests.not_processed.publication"]),
])
def test_wrapped_labels(text, codes):
    from transforms import table3, table_cells
    pairs = table_cells.wrapped_labels(table_cells.text_lines(text), table3.t3_label_code)
    assert [code for _, code in pairs] == codes


def _t3_rows_of_022() -> list[list[str]]:
    """表三's 25 value rows (7 columns) of the real 淮安 2024 report, from its pdftotext rendering."""
    import re as _re
    text = (pathlib.Path(__file__).resolve().parent.parent / "examples" / "real"
            / "023_huaian_gov_2024_pdftotext.txt").read_text(encoding="utf-8")
    start = text.index("本年新收")
    rows = []
    for line in text[start:].splitlines():
        nums = _re.findall(r"(?<![\d.])\d+(?![\d.])", line)
        if len(nums) >= 7:
            rows.append(nums[-7:])
        if len(rows) == 25:
            break
    return rows


def _floating(rows: list[list[str]]) -> str:
    """A broken PDF-to-markdown table: value rows in order, labels written two rows too early."""
    from transforms.table3 import OPTIONAL, SLOTS
    labels = {"requests.received": "一、本年新收政府信息公开申请数量", "requests.not_processed.complaint": "1.信访举报投诉类申请",
              "requests.unavailable.not_held": "1.本机关不掌握相关政府信息", "requests.handled_total": "（七）总计"}
    required = [c for c in SLOTS[2021] if c not in OPTIONAL[2021]]
    out = ["## 表三：收到和处理政府信息公开申请情况"]
    for k, row in enumerate(rows):
        ahead = required[k + 2] if k + 2 < len(required) else None
        if ahead in labels:
            out.append(labels[ahead])
        out.append("| " + " | ".join(row) + " |")
    return "\n".join(out)


def test_table3_decoded_by_template_arithmetic():
    from transforms.table3 import OPTIONAL, SLOTS
    from transforms.tables import parse_standard_tables
    rows = _t3_rows_of_022()
    assert len(rows) == 25
    facts, _ = parse_standard_tables("二、主动公开政府信息情况\n" + _floating(rows))
    required = [c for c in SLOTS[2021] if c not in OPTIONAL[2021]]
    got = {(f.code, f.breakdown): f.value for f in facts if f.rule == "table3:order"}
    assert got[("requests.received", "")] == float(rows[0][-1])
    assert got[("requests.unavailable.not_held", "natural_person")] == float(rows[required.index("requests.unavailable.not_held")][0])
    assert len(got) == 25 * 7


def test_table3_in_order_reading_refused_when_an_identity_fails():
    from transforms.tables import parse_standard_tables
    rows = _t3_rows_of_022()
    rows[2], rows[24] = rows[24], rows[2]  # 予以公开 and 结转下年度 swapped: the balance no longer holds
    facts, _ = parse_standard_tables("二、主动公开政府信息情况\n" + _floating(rows))
    assert not any(f.rule == "table3:order" for f in facts)


def test_table2_row_with_fewer_values_than_columns_is_flagged_not_guessed():
    text = ("二、主动公开政府信息情况\n第二十条第(一)项\n信息内容\n本年新制作数量\n本年新公开数量\n对外公开总数量\n"
            "规章\n0\n规范性文件\n三、收到和处理政府信息公开申请情况")
    from transforms.table_cells import FLAG_AMBIGUOUS
    from transforms.tables import parse_standard_tables
    facts, flags = parse_standard_tables(text)
    assert not [f for f in facts if f.code.startswith("rules.")]
    assert FLAG_AMBIGUOUS in flags


def test_table_two_written_one_cell_per_line():
    """A page that wrote every cell of 表二 on a line of its own, closed by a bar (`规章 |`, `1 |`)."""
    cells = ["第二十条第（一）项 | |||", "信息内容 |", "本年制发件数 |", "本年废止件数 |", "现行有效件数 |",
             "规章 |", "1 |", "0 |", "5 |", "行政规范性文件 |", "2 |", "1 |", "7 |",
             "第二十条第（五）项 | |||", "信息内容 |", "本年处理决定数量 | ||", "行政许可 |", "12 | ||",
             "第二十条第（六）项 | |||", "信息内容 |", "本年处理决定数量 | ||", "行政处罚 |", "3 | ||",
             "行政强制 |", "0 | ||", "第二十条第（八）项 | |||", "信息内容 |", "本年收费金额（单位：万元） | ||",
             "行政事业性收费 |", "0.5 |"]
    text, _ = normalize_text("二、主动公开政府信息情况\n" + "\n".join(cells) + "\n三、收到和处理政府信息公开申请情况\n")
    facts, _ = parse_standard_tables(text)
    assert {(f.code, f.value) for f in facts} == {
        ("rules.issued", 1), ("rules.repealed", 0), ("rules.in_force", 5), ("normative_docs.issued", 2),
        ("normative_docs.repealed", 1), ("normative_docs.in_force", 7), ("licensing.decisions", 12),
        ("penalty.decisions", 3), ("coercion.decisions", 0), ("fees.amount", 0.5)}


def test_a_row_label_with_its_note_keeps_its_values_off_the_blank_row_above():
    """`规章` with its cells blank, then `规范性文件（指…）` with values: the values are the normative documents'."""
    text, _ = normalize_text("二、主动公开政府信息情况\n第二十条第（一）项 | |||\n"
                             "信息内容 | 本年新 制作数量 | 本年新 公开数量 | 对外公开总数量 |\n规章 |\n|\n|\n|\n"
                             "规范性文件（指各行政机关印发的有正式文号的文件） | 2 | 0 | 83 |\n"
                             "三、收到和处理政府信息公开申请情况\n")
    facts, _ = parse_standard_tables(text)
    assert {(f.code, f.value) for f in facts} == {("normative_docs.issued", 2), ("normative_docs.newly_published", 0),
                                                  ("normative_docs.in_force", 83)}


@pytest.mark.parametrize(("row", "expected"), [
    ("各部门印发文件总数 | 2 | 0 | 83 |", set()),  # a label of its own that names no row: no row's values
    ("2 | 0 | 83 |", {("rules.issued", 2), ("rules.newly_published", 0), ("rules.in_force", 83)}),  # bare values
])
def test_values_below_a_label_only_row_are_its_own_only_without_a_label_of_their_own(row, expected):
    text, _ = normalize_text("二、主动公开政府信息情况\n第二十条第（一）项 | |||\n"
                             "信息内容 | 本年新 制作数量 | 本年新 公开数量 | 对外公开总数量 |\n规章 |\n" + row +
                             "\n三、收到和处理政府信息公开申请情况\n")
    facts, _ = parse_standard_tables(text)
    assert {(f.code, f.value) for f in facts} == expected


# A page its source cut short in the request table: its last number may be cut too (`| 1` of `| 12`).
_T3_HEAD = ("某区司法局2022年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
            "| 申请人情况 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |\n"
            "| 一、本年新收政府信息公开申请数量 | 5 | 1 | 0 | 0 | 0 | 0 | 6 |\n"
            "| 二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n"
            "| 三、本年度办理结果 | (一)予以公开 | 4 | 1 | 0 | 0 | 0 | 0 | 5 |\n")
_CUT_ROW = "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"


@pytest.mark.parametrize("tail,total,flagged", [
    # stops in a figure, as bars, as a bare row, one value a line: that row gives nothing, and a flag
    (f"| {_CUT_ROW} | 0 | 0 | 0 | 0 | 0 | 0 | 1", None, True),
    (f"{_CUT_ROW} | 0 | 0 | 0 | 0 | 0 | 0 | 1", None, True),
    (f"{_CUT_ROW}\n0\n0\n0\n0\n0\n0\n1", "cell", True),
    # negative: the row closes (a bar, a newline after a closed row, text after it): read as complete
    (f"| {_CUT_ROW} | 0 | 0 | 0 | 0 | 0 | 0 | 1 |", 1, False),
    (f"| {_CUT_ROW} | 0 | 0 | 0 | 0 | 0 | 0 | 1 |\n", 1, False),
    (f"| {_CUT_ROW} | 0 | 0 | 0 | 0 | 0 | 0 | 1 |\n(三)不予公开", 1, False),
    # negative: the page goes on after the figure (its footer, which normalization drops): not cut
    (f"| {_CUT_ROW} | 0 | 0 | 0 | 0 | 0 | 0 | 1\n扫一扫在手机打开当前页面", 1, False),
])
def test_a_row_cut_at_the_end_of_the_page_gives_no_figure(tail, total, flagged):
    from transforms.extract import extract_report, stops_in_figure

    text, _ = normalize_text(_T3_HEAD + tail)
    out = extract_report(text, cut=stops_in_figure(_T3_HEAD + tail))
    received = {m["breakdown"]: m["value"] for m in out["metrics"] if m["code"] == "requests.received"}
    assert received[""] == 6  # the rows before the cut are whole
    partial = {m["breakdown"]: m["value"] for m in out["metrics"] if m["code"] == "requests.partially_granted"}
    if total is None:
        assert partial == {}
    elif total == "cell":  # one value a line: each cell its own span, only the last one is dropped
        assert "" not in partial and partial["natural_person"] == 0
    else:
        assert partial[""] == total
    assert ("text_cut_in_figure" in out["flags"]) is flagged
