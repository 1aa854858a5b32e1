"""Agency names validated by structure: body types and not-words are data (transforms/vocab/), so each case
here is a row, negative cases included."""

import pytest

from transforms import agency_name
from transforms.metadata import find_agency


@pytest.mark.parametrize("name,ok", [
    ("上海市人民政府办公厅", True),
    ("沐阳县人民政府", True),              # an OCR misreading is still a body's name by structure
    ("上海市人民政府参事室", True),          # a body type off the old closed list
    ("红河哈尼族彝族自治州金平苗族瑶族傣族自治县人力资源和社会保障局", True),
    ("阿尔山市", True),                      # a place standing for its government
    ("南薰乡", True),
    ("佳荣里街", True),                      # a sub-district named 街
    ("二是镇", False),                       # a list marker, not a township
    ("登录个人中心", False),                 # a site's menu
    ("上海市科委", True),
    # negatives: sentence fragments, chrome, markup, bare types, self-reference
    ("根据《中华人民共和国政府信息公开条例》(以下简称《条例》)和省、市、县政府信息公开工作相关要求,现将我乡", False),
    ("根据《中华人民共和国政府信息公开条例》的有关规定,特向社会公布", False),
    ("本站原创", False),
    ("# 沐阳县人民政府", False),
    ("政府", False),
    ("我乡", False),
    ("全县", False),
    ("各乡镇", False),
    ("桂林市龙胜各族自治县科学技术局", True),   # 各 of 各族 is no distributive
    ("天全县农业局", True),                  # 全县 inside the county's own name
    ("万全区农业农村局", True),              # 全区 inside the district's own name
    ("全县农业局", False),                   # ... but a distributive before a body is no place
    ("天全县全区农业局", False),
    ("中国上海门户网站", False),
    ("市政府信息公开工作年度报告", False),
    ("上海市(科学技术委员会", False),        # unpaired bracket
    ("x" * 3 + "局", False),
    ("上海市科学技术委员会" * 5, False),  # longer than any name
])
def test_is_agency_name(name, ok):
    assert agency_name.is_agency_name(name) is ok


@pytest.mark.parametrize("written,cleaned", [
    ("# 沐阳县人民政府 ", "沐阳县人民政府"),
    ("| 沭阳县发展和改革局 |", "沭阳县发展和改革局"),
    ("**广州市 人民政府**", "广州市人民政府"),
    (None, None),
    ("  ", None),
])
def test_clean(written, cleaned):
    assert agency_name.clean(written) == cleaned


@pytest.mark.parametrize("text,name", [
    ("2014年,南薰乡未收取任何费用。现将我乡2014年报告公开如下", "南薰乡"),
    ("我乡进一步加强。截至2017年底,我乡工作运行正常。", None),              # no name written
    ("我乡。2014年,南薰乡未收取;2014年,北山乡未收取", None),                # two names: no guess
    ("2014年,南薰乡未收取任何费用", None),                                  # no self-reference
    ("我乡推进城乡统筹,全乡干部", None),                                    # 城乡 / 全乡 are no names
])
def test_from_self_reference(text, name):
    assert agency_name.from_self_reference(text) == name


@pytest.mark.parametrize("name,other,fuller", [
    ("市民政局", "亳州市民政局", True),
    ("县市场监督管理局", "咸阳市彬县市场监督管理局", True),   # a bare level word completed by its place
    ("建新镇", "遂溪县建新镇人民政府", True),
    ("建新镇", "建新镇人民政府", True),
    ("民政局", "民政局办公室", False),          # a unit inside the body is another body
    ("市民政局", "省民政厅", False),
    ("民政局", "大民政局", False),              # no place before it
    ("建新镇", None, False),
])
def test_more_specific(name, other, fuller):
    assert agency_name.more_specific(name, other) is fuller


@pytest.mark.parametrize("text,agency", [
    # the title names it; a header line names it more fully
    ("遂溪县建新镇人民政府\n2018年建新镇政府信息公开工作年度报告\n正文", "遂溪县建新镇人民政府"),
    # no title: a header line of its own
    ("广州市人民政府\n2013年3月\n本年度报告是根据《条例》编写而成。", "广州市人民政府"),
    # markup off the title's agency
    ("# 沐阳县人民政府 2025 年 政府信息公开工作年度报告\n正文", "沐阳县人民政府"),
    # only a sentence: no agency rather than a fragment
    ("根据《中华人民共和国政府信息公开条例》的有关规定,特向社会公布2017年度政府信息公开年度报告。\n一、概述", None),
    # a source field
    ("信息来源:沙塘镇人民政府\n根据《条例》规定,认真编制了2016年度报告。", "沙塘镇人民政府"),
    # chrome in the source field is no name
    ("作者:本站原创 | 来源:本站原创\n根据《条例》规定,编制本报告。", None),
])
def test_find_agency(text, agency):
    from transforms.metadata import find_title
    assert find_agency(text, find_title(text)) == agency


@pytest.mark.parametrize("name,ok", [
    ("螺洋街道", True), ("前河镇人民政府", True), ("兴东街道办事处", True), ("温图高勒苏木", True),
    # negative: no township, or a township word alone, or too long a stem to be one name
    ("县教育局", False), ("镇", False), ("镇人民政府", False), ("很多很多很多很多地方的镇", False),
])
def test_is_township(name, ok):
    assert agency_name.is_township(name) is ok
