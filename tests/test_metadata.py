import pytest

from transforms.metadata import (
    agency_from_contact,
    agency_from_overview,
    agency_from_sentence,
    agency_from_title,
    could_be_title,
    expand_agency,
    extract_metadata,
    find_published_on,
    find_report_year,
    find_signed_on,
    find_title,
)


@pytest.mark.parametrize("title,agency", [
    ("泰安市市直机关事务管理局2010年政务公开年度报告", "泰安市市直机关事务管理局"),
    ("张掖市发展和改革委员会关于2010年政务公开工作总结报告", "张掖市发展和改革委员会"),
    ("2012年阿尔山市政务公开和政务服务工作总结", "阿尔山市"),
    ("2025 年上海市人民政府办公厅政府信息公开工作年度报告", "上海市人民政府办公厅"),
    ("市民政局2012年政务公开年报", "市民政局"),
    # autonomous prefecture + autonomous county + department: 32 characters
    ("2013年红河哈尼族彝族自治州金平苗族瑶族傣族自治县人力资源和社会保障局政务公开年度报告",
     "红河哈尼族彝族自治州金平苗族瑶族傣族自治县人力资源和社会保障局"),
    ("2020年度政府信息公开工作报告", None),       # the topic's 政府 is no agency
    ("2021年政务公开工作年度报告", None),
])
def test_agency_from_title(title, agency):
    assert agency_from_title(title) == agency


@pytest.mark.parametrize("agency,text,expected", [
    ("市民政局", "来源:亳州市民政局 字体", "亳州市民政局"),
    ("市民政局", "没有地名", "市民政局"),
    # a long autonomous-county name, found by the division gazetteer, not cut at 7 characters
    ("县科学技术局", "如有疑问请与察布查尔锡伯自治县科学技术局联系", "察布查尔锡伯自治县科学技术局"),
    # a date word before the level character is no place
    ("市机关事务管理局", "2020年度市机关事务管理局认真贯彻", "市机关事务管理局"),
])
def test_agency_expanded_with_place_from_the_text(agency, text, expected):
    assert expand_agency(agency, text) == expected


@pytest.mark.parametrize("text,year", [
    ("统计期限自2010年1月1日起至2011年1月1日止", 2010),
    ("本年度报告中所列数据统计期限为 2025年 1 月 1 日至 12 月 31 日", 2025),
    ("2013年1月16日发布。2012年度工作", 2012),
])
def test_report_year(text, year):
    assert find_report_year(text, None) == year


def test_report_year_never_defaults_to_publication_year():
    assert find_report_year("发布日期:2011-02-17 正文没有年份", "无题") is None


@pytest.mark.parametrize("text,published", [
    ("发布日期:2011-02-17 10:52 浏览次数:", "2011-02-17"),
    ("发布时间:2013-01-16 00:00 来源:x", "2013-01-16"),
    ("上传人:大米 上传时间:2023-05-19 格式:DOC", "2023-05-19"),
    ("生成日期\n2021-01-07 10:32:59", "2021-01-07"),
    ("| 发布机构 | 沭阳县发展和改革局 | 公开日期 | 2024-01-17 |", "2024-01-17"),
    ("采集时间：2025-12-30T21:37:37+08:00", None),   # crawl time is not publication
])
def test_published_on(text, published):
    assert find_published_on(text) == published


@pytest.mark.parametrize("tail,year,signed,flags", [
    ("二零一一年二月十二日", 2010, "2011-02-12", []),
    ("〇一〇年十二月十八日", 2010, "2010-12-18", ["year_inferred_from_truncated_date"]),
    ("沭阳县发展和改革局\n2024年1月17日", 2023, "2024-01-17", []),
    ("最后一段正文，没有日期。", 2023, None, []),
])
def test_signed_on(tail, year, signed, flags):
    text = "正文。" * 200 + "\n" + tail
    assert find_signed_on(text, year) == (signed, flags)


def test_publication_before_year_end_is_flagged():
    meta = extract_metadata("2023年机关管理局政务公开汇报\n上传时间:2023-05-19\n正文")
    assert meta.report_year == 2023
    assert "report_year_after_publication" in meta.flags


