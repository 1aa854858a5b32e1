import sys

import polars as pl
import pytest

from transforms.decode import decode_files
from transforms.normalize import (
    _STR_WHITESPACE,
    cell_rows,
    drop_chrome_lines,
    html_to_text,
    join_page_fragments,
    join_wrapped_lines,
    normalize_batch,
    normalize_text,
    regroup_cell_lines,
)


@pytest.mark.parametrize("raw,expected", [
    ("您現(xiàn)在所在的位置", "您现在所在的位置"),            # ruby pinyin after characters, traditional
    ("报(bào)告", "报告"),                                  # ruby in simplified text
    ("事事有回音?! ?/p>", "事事有回音"),                     # markup debris
    ("共１２３条，占９５％", "共123条，占95%"),              # full-width digits and percent
    ("張掖市發展和改革委員會", "张掖市发展和改革委员会"),    # OpenCC t2s
    ("正文\n关闭\n打印\n扫一扫在手机打开当前页面\n正文", "正文\n\n正文"),  # whole chrome lines go
    ("发布时间:2013-01-16 字体:[ ]", "发布时间:2013-01-16"),  # inline font widget
    ("第1页 / 共7页\n正文", "正文"),
    ("打印机、传真机等办公设备", "打印机、传真机等办公设备"),  # chrome words inside text stay
])
def test_text_rules(raw, expected):
    assert normalize_text(raw)[0] == expected


@pytest.mark.parametrize("raw,script", [
    ("張掖市發展和改革委員會關於政務公開工作總結報告", "traditional"),
    ("张掖市发展和改革委员会关于政务公开工作总结报告", "simplified"),
    ("繁體版 " + "沭阳县发展和改革局政府信息公开年度报告" * 5, "simplified"),  # a nav link is not the report's script
])
def test_script_detection(raw, script):
    assert normalize_text(raw)[1] == script


@pytest.mark.parametrize("raw,expected", [
    ("吉林省乾安县人民政府2015年政府信息公开工作年度报告", "吉林省乾安县人民政府"),  # simplified: left alone
    ("陕西省乾县政务公开工作总结", "陕西省乾县"),
    ("乾縣人民政府政務公開工作總結", "乾县人民政府"),  # traditional: OpenCC keeps the place name
])
def test_place_names_with_qian_survive(raw, expected):
    assert expected in normalize_text(raw)[0]


def test_html_table_rows_keep_cells_and_blank_cells():
    html = ("<html><head><title>T</title><script>x=1</script></head><body><p>正文</p><table>"
            "<tr><td>自然</span><span>人</td><td>26</td><td>&nbsp;</td></tr></table></body></html>")
    text = html_to_text(html)
    assert "x=1" not in text
    assert "| 自然人 | 26 |  |" in text


@pytest.mark.parametrize("markup,expected", [
    # a `>` inside a quoted attribute value does not end the tag
    ('<p title="a>b">正文</p>', "正文"),
    # markup inside a script, a comment or a style is not text
    ("<script>if (a<b) { document.write('<td>x</td>'); }</script><p>正文</p>", "正文"),
    ("<!-- <p>旧版本</p> --><p>正文</p>", "正文"),
    ("<STYLE>p > span { color: red }</STYLE><P>正文</P>", "正文"),
    # <br/> and <br> both break a line outside tables; entities decoded once more at the end
    ("甲<br/>乙<br>丙", "甲\n乙\n丙"),
    ("<p>A&amp;B&nbsp;C</p>", "A&B\xa0C"),
    # an unterminated comment swallows the rest, as browsers do
    ("<p>正文</p><!-- 未闭合", "正文"),
    # a lone `<` that starts no tag stays text
    ("<p>1 < 2</p>", "1 < 2"),
    # nested table rows are rows of their own
    ("<table><tr><td>外</td><td><table><tr><td>内</td><td>1</td></tr></table></td></tr></table>", "| 内 | 1 |"),
])
def test_html_tokens(markup, expected):
    assert expected in html_to_text(markup)


