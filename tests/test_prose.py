"""Table-driven cases for prose figures, written as they appear in real reports."""

import pytest

from transforms.extract import units
from transforms.normalize import normalize_text
from transforms.prose import (
    clause_channel,
    extract_prose,
    extract_zero_statements,
    inside_note,
    whole_clause,
)
from transforms.stat_rows import extract_stat_rows


def facts(text: str) -> set[tuple]:
    return {(f.code, f.breakdown, f.value, f.qualifier) for f in extract_prose(text, units())}


@pytest.mark.parametrize("text,expected", [
    ("一年来,政风行风热线上线8次,栏目转来涉及我局业务的群众咨询、求助217件,市民论坛发帖咨询85件,都按时答复。",
     {("hotline.sessions", "", 8, "exact"), ("consultations.total", "政风行风热线", 217, "exact"),
      ("consultations.total", "市民论坛", 85, "exact")}),
    ("充分利用政府信息门户网站公开机构职能类信息11条。政策法规5条,便民服务3条。",
     {("proactive.category", "机构职能类信息", 11, "exact"), ("proactive.category", "政策法规", 5, "exact"),
      ("proactive.category", "便民服务", 3, "exact")}),
    ("依托市政府信息公开网站共发布信息245条,比去年有新增,其中人事信息类28条,工作动态类87条。",
     {("proactive.website", "", 245, "exact"), ("proactive.category", "人事信息类", 28, "exact"),
      ("proactive.category", "工作动态类", 87, "exact")}),
    # a document-site heading run into its first sentence is not the figure's label
    ("五、复议、诉讼和申诉情况 全年发生政府信息公开行政复议2件，行政诉讼1件。",
     {("review.total", "", 2, "exact"), ("litigation.total", "", 1, "exact")}),
    # a bare 诉讼 after the review figure; the outcome words with 答复/的; a list item ending in a verb
    ("信息公开类行政复议7件，诉讼9件，均获维持。",
     {("review.total", "", 7, "exact"), ("litigation.total", "", 9, "exact")}),
    ("所有办结的申请中同意公开答复 9 件，不予公开答复 2件，无法提供的 10 件，转下一年度办理答复的有 1 件。",
     {("requests.granted", "", 9, "exact"), ("requests.denied", "", 2, "exact"),
      ("requests.unavailable", "", 10, "exact"), ("requests.carried_out", "", 1, "exact")}),
    ("网站全年累计发布信息 2139 条，其中动态类信息发布 1744 条，政务信息发布 393 条。",
     {("proactive.website", "", 2139, "exact"), ("proactive.category", "动态类信息", 1744, "exact"),
      ("proactive.category", "政务信息", 393, "exact")}),
    # items of government information on the site counted in 件, then its categories
    ("市科委通过部门网站当年发布政府信息 393 件，其中包括：行政规范性文件 13 件；规划计划文件 2 件；",
     {("proactive.website", "", 393, "exact"), ("proactive.category", "行政规范性文件", 13, "exact"),
      ("proactive.category", "规划计划文件", 2, "exact")}),
    # ... but documents put on a site are no count of its information, nor requests a site received
    ("通过网站公开文件 13 件。网站共受理申请5件。", {("requests.received", "", 5, "exact")}),
    # negatives: releases about meetings are no meetings, an opinion drive's rounds are no gazette issues
    ("对市政府常务会议的重要议题进行权威发布共计38次。完成政府常务会议同步配套解读 7 次。开展意见征集9期。", set()),
    # nouns listed with 、 share one figure: the whole list is its label
    ("2017年,主动公开政府工作信息、动态755多条。", {("proactive.total", "", 755, "at_least")}),
    # an item's share does not end the list
    ("主动公开政府信息共145条。其中,工作信息126条,占86.9%;民生事项0条;行政执法12条。",
     {("proactive.total", "", 145, "exact"), ("proactive.category", "工作信息", 126, "exact"),
      ("proactive.category", "民生事项", 0, "exact"), ("proactive.category", "行政执法", 12, "exact")}),
    # the channels of a total are no categories; all channels together are the total
    ("2016年政务网站、微信、微博共发布各类信息2483条,其中网站(含转发)319条,微信(含转发)851条。",
     {("proactive.total", "", 2483, "exact"), ("proactive.website", "", 319, "exact")}),
    # an application for review is a review
    ("我乡收到有关政府信息公开行政复议申请0件。", {("review.total", "", 0, "exact")}),
    # what the body had others do; a livestream is no hotline session
    ("督促县直部门在信息公开页面发布信息3044条。“上海科技”视频号直播 118 场。", set()),
    # a bare 诉讼 with no review figure before it is not enough
    ("诉讼9件。", set()),
    # the list opens in the next sentence
    ("主动公开政府信息共145条。其中，机构信息1条；政策法规12条；规划计划3条。",
     {("proactive.total", "", 145, "exact"), ("proactive.category", "机构信息", 1, "exact"),
      ("proactive.category", "政策法规", 12, "exact"), ("proactive.category", "规划计划", 3, "exact")}),
    ("全年共审核发布各类公开政府信息249条，其中：发布行政公文和政策解读信息9条；重点工作39条。",
     {("proactive.total", "", 249, "exact"), ("proactive.category", "行政公文和政策解读信息", 9, "exact"),
      ("proactive.category", "重点工作", 39, "exact")}),
    ("全年主动公开市政府规章 22 件、人事任免文件 196 件、其他文件 84 件；推进重点领域 125 项信息公开任务。",
     {("proactive.category", "市政府规章", 22, "exact"), ("proactive.category", "人事任免文件", 196, "exact"),
      ("proactive.category", "其他文件", 84, "exact")}),
    ("在市电视台、《张掖日报》等媒体上宣传报道发改委相关工作30余次。", {("proactive.media_reports", "", 30, "at_least")}),
    ("全年编发《发展改革动态》11期、《重点项目建设》2期。",
     {("proactive.gazette_issues", "发展改革动态", 11, "exact"), ("proactive.gazette_issues", "重点项目建设", 2, "exact")}),
    ("2009年更新电脑4台,2010年配备电脑5台。",
     {("equipment.computers", "2009", 4, "exact"), ("equipment.computers", "2010", 5, "exact")}),
    ("共受理各类群众投诉问题70多件,群众对答复处理结果满意率达到95%以上。",
     {("satisfaction.rate", "", 95, "at_least")}),
    ("自市长热线电话开通以来,共受理各类群众投诉问题70多件。", {("hotline.cases", "", 70, "at_least")}),
    ("收到市长电子信箱、便民“12345”公开电话情况反映13件,按时办结13件;",
     {("hotline.cases", "", 13, "exact"), ("hotline.cases_closed", "", 13, "exact")}),
    ("领导小组年内两次召开政务公开工作会议,研究部署相关工作。", {("meetings.held", "", 2, "exact")}),
    ("先后召开3次专题会议,研究制定政务公开工作实施方案。", {("meetings.held", "", 3, "exact")}),
    ("76个单位开展了政务公开工作,全市公开的各类项目合计为256项,办事窗口31个。",
     {("staff.units", "", 76, "exact"), ("service_center.windows", "", 31, "exact")}),
    ("市政府共受理政府信息公开申请 1295 件，办结 1191 件（含上年结转 189 件）。",
     {("requests.received", "", 1295, "exact"), ("requests.handled_total", "", 1191, "exact"),
      ("requests.carried_in", "", 189, "exact")}),
    ("其中，予以公开及部分公开 208 件（17.46%），不予公开 20 件（1.68%），因本机关不掌握等原因无法提供 564 件。",
     {("requests.denied", "", 20, "exact"), ("requests.unavailable", "", 564, "exact")}),
    ("收取信息处理费共计380元。", {("requests.fees_charged", "", 380, "exact")}),
    ("全年受理网络问政182件。", {("consultations.total", "网络问政", 182, "exact")}),
    ("召开市政府新闻发布会 42 场、新闻通气会 19 场。",
     {("proactive.press_conferences", "", 42, "exact"), ("proactive.press_conferences", "", 19, "exact")}),
])
def test_prose_figures(text, expected):
    assert facts(text) == expected