@pytest.mark.parametrize("head,title", [
    # PDF titles wrapped after the topic, after the year, before the year, after 关于, over three lines
    ("正文\n2025 年上海市人民政府办公厅政府信息公开\n工作年度报告\n本年度报告中所列数据统计期限为 2025年 1 月 1 日至 12 月 31 日。",
     "2025 年上海市人民政府办公厅政府信息公开工作年度报告"),
    ("泰安市民政局2020年度\n政府信息公开工作年度报告\n一、总体情况", "泰安市民政局2020年度政府信息公开工作年度报告"),
    ("正文\n泰安市民政局\n2020年度政府信息公开工作报告\n一、总体情况", "泰安市民政局2020年度政府信息公开工作报告"),
    ("张掖市发展和改革委员会关于\n2021年政务公开工作总结报告\n2021年，我委认真贯彻落实《条例》。",
     "张掖市发展和改革委员会关于2021年政务公开工作总结报告"),
    ("泰安市民政局\n2020年度政府信息公开\n工作年度报告\n一、总体情况", "泰安市民政局2020年度政府信息公开工作年度报告"),
    ("2021年度\n泰安市民政局政府信息公开工作年度报告\n一、总体情况", "2021年度泰安市民政局政府信息公开工作年度报告"),
    # a title that names its agency takes no line before it; a site's name or a field is no agency line
    ("泰安市民政局\n泰安市民政局2020年政府信息公开工作年度报告", "泰安市民政局2020年政府信息公开工作年度报告"),
    ("泰安市人民政府门户网站\n2020年度政府信息公开工作年度报告", "2020年度政府信息公开工作年度报告"),
    ("发布时间：2021-01-15\n2020年度政府信息公开工作年度报告", "2020年度政府信息公开工作年度报告"),
    ("亳州市民政局\n您现在所在的位置: 网站首页 > 政府信息公开 > 亳州市民政局 > 政府信息公开年报\n市民政局2012年政务公开年报\n"
     "发布时间:2013-01-16 00:00 来源:亳州市民政局", "市民政局2012年政务公开年报"),
    # two lines that name a report only together are joined only when neither is a field
    ("发布日期：2021年3月1日\n政府信息公开年报\n泰安市民政局2020年度政府信息公开工作年度报告",
     "泰安市民政局2020年度政府信息公开工作年度报告"),
])
def test_wrapped_titles(head, title):
    assert find_title(head) == title


def test_wrapped_title_gives_the_agency():
    meta = extract_metadata("正文\n泰安市民政局\n2020年度政府信息公开工作报告\n一、总体情况\n" + "正文。" * 50)
    assert (meta.title, meta.agency, meta.report_year) == ("泰安市民政局2020年度政府信息公开工作报告", "泰安市民政局", 2020)


@pytest.mark.parametrize("title,year,flagged", [
    ("某县人民政府2042年政府信息公开工作年度报告", None, True),    # a future year: unknown, flagged
    ("某县人民政府2005年政务公开工作总结", None, True),            # before the regulation
    ("某县人民政府2019年政府信息公开工作年度报告", 2019, False),
])
def test_implausible_report_year_is_null_and_flagged(title, year, flagged):
    meta = extract_metadata(title + "\n正文。")
    assert meta.report_year == year
    assert ("report_year_implausible" in meta.flags) is flagged