def test_page_fragments_rejoin_split_words():
    body = "甲" * 200
    text = f"标题\n\n1、{body}公\n\n2、开了依申请信息目录。"
    assert join_page_fragments(text) == f"标题\n\n{body}公开了依申请信息目录。"


def test_real_list_items_are_not_joined():
    text = "(二)公开形式\n\n1、泰安政府门户网站\n\n2、采取多种形式实施了政务公开。"
    assert join_page_fragments(text) == text


def test_screening_rejects_non_reports(tmp_path):
    (tmp_path / "news.txt").write_text("今天天气晴朗，市民出游人数大增，公园里人山人海。" * 5, encoding="utf-8")
    (tmp_path / "en.txt").write_text("Annual report on the weather in London. " * 20, encoding="utf-8")
    frame = normalize_batch(decode_files([str(tmp_path / "news.txt"), str(tmp_path / "en.txt")]))
    assert frame["error"].to_list() == ["not_a_report: no mention of information disclosure", "not_chinese_text"]


@pytest.mark.parametrize("raw,expected", [
    ("  正文  \n  第二行  ", "正文\n第二行"),     # spaces off both ends of every line
    ("正文\n   \n\n\n\n第二行", "正文\n\n第二行"),  # a blank line at most
    ("\t正文\u3000", "正文"),
    ("\x1c正文\x1f\n", "正文"),                  # the text's ends lose all str.isspace characters
    ("PDF(abc)文件", "PDF(abc)文件"),            # ruby only after a Han character
    ("报（bào）告", "报告"),
])
def test_whitespace_and_ruby(raw, expected):
    assert normalize_text(raw)[0] == expected


def test_strip_characters_are_str_isspace():
    assert _STR_WHITESPACE == "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())


def test_mixed_script_needs_both_scripts_counted():
    assert normalize_text("張掖市發展和改革委員會關於沭阳县发展和改革局政府信息公开年度报告")[1] == "mixed"
    assert normalize_text("張掖市發展和改革委員會沭阳县发展和改革局")[1] == "traditional"


def _lines(n: int, width: int) -> str:
    return "\n".join(("政务公开工作年度报告" * 7)[:width] for _ in range(n))


# Lines of every length from 15 to 59 characters: enough of them, and a wrap width in range, but no common width.
_RAGGED = "\n".join(("政务公开工作年度报告" * 7)[:w] for w in range(15, 61, 2))


@pytest.mark.parametrize("text", [
    _lines(20, 15), _lines(20, 60), _lines(25, 30),         # hard-wrapped: joined
    _lines(19, 30), _lines(20, 14), _lines(20, 61),         # too few lines, too narrow, too wide: kept
    _lines(19, 30) + "\n| 表格 | 行 | 一 | 二 |",           # a table row is no wrapped line
    _lines(19, 30) + "\n通过政府网站公开数(条)     2306",     # nor is a row laid out with spaces
    _RAGGED,                                                 # no common width: kept by join_wrapped_lines alone
])
def test_wrapped_lines_are_joined_exactly_where_join_wrapped_lines_joins(text):
    assert normalize_text(text)[0] == join_wrapped_lines(text).strip()


def test_lines_without_a_common_width_are_not_joined():
    assert join_wrapped_lines(_RAGGED) == _RAGGED


def _pdf(text: str, width: int = 28) -> str:
    """A paragraph hard-wrapped as PDF text extraction does: every `width` characters, wherever that falls."""
    return "\n".join(text[i:i + width] for i in range(0, len(text), width))