@pytest.mark.parametrize("text", [
    "按照泰政办函[2011]3号《关于做好2010年政府信息公开工作年度报告编制工作和发布工作的通知》的要求。",  # document number
    "本报告中所列数据的统计期限自2010年1月1日起至2011年1月1日止。",                                  # dates
    "地址：沭阳县沭城街道苏州东路42号，邮编：223600，电话：0527—83593059。",                          # address, phone
    "第1页 / 共7页",                                                                                   # page counter
    "第二十条第（一）项",                                                                               # article number
    "一是召开局党委扩大会议。二是调整充实了领导小组。",                                                 # list ordinals
    "每月召开一次办公会,听取各中心工作情况汇报。",                                                       # a frequency, not a count
    "建立了首问负责制、一次性告知制等十项工作制度。",
    "同比显著增长82%，其中 47%来自海外；社交媒体账号粉丝总量近 45.9 万人。",                            # no catalog code
    "（其中修订 16 件）",
    "从机关各科室抽调4名工作人员,明确专人专岗负责。",
    "全年共受理政府信息公开申请 12\n件",                                                               # a line break ends a figure
    "| 全年受理政府信息公开申请 12 件 |",                                                                # a table row, not prose
    # full- and part-time staff together: no catalog code counts them
    "配备专兼职工作人员5名，负责信息发布和依申请公开工作。",
    "共有专、兼职信息员12名。",
    "明确专职和兼职人员7名。",
    "配备专（兼）职人员4名。",
    "安排2名工作人员负责网站信息更新。",
])
def test_numbers_that_are_not_facts(text):
    assert facts(text) == set()