@pytest.mark.parametrize("text,agency", [
    ("根据《条例》规定,现公布泰州市人民政府2017年政府信息公开工作年度报告。报告所列数据", "泰州市人民政府"),
    ("清江浦区政务公开工作领导小组办公室编制了清江浦区人民政府2021年度政府信息公开工作年度报告。", "清江浦区人民政府"),
    ("要求,现公布宣州区科技局2020年政府信息公开工作年度报告。", "宣州区科技局"),
    ("荆州市荆州区人民政府办公室2021年政府信息公开工作年度报告(以下简称年报)是根据", "荆州市荆州区人民政府办公室"),
    # the year first, the body between year and topic
    ("根据《条例》的文件精神,特向社会公布2020年开平市农业农村局政府信息公开工作年度报告。", "开平市农业农村局"),
    ("特向社会公布2017年度政府信息公开年度报告。", None),
    # who compiled it, right before 编制; a body with a topic word in its name is no name
    ("本报告是根据《条例》要求,由北京市信访办编制的2014年度政府信息公开年度报告。", "北京市信访办"),
    ("本报告由南平市人民政府信息公开工作领导小组办公室根据《条例》要求编制而成。", None),
    ("本报告根据《条例》要求,由福州市晋安区人民政府信息公开办编制。", None),
    # negatives: no publishing cue before the name (another document, a format, a link), an office compiling
    # for its government, a body the gazetteer does not place, a self-reference, no report named
    ("发布机构：泰兴市卫生健康委员会\n根据江苏省人民政府办公厅2020年政府信息公开工作年度报告格式要求", None),
    ("参照2020年江苏省政府信息公开工作年度报告格式要求", None),
    ("相关阅读：泰州市教育局2017年政府信息公开工作年度报告", None),
    ("本报告由宿迁市人民政府办公室编制而成。", None),
    ("现公布我局2020年政府信息公开工作年度报告。", None),
    ("按照《福建省人民政府办公厅关于做好2012年政府信息公开工作年度报告有关事项的通知》要求", None),
    ("福建省人民政府办公厅关于做好2012年政府信息公开工作年度报告有关事项的通知", None),
    ("现将市政府办公室2020年政府信息公开工作年度报告公布如下", None),
    ("泰州市人民政府2017年工作要点已印发。", None),
])
def test_agency_from_a_sentence_naming_the_report(text, agency):
    assert agency_from_sentence(text) == agency


def test_a_sentence_naming_the_report_gives_the_agency_where_the_title_and_fields_give_less():
    text = ("| 索 引 号 | 014416330/2018-04736 | 分 类 | 政府信息公开年报 |\n发布机构 | 市政府办 | 发文日期 | 2018-02-28 |\n"
            "根据《中华人民共和国政府信息公开条例》规定,现公布泰州市人民政府2017年政府信息公开工作年度报告。"
            "报告所列数据的统计期限自2017年1月1日起至12月31日止。\n一、主要工作概述\n" + "正文。" * 40)
    meta = extract_metadata(text)
    assert (meta.agency, meta.report_year) == ("泰州市人民政府", 2017)


@pytest.mark.parametrize("line,ok", [
    ("沭阳县发展和改革局", True), ("政府信息公开工作年度报告", True),
    ("根据《中华人民共和国政府信息公开条例》的有关规定,特向社会公布2017年度政府信息公开年度报告。", False),
    ("| 索 引 号 | 014416330/2018-04736 | 分 类 | 政府信息公开年报 |", False),
    ("索 引 号：014416330/2018-04736", False), ("一、总体情况", False), ("（一）主动公开情况", False),
    ("甲" * 61, False),
])
def test_could_be_title(line, ok):
    assert could_be_title(line) is ok


def test_the_cell_of_a_field_row_that_names_the_report_is_the_title():
    head = "名称 | 宿迁市政府办公室2014年政府信息公开年度报告 | ||\n索引号 | 014320144/2015-00056 | 分类 | 报告 |\n正文。"
    assert find_title(head) == "宿迁市政府办公室2014年政府信息公开年度报告"


def test_a_field_line_that_names_the_report_is_the_title_without_its_label():
    head = "- 设为首页\n名 称: 新下陆街道办事处2022年度 政府信息公开工作年度报告\n索 引 号: 000014349/2023-05239\n正文。"
    assert find_title(head) == "新下陆街道办事处2022年度 政府信息公开工作年度报告"
    assert find_title("说明: 2022年度政府信息公开工作年度报告\n正文。") == "说明: 2022年度政府信息公开工作年度报告"


def test_a_sentence_that_names_the_report_is_no_title():
    text = "本报告根据《条例》编制而成。本报告所列数据为2020年1月1日至2020年12月31日。\n一、总体情况\n" + "正文。" * 40
    assert find_title(text) is None


@pytest.mark.parametrize("head,title", [
    # a letter-spaced label with no colon, as a document site writes its field block
    ("索引号 x01/2023-00011\n标   题 县档案局2022年度政府信息公开工作年度报告\n发布机构 县档案局\n正文。",
     "县档案局2022年度政府信息公开工作年度报告"),
    ("名 称 某镇2021年政府信息公开工作年度报告\n正文。", "某镇2021年政府信息公开工作年度报告"),
    # negative: two words before a space are no label, and a label that names no report is left alone
    ("工作 年度报告2021\n正文。", "工作 年度报告2021"),
])
def test_a_spaced_field_label_without_colon(head, title):
    assert find_title(head) == title