# Paragraphs of a report, hard-wrapped below into 21 lines of real-looking PDF text, 28 characters wide.
_PARAGRAPHS = (
    "2025年，本机关坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实党的二十大精神，深入贯彻落实党中央、国务院关于"
    "全面推进政务公开工作的决策部署，围绕中心工作，细化落实年度政务公开工作要点，着力发挥政务公开促落实、优服务、强监督作用，"
    "持续推动政务公开工作提质增效。健全信息发布审核机制，严格执行公开属性源头认定，做到应公开尽公开。聚焦基层实际需求，加大业务"
    "指导力度，围绕政策解读、依申请公开、网站管理等重点领域开展专题培训，切实提升一线工作人员依法公开水平。精简优化考核评估内容，"
    "突出实效，切实为基层减负。将日常检查、阶段性督导与年度考核有机融合，注重过程管理和创新激励，不断提升政务公开的质量和实效。",
    "持续强化政府网站作为政务公开第一平台的功能定位，加强门户网站内容保障与安全运维，提升权威发布能力。健全配套管理机制，"
    "出台工作指引，提升主动公开的规范性。政务新媒体影响力稳步提升，及时发布政策文件和解读材料，回应社会关切。围绕群众关心关注的"
    "热点难点问题，推进重点领域信息公开，方便群众查询和监督，有效提升了群众的满意度和获得感。",
    "印发政务公开工作年度要点，分解重点任务并动态跟踪落实情况，及时协调解决堵点难点，总结推广可复制的经验做法。"
    "建立健全政务舆情收集、研判、处置和回应机制，对涉及本部门的政务舆情做到及时发现、及时处置、及时回应。",
)
# The text every case below follows.
_PDF_BODY = "\n".join(map(_pdf, _PARAGRAPHS))


@pytest.mark.parametrize("lines,expected", [
    # a sentence broken at the wrap width
    ("市政府共受理政府信息公开申请 1295 件，办结 1191 件（含\n上年结转 189 件），均在法定期限内答复。",
     "市政府共受理政府信息公开申请 1295 件，办结 1191 件（含上年结转 189 件），均在法定期限内答复。"),
    # a share on the next line is no numbered heading (`4.32%` is not `4.`)
    ("属信访、重复申请等不予处理 31 件（19.14%），其他处理 7 件（\n4.32%）。",
     "属信访、重复申请等不予处理 31 件（19.14%），其他处理 7 件（4.32%）。"),
    # a short line broken before a number that would not fit
    ("如有疑问请联系本机关办公室，电话：0527-\n83593059）。", "如有疑问请联系本机关办公室，电话：0527-83593059）。"),
    # a line that opens with a closing mark continues the line before, even one ending in a figure
    ("2024年度本机关共收到依申请信息公开申请 156 件\n，及时回复申请人。",
     "2024年度本机关共收到依申请信息公开申请 156 件，及时回复申请人。"),
    # a year without its 年 is no label/value row
    ("本年度报告中所列各项数据的统计期限均为 2025\n年 1 月 1 日至 12 月 31 日。",
     "本年度报告中所列各项数据的统计期限均为 2025年 1 月 1 日至 12 月 31 日。"),
    # a title's last line is short: the title ends there, though without a full stop
    ("泰安市市直机关事务管理局2021年政府信息公开工作\n年度报告\n本年度报告根据《条例》编制。",
     "泰安市市直机关事务管理局2021年政府信息公开工作年度报告\n本年度报告根据《条例》编制。"),
    # label/value rows and rows laid out with spaces stay rows, however long
    ("本年度本机关新收政府信息公开申请数量共计 1295件\n本年度本机关办结政府信息公开申请数量共计 1191件",
     "本年度本机关新收政府信息公开申请数量共计 1295件\n本年度本机关办结政府信息公开申请数量共计 1191件"),
    ("通过政府网站主动公开政府信息数（条）     13528\n召开新闻发布会次数（次）            42",
     "通过政府网站主动公开政府信息数（条）     13528\n召开新闻发布会次数（次）            42"),
    ("本年新收政府信息公开申请数量（自然人、法人或其他组织合计）\n1295\n二、上年结转政府信息公开申请数量",
     "本年新收政府信息公开申请数量（自然人、法人或其他组织合计）\n1295\n二、上年结转政府信息公开申请数量"),
])
def test_pdf_hard_wraps(lines, expected):
    assert join_wrapped_lines(f"{_PDF_BODY}\n{lines}") == f"{join_wrapped_lines(_PDF_BODY)}\n{expected}"