@pytest.mark.parametrize("text,expected", [
    ("全年未收到依申请公开类信息申请。", {"requests.received"}),
    ("目前尚未收到公开申请。", {"requests.received"}),
    ("2012年,没有群众向我局申请公开民政信息,故未发生依申请公开政府信息情况以及因政府信息公开申请行政复议、提起行政诉讼等情况。",
     {"requests.received", "review.total", "litigation.total"}),
    ("本年度内事务管理局政务信息公开不涉及依申请公开、不予公开及咨询政府信息情况;申请行政复议、提起行政诉讼和申诉的情况。",
     {"requests.received", "review.total", "litigation.total", "complaints.total"}),
    ("我局从没有涉及信息收费所以也不存在信息减免费的情况。", {"requests.fees_charged"}),
    ("2025 年度本机关未收取信息公开处理费。", {"requests.fees_charged"}),
    ("全年未发生因依申请公开被行政复议纠错或行政诉讼败诉情形。", set()),   # about outcomes, not a zero count
    # the application is what a review would be about: the sentence names reviews and lawsuits only
    ("本年度未发生因政府信息公开申请行政复议、提起行政诉讼的情况。", {"review.total", "litigation.total"}),
    ("全年未发生政府信息公开方面责任追究结果情况。", set()),
    ("对不予公开的信息将给予信息申请人情况说明。", set()),
    ("本年度工作平稳推进。全年无一件依申请公开申请。", {"requests.received"}),   # the cue in a later sentence
    ("| 全年未收到依申请公开申请 |", set()),                                       # a table row, not prose
    ("2014年度我乡没有接到群众主动要求公开政府信息的申请。", {"requests.received"}),
    # the applicant of a fee sentence is no application
    ("2016年,没有向政府信息公开申请人收费的情况。", {"requests.fees_charged"}),
])
def test_zero_statements(text, expected):
    got = extract_zero_statements(text, units())
    assert {f.code for f in got} == expected
    assert all(f.value == 0 and f.qualifier == "stated_none" for f in got)


@pytest.mark.parametrize("row,expected", [
    ("通过政府网站公开数(条)             2306", ("proactive.website", "", 2306)),
    ("召开新闻发布会次数(条)             5", ("proactive.press_conferences", "", 5)),
    ("二、依申请公开数量(件)             0", ("requests.received", "", 0)),
    ("四、行政诉讼数量(件)              5", ("litigation.total", "", 5)),
    ("公开保障性住户信息(条)             14", ("proactive.category", "保障性住户信息", 14)),
    ("公共查阅点查阅量(人次)             130", ("proactive.reading_point_visits", "", 130)),
    ("行政非许可事项(项)               68", ("approval.non_licensing_items", "", 68)),
    ("政务服务中心办结量(件)             20582", ("service_center.cases_closed", "", 20582)),
    ("信息公开专职人员数(个)             10", ("staff.full_time", "", 10)),
    ("召开信息公开工作会或专题会(次)         6", ("meetings.held", "", 6)),
    ("信息公开专项经费(万元)             9.5万", ("budget.disclosure", "", 9.5)),
    ("| 通过政府网站公开数(条) | 2306 |", ("proactive.website", "", 2306)),
])
def test_statistics_table_rows(row, expected):
    got = extract_stat_rows(row, units())
    assert [(f.code, f.breakdown, f.value) for f in got] == [expected]
    assert all(f.qualifier == "exact" for f in got)


def test_compound_cell_gives_both_figures():
    got = extract_stat_rows("培训班次/人数 4次/106人", units())
    assert {(f.code, f.value) for f in got} == {("training.sessions", 4), ("training.participants", 106)}


