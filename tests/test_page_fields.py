"""The page's metadata block (transforms/page_fields.py): 索引号, 发布机构, 公开日期, 文号 in their three shapes."""

from __future__ import annotations

import pytest

from tests.conftest import EXAMPLES, read_report
from transforms.page_fields import HEAD_CHARS, PageFields, page_fields

CASES = [
    # a table row, as normalize leaves 005's <table> (two fields a row, an empty 文号 cell)
    ("| 索引号 | 014314799/2024-00002 | 分类 | 信息公开年报其他报告 |\n\n"
     "| 发布机构 | 沭阳县发展和改革局 | 公开日期 | 2024-01-17 |\n\n| 文号 |  | 关键词 |  |",
     PageFields("014314799/2024-00002", "沭阳县发展和改革局", "2024-01-17", None)),
    # labels on their own lines, values on the next (003): an empty 文号 is followed by the next label
    ("张掖市发展和改革委员会关于2010年政务公开工作总结报告\n索引号\n620700036/2021-00008\n文号\n关键词\n发布机构\n市发展改革委\n公开形式",
     PageFields("620700036/2021-00008", "市发展改革委", None, None)),
    # inline, several on a line, full-width and ASCII colons, a Chinese date
    ("索引号：11320000014000319A/2024-00123  发布机构: 江苏省人民政府办公厅\n公开日期：2024年1月15日  文号：苏政办发〔2024〕3号",
     PageFields("11320000014000319A/2024-00123", "江苏省人民政府办公厅", "2024-01-15", "苏政办发〔2024〕3号")),
    # the longer label wins over the shorter inside it
    ("信息索引号：000014349/2023-01234", PageFields(index_no="000014349/2023-01234")),
    # a table row whose label cell carries a colon
    ("| 发布机构： | 上海市科学技术委员会 |\n| 公开日期： | 2024/03/08 |",
     PageFields(publisher="上海市科学技术委员会", disclosed_on="2024-03-08")),
    # negative: no block at all
    ("泰安市市直机关事务管理局2010年政务公开年度报告\n发布日期:2011-02-17 10:52 浏览次数:", PageFields()),
    # negative: the labels appear in prose without a colon (本机关文号规范…): no field
    ("一、概述\n本机关加强索引号编制和文号管理，发布机构统一审核。", PageFields()),
    # negative: implausible values (a publisher of digits, an index without a digit, a date that is none)
    ("发布机构：12345\n索引号：无\n公开日期：2023-02-30\n文号：无", PageFields()),
    # negative: a value past MAX_VALUE is prose that followed a label
    ("文号：" + "根据条例规定本年度报告所列数据统计期限为全年并经审核后发布" * 3, PageFields()),
    # negative: the block far below the head is not the page's block
    ("报告正文。\n" * (HEAD_CHARS // 5) + "索引号：123/2024-1", PageFields()),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_page_fields(text, expected):
    assert page_fields(text) == expected


def test_the_first_occurrence_of_a_field_counts():
    assert page_fields("索引号：A-1\n索引号：B-2").index_no == "A-1"


def test_a_saved_page_keeps_its_block_through_the_pipeline():
    record = read_report((EXAMPLES / "005_shuyang_drc_2023.html").read_bytes())
    assert (record["page_index_no"], record["page_publisher"], record["page_disclosed_on"],
            record["page_document_no"]) == ("014314799/2024-00002", "沭阳县发展和改革局", "2024-01-17", None)
    # traditional script (003): read after OpenCC, so the labels and values are simplified
    record = read_report((EXAMPLES / "003_a0033233149e65a0.txt").read_bytes())
    assert (record["page_index_no"], record["page_publisher"]) == ("620700036/2021-00008", "市发展改革委")