# Table 三 of the standard template as PDF text extraction may give it: a line per cell.
_TABLE_CELLS = "\n".join(["三、收到和处理政府信息公开申请情况", "（本列数据的勾稽关系为：第一项加第二项之和，", "等于第三项加第四项之和）",
                          "申请人情况", "自然人", "法人或其他组织", "总计", "商业企业", "科研机构", "社会公益组织",
                          "法律服务机构", "其他", "一、本年新收政府信息公开申请数量", "12", "二、上年结转政府信息公开申请数量", "0",
                          "三、本年度办理结果", "（一）予以公开", "8", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "2",
                          "（三）不予公开", "1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”",
                          "4.保护第三方合法权益", "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷",
                          "8.属于行政查询事项", "（四）无法提供", "1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作",
                          "3.补正后申请内容仍不明确", "（五）不予处理", "1.信访举报投诉类申请", "2.重复申请",
                          "3.要求提供公开出版物", "4.无正当理由大量反复申请", "5.要求行政机关确认或重新出具已获取信息",
                          "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                          "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他", "（七）总计",
                          "四、结转下年度继续办理"])


def test_pdf_prose_is_joined_beside_a_table_extracted_cell_by_cell():
    assert join_wrapped_lines(f"{_pdf(_PARAGRAPHS[0])}\n{_TABLE_CELLS}") == f"{_PARAGRAPHS[0]}\n{_TABLE_CELLS}"


# A saved web page: a line per paragraph, heading and field, of every length. Its title is not glued to the
# publication field below it.
_WEB_PAGE = """沭阳县发展和改革局2023年政府信息公开工作年度报告
发布时间：2024-01-17 10:32 来源：沭阳县发展和改革局 浏览次数：
一、总体情况
2023年，我局认真贯彻落实《中华人民共和国政府信息公开条例》，不断完善政府信息公开工作机制。
（一）主动公开
全年主动公开政府信息1295条。
（二）依申请公开
全年共收到政府信息公开申请12件，均在法定期限内答复。
（三）政府信息管理
加强政府信息公开保密审查，严格执行“先审查、后公开”和“一事一审”制度。
（四）平台建设
持续优化政府网站政务公开专栏。
（五）监督保障
将政务公开工作纳入年度目标考核。
二、主动公开政府信息情况
见下表。
三、收到和处理政府信息公开申请情况
本年新收政府信息公开申请12件，上年结转0件。
四、政府信息公开行政复议、行政诉讼情况
本年度未发生政府信息公开行政复议和行政诉讼。
五、存在的主要问题及改进情况
一是公开内容还不够全面，二是政策解读形式较为单一。下一步，我局将进一步拓展公开渠道。
六、其他需要报告的事项
本年度未收取信息处理费。
沭阳县发展和改革局
2024年1月17日
地址：沭阳县沭城街道苏州东路42号 联系电话：0527-83593059"""

# A statistics table copied as text (pre-2019 统计表), a label/value row per line: nothing is glued.
_STAT_LINES = """政府信息公开情况统计表
主动公开政府信息数 245条
其中：全文电子化主动公开政府信息数 245条
新增行政规范性文件数 12件
通过政府公报公开政府信息数 20条
通过政府网站公开政府信息数 230条
通过政务微博公开政府信息数 56条
通过政务微信公开政府信息数 88条
召开新闻发布会次数 3次
接受媒体采访次数 5次
回应公众关注热点或重大舆情数 4次
收到政府信息公开申请数 12件
其中：当面申请数 3件
传真申请数 0件
网络申请数 7件
信函申请数 2件
申请办结数 12件
按时办结数 12件
延期办结数 0件
属于已主动公开范围数 2件
同意公开答复数 6件
同意部分公开答复数 1件
不同意公开答复数 1件
信息不存在数 1件
非本机关职责范围数 1件
行政复议数量 0件
行政诉讼数量 0件"""