@pytest.mark.parametrize("row", [
    "实际进驻审批事项数量/应进驻审批事项数量(件)   217",
    "是否实现网上信息公开及政务服务          是",
])
def test_statistics_rows_without_a_code(row):
    assert extract_stat_rows(row, units()) == []


@pytest.mark.parametrize("text,expected", [
    # pre-2019 request outcomes in prose
    ("全年共受理依申请公开12件，其中同意公开8件，部分公开2件，信息不存在1件，非本机关职责范围1件。",
     {("requests.received", "", 12, "exact"), ("requests.granted", "", 8, "exact"),
      ("requests.partially_granted", "", 2, "exact"), ("requests.unavailable.not_held", "", 1, "exact"),
      ("requests.not_own_duty", "", 1, "exact")}),
    ("属信访、重复申请等不予处理 80 件，其他处理 319 件，结转下年度继续办理 3 件。",
     {("requests.not_processed", "", 80, "exact"), ("requests.other", "", 319, "exact"),
      ("requests.carried_out", "", 3, "exact")}),
    ("因政府信息公开被申请行政复议2件，提起行政诉讼1件，申诉1件。",
     {("review.total", "", 2, "exact"), ("litigation.total", "", 1, "exact"), ("complaints.total", "", 1, "exact")}),
    ("设立公共查阅点3个，接待查阅群众约200人次。",
     {("proactive.public_reading_points", "", 3, "exact"), ("proactive.reading_point_visits", "", 200, "approx")}),
    ("配备专职人员2名，兼职人员5名，设立信息公开专门机构1个。",
     {("staff.full_time", "", 2, "exact"), ("staff.part_time", "", 5, "exact"), ("staff.units", "", 1, "exact")}),
    ("举办培训班3期，培训干部150人次。",
     {("training.sessions", "", 3, "exact"), ("training.participants", "", 150, "exact")}),
    ("落实信息公开专项经费3000元。", {("budget.disclosure", "", 0.3, "exact")}),
    ("政务服务中心面积1200平方米，设办事窗口31个。",
     {("service_center.area", "", 1200, "exact"), ("service_center.windows", "", 31, "exact")}),
])
def test_more_prose_codes(text, expected):
    assert facts(text) == expected


@pytest.mark.parametrize("row,expected", [
    ("行政许可事项(项)                178", ("approval.licensing_items", "", 178)),
    ("行政服务事项(项)                10", ("approval.service_items", "", 10)),
    ("政务服务中心面积(平方米)            220", ("service_center.area", "", 220)),
    ("政务服务中心办件量(件)             20582", ("service_center.cases_received", "", 20582)),
    ("公共查阅点建设数量(个)             2", ("proactive.public_reading_points", "", 2)),
    ("信息公开兼职人员数(个)             76", ("staff.part_time", "", 76)),
    ("信息公开工作专门机构(个)            76", ("staff.units", "", 76)),
    ("三、行政复议数量(件)              0", ("review.total", "", 0)),
])
def test_more_statistics_rows(row, expected):
    assert [(f.code, f.breakdown, f.value) for f in extract_stat_rows(row, units())] == [expected]


@pytest.mark.parametrize("text,expected", [
    # the count before the noun
    ("明确2名兼职工作人员负责信息公开工作。", {("staff.part_time", "", 2, "exact")}),
    ("确定1名专职信息员和3名兼职信息员。", {("staff.full_time", "", 1, "exact"), ("staff.part_time", "", 3, "exact")}),
    # 全职 is 专职
    ("配备全职人员1人，兼职人员2人。", {("staff.full_time", "", 1, "exact"), ("staff.part_time", "", 2, "exact")}),
    ("配备专职工作人员3名。", {("staff.full_time", "", 3, "exact")}),
    ("设专职人员2名、兼职人员5名。", {("staff.full_time", "", 2, "exact"), ("staff.part_time", "", 5, "exact")}),
    # a total of both kinds, then one kind: only the kind is a fact
    ("配备专兼职人员7名，其中兼职人员5名。", {("staff.part_time", "", 5, "exact")}),
])
def test_staff_counts(text, expected):
    assert facts(text) == expected