@pytest.mark.parametrize("text,agency", [
    # a preposition opening the clause is no part of the township's name
    ("本年度报告是根据《条例》要求,由前河镇编制的2009年政府信息公开年度报告。我镇全年公开信息20条。", "前河镇"),
    # a list marker before 镇 is no township
    ("一是领导重视。二是镇党政领导高度重视信息公开工作,我镇成立了领导小组。", None),
    # a site's menu is no body
    ("移动端应用\n政务微信\n登录个人中心\n2016年我局高度重视信息公开工作。", None),
])
def test_agency_is_no_clause_opening_list_marker_or_menu(text, agency):
    assert extract_metadata(text).agency == agency


@pytest.mark.parametrize("text,agency", [
    # the report's own title in 《》 after a publishing cue
    ("根据《条例》规定,现发布《临潭县新城镇2022年政府信息公开工作年度报告》。", "临潭县新城镇"),
    # a township the gazetteer does not list, after a cue
    ("特向社会公布青石街道2021年度信息公开年度报告,内容如下。", "青石街道"),
    ("根据《条例》的规定,现公布2012年西岭镇政府信息公开工作年度报告。", "西岭镇"),
    # negative: another document's title in 《》 names no body
    ("根据《关于做好2012年东山镇政府信息公开工作年度报告的通知》要求编制。", None),
    # negative: no cue, no gazetteer place: a township name is not believed
    ("为了西岭镇2012年政府信息公开工作年度报告的编制,开展了调研。", None),
])
def test_agency_from_a_sentence_quoted_title_and_townships(text, agency):
    assert agency_from_sentence(text) == agency


@pytest.mark.parametrize("text,agency", [
    ("如对本报告有疑问,请与辽阳市民政局办公室联系,电话:0419-1234567。", "辽阳市民政局"),
    ("如有疑问,请与西岭镇党政办公室联系。", "西岭镇"),
    ("请与闽清县水利局政府信息公开工作领导小组办公室联系。", "闽清县水利局"),
    ("可与宁乡市人民政府办公室联系。", "宁乡市人民政府"),
    # negative: an office with no body before it, a person, no division
    ("请与办公室联系。", None),
    ("请与张同志联系。", None),
    ("请与某某局办公室联系。", None),
])
def test_agency_from_the_contact_line(text, agency):
    assert agency_from_contact(text) == agency


@pytest.mark.parametrize("text,agency", [
    ("一、总体情况\n2022年,桦南县司法局认真履行《条例》规定的义务。", "桦南县司法局"),
    ("一、总体情况\n2024年，吉林市人民政府办公厅坚持以习近平新时代中国特色社会主义思想为指导。", "吉林市人民政府办公厅"),
    # negative: no predicate word after the subject, no known division, a topic for a subject
    ("一、总体情况\n2022年,桦南县司法局的各项工作。", None),
    ("一、总体情况\n2022年,我局认真履行《条例》规定的义务。", None),
    ("一、总体情况\n2022年,全区政府信息公开工作扎实推进。", None),
])
def test_agency_from_the_overview_subject(text, agency):
    assert agency_from_overview(text) == agency


def test_compiled_by_after_nianbao():
    text = "本年报是根据《条例》要求,由瓯海区民族宗教事务局编制的2018年度政府信息公开年度报告。"
    assert agency_from_sentence(text) == "瓯海区民族宗教事务局"


@pytest.mark.parametrize("text,year", [
    ("某省生态环境厅\n\n2022政府信息公开工作年度报告\n一、总体情况\n全年公开信息。", 2022),  # a title without 年
    ("一、总体情况\n本报告从六个方面汇报我镇2023年政府信息公开工作。", 2023),
    # negative: another document's title in 《》 gives no year; no topic after the year, none either
    ("一、总体情况\n按照《2024年政务公开工作要点》开展工作。", None),
    ("一、总体情况\n2022年以来，某乡在县委领导下开展工作。", None),
])
def test_report_year_from_the_topic_after_it(text, year):
    assert find_report_year(text, None) == year
