import sys

import polars as pl
import pytest

from transforms.decode import decode_files
from transforms.normalize import (
    _STR_WHITESPACE,
    html_to_text,
    join_page_fragments,
    join_wrapped_lines,
    normalize_batch,
    normalize_text,
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


@pytest.mark.parametrize("text", [
    _lines(20, 15), _lines(20, 60), _lines(25, 30),         # hard-wrapped: joined
    _lines(19, 30), _lines(20, 14), _lines(20, 61),         # too few lines, too narrow, too wide: kept
    _lines(19, 30) + "\n| 表格 | 行 | 一 | 二 |",           # a table row is no wrapped line
])
def test_wrapped_lines_are_joined_exactly_where_join_wrapped_lines_joins(text):
    assert normalize_text(text)[0] == join_wrapped_lines(text).strip()


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