@pytest.mark.parametrize("text,expected", [
    # `其中：` on a line of its own, between the total and its list
    ("全年共发布政府信息245条。\n其中：\n政策法规5条；便民服务3条。",
     {("proactive.total", "", 245, "exact"), ("proactive.category", "政策法规", 5, "exact"),
      ("proactive.category", "便民服务", 3, "exact")}),
    # `其中` opening the next line
    ("全年共发布政府信息245条。\n其中：政策法规5条，便民服务3条。",
     {("proactive.total", "", 245, "exact"), ("proactive.category", "政策法规", 5, "exact"),
      ("proactive.category", "便民服务", 3, "exact")}),
    ("全年共发布政府信息245条，\n其中政策法规5条，便民服务3条。",
     {("proactive.total", "", 245, "exact"), ("proactive.category", "政策法规", 5, "exact"),
      ("proactive.category", "便民服务", 3, "exact")}),
    # one item per line after a lone 其中
    ("主动公开政府信息共145条\n其中\n机构信息1条\n政策法规12条",
     {("proactive.total", "", 145, "exact"), ("proactive.category", "机构信息", 1, "exact"),
      ("proactive.category", "政策法规", 12, "exact")}),
    # a sentence between the total and the items ends the list
    ("全年共发布政府信息245条。\n其中：\n我局严格执行保密审查。\n政策法规5条",
     {("proactive.total", "", 245, "exact")}),
    # a list of request outcomes is no list of categories
    ("全年共受理政府信息公开申请12件。\n其中：\n予以公开8件",
     {("requests.received", "", 12, "exact"), ("requests.granted", "", 8, "exact")}),
])
def test_lists_after_a_split_qizhong(text, expected):
    assert facts(text) == expected


def test_qizhong_in_a_paragraph_of_its_own_on_a_web_page():
    text, _ = normalize_text("<p>全年共发布政府信息245条。</p><p>其中：</p><p>机构职能12条；</p><p>政策法规5条。</p>")
    assert facts(text) == {("proactive.total", "", 245, "exact"), ("proactive.category", "机构职能", 12, "exact"),
                           ("proactive.category", "政策法规", 5, "exact")}


def test_prose_extraction_grows_linearly_with_the_text():
    """`共发布信息` then `1条` many times (no separator): once quadratic. Doubling twice (x4) may cost at most 8x,
    a generous bound that a quadratic scan (16x) breaks; best of three runs against a busy machine."""
    import time

    from transforms.extract import extract_report

    def cost(n: int) -> float:
        text = "2020年政府信息公开工作年度报告\n共发布信息" + "1条" * n
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            extract_report(text)
            runs.append(time.perf_counter() - start)
        return min(runs)

    assert cost(80_000) <= 8 * cost(20_000) + 0.05


@pytest.mark.parametrize("figure,kept", [("99999999999999999999999", False), ("3985758", True)])
def test_implausible_magnitudes_are_dropped_and_flagged(figure, kept):
    from transforms.extract import extract_report
    record = extract_report(f"2020年某局政府信息公开工作年度报告\n全年共受理政府信息公开申请{figure}件。")
    assert bool([m for m in record["metrics"] if m["code"] == "requests.received"]) is kept
    assert ("implausible_magnitude" in record["flags"]) is not kept