@pytest.mark.parametrize("text", [_WEB_PAGE, _STAT_LINES])
def test_web_pages_are_not_joined(text):
    assert join_wrapped_lines(text) == text
    assert normalize_text(text)[0] == text


def test_page_fragments_rejoin_in_the_batch():
    body = "甲" * 200
    assert normalize_text(f"标题\n\n1、{body}公\n\n2、开了依申请信息目录。")[0] == f"标题\n\n{body}公开了依申请信息目录。"


@pytest.mark.parametrize("text,error", [
    ("", "not_chinese_text"),
    (" \n ", "not_chinese_text"),
    ("a" * 91 + "政务信息公开年度报", "not_chinese_text"),     # 9 Han of 100 visible characters
    ("a" * 90 + "政务信息公开年度报表", None),                 # 10 of 100: enough, though none in the first quarter
    ("信息公开" + "a" * 200, "not_chinese_text"),
])
def test_han_ratio_screen(text, error):
    frame = pl.DataFrame({"source": ["x"], "encoding": ["utf-8"], "text": [text], "error": [None]},
                         schema={"source": pl.String, "encoding": pl.String, "text": pl.String, "error": pl.String})
    assert normalize_batch(frame)["error"].to_list() == [error]


@pytest.mark.parametrize("markup,expected", [
    ("<p><span>自然</span><span>人</span><o:p></o:p></p>", "\n自然人\n"),  # inline markup only splits the text
    ("<p>甲<font>&amp;</font>lt;乙</p>", "\n甲<乙\n"),                        # entities decoded piece by piece, then once more
    ('<p title="a>正文', '<p title="a>正文'),                                 # an unclosed quote: no tag
    ("甲</table>乙", "甲\n乙"),                                               # a stray table end still breaks the line
    ("<td>甲</td><table><tr><th>乙</th></tr></table>", "甲\n\n| 乙 |\n\n"),
    ("<style>a</style ><p>x</p>", "\nx\n"),
    ("<script>a</script\x0b><p>x</p>", "\n\n"),                               # no script end tag: the rest is script
])
def test_html_exact_text(markup, expected):
    assert html_to_text(markup) == expected


@pytest.mark.parametrize("text,expected", [
    ("规章\t22\t235", "| 规章 | 22 | 235 |"),                      # cells copied out of a spreadsheet
    ("行政强制\t\t2154", "| 行政强制 | 2154 |"),                    # a run of tabs is one separator
    ("规章|22|235", "| 规章 | 22 | 235 |"),                          # a crawler's bars without the outer ones
    ("行政强制|2154", "| 行政强制 | 2154 |"),                       # one bar before a figure
    ("|0|1", "|  | 0 | 1 |"),                                        # an empty first cell
    ("| 规章 | 22 | 235 |", "| 规章 | 22 | 235 |"),                 # already a row
    ("\t一、总体情况", "\t一、总体情况"),                           # indentation, not a cell
    ("首页|政务公开", "首页|政务公开"),                             # one bar between words: no row
    ("共受理申请12件", "共受理申请12件"),
    ("a\tb\n正文\n规章|1|2", "| a | b |\n正文\n| 规章 | 1 | 2 |"),   # line by line
])
def test_cell_rows(text, expected):
    assert cell_rows(text) == expected



@pytest.mark.parametrize("markup,expected", [
    ("<p>市政府办公厅行\n政规范性文件</p>", "市政府办公厅行政规范性文件"),   # a source line end between wide characters
    ("<p>受理申请 12\n件</p>", "受理申请 12 件"),                             # next to a digit it is a space
    ("<p>line one\nline two</p>", "line one line two"),
    ("<p>第一行<br>\n第二行</p>", "第一行\n第二行"),                          # <br> still breaks the line
    ("<pre>甲\n乙</pre>", "甲\n乙"),                                          # <pre> keeps its line ends
])
def test_source_line_ends_in_markup_are_white_space(markup, expected):
    assert html_to_text(markup).strip() == expected