@pytest.mark.parametrize("text,expected", [
    # the parts of a list item in its note are not items of the list; the next sentence's 各类信息 is no category
    ("主动公开市政府规章13件(含新制定5件,修改4件,废止4件),主动公开行政规范性文件42件,人事任免文件106件。"
     "全年网站共发布各类信息46106条。",
     {("proactive.category", "市政府规章", 13, "exact"), ("proactive.category", "行政规范性文件", 42, "exact"),
      ("proactive.category", "人事任免文件", 106, "exact"), ("proactive.website", "", 46106, "exact")}),
    ("全年主动公开信息300条,其中规章5件(其中新制定2件),规范性文件10件。",
     {("proactive.total", "", 300, "exact"), ("proactive.category", "规章", 5, "exact"),
      ("proactive.category", "规范性文件", 10, "exact")}),
    # negative: a list inside the note of a total is the list itself
    ("依托网站共发布信息245条(其中人事信息类28条,工作动态类87条)。",
     {("proactive.website", "", 245, "exact"), ("proactive.category", "人事信息类", 28, "exact"),
      ("proactive.category", "工作动态类", 87, "exact")}),
    # posts on WeChat or Weibo alone: no catalog code; all channels together: the total (test above)
    ("二是通过“荆州区讯”微信公众号公开信息836条。", set()),
    ("截至目前,区级政务微信发布信息1321条,总阅读数49.7万。", set()),
    # sent up to a superior body, not published
    ("中心网站发布各类信息635条,及时向上级报送工作动态信息共79条。", {("proactive.website", "", 635, "exact")}),
    # 其中包括 opens the list; the item is the noun after it
    ("主动公开政府信息977条。其中包括政府文件11条,工作动态信息270条。",
     {("proactive.total", "", 977, "exact"), ("proactive.category", "政府文件", 11, "exact"),
      ("proactive.category", "工作动态信息", 270, "exact")}),
    # what the body handled in a sentence about disclosure is no category of disclosed information
    ("主动公开政府信息318条;政府系统共承办人大代表建议0件、政协委员提案1件实时公开。",
     {("proactive.total", "", 318, "exact")}),
    ("市政府网站主动公开各类政府信息5500余条，新增公开市政府规章1件、市政府及市政府办政策性文件11件。",
     {("proactive.website", "", 5500, "at_least"), ("proactive.category", "市政府规章", 1, "exact"),
      ("proactive.category", "市政府及市政府办政策性文件", 11, "exact")}),
    # a total says it is one; one kind of information is no total
    ("细化公开区级财政预决算和“三公”经费信息4条。", set()),
    ("公开动态信息270条。", set()),
    ("2016年镇政府信息公开全年发布各类信息247条。", {("proactive.total", "", 247, "exact")}),
    # a list item that starts with its channel and a verb is that channel's share; a category on one channel
    # and channels together have no code
    ("共发布信息300条，其中政府网站发布信息200条。",
     {("proactive.total", "", 300, "exact"), ("proactive.website", "", 200, "exact")}),
    ("2022年度共计公开各类信息236条,其中政府网站发布工作动态27条,微信公众号发布信息198条。",
     {("proactive.total", "", 236, "exact")}),
    ("全年发布信息500条，其中，在政府网站和微信公众号公开发布信息300条。", {("proactive.total", "", 500, "exact")}),
    ("全年发布信息500条，其中政府网站发布微信推文300条。", {("proactive.total", "", 500, "exact")}),
    # items published elsewhere (an app, noticeboards, newspapers) are those channels' shares, no categories
    ("我镇在县人民政府外网主动公开政府信息数13条(其中:乡镇动态11条,财政预算决算2条);在某某APP公开发布内容26条;"
     "在信息公示栏、宣传展板公开内容145条;在某某日报、农村日报公开发布工作动态5条。",
     {("proactive.total", "", 13, "exact"), ("proactive.category", "乡镇动态", 11, "exact"),
      ("proactive.category", "财政预算决算", 2, "exact")}),
])
def test_lists_notes_and_channels(text, expected):
    assert facts(text) == expected


@pytest.mark.parametrize("clause,channel", [
    ("二是通过微信公众号公开信息", "skip"), ("政务微博发布信息", "skip"), ("门户网站发布信息", "proactive.website"),
    ("2016年政务网站、微信、微博共发布各类信息", "mixed"), ("全年主动公开政府信息", None),
])
def test_clause_channel(clause, channel):
    assert clause_channel(clause) == channel


@pytest.mark.parametrize("text,after,at,inside", [
    ("规章13件(含新制定5件", 5, 13, True),
    ("规章13件(含新制定5件,修改4件),规范性文件42件", 5, 28, False),  # closed before
    ("信息245条(其中人事信息类28条", 7, 17, False),  # opened before the item
    ("(" + "甲" * 60 + "1件", 0, 63, False),  # out of the window: not looked for
])
def test_inside_note(text, after, at, inside):
    assert inside_note(text, after, at) is inside


@pytest.mark.parametrize("before,clause", [
    ("中心网站发布各类信息635条,及时向上级报送", "及时向上级报送"), ("政务网站、微信、微博共发布", "政务网站、微信、微博共发布"),
    ("一是;二是通过微信", "二是通过微信"), ("", ""),
])
def test_whole_clause(before, clause):
    assert whole_clause(before) == clause


@pytest.mark.parametrize("text,expected", [
    ("今年以来,全区累计处理政府信息依申请公开92件,其中,本年度新接收91件,2020年结转办理1件。除4件转结2022年办理以外,均依法依规完成答复。",
     {("requests.received", "", 91, "exact"), ("requests.carried_out", "", 4, "exact")}),  # 2020年: in or out?
    ("另有 103 件顺延到下年度答复。", {("requests.carried_out", "", 103, "exact")}),
    ("全年新收政府信息公开申请数量0件,上年结转政府信息公开申请数量0件。",
     {("requests.received", "", 0, "exact"), ("requests.carried_in", "", 0, "exact")}),
    # negatives: no request in the sentence, or appeals
    ("2021年结转办理的重点项目5件。", set()),
    ("收到行政复议申请3件，其中1件结转2022年办理。", {("review.total", "", 3, "exact")}),
    ("全年收到行政复议申请3件，其中新受理2件。", {("review.total", "", 3, "exact")}),
    ("本年度新收到群众来信12件。", set()),
])
def test_request_counts_in_a_sentence(text, expected):
    assert facts(text) == expected


# Pages read for the real-report probe of 2026-12-08 (tests/fixtures/SOURCES.md), paraphrased with other values.
@pytest.mark.parametrize("text,expected", [
    # an earlier figure's website is not this one's: a list joined by 、 after the website's share, news media
    ("利用门户网站主动公开政府信息57条、规范性文件3条、财政信息4条。",
     {("proactive.website", "", 57, "exact")}),
    ("全年主动公开政务信息210条，包括政府网站21条，在日报、晚报等媒体上发布信息64条。",
     {("proactive.total", "", 210, "exact"), ("proactive.website", "", 21, "exact")}),
    # ... but a count of another kind in between does not take the site away
    ("门户网站新增英语版，目前已覆盖6个语种，共发布各类信息4210条。", {("proactive.website", "", 4210, "exact")}),
    # channels' shares one after the other are no total; a channel no code counts gives nothing
    ("通过区官方网站公开信息1200条,微博公开信息300条,微信公开信息410条,头条号公开信息95条。",
     {("proactive.website", "", 1200, "exact")}),
    # several channels together before one figure: the total
    ("利用街道门户网站、社区宣传栏、电子显示屏等载体，全年主动公开信息150余条。",
     {("proactive.total", "", 150, "at_least")}),
    # a county government's site written 人民政府网
    ("全镇通过某县人民政府网公开信息17条。", {("proactive.website", "", 17, "exact")}),
    # the total in 件, and the website's count written 数量为…件
    ("2021年主动公开的各类政府信息数量41件。", {("proactive.total", "", 41, "exact")}),
    ("全年我乡在政府门户网站上主动公开信息数量为38件。", {("proactive.website", "", 38, "exact")}),
    # requests counted in 条 are no published items
    ("共接到网上平台民众申请的依申请公开答复内容12条。", set()),
    ("全年发生依申请和不予公开政府信息条数0条。", set()),
    # a mayor's mailbox counted in 条: cases and cases closed
    ("共收到“县长信箱”留言31条，答复31条。",
     {("hotline.cases", "", 31, "exact"), ("hotline.cases_closed", "", 31, "exact")}),
    # request outcomes: 不同意公开 is a denial, 不属于本行政机关 not its duty, 已经主动公开 no category
    ("同意公开答复120件，不同意公开答复的3件，不属于本行政机关公开的9件，其中属于已经主动公开的4件。",
     {("requests.granted", "", 120, "exact"), ("requests.denied", "", 3, "exact"),
      ("requests.not_own_duty", "", 9, "exact")}),
    # a running total of all years is not the year's
    ("历年累计公开信息80条，其中2012年新增主动公开政府信息11条。", {("proactive.total", "", 11, "exact")}),
    ("2010年街道公开信息总数为9条。截止2010年末，街道累计公开信息总数31条。", {("proactive.total", "", 9, "exact")}),
    # negative: a to-date total that is the only one stays
    ("截至2022年12月31日，累计主动公开政府信息1234条。", {("proactive.total", "", 1234, "exact")}),
])
def test_channels_requests_and_running_totals(text, expected):
    assert facts(text) == expected