@pytest.mark.parametrize("text,expected", [
    ("正文\n版权所有：某某人民政府 主办单位：某某办公室\n结尾", "正文\n\n结尾"),      # a footer line goes
    ("当前位置：首页 > 政务公开\n正文", "\n正文"),
    ("主动公开信息120条。" * 30 + "版权所有：某某人民政府", "主动公开信息120条。" * 30 + "版权所有：某某人民政府"),  # one long line stays
    ("主动公开信息120条\n地址：某某路1号", "主动公开信息120条\n地址：某某路1号"),  # 地址 without 邮编 is no footer
])
def test_drop_chrome_lines(text, expected):
    assert drop_chrome_lines(text) == expected


@pytest.mark.parametrize("raw,expected", [
    ("數據的統(tǒng)計期限", "数据的统计期限"),
    ("數據的統\n(tǒng)計期限", "数据的统计期限"),       # a PDF line broken between a character and its reading
    ("門戶網站\n(www)", "门户网站\n(www)"),            # ... but a bracket on a line of its own after no wrap stays
])
def test_ruby_across_a_line_break(raw, expected):
    assert normalize_text(raw)[0] == expected


@pytest.mark.parametrize("lines,rows", [
    # a label opens a row, the number cells after it are its values; a header cell is a row of its own
    (["信息内容 |", "本年制发件数 |", "规章 |", "1 |", "0 |", "5 |", "行政许可 |", "12 | ||"],
     ["| 信息内容 |", "| 本年制发件数 |", "| 规章 | 1 | 0 | 5 |", "| 行政许可 | 12 |"]),
    # negatives: too short a run, prose, rows already whole, a number with no label before it
    (["规章 |", "1 |", "0 |"], ["规章 |", "1 |", "0 |"]),
    (["全年主动公开信息120条。", "其中 |"], ["全年主动公开信息120条。", "其中 |"]),
    (["| 规章 | 1 | 0 | 5 |"] * 6, ["| 规章 | 1 | 0 | 5 |"] * 6),
    (["3 |", "4 |", "甲 |", "乙 |", "丙 |", "丁 |"], ["| 3 |", "| 4 |", "| 甲 |", "| 乙 |", "| 丙 |", "| 丁 |"]),
])
def test_regroup_cell_lines(lines, rows):
    assert regroup_cell_lines(lines) == rows


def test_regroup_cell_lines_keeps_blank_marks_in_their_row_and_leaves_long_lines_alone():
    assert regroup_cell_lines(["信息内容 |", "规章 |", "1 |", "/ |", "5 |", "行政许可 |", "12 | ||"]) == [
        "| 信息内容 |", "| 规章 | 1 | / | 5 |", "| 行政许可 | 12 |"]
    long_line = " " * 4000 + "甲" * 4000 + " |"
    assert regroup_cell_lines([long_line] * 3) == [long_line] * 3  # a short run is left alone


@pytest.mark.parametrize("raw,expected", [
    ("网(wǎng)站", "网站"), ("状(zhuàng)况", "状况"), ("绿(lǜ)色", "绿色"), ("而(ér)且", "而且"),
    ("报(bao)告", "报告"),                                # a reading without its tone mark
    # negative: letters in brackets that are no pinyin syllable stay
    ("门户网站(www)", "门户网站(www)"), ("移动客户端(app)", "移动客户端(app)"), ("附件(pdf)", "附件(pdf)"),
    ("格式(Word)", "格式(Word)"),                          # upper case: ruby is written in lower case
])
def test_ruby_is_one_pinyin_syllable(raw, expected):
    assert normalize_text(raw)[0] == expected