@pytest.mark.parametrize("text,expected", [
    # requests counted in 项 or 条 when the label ends with the request; carried over in 项
    ("共收到依申请公开9项,办理8项,结转下年度继续办理1项。",
     {("requests.received", "", 9, "exact"), ("requests.carried_out", "", 1, "exact")}),
    ("2022年,收到申请公开14条,办结14条。", {("requests.received", "", 14, "exact")}),
    # the verb before the applicants, and 接受
    ("受理公民、法人和其他组织向县政府提出的政府信息公开申请7件。", {("requests.received", "", 7, "exact")}),
    ("某县人民政府2023年接受依申请公开0件。", {("requests.received", "", 0, "exact")}),
    # negative: applications for review, and an answer count, are no requests received
    ("受理行政复议、政府信息公开申请3件。", set()),
    ("共接到网上平台民众申请的依申请公开答复内容40条。", set()),
    # negative: 项 without a request is no request
    ("结转下年度继续实施项目2项。", set()),
])
def test_request_counts_in_other_units(text, expected):
    assert facts(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("全年无政府信息公开申请行政复议、提起行政诉讼的案件。",
     {("review.total", 0), ("litigation.total", 0)}),
    ("依申请办理事项为零,收费和减免为零。", {("requests.received", 0), ("requests.fees_charged", 0)}),
    ("2011年度我局无依申请公开。", {("requests.received", 0)}),
    # negative: 无法 and 无论 are no zero
    ("无法提供的答复3件。", set()),
    ("无论是否收到申请,均在期限内答复。", set()),
])
def test_zero_statements_with_bare_none_and_wei_ling(text, expected):
    assert {(f.code, f.value) for f in extract_zero_statements(text, units())} == expected


@pytest.mark.parametrize("text,expected", [
    # the computers' count is the one next to the noun, not the printer's after it
    ("为信息公开岗调配了3台电脑和1台打印机。", {("equipment.computers", "", 3, "exact")}),
    # posts on microblogs counted since the previous figure are no total
    ("市局新浪、腾讯等三大微博全年累计发布政府信息120条。", set()),
    # publishing minutes is no meeting held; satisfaction with proposals' handling is not the public's
    ("公开局务会议纪要8次。", set()),
    ("建议提案办理的落实率和满意率均为100%。", set()),
    ("群众对信息公开工作满意率达97%。", {("satisfaction.rate", "", 97, "exact")}),
    # granted and partly granted together give neither code
    ("予以公开及部分公开的30件。", set()),
    # the template's fee line in prose
    ("行政事业性收费0元。", {("fees.amount", "", 0, "exact")}),
    # a channel's share led by 利用
    ("全年发布信息1600条，其中利用门户网站发布1200条。",
     {("proactive.total", "", 1600, "exact"), ("proactive.website", "", 1200, "exact")}),
    # a request count in 项 with 事项, and the zero after it about something else is no zero of requests
    ("我局接到依申请公开事项4项,均已答复办结,未产生依申请公开政府信息案例。", {("requests.received", "", 4, "exact")}),
])
def test_third_probe_wordings(text, expected):
    found = facts(text) | {(f.code, f.breakdown, f.value, f.qualifier) for f in extract_zero_statements(text, units())}
    assert found == expected


@pytest.mark.parametrize("text,expected", [
    # who published it is no category; a superior's network taking items up is no publication
    ("全年公开信息5200条，其中各镇公开1200条，各部门公开4000条。", {("proactive.total", "", 5200, "exact")}),
    ("党政信息网录用信息17条。", set()),
    # messages received with no mailbox named, and letters of several kinds together, give nothing
    ("收到留言12条，已全部办理。", set()),
    ("各类咨询、申诉等来信9件。", set()),
    # a channel's share led by 向 or 利用 (an app no code counts gives nothing)
    ("全年发布信息90条，其中向政府网站推送21条。",
     {("proactive.total", "", 90, "exact"), ("proactive.website", "", 21, "exact")}),
    ("全年发布信息90条，其中利用“某某”APP发布40条。", {("proactive.total", "", 90, "exact")}),
    # a to-date count stays the total where it is the only one (the gold of 014 reads it so); a document is no
    # category
    ("本单位到目前累计主动公开政府信息61条。", {("proactive.total", "", 61, "exact")}),
    ("涉密文件因情势变化转主动公开文件1件。", set()),
    # the website among other channels (等渠道): the total
    ("通过市政府门户网站和某某融合号等渠道发布信息近800条。", {("proactive.total", "", 800, "approx")}),
])
def test_fourth_round_wordings(text, expected):
    assert facts(text) == expected


@pytest.mark.parametrize("text,expected", [
    # the channels listed in an earlier clause, then a figure whose own clause names one site: that site's
    ("本镇通过市政府门户网站、镇门户网站、镇政务公开栏等渠道公开信息,全年我镇在市政府门户网站主动公开信息44条,"
     "在镇门户网站主动公开信息6条。",
     {("proactive.website", "", 44, "exact"), ("proactive.website", "", 6, "exact")}),
    # satisfaction with proposals named further back in the sentence is not the public's
    ("人大代表建议和政协委员提案按时办结,办理落实率和满意率都实现了100%。", set()),
])
def test_own_clause_channel_and_proposal_satisfaction(text, expected):
    assert facts(text) == expected
