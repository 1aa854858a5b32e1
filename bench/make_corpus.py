"""Deterministic synthetic corpus of information-disclosure annual reports, with ground truth, for benchmarks.

usage: python bench/make_corpus.py --n N --out DIR --seed S [--bad-rate 0.01]

Layout written under DIR (point `govreport load` / `govreport extract` at DIR/reports only):

    DIR/reports/<index>_<tag>.txt|.html   the report files, good and bad
    DIR/truth/<index>_<tag>.json          ground truth of each good report, in the format of
                                          tests/fixtures/gold/*.json, so that
                                          `score_extraction.py EXTRACT.jsonl DIR/truth` scores an extract run
    DIR/manifest.json                     {"seed", "n", "bad_rate", "reports", "truth", "files": {name: entry}};
                                          an entry has `kind` (ok / empty / binary / truncated / wrong_encoding /
                                          not_a_report) and `bytes`, and for good files encoding (as written:
                                          utf-8, utf-8-sig, gb18030, big5, utf-16), layout, script, format
                                          (page_txt / index_txt / html / doc_site / pdf_txt) and report_year

Every report is built from sentence shapes of real reports (examples/reports, the gold notes, TEMPLATE.md)
whose figures the generator chooses, so the truth is exactly what the text states: numbers that are no
metric (dates, document, phone and index numbers, percentages, counts the catalog does not cover) appear in
the text and never in the truth. A few real shapes that the project's extractor misreads are left out on
purpose; each such place says "known extractor limitation". Each file is a pure function of (seed, index)
(`make_file`), so a corpus can also be generated in slices.
"""

from __future__ import annotations

import argparse
import collections
import functools
import json
import pathlib
import random
import sys
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import opencc

from transforms import region

T = TypeVar("T")
YEARS = range(2008, 2026)
BAD_KINDS = ("empty", "binary", "truncated", "wrong_encoding", "not_a_report")
MIN_BYTES, MAX_BYTES = 3 * 1024, 30 * 1024
APPLICANTS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
              "legal_service_org", "other_org", "")

# --- vocabulary: real department names, (name, first year, last year) after the 2018 reform renamings ---------

_DEPTS_PROVINCE = (
    ("人民政府办公厅", 2008, 2025), ("发展和改革委员会", 2008, 2025), ("教育厅", 2008, 2025),
    ("科学技术厅", 2008, 2025), ("民政厅", 2008, 2025), ("司法厅", 2008, 2025), ("财政厅", 2008, 2025),
    ("人力资源和社会保障厅", 2009, 2025), ("国土资源厅", 2008, 2018), ("自然资源厅", 2019, 2025),
    ("环境保护厅", 2008, 2018), ("生态环境厅", 2019, 2025), ("住房和城乡建设厅", 2008, 2025),
    ("交通运输厅", 2009, 2025), ("水利厅", 2008, 2025), ("农业厅", 2008, 2018), ("农业农村厅", 2019, 2025),
    ("商务厅", 2008, 2025), ("文化厅", 2008, 2018), ("文化和旅游厅", 2019, 2025), ("卫生厅", 2008, 2013),
    ("卫生和计划生育委员会", 2014, 2018), ("卫生健康委员会", 2019, 2025), ("审计厅", 2008, 2025),
    ("统计局", 2008, 2025), ("应急管理厅", 2019, 2025), ("市场监督管理局", 2019, 2025),
)
_DEPTS_LOCAL = (
    ("人民政府", 2008, 2025), ("人民政府办公室", 2008, 2025), ("教育局", 2008, 2025), ("民政局", 2008, 2025),
    ("司法局", 2008, 2025), ("财政局", 2008, 2025), ("人力资源和社会保障局", 2010, 2025),
    ("国土资源局", 2008, 2018), ("自然资源局", 2019, 2025), ("环境保护局", 2008, 2018),
    ("住房和城乡建设局", 2008, 2025), ("交通运输局", 2008, 2025), ("水利局", 2008, 2025),
    ("农业局", 2008, 2018), ("农业农村局", 2019, 2025), ("商务局", 2008, 2025), ("卫生局", 2008, 2013),
    ("卫生和计划生育委员会", 2014, 2018), ("卫生健康委员会", 2019, 2025), ("审计局", 2008, 2025),
    ("统计局", 2008, 2025), ("市场监督管理局", 2015, 2025), ("工商行政管理局", 2008, 2014),
    ("安全生产监督管理局", 2008, 2018), ("应急管理局", 2019, 2025), ("医疗保障局", 2019, 2025),
    ("退役军人事务局", 2019, 2025), ("机关事务管理局", 2008, 2025), ("信访局", 2008, 2025),
    ("档案局", 2008, 2025), ("林业局", 2008, 2025), ("科学技术局", 2008, 2025), ("体育局", 2008, 2025),
)
_DEPTS_CITY = (("发展和改革委员会", 2008, 2025), ("生态环境局", 2019, 2025), ("文化和旅游局", 2019, 2025),
               *_DEPTS_LOCAL)
_DEPTS_COUNTY = (("发展和改革局", 2008, 2025), ("卫生健康局", 2019, 2025), ("文化广电和旅游局", 2019, 2025),
                 *_DEPTS_LOCAL)
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")

# Category nouns as real reports list them (000, 002, 005).
_CATEGORIES = ("机构职能类", "政策法规类", "工作动态类", "人事信息类", "规划计划类", "财政资金类", "公告公示类",
               "便民服务类", "行政执法类", "部门文件类", "业务工作类", "应急管理类", "年度方案类", "重点领域类")
_CATEGORY_NOUNS = ("行政公文和政策解读信息", "机构设置和人事任免信息", "重点工作", "财政预决算信息",
                   "信息公开年度报告", "政府信息公开指南", "政府网站信息", "政府信息公开制度")
_GAZETTES = ("政务公开简报", "发展改革动态", "工作简报", "政务信息", "重点项目建设", "工作动态", "情况反映")
_STAT_CATEGORIES = ("保障性住房信息", "食品安全信息", "环境保护信息", "征地拆迁信息", "重点安全事故信息",
                    "价格收费信息", "惠农政策及专项资金管理使用信息", "教育收费信息", "医疗卫生信息")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
_ROADS = ("人民路", "解放路", "中山路", "建设路", "文化路", "长江路", "和平路", "新华路", "府前街", "北京路")
_BROWSERS = ("浏览次数:", "点击量:", "访问次数：")

# --- narrative padding: no figures, no dates, no zero statements (see tests/test_bench_corpus.py) ----------

_GENERAL = (
    "按照“公开为常态、不公开为例外”的原则，严格落实公开属性源头认定机制，做到应公开尽公开。",
    "进一步健全政务公开工作领导小组，由主要负责同志任组长，分管负责同志任副组长，各科室负责人为成员，明确办公室为政务公开工作机构。",
    "把政务公开工作纳入年度目标责任考核，与业务工作同部署、同检查、同考核，形成了一级抓一级、层层抓落实的工作格局。",
    "认真梳理本部门职责范围内的政府信息，编制完善政府信息公开指南和公开目录，规范了公开的范围、内容、形式和程序。",
    "严格执行信息发布保密审查制度，坚持“先审查、后公开”和“谁公开、谁审查、谁负责”的原则，确保公开信息准确、安全、规范。",
    "围绕群众关心关注的热点难点问题，及时发布权威信息，积极回应社会关切，主动引导社会舆论。",
    "加强政策解读工作，坚持政策文件与解读材料同步起草、同步审签、同步发布，通过图文解读、问答等形式提升解读效果。",
    "充分发挥政府网站作为政务公开第一平台的作用，优化栏目设置，及时更新内容，提升信息检索和互动交流功能。",
    "在办公场所设立政务公开栏和意见箱，公开领导分工、办事程序和监督电话，方便群众办事和监督。",
    "规范依申请公开工作流程，明确受理、审查、办理、答复等各环节的工作要求，确保依法依规按时答复。",
    "加强政府信息公开工作人员业务培训，组织干部职工认真学习《中华人民共和国政府信息公开条例》及相关文件精神，提高依法公开的意识和能力。",
    "定期对主动公开的政府信息进行梳理和更新，及时调整公开内容，保证公开信息的完整性、准确性和时效性。",
    "建立健全政务公开工作考核、社会评议和责任追究制度，把政务公开工作情况作为评价单位工作的重要内容。",
    "加强政府信息管理，对本机关制发的文件进行公开属性审查，做好规范性文件的动态更新和集中公开。",
    "推进决策公开，对涉及群众切身利益的重要决策事项，通过网站征集意见、召开座谈会等方式广泛听取社会各界意见。",
    "注重把握信息公开与保守秘密的关系，严格落实涉密信息不上网、上网信息不涉密的要求。",
    "积极推进财政预决算、重大建设项目、公共资源配置等重点领域信息公开，主动接受社会监督。",
    "对群众通过网站、电话等渠道反映的问题，做到件件有落实、事事有回音。",
    "在工作思路上，实现“要我公开”向“我要公开”转变；在工作内容上，实现“结果公开”向“过程公开”转变。",
    "把群众最关心、反映最强烈的事项作为政府信息公开的主要内容，切实发挥政府信息公开平台的桥梁作用。",
    "加强政务公开标准化规范化建设，编制公开事项标准目录，逐项明确公开内容、公开依据、公开时限和公开渠道。",
    "认真做好政府信息公开工作年度报告的编制和发布工作，做到内容全面、数据准确、按时发布。",
    "建立政务舆情收集、研判、处置和回应机制，对涉及本部门的政务舆情做到及时发现、及时处置、及时回应。",
    "加强档案管理，将政府信息公开工作中形成的材料及时整理归档，做到有据可查。",
    "推动政务公开向基层延伸，指导下属单位规范设置公开专栏，提升基层政务公开的规范化水平。",
    "主要负责同志多次听取政务公开工作汇报，专题研究部署重点任务，协调解决工作中遇到的困难和问题。",
    "各科室明确专人负责本科室政府信息的收集、整理和报送，构建了上下联动、运转顺畅的信息报送网络。",
    "对拟公开的政府信息严格履行审核程序，重要信息由主要负责同志审定后发布，确保发布内容合法合规。",
    "坚持以公开促落实、以公开促规范、以公开促服务，不断提升政务公开工作的质量和实效。",
    "及时公开财政预算决算和“三公”经费情况，细化公开内容，提高财政资金使用的透明度。",
    "深入推进办事公开，将办事依据、办理条件、办理流程和办理时限等向社会公开，方便群众办事。",
    "注重发挥新闻媒体作用，通过报纸、广播、电视等传统媒体加大政策宣传力度，扩大政务公开工作的影响。",
    "积极回应人大代表建议和政协委员提案，按照要求公开建议提案办理复文，主动接受社会监督。",
    "进一步规范公开目录的编制和维护，确保目录信息与实际公开信息一致。",
    "结合本部门工作实际，制定了政务公开工作要点，细化分解任务，明确责任科室和完成时限。",
    "强化政府信息公开保密审查，坚持谁起草谁审查、谁发布谁负责，切实防范失泄密风险。",
    "加强同上级主管部门的沟通协调，及时了解政务公开工作的新要求、新部署，确保各项工作落到实处。",
    "坚持把政务公开作为转变政府职能、建设法治政府的重要举措，不断丰富公开内容、创新公开方式。",
    "进一步优化网站栏目，完善机构职能、政策文件、规划计划、财政资金等栏目内容，方便群众查阅。",
    "通过政务公开栏、电子显示屏、宣传册等多种形式公开办事指南，扩大信息公开的覆盖面。",
)
_ERA = (  # (first year, last year, sentence)
    (2008, 2012, "坚持以科学发展观为统领，认真贯彻落实政务公开工作的各项方针政策，坚持以人为本，"
                 "重点在规范和督查上下功夫。"),
    (2013, 2017, "深入贯彻落实党的十八大和十八届历次全会精神，紧紧围绕中心工作，扎实推进政务公开各项工作。"),
    (2018, 2022, "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的十九大和十九届历次全会精神，"
                 "持续深化政务公开。"),
    (2023, 2025, "坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻党的二十大精神，推动政务公开工作提质增效。"),
)
# Clauses of composed narrative sentences (lead, action, result), in the reports' own idiom.
_LEADS = (
    "围绕群众关心关注的热点难点问题", "按照上级关于政务公开工作的部署要求", "结合本部门工作实际",
    "针对工作中发现的薄弱环节",
    "为进一步提升政务公开工作水平", "坚持问题导向和目标导向", "对照年度政务公开工作要点", "立足部门职能",
    "聚焦重点领域和关键环节", "以群众需求为导向", "在主要负责同志的直接推动下", "按照“谁公开、谁审查、谁负责”的原则",
    "根据政务公开工作的新形势新要求", "为提升公众的获得感", "紧扣年度重点任务",
)
_ACTIONS = (
    "进一步完善政府信息公开指南和公开目录", "持续优化政府网站政务公开专栏", "严格落实公开属性源头认定机制",
    "加强政策文件的解读和宣传", "规范依申请公开的受理、审查和答复流程", "强化信息发布前的保密审查",
    "推进重点领域信息公开", "加大政务新媒体信息发布力度", "健全政务舆情收集和回应机制", "细化公开事项标准目录",
    "做好规范性文件的清理和集中公开", "加强信息公开工作人员业务培训", "完善政务公开考核评议制度",
    "推动办事服务事项全流程公开", "及时更新机构职能和领导分工信息", "加强政府信息公开工作档案管理",
    "拓展政务公开栏、电子显示屏等线下公开渠道", "落实政策文件与解读材料同步发布", "强化对下属单位政务公开工作的指导",
    "建立健全信息发布协调机制",
)
_RESULTS = (
    "确保公开信息准确、完整、及时", "不断提升政务公开的质量和实效", "切实保障人民群众的知情权、参与权和监督权",
    "推动政务公开工作规范化、标准化", "进一步增强了政府工作的透明度", "有效提升了群众的满意度和获得感",
    "为各项工作顺利开展提供了有力保障", "形成了上下联动、齐抓共管的工作格局", "促进了依法行政水平的提高",
    "营造了良好的政务公开氛围", "使政务公开工作逐步走上制度化轨道", "做到应公开尽公开",
    "提高了信息公开的针对性和实效性", "方便群众查询和监督", "推动各项工作落到实处",
)
_PROBLEMS = (
    "对照上级要求和人民群众的期待，我们的政务公开工作还存在一些薄弱环节。",
    "一是公开内容还不够全面，部分信息更新不够及时；二是政策解读的形式还比较单一，解读的针对性和可读性有待提升。",
    "工作人员业务能力有待进一步提高，对政府信息公开相关法规的理解还不够深入。",
    "网站互动栏目的回复效率有待提高，与群众的互动交流还不够充分。",
    "基层政务公开工作发展还不平衡，标准化规范化建设有待加强。",
    "信息公开宣传力度不够大，部分群众对政府信息公开的渠道和方式了解不多。",
    "主动公开的深度和广度还需拓展，群众关注的重点领域信息公开还需进一步细化。",
    "信息公开工作人员多为兼职，人员变动较为频繁，工作的连续性有待加强。",
)
_IMPROVEMENTS = (
    "下一步，我们将进一步加强组织领导，完善工作机制，推动政务公开工作再上新台阶。",
    "进一步拓宽公开渠道，充分利用新闻媒体、政务新媒体等平台，增强公开实效。",
    "进一步加强业务培训，提升工作人员依法公开的意识和能力。",
    "进一步规范依申请公开办理工作，严格按照法定程序和时限办理，提升答复质量。",
    "进一步强化监督检查，将政务公开工作纳入绩效考核，对工作不力的严肃问责。",
    "进一步加强政策解读，丰富解读形式，提高政策的知晓度和执行力。",
    "进一步完善政府信息公开目录，保证公开信息的完整性和准确性，逐步实现网上查询、网上办事、网上监督。",
    "以社会公众关注度高的政务信息作为突破口，全面系统地做好政务公开事项。",
)
_NEWS = (  # not a report: a local news item; none of the words the loader's screen looks for
    "本报讯 近日，{city}春季农产品展销会在会展中心开幕。展销会吸引了众多企业和农户参展，"
    "展出特色农产品、加工食品和手工艺品。",
    "活动现场人头攒动，市民纷纷选购自己喜爱的商品。主办方介绍，展销会旨在搭建产销对接平台，助力乡村振兴和农民增收。",
    "据了解，今年的展销会首次设置了直播带货专区，多位本地主播走进展馆，为特色产品代言推介。",
    "{city}有关负责人表示，将持续办好此类活动，进一步擦亮本地农产品品牌，推动农业产业高质量发展。",
    "连日来，{city}各地抢抓农时，组织农机手开展春耕生产，田间地头一派繁忙景象。",
    "气象部门提醒，近期气温起伏较大，请广大市民注意防寒保暖，合理安排出行。",
)
_MENU = ("首页", "机构概况", "新闻动态", "通知公告", "办事服务", "互动交流", "专题专栏", "联系我们", "网站地图",
         "领导之窗", "图片新闻", "视频新闻", "下载中心", "友情链接")

# Pinyin ruby that some sites' reading aids inject after characters (001: 現(xiàn)).
_PINYIN = {"报": "bào", "告": "gào", "现": "xiàn", "网": "wǎng", "发": "fā", "时": "shí", "间": "jiān",
           "来": "lái", "体": "tǐ", "强": "qiáng", "导": "dǎo", "门": "mén", "户": "hù", "务": "wù", "开": "kāi",
           "关": "guān", "领": "lǐng", "规": "guī", "项": "xiàng", "设": "shè", "质": "zhì", "众": "zhòng"}


# --- divisions ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A real division and how an agency name opens with it."""
    prefixes: tuple[str, ...]  # 泰安市 / 沭阳县, 宿迁市沭阳县 / 上海市黄浦区: any of them names the place
    level: str                 # province | city | county
    province: str
    city: str | None
    county: str | None
    trad_ok: bool              # the name survives simplified -> traditional -> simplified unchanged


@functools.cache
def _converters() -> tuple[opencc.OpenCC, opencc.OpenCC]:
    """One converter each way per process: building one costs milliseconds."""
    return opencc.OpenCC("s2t"), opencc.OpenCC("t2s")


@functools.cache
def places() -> dict[str, tuple[Place, ...]]:
    """Real divisions by level: the extractor's own division table (transforms/region.py)."""
    names = region.division_names()
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    placeholder = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
    s2t, t2s = _converters()
    codes = sorted(names)
    # Known extractor limitation (reported): the loader converts any text holding a "traditional" character
    # with OpenCC t2s, which also turns simplified place names into others (乾安县 -> 干安县).
    unstable = {c for c, back in zip(codes, t2s.convert("\n".join(names[c] for c in codes)).split("\n"),
                                     strict=True) if back != names[c]}
    out: dict[str, list[Place]] = {"province": [], "city": [], "county": []}
    for code in codes:
        name = names[code]
        if code[:2] in ("71", "81", "82") or name in placeholder:  # no reports under the 条例 there
            continue
        if code in unstable or code[:4] + "00" in unstable or code[:2] + "0000" in unstable:
            continue
        province = names[code[:2] + "0000"]
        if code.endswith("0000"):
            out["province"].append(Place((name,), "province", province, None, None, True))
        elif code.endswith("00"):
            out["city"].append(Place((name,), "city", province, name, None, True))
        elif name[-1] in "县区市旗":
            parent = names.get(code[:4] + "00", "省直辖县级行政区划")  # 139001: a county-level city under its province
            city = None if parent in placeholder else parent  # a municipality's district; 省直辖 county-level city
            # The bare name identifies the place only when no other division shares it and it does not read as
            # an ordinary word (东区); otherwise the agency name opens with the parent (宿迁市沭阳县, 上海市黄浦区).
            # Known extractor limitation (reported): a name opening with 市/县/区 (市北区) is taken for a short
            # form like 市民政局 and "expanded" with whatever precedes it in the text.
            bare = (counts[name] == 1 and province not in _MUNICIPALITIES and name[0] not in "市县区"
                    and not (len(name) == 2 and name[-1] == "区"))
            parents = (city,) if city else (province,) if province in _MUNICIPALITIES else ()
            prefixes = ((name,) if bare else ()) + tuple(p + name for p in parents)
            if prefixes:
                out["county"].append(Place(prefixes, "county", province, city, name, True))
    result = {}
    for level, found in out.items():
        joined = "\n".join("".join(p.prefixes) for p in found)
        back = t2s.convert(s2t.convert(joined)).split("\n")
        result[level] = tuple(Place(p.prefixes, p.level, p.province, p.city, p.county, b == "".join(p.prefixes))
                              for p, b in zip(found, back, strict=True))
    return result


@functools.lru_cache(maxsize=16384)
def _traditional(sentence: str) -> str:
    return _converters()[0].convert(sentence)


def to_traditional(text: str) -> str:
    """s2t sentence by sentence, cached: narrative sentences, headings and chrome recur across reports."""
    return "\n".join("。".join(map(_traditional, line.split("。"))) for line in text.split("\n"))


@functools.cache
def _ruby_table() -> dict[str, str]:
    """Pinyin for both the simplified and the traditional form of each character."""
    s2t = _converters()[0]
    keys = "".join(_PINYIN)
    return {**_PINYIN, **dict(zip(s2t.convert(keys), _PINYIN.values(), strict=True))}


# --- one report ------------------------------------------------------------------------------------------------


class Rng(random.Random):
    """random.Random with float-based integer draws: several times faster than the exact rejection sampling,
    still a deterministic function of the seed, and uniform enough for a corpus."""

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:  # type: ignore[override]
        if stop is None:
            start, stop = 0, start
        return start + int(self.random() * (stop - start))

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq: Sequence[T]) -> T:
        return seq[int(self.random() * len(seq))]


@dataclass
class _Doc:
    """A report being written: the figures it states (the truth) and its blocks of text."""
    rng: random.Random
    year: int
    agency: str
    we: str                      # how the body refers to itself: 我局 / 本机关 / 市民政局
    pdf: bool                    # PDF text: numbers set off by spaces (006)
    flat: bool                   # a document site's text: headings run into the next sentence (002)
    facts: dict[tuple[Any, str, float], dict[str, Any]] = field(default_factory=dict)
    codes: set[str] = field(default_factory=set)
    optional: list[dict[str, Any]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    def fact(self, code: str | list[str], value: float, breakdown: str = "", qualifier: str = "exact",
             optional: bool = False) -> None:
        entry = {"code": code, "breakdown": breakdown, "value": value, "qualifier": qualifier}
        if optional:
            self.optional.append(entry)
            return
        if type(code) is list:
            self.codes.update(code)
            key = (tuple(code), breakdown, value)
        else:
            self.codes.add(code)  # type: ignore[arg-type]
            key = (code, breakdown, value)
        if key not in self.facts:  # a figure stated twice (table and prose) is one fact
            self.facts[key] = entry

    def has(self, code: str) -> bool:
        return code in self.codes

    def n(self, value: float) -> str:
        """A figure as prose writes it; PDF extraction sets numbers off with spaces."""
        if self.pdf:
            return f" {_num(value)} "
        if value >= 1000 and self.rng.random() < 0.15:
            return f"{int(value):,}"
        return _num(value)


def _num(value: float) -> str:
    """11 rather than 11.0; 4068.208 in full."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


_CN_DIGITS = "〇一二三四五六七八九"


def _cn_small(v: int) -> str:
    """1..31 as written in dates: 二, 十, 十二, 二十, 三十一."""
    tens, ones = divmod(v, 10)
    return (("" if tens < 2 else _CN_DIGITS[tens]) + "十" if tens else "") + (_CN_DIGITS[ones] if ones else "")


def _cn_date(rng: random.Random, y: int, m: int, d: int, allow_ling_o: bool) -> tuple[str, bool]:
    """二〇一一年二月十二日 / 二零一一年…; rarely the truncated 〇一〇年… of 003 (True when truncated)."""
    zero = "〇" if allow_ling_o and rng.random() < 0.6 else "零"
    year = "".join(zero if c == "0" else _CN_DIGITS[int(c)] for c in str(y))
    truncated = rng.random() < 0.15
    return (year[1:] if truncated else year) + f"年{_cn_small(m)}月{_cn_small(d)}日", truncated


def _cn_hundreds(v: int) -> str:
    """230 -> 二百三十 (v a multiple of ten below 1000)."""
    hundreds, tens = divmod(v // 10, 10)
    return f"{_CN_DIGITS[hundreds]}百{_CN_DIGITS[tens] + '十' if tens else ''}"


def _split(rng: random.Random, total: int, k: int) -> list[int]:
    """total as k non-negative parts."""
    cuts = sorted(rng.randint(0, total) for _ in range(k - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def _allocate(rng: random.Random, total: int, weights: list[int]) -> list[int]:
    """total split over rows in random proportions around the weights; small totals leave most rows at 0."""
    raw = [w * rng.random() ** 2 for w in weights]
    scale = total / (sum(raw) or 1.0)
    parts = [int(r * scale) for r in raw]
    order = sorted(range(len(raw)), key=raw.__getitem__, reverse=True)
    for k in range(total - sum(parts)):
        parts[order[k % len(order)]] += 1
    return parts


def _count(rng: random.Random, hi: int) -> int:
    """A skewed count: small values common, large ones possible."""
    return int(hi * rng.random() ** 3)


def _pad(rng: random.Random, k: int, pool: tuple[str, ...] | None = None) -> str:
    """k narrative sentences. From `pool`: a window from a random start (problems, improvements: one paragraph
    each). Otherwise general narrative, mostly composed from clauses so that long reports do not repeat
    themselves: 15 x 20 x 15 sentences besides the written ones."""
    if pool is not None:
        start, k = rng.randrange(len(pool)), min(k, len(pool))
        return "".join(pool[start:start + k] + pool[:max(0, start + k - len(pool))])
    narrative = _narrative()
    return "".join([narrative[int(rng.random() * len(narrative))] for _ in range(k)])


@functools.cache
def _narrative() -> tuple[str, ...]:
    """Every composed sentence, and the written ones weighted to about a quarter of the draws."""
    composed = tuple(f"{a}，{b}，{c}。" for a in _LEADS for b in _ACTIONS for c in _RESULTS)
    return composed + _GENERAL * (len(composed) // len(_GENERAL) // 3)


def _era(year: int) -> str:
    """The sentence on the political line of the day that many reports open with."""
    return next(s for a, b, s in _ERA if a <= year <= b)


# --- figures in prose (free-form reports) --------------------------------------------------------------------


def _proactive(d: _Doc) -> list[str]:
    """Section 二 of a free-form report: totals, categories, gazettes, press, media (000, 002, 003, 004).
    Known extractor limitation: TEMPLATE.md's 主动公开政府信息共145条。其中，机构信息1条；… (the list in the
    next sentence, items without 类) yields the total only, so lists stay in the total's sentence."""
    rng, out = d.rng, []
    shape = rng.randrange(4)
    cats = rng.sample(_CATEGORIES, rng.randint(2, 5))
    values = [rng.randint(1, 120) for _ in cats]
    if shape == 0:  # 000: 充分利用政府信息门户网站公开机构职能类信息11条。政策法规5条,便民服务3条。
        first, rest = cats[0], cats[1:]
        d.fact("proactive.category", values[0], first)
        items = [f"{c.removesuffix('类')}{d.n(v)}条" for c, v in zip(rest, values[1:], strict=True)]
        for c, v in zip(rest, values[1:], strict=True):
            d.fact("proactive.category", v, c.removesuffix("类"))
        out.append(f"充分利用政府信息门户网站公开{first}信息{d.n(values[0])}条。{','.join(items)}。")
    elif shape == 1:  # total with a 其中 list
        total = sum(values) + rng.randint(0, 60)
        d.fact("proactive.total", total)
        for c, v in zip(cats, values, strict=True):
            d.fact("proactive.category", v, c)
        items = "，".join(f"{c}{d.n(v)}条" for c, v in zip(cats, values, strict=True))
        out.append(f"{d.year}年，{d.we}共主动公开政府信息{d.n(total)}条，其中{items}。")
    elif shape == 2:  # 002: …依托…网站共发布信息245条,比去年有新增,其中人事信息类28条,…
        total = sum(values) + rng.randint(0, 40)
        d.fact(["proactive.website", "proactive.total"], total)
        for c, v in zip(cats, values, strict=True):
            d.fact("proactive.category", v, c)
        items = ",".join(f"{c}{d.n(v)}条" for c, v in zip(cats, values, strict=True))
        out.append(f"截止12月{rng.randint(20, 31)}日,{d.we}依托政府信息公开网站共发布信息{d.n(total)}条,"
                   f"比去年有新增,其中{items}。")
    else:  # website figure with a qualifier or in another notation
        v = rng.randint(30, 3000)
        form = rng.randrange(6)
        if form == 3:
            qualifier, words = rng.choice((("approx", "近{}条"), ("approx", "{}条左右"), ("at_least", "超过{}条")))
            d.fact("proactive.total", v, qualifier=qualifier)
            out.append(f"全年主动公开政府信息{words.format(d.n(v))}，及时准确地向社会公开了各类政府信息。")
        elif form == 4:  # 1.2万条
            v = rng.randint(11, 39) * 1000
            d.fact("proactive.total", v)
            out.append(f"全年共发布各类信息{_num(v / 10000)}万条，及时准确地向社会公开了各类政府信息。")
        elif form == 5:  # Chinese numerals: 二百三十条
            v = rng.randint(1, 9) * 100 + rng.randint(1, 9) * 10
            d.fact("proactive.website", v)
            out.append(f"全年通过政府门户网站公开信息{_cn_hundreds(v)}条，内容涵盖机构职能、政策文件、工作动态等方面。")
        elif form == 0:
            d.fact("proactive.website", v, qualifier="approx")
            out.append(f"全年通过门户网站发布各类信息约{d.n(v)}条，内容涵盖机构职能、政策文件、工作动态等方面。")
        elif form == 1:
            d.fact("proactive.website", v, qualifier="at_least")
            out.append(f"全年在政府门户网站发布各类信息{d.n(v)}余条，内容涵盖机构职能、政策文件、工作动态等方面。")
        else:
            d.fact("proactive.website", v)
            out.append(f"全年在政府门户网站发布各类信息{d.n(v)}条，内容涵盖机构职能、政策文件、工作动态等方面。")
    extras = []
    if rng.random() < 0.4:  # 003: 全年编发《发展改革动态》11期、《重点项目建设》2期
        titles = rng.sample(_GAZETTES, 2)
        a, b = rng.randint(1, 24), rng.randint(1, 12)
        d.fact("proactive.gazette_issues", a, titles[0])
        d.fact("proactive.gazette_issues", b, titles[1])
        extras.append(f"全年编发《{titles[0]}》{d.n(a)}期、《{titles[1]}》{d.n(b)}期，全面、及时地公开工作动态信息。")
    if rng.random() < 0.35:
        v = rng.randint(1, 12)
        d.fact("proactive.press_conferences", v)
        extras.append(f"全年召开新闻发布会{d.n(v)}次，及时发布重要政策和工作进展。")
    if rng.random() < 0.35:  # 003: 在市电视台、《张掖日报》等媒体上宣传报道发改委相关工作30余次
        v = rng.randint(5, 80)
        d.fact("proactive.media_reports", v, qualifier="at_least")
        extras.append(f"继续加强与新闻媒体的联系沟通，在电视台、报纸等媒体上宣传报道相关工作{d.n(v)}余次，"
                      f"为开展好政务公开工作营造了良好氛围。")
    if rng.random() < 0.25:
        points, visits = rng.randint(1, 6), rng.randint(20, 900)
        d.fact("proactive.public_reading_points", points)
        d.fact("proactive.reading_point_visits", visits)
        extras.append(f"在图书馆、档案馆设立政府信息公共查阅点{d.n(points)}个，全年接待查阅{d.n(visits)}人次。")
    rng.shuffle(extras)
    # A padding sentence keeps the next figure from reading as one more item of the category list.
    return [out[0] + _pad(rng, 1), *extras]


def _requests(d: _Doc) -> str:
    """Section 三 of a free-form report: no request at all (stated_none) or the counts (000, 001, 003, 005)."""
    rng = d.rng
    if d.has("requests.received"):  # the statistics table states it
        return _pad(rng, 1)
    if rng.random() < 0.55:
        shape = rng.randrange(5 if d.has("review.total") or d.has("litigation.total") else 6)
        d.fact("requests.received", 0, qualifier="stated_none")
        if shape == 0:
            return f"{d.year}年，{d.we}未收到依申请公开政府信息的申请。"
        if shape == 1:
            return "本年度未收到依申请公开申请。"
        if shape == 2:
            return "全年未收到依申请公开类信息申请。"
        if shape in (3, 4):
            return f"{_pad(rng, 1)}目前尚未收到公开申请。"
        d.fact("review.total", 0, qualifier="stated_none")
        d.fact("litigation.total", 0, qualifier="stated_none")
        return (f"{d.year}年，没有群众向{d.we}申请公开政府信息，故未发生依申请公开政府信息情况以及因政府信息公开申请"
                f"行政复议、提起行政诉讼等情况。")
    total = rng.randint(1, 200)
    if rng.random() < 0.5:
        d.fact("requests.received", total)
        return f"{d.year}年度{d.we}共收到依申请信息公开{d.n(total)}件，及时回复申请人。"
    parts = _split(rng, total, 5)
    names = (("予以公开", "requests.granted"), ("部分公开", "requests.partially_granted"),
             ("不予公开", "requests.denied"), ("信息不存在", "requests.unavailable.not_held"),
             ("非本机关职责范围", "requests.not_own_duty"))
    d.fact("requests.received", total)
    items = []
    for (label, code), v in zip(names, parts, strict=True):
        if v or rng.random() < 0.3:
            d.fact(code, v)
            items.append(f"{label}{d.n(v)}件")
    listed = f"，其中{'，'.join(items)}" if items else ""
    text = f"{d.year}年，{d.we}共受理政府信息公开申请{d.n(total)}件{listed}。"
    if rng.random() < 0.3:  # 申请方式: not a catalog metric
        face = rng.randint(0, total)
        text += f"从申请方式看，当面申请{d.n(face)}件，网上申请{d.n(total - face)}件。"
    if rng.random() < 0.3:
        a, b = rng.randint(0, 5), rng.randint(0, 5)
        d.fact("requests.carried_in", a)
        d.fact("requests.carried_out", b)
        text += f"上年结转{d.n(a)}件，结转下年度继续办理{d.n(b)}件。"
    return text


def _fees(d: _Doc) -> str:
    rng = d.rng
    if rng.random() < 0.8:
        d.fact("requests.fees_charged", 0, qualifier="stated_none")
        return rng.choice(("我局从没有涉及信息收费所以也不存在信息减免费的情况。",
                           "本年度未收取任何费用。",
                           "在依申请公开工作中未收取检索、复制、邮寄等费用。"))
    v = rng.randint(10, 900)
    d.fact("requests.fees_charged", v)
    return f"全年收取检索、复制、邮寄等费用共计{d.n(v)}元，均按规定标准收取。"


def _appeals(d: _Doc) -> str:
    """Section 五. Known extractor limitation: 未发生因政府信息公开申请行政复议、提起行政诉讼的情况 also yields
    requests.received 0 (信息公开申请 is read as the subject), so that wording is not used."""
    rng = d.rng
    if d.has("review.total") or d.has("litigation.total"):
        return _pad(rng, 1)
    if rng.random() < 0.7:
        d.fact("review.total", 0, qualifier="stated_none")
        d.fact("litigation.total", 0, qualifier="stated_none")
        if rng.random() < 0.5:
            return f"{d.year}年，{d.we}未发生政府信息公开行政复议和行政诉讼案件。"
        d.fact("complaints.total", 0, qualifier="stated_none")
        return "本年度没有发生针对本机关政府信息公开的申诉、行政复议和行政诉讼。"
    a, b = rng.randint(0, 4), rng.randint(0, 3)
    d.fact("review.total", a)
    d.fact("litigation.total", b)
    return f"全年发生政府信息公开行政复议{d.n(a)}件、行政诉讼{d.n(b)}件，均依法妥善处理。"


def _capacity(d: _Doc) -> list[str]:
    """Staff, meetings, training, funds, computers, units (003, 004): some of them. Known extractor limitation:
    TEMPLATE.md's 全职人员1人 and 2名兼职工作人员 (unit before the noun) yield nothing, so staff is written
    专职人员N名、兼职人员N名."""
    rng, out = d.rng, []
    if rng.random() < 0.4:
        a, b = rng.randint(1, 5), rng.randint(1, 30)
        d.fact("staff.full_time", a)
        d.fact("staff.part_time", b)
        out.append(f"配备信息公开专职人员{d.n(a)}名、兼职人员{d.n(b)}名，明确专人专岗负责。")
    if rng.random() < 0.4:
        v = rng.randint(2, 9)
        d.fact("meetings.held", v)
        out.append(rng.choice((f"先后召开{d.n(v)}次专题会议，研究制定政务公开工作实施方案，并对具体工作任务予以分工。",
                               f"全年召开政务公开工作会议{d.n(v)}次，研究部署相关工作。")))
    if rng.random() < 0.35:
        a, b = rng.randint(1, 6), rng.randint(20, 400)
        d.fact("training.sessions", a)
        d.fact("training.participants", b)
        out.append(f"举办政务公开业务培训班{d.n(a)}期，培训干部职工{d.n(b)}人次，提高了工作人员的业务水平。")
    if rng.random() < 0.25:
        v = rng.choice((rng.randint(2, 40), rng.randint(10, 99) / 10))
        d.fact("budget.disclosure", v)
        out.append(f"落实信息公开专项经费{d.n(v)}万元，保障了各项工作的顺利开展。")
    if rng.random() < 0.2:  # 003: 2009年更新电脑4台,2010年配备电脑5台
        a, b = rng.randint(1, 9), rng.randint(1, 9)
        d.fact("equipment.computers", a, str(d.year - 1))
        d.fact("equipment.computers", b, str(d.year))
        out.append(f"{d.year - 1}年更新电脑{d.n(a)}台，{d.year}年配备电脑{d.n(b)}台，并配备打印机、传真机等办公设备。")
    if rng.random() < 0.15:  # 004: 76个单位开展了政务公开工作, …, 办事窗口31个
        a, b, items = rng.randint(5, 90), rng.randint(3, 40), rng.randint(50, 400)
        d.fact("staff.units", a)
        d.fact("service_center.windows", b)
        out.append(f"目前，各乡镇、各部门{d.n(a)}个单位开展了政务公开工作，公开的各类项目合计为{d.n(items)}项，"
                   f"办事窗口{d.n(b)}个。")
    return out


def _engagement(d: _Doc) -> list[str]:
    """Hotlines, consultations, satisfaction (000, 001, 004, 005)."""
    rng, out = d.rng, []
    if rng.random() < 0.3:  # 001
        a, b, c = rng.randint(2, 12), rng.randint(20, 400), rng.randint(5, 150)
        d.fact("hotline.sessions", a)
        d.fact("consultations.total", b, "政风行风热线")
        d.fact("consultations.total", c, "市民论坛")
        out.append(f"一年来，政风行风热线上线{d.n(a)}次，栏目转来涉及{d.we}业务的群众咨询、求助{d.n(b)}件，"
                   f"市民论坛发帖咨询{d.n(c)}件，都按时答复。")
    if rng.random() < 0.25:  # 000
        a = rng.randint(3, 80)
        b = a - rng.choice((0, 0, rng.randint(0, a)))
        d.fact("hotline.cases", a)
        d.fact("hotline.cases_closed", b)
        out.append(f"{d.we}全年收到市长电子信箱、便民“12345”公开电话情况反映{d.n(a)}件，按时办结{d.n(b)}件。")
    elif rng.random() < 0.25:  # 004
        a, p = rng.randint(10, 90), rng.choice((90, 95, 98))
        d.fact("hotline.cases", a, qualifier="at_least")
        d.fact("satisfaction.rate", p, qualifier="at_least")
        out.append(f"自市长热线电话开通以来，共受理各类群众投诉问题{d.n(a)}多件，涉及群众生产生活的急、难问题得到了"
                   f"较好的解决，群众对答复处理结果满意率达到{d.n(p)}%以上。")
    if rng.random() < 0.2:  # 005: 全年受理网络问政182件 (reading it as hotline.cases is defensible too)
        a = rng.randint(10, 300)
        d.fact("consultations.total", a, "网络问政")
        d.fact("hotline.cases", a, optional=True)
        out.append(f"全年受理网络问政{d.n(a)}件。")
    if rng.random() < 0.15:
        a = rng.randint(20, 500)
        d.fact("consultations.total", a, qualifier="approx")
        out.append(f"全年接待群众来访咨询约{d.n(a)}人次。")
    return out


def _distractors(d: _Doc) -> list[str]:
    """Numbers a careful reader leaves out: counts the catalog does not cover, percentages, views (006)."""
    rng, out = d.rng, []
    if rng.random() < 0.3:
        out.append(f"全年完成公文公开属性审查{d.n(rng.randint(10, 400))}件、发布审查{d.n(rng.randint(10, 400))}件。")
    if rng.random() < 0.3:
        out.append(f"门户网站全年总浏览量为{d.n(rng.randint(2, 900))}万，同比增长{d.n(rng.randint(2, 60))}%。")
    if rng.random() < 0.2:
        out.append(f"扎实推进教育、社会救助、就业、生态环境等重点领域{d.n(rng.randint(10, 200))}项信息公开任务。")
    return out


# --- ad hoc statistics table (004) ----------------------------------------------------------------------------

# (label with unit, code, low, high); the labels are 004's.
_STAT_ROWS = (
    ("通过政府网站公开数(条)", "proactive.website", 50, 3000),
    ("召开新闻发布会次数(条)", "proactive.press_conferences", 0, 12),  # sic, as in 004
    ("依申请公开数量(件)", "requests.received", 0, 60),
    ("行政复议数量(件)", "review.total", 0, 5),
    ("行政诉讼数量(件)", "litigation.total", 0, 5),
    ("公共查阅点建设数量(个)", "proactive.public_reading_points", 1, 8),
    ("公共查阅点查阅量(人次)", "proactive.reading_point_visits", 0, 900),
    ("行政许可事项(项)", "approval.licensing_items", 10, 300),
    ("行政非许可事项(项)", "approval.non_licensing_items", 0, 90),
    ("行政服务事项(项)", "approval.service_items", 0, 60),
    ("政务服务中心面积(平方米)", "service_center.area", 100, 3000),
    ("信息公开工作专门机构(个)", "staff.units", 1, 80),
    ("信息公开专职人员数(个)", "staff.full_time", 1, 12),
    ("信息公开兼职人员数(个)", "staff.part_time", 1, 80),
    ("召开信息公开工作会或专题会(次)", "meetings.held", 1, 10),
)


def _stat_table(d: _Doc) -> list[tuple[str, str]]:
    """Rows (label, value as written) of a statistics table; codes stated in prose stay out of it."""
    rng = d.rng
    rows: list[tuple[str, str]] = [("指标名称", "完成情况"), ("一、主动公开数量", "")]
    for label, code, lo, hi in _STAT_ROWS[:2]:
        if not d.has(code) and rng.random() < 0.8:
            v = rng.randint(lo, hi)
            d.fact(code, v)
            rows.append((label, _num(v)))
    singles = [r for r in _STAT_ROWS[2:5] if not d.has(r[1])]
    for n, (label, code, lo, hi) in enumerate(singles):
        v = rng.randint(lo, hi) if rng.random() < 0.5 else 0
        d.fact(code, v)
        rows.append((f"{'二三四'[n]}、{label}", _num(v)))
    rows.append(("五、重大民生信息公开情况", ""))
    for cat in rng.sample(_STAT_CATEGORIES, rng.randint(2, 4)):
        v = rng.randint(0, 90)
        d.fact("proactive.category", v, cat)
        rows.append((f"公开{cat}(条)", _num(v)))
    rows.append(("六、公共查阅点建设", ""))
    for label, code, lo, hi in _STAT_ROWS[5:]:
        if label.startswith("行政许可"):
            rows.append(("七、行政审批事项", ""))
        if label.startswith("政务服务中心"):
            rows.append(("八、政务服务体系建设", ""))
        if label.startswith("信息公开工作专门"):
            rows.append(("九、人员机构建设和保障经费情况", ""))
        if d.has(code) or rng.random() < 0.25:
            continue
        v = rng.randint(lo, hi)
        d.fact(code, v)
        rows.append((label, _num(v)))
        if code == "service_center.area":  # 004's 办件量 / 办结量 rows and its non-catalog rows
            got = rng.randint(500, 30000)
            done = got - rng.choice((0, rng.randint(0, 200)))
            d.fact("service_center.cases_received", got)
            d.fact("service_center.cases_closed", done)
            rows += [("是否实现网上信息公开及政务服务", "是"), ("政务服务中心办件量(件)", _num(got)),
                     ("政务服务中心办结量(件)", _num(done)),
                     ("实际进驻审批事项数量/应进驻审批事项数量(件)", _num(rng.randint(10, 300)))]
    if not d.has("training.sessions") and rng.random() < 0.6:
        a, b = rng.randint(1, 8), rng.randint(20, 300)
        d.fact("training.sessions", a)
        d.fact("training.participants", b)
        rows.append(("培训班次/人数", f"{a}次/{b}人"))
    if not d.has("budget.disclosure") and rng.random() < 0.6:
        v = rng.choice((rng.randint(1, 30), rng.randint(10, 99) / 10))
        d.fact("budget.disclosure", v)
        rows.append(("信息公开专项经费(万元)", f"{_num(v)}万" if rng.random() < 0.5 else _num(v)))
    return rows


# --- the State Council template tables (2019 trial format / 2021 format) --------------------------------------

_T3_GROUPS_2021 = (
    ("（三）不予公开", ("1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
                    "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项")),
    ("（四）无法提供", ("1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确")),
    ("（五）不予处理", ("1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
                    "5.要求行政机关确认或重新出具已获取信息")),
    ("（六）其他处理", ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他")),
)
_T3_CODES = {
    "（三）不予公开": ("requests.denied.state_secret", "requests.denied.prohibited_by_law",
                  "requests.denied.security_stability", "requests.denied.third_party",
                  "requests.denied.internal_affairs", "requests.denied.process_info",
                  "requests.denied.enforcement_files", "requests.denied.query_matters"),
    "（四）无法提供": ("requests.unavailable.not_held", "requests.unavailable.needs_creation",
                  "requests.unavailable.unclear"),
    "（五）不予处理": ("requests.not_processed.complaint", "requests.not_processed.repeat",
                  "requests.not_processed.publication", "requests.not_processed.mass_repeat",
                  "requests.not_processed.confirmation"),
    "（六）其他处理": ("requests.other.no_correction", "requests.other.unpaid_fee", "requests.other.other"),
}
_GROUP_CODE = {"（三）不予公开": "requests.denied", "（四）无法提供": "requests.unavailable",
               "（五）不予处理": "requests.not_processed", "（六）其他处理": "requests.other"}

Cell = tuple[str, int, int]  # text, rowspan, colspan
Row = list[Cell]


def _c(text: str, rowspan: int = 1, colspan: int = 1) -> Cell:
    return (text, rowspan, colspan)


def _t2(d: _Doc, fmt: int) -> list[Row]:
    """表二 主动公开政府信息情况: captions, headers and rows, with the figures recorded. Bodies that make no 规章
    often leave that row blank (`/`, `-` or empty): a blank cell is no fact."""
    rng = d.rng
    no_rules = rng.choice(("", "/", "-")) if rng.random() < 0.3 else None
    rows: list[Row] = []
    doc_label = "规范性文件" if fmt == 2019 or rng.random() < 0.3 else "行政规范性文件"

    def block(caption: str, header: tuple[str, ...], body: list[tuple[str, str, tuple[str, ...], list[str]]]) -> None:
        rows.append([_c(caption, 1, len(header))])
        rows.append([_c(h) for h in header])
        for label, key, cols, cells in body:
            if key == "rules" and no_rules is not None:
                cells = [no_rules] * len(cells)
            for col, cell in zip(cols, cells, strict=True):
                if cell not in ("", "/", "-"):
                    value = float(cell.removesuffix("元")) / 10000 if cell.endswith("元") else float(cell)
                    d.fact(f"{key}.{col}", round(value, 6))
            rows.append([_c(label), *(_c(x) for x in cells)])

    def small(hi: int) -> str:
        return str(_count(rng, hi))

    if fmt == 2021:
        docs = [[small(4), small(3), small(20)], [small(30), small(10), small(200)]]
        block("第二十条第（一）项", ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
              [("规章", "rules", ("issued", "repealed", "in_force"), docs[0]),
               (doc_label, "normative_docs", ("issued", "repealed", "in_force"), docs[1])])
        block("第二十条第（五）项", ("信息内容", "本年处理决定数量"),
              [("行政许可", "licensing", ("decisions",), [small(20000)])])
        block("第二十条第（六）项", ("信息内容", "本年处理决定数量"),
              [("行政处罚", "penalty", ("decisions",), [small(5000)]),
               ("行政强制", "coercion", ("decisions",), [small(300)])])
        fee = rng.choice(("0", "0", _num(round(rng.random() * 5000, rng.randint(0, 4)))))
        block("第二十条第（八）项", ("信息内容", "本年收费金额（单位：万元）"),
              [("行政事业性收费", "fees", ("amount",), [fee])])
        return rows

    def change() -> str:
        return str(rng.choice((0, 0, rng.randint(-5, 8))))

    block("第二十条第（一）项", ("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"),
          [("规章", "rules", ("issued", "newly_published", "in_force"), [small(3), small(3), small(20)]),
           (doc_label, "normative_docs", ("issued", "newly_published", "in_force"),
            [small(30), small(30), small(200)])])
    three = ("items_prior_year", "items_change", "decisions")
    block("第二十条第（五）项", ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"),
          [("行政许可", "licensing", three, [small(300), change(), small(20000)]),
           ("其他对外管理服务事项", "other_services", three, [small(50), change(), small(500)])])
    block("第二十条第（六）项", ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"),
          [("行政处罚", "penalty", three, [small(800), change(), small(5000)]),
           ("行政强制", "coercion", three, [small(50), change(), small(300)])])
    block("第二十条第（八）项", ("信息内容", "上一年项目数量", "本年增/减"),
          [("行政事业性收费", "fees", ("items_prior_year", "items_change"), [small(30), change()])])
    amount = rng.randint(0, 900) * 1000
    block("第二十条第（九）项", ("信息内容", "采购项目数量", "采购总金额"),
          [("政府集中采购", "procurement", ("projects", "amount"),
            [small(60), f"{amount}元" if rng.random() < 0.5 else _num(amount / 10000)])])
    return rows


def _t3(d: _Doc, fmt: int) -> tuple[list[Row], dict[str, list[int]]]:
    """表三 收到和处理政府信息公开申请情况: consistent per column (一+二 = 七+四), blank cells where real tables
    leave them."""
    rng = d.rng
    outcome_codes = ["requests.granted", "requests.partially_granted", *_T3_CODES["（三）不予公开"],
                     *_T3_CODES["（四）无法提供"], *_T3_CODES["（五）不予处理"]]
    outcome_codes += list(_T3_CODES["（六）其他处理"]) if fmt == 2021 else ["requests.other"]
    weights = [40, 6] + [1] * 8 + [20, 4, 2] + [3, 2, 1, 1, 1] + ([3, 1, 4] if fmt == 2021 else [6])
    scale = rng.choice((0, 0, 5, 30, 200, 1500))
    values: dict[str, list[int]] = {c: [0] * 6 for c in [*outcome_codes, "requests.received", "requests.carried_in",
                                                         "requests.carried_out", "requests.handled_total"]}
    for col in range(6):
        handled = _count(rng, scale if col == 0 else scale // 10)
        for code, v in zip(outcome_codes, _allocate(rng, handled, weights), strict=True):
            values[code][col] = v
        carried_out = _count(rng, max(1, handled // 5)) if handled else 0
        carried_in = min(handled + carried_out, _count(rng, max(1, handled // 5))) if handled else 0
        values["requests.handled_total"][col] = handled
        values["requests.carried_out"][col] = carried_out
        values["requests.carried_in"][col] = carried_in
        values["requests.received"][col] = handled + carried_out - carried_in
    totals = {c: [*v, sum(v)] for c, v in values.items()}
    orgs_zero = all(v[c] == 0 for v in values.values() for c in range(1, 6))
    blank_orgs = orgs_zero and rng.random() < 0.5          # 005 leaves the 法人 columns empty
    blank_total = fmt == 2019 and rng.random() < 0.3       # 01 leaves 总计 empty
    blank = rng.choice(("", "", "-", "/")) if blank_orgs or blank_total else ""

    written = [not ((blank_orgs and 1 <= col <= 5) or (blank_total and col == 6)) for col in range(7)]
    facts = d.facts
    d.codes.update(totals)

    def cells(code: str) -> list[Cell]:  # the hot loop of a template report: facts written directly
        out = []
        for col, v in enumerate(totals[code]):
            if written[col]:
                facts[(code, APPLICANTS[col], v)] = {"code": code, "breakdown": APPLICANTS[col], "value": v,
                                                     "qualifier": "exact"}
                out.append((str(v), 1, 1))
            else:
                out.append((blank, 1, 1))
        return out

    check = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    rows: list[Row] = [
        [_c(check, 3, 3), _c("申请人情况", 1, 7)],
        [_c("自然人", 2), _c("法人或其他组织", 1, 5), _c("总计", 2)],
        [_c("商业企业"), _c("科研机构"), _c("社会公益组织"), _c("法律服务机构"), _c("其他")],
        [_c("一、本年新收政府信息公开申请数量", 1, 3), *cells("requests.received")],
        [_c("二、上年结转政府信息公开申请数量", 1, 3), *cells("requests.carried_in")],
    ]
    span = 22 if fmt == 2021 else 20
    rows.append([_c("三、本年度办理结果", span), _c("（一）予以公开", 1, 2), *cells("requests.granted")])
    partial = "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    rows.append([_c(partial, 1, 2), *cells("requests.partially_granted")])
    for group, labels in _T3_GROUPS_2021:
        if group == "（六）其他处理" and fmt == 2019:
            rows.append([_c(group, 1, 2), *cells("requests.other")])
            continue
        for k, (label, code) in enumerate(zip(labels, _T3_CODES[group], strict=True)):
            rows.append(([_c(group, len(labels))] if k == 0 else []) + [_c(label), *cells(code)])
    rows.append([_c("（七）总计", 1, 2), *cells("requests.handled_total")])
    rows.append([_c("四、结转下年度继续办理", 1, 3), *cells("requests.carried_out")])
    if fmt == 2021:
        for group, code in _GROUP_CODE.items():
            totals[code] = [sum(totals[c][col] for c in _T3_CODES[group]) for col in range(7)]
    return rows, totals


def _t4(d: _Doc) -> list[Row]:
    """表四 行政复议、行政诉讼: one row of 15 figures, each 总计 the sum of its four parts."""
    rng = d.rng
    cells: list[Cell] = []
    for group in ("review", "litigation.direct", "litigation.after_review"):
        parts = [_count(rng, 6) if rng.random() < 0.3 else 0 for _ in range(4)]
        for part, v in zip(("upheld", "corrected", "other", "pending", "total"), [*parts, sum(parts)], strict=True):
            d.fact(f"{group}.{part}", v)
            cells.append(_c(str(v)))
    words = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    return [
        [_c("行政复议", 1, 5), _c("行政诉讼", 1, 10)],
        [*(_c(w, 2) for w in words), _c("未经复议直接起诉", 1, 5), _c("复议后起诉", 1, 5)],
        [*(_c(w) for w in words), *(_c(w) for w in words)],
        cells,
    ]


def _standard_prose(d: _Doc, totals: dict[str, list[int]], fmt: int) -> dict[str, list[str]]:
    """The 总体情况 subsections of a template report, repeating some table figures in words (005, 006)."""
    rng = d.rng
    pro: list[str] = []
    if rng.random() < 0.5:  # 005: 全年共审核发布各类公开政府信息249条，其中：发布行政公文和政策解读信息9条；…
        cats = rng.sample(_CATEGORY_NOUNS, rng.randint(3, 6))
        values = [rng.randint(1, 200) for _ in cats]
        d.fact("proactive.total", sum(values))
        for c, v in zip(cats, values, strict=True):
            d.fact("proactive.category", v, c)
        items = "；".join(f"{c}{d.n(v)}条" for c, v in zip(cats, values, strict=True))
        pro.append(f"{d.year}年，{d.we}严格审签程序，全力做好政府信息公开工作。全年共审核发布各类公开政府信息"
                   f"{d.n(sum(values))}条，其中：发布{items}。{_pad(rng, 1)}")
    elif rng.random() < 0.5:
        v = rng.randint(50, 5000)
        d.fact("proactive.total", v)
        pro.append(f"全年主动公开政府信息{d.n(v)}条。{_pad(rng, 1)}")
    else:  # 006: 全年主动公开市政府规章 22 件、…行政规范性文件 34 件、人事任免文件 196 件、其他文件 84 件
        items = []
        for label, code in (("规章", "rules.issued"), ("行政规范性文件", "normative_docs.issued")):
            issued = next((k[2] for k in d.facts if k[0] == code), None)
            if issued:  # the same figure as 表二's 制发 cell: reading it as a category is defensible, not owed
                d.fact("proactive.category", issued, label, optional=True)
                items.append(f"{label}{d.n(issued)}件")
        for label in ("人事任免文件", "其他文件"):
            v = rng.randint(1, 300)
            d.fact("proactive.category", v, label)
            items.append(f"{label}{d.n(v)}件")
        pro.append(f"全年主动公开{'、'.join(items)}。{_pad(rng, 1)}")
    if rng.random() < 0.4:  # 006
        v = rng.randint(1, 40)
        d.fact("proactive.press_conferences", v)
        pro.append(f"召开新闻发布会{d.n(v)}场，有效增强政策发布的权威性。")
    if rng.random() < 0.3:
        v = rng.randint(4, 24)
        title = rng.choice(_GAZETTES)
        d.fact("proactive.gazette_issues", v, title)
        pro.append(f"编辑《{title}》{d.n(v)}期。")
    received, handled, carried_in = (totals[c][6] for c in ("requests.received", "requests.handled_total",
                                                             "requests.carried_in"))
    if received == 0 and carried_in == 0 and rng.random() < 0.5:
        # Known extractor limitation (reported): in PDF text, whose title wraps over two lines, any early line of
        # at most 80 characters naming a year and 报告/汇报 is taken for the title; so 本年度, not the year.
        req = [f"本年度，{d.we}未收到政府信息公开申请。{_pad(rng, 2)}"]
    elif rng.random() < 0.5 or fmt == 2019:  # 005
        d.fact("requests.received", received)
        req = [f"{d.year}年度{d.we}共收到依申请信息公开{d.n(received)}件，及时回复申请人。"]
    else:  # 006: 受理 / 办结（含上年结转）/ 其中 the outcome groups with their shares
        d.fact("requests.received", received)
        d.fact("requests.handled_total", handled)
        d.fact("requests.carried_in", carried_in)
        share = (lambda v: f"（{v / handled * 100:.2f}%）") if handled else (lambda v: "")
        granted = totals["requests.granted"][6] + totals["requests.partially_granted"][6]
        groups = [("因本机关不掌握等原因无法提供", "requests.unavailable"), ("属信访、重复申请等不予处理",
                                                                   "requests.not_processed"),
                  ("其他处理", "requests.other")]
        items = [f"予以公开及部分公开{d.n(granted)}件{share(granted)}",
                 f"不予公开{d.n(totals['requests.denied'][6])}件{share(totals['requests.denied'][6])}"]
        d.fact("requests.denied", totals["requests.denied"][6])
        for label, code in groups:
            d.fact(code, totals[code][6])
            items.append(f"{label}{d.n(totals[code][6])}件{share(totals[code][6])}")
        req = [f"{d.we}共受理政府信息公开申请{d.n(received)}件，办结{d.n(handled)}件（含上年结转{d.n(carried_in)}件），"
               f"均在法定期限内答复。其中，{'，'.join(items)}。"]
    manage = [_pad(rng, 2), *_distractors(d)]
    platform = [_pad(rng, 2)]
    oversight = [_pad(rng, 2)]
    if rng.random() < 0.4:
        a, b = rng.randint(1, 8), rng.randint(20, 600)
        d.fact("training.sessions", a)
        d.fact("training.participants", b)
        oversight.append(f"组织开展政务公开专题培训{d.n(a)}次，培训{d.n(b)}人次，切实提升依法公开水平。")
    return {"pro": pro, "req": req, "manage": manage, "platform": platform, "oversight": oversight}


# --- assembling a report: blocks, then a rendering per kind of source ----------------------------------------

Block = tuple[str, Any]  # ("h", heading) / ("p", paragraph) / ("table", rows) / ("stat", rows)


@dataclass
class _Meta:
    title: str
    agency: str
    source_field: str | None     # full agency name in a 来源/单位 field, when the title writes a short form
    published: tuple[int, int, int] | None
    signed_text: str | None
    site: str                    # the site owner named in page chrome
    charset: str = "utf-8"       # what an HTML page declares


def _date_after(rng: random.Random, year: int) -> tuple[int, int, int]:
    """Reports come out in the first quarter of the next year (the 条例's deadlines)."""
    return year + 1, rng.randint(1, 3), rng.randint(1, 28)


def _free_form(d: _Doc, with_stats: bool) -> list[Block]:
    rng = d.rng
    heads = (("一、概述", "一、主要工作概述", "一、基本工作情况", "一、加强组织领导"),
             ("二、主动公开政府信息情况", "二、政府信息主动公开情况", "二、主动公开政务信息情况"),
             ("三、依申请公开政府信息情况", "三、政府信息依申请公开办理情况"),
             ("四、政府信息公开的收费及减免情况", "四、依申请信息公开收费情况"),
             # Known extractor limitation: in a document site's flattened text this heading runs into the next
             # sentence, whose 行政复议 figure then reads as 申诉 (complaints.total).
             ("五、因政府信息公开申请行政复议、提起行政诉讼的情况",) if d.flat else
             ("五、因政府信息公开申请行政复议、提起行政诉讼的情况", "五、复议、诉讼和申诉情况"),
             ("六、政府信息公开工作存在的主要问题和改进措施", "六、存在的主要问题及改进措施"),
             ("七、其他需要报告的事项",))
    capacity = _capacity(d)
    opening = (_era(d.year) if rng.random() < 0.5 else "") + _pad(rng, rng.randint(2, 4))
    blocks: list[Block] = [("h", rng.choice(heads[0])), ("p", opening)]
    blocks += [("p", s + _pad(rng, 1)) for s in capacity]
    blocks.append(("h", rng.choice(heads[1])))
    blocks += [("p", s) for s in _proactive(d)]
    blocks.append(("p", _pad(rng, rng.randint(1, 3))))
    stats: list[tuple[str, str]] = []
    if with_stats and rng.random() < 0.5:  # before the request and appeal prose: each figure is stated once
        stats = _stat_table(d)
    blocks += [("h", rng.choice(heads[2])), ("p", _requests(d))]
    blocks += [("h", rng.choice(heads[3])), ("p", _fees(d))]
    blocks += [("h", rng.choice(heads[4])), ("p", _appeals(d))]
    blocks += [("h", rng.choice(heads[5])), ("p", _pad(rng, rng.randint(2, 4), _PROBLEMS)),
               ("p", _pad(rng, rng.randint(2, 4), _IMPROVEMENTS))]
    other = _engagement(d) + _distractors(d)
    if other:
        blocks.append(("h", heads[6][0]))
        blocks += [("p", s) for s in other]
    if stats:
        blocks += [("h", f"{d.year}年政务公开和政务服务工作统计表"), ("stat", stats)]
    return blocks


def _standard(d: _Doc, fmt: int) -> list[Block]:
    rng = d.rng
    t2 = _t2(d, fmt)
    t3, totals = _t3(d, fmt)
    t4 = _t4(d)
    prose = _standard_prose(d, totals, fmt)
    opening = (_era(d.year) if rng.random() < 0.5 else "") + _pad(rng, rng.randint(2, 4))
    blocks: list[Block] = [("h", "一、总体情况"), ("p", opening)]
    for head, key in (("（一）主动公开", "pro"), ("（二）依申请公开", "req"), ("（三）政府信息管理", "manage"),
                      ("（四）政府信息公开平台建设", "platform"), ("（五）监督保障", "oversight")):
        blocks.append(("h", head))
        blocks += [("p", s) for s in prose[key] if s]
    blocks += [("h", "二、主动公开政府信息情况"), ("table", t2),
               ("h", "三、收到和处理政府信息公开申请情况"), ("table", t3),
               ("h", "四、政府信息公开行政复议、行政诉讼情况"), ("table", t4),
               ("h", rng.choice(("五、存在的主要问题及改进情况", "五、政府信息公开工作存在的主要问题及改进情况"))),
               ("p", _pad(rng, rng.randint(2, 3), _PROBLEMS)),
               ("p", _pad(rng, rng.randint(2, 3), _IMPROVEMENTS)),
               ("h", "六、其他需要报告的事项")]
    if rng.random() < 0.8:
        d.fact("requests.fees_charged", 0, qualifier="stated_none")
        blocks.append(("p", rng.choice((f"{d.year}年度本机关未收取信息公开处理费。", "政府信息公开未发生收费情况。",
                                        "本年度未收取信息处理费。"))))
    else:
        v = rng.randint(10, 2000)
        d.fact("requests.fees_charged", v)
        blocks.append(("p", f"本年度收取信息处理费共计{d.n(v)}元。"))
    return blocks


def _preamble(d: _Doc, standard: bool, fmt: int) -> str:
    rng, y = d.rng, d.year
    # Known extractor limitation: PDF text (006) wraps its title over two lines, and a preamble line naming a
    # year and 报告 within the first 15 lines is then taken for the title.
    period = f"本报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。" if not d.pdf and rng.random() < 0.6 else ""
    if standard:
        notice = "国办公开办函〔2021〕30号" if fmt == 2021 else "国办公开办函〔2019〕60号"
        return (f"本年度报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开"
                f"工作年度报告格式》（{notice}）的要求编制，全文包括总体情况、主动公开政府信息情况、收到和处理政府信息"
                f"公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况，以及其他需要报告的事项。"
                f"{period}")
    doc_no = f"〔{y + 1}〕{rng.randint(1, 60)}号"
    return rng.choice((
        f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和{doc_no}文件要求，现将{d.we}{y}年度政府信息公开"
        f"工作情况报告如下。{period}",
        f"一年来，在上级党委、政府的正确领导下，{d.we}认真贯彻落实《中华人民共和国政府信息公开条例》，按照{doc_no}"
        f"《关于做好{y}年政府信息公开工作年度报告编制和发布工作的通知》的要求，结合工作实际，编制本报告。{period}",
        f"{y}年，{d.we}认真贯彻落实《中华人民共和国政府信息公开条例》，以深化政务公开为主线，不断健全组织机构，完善工作"
        f"机制，政务公开工作取得了明显成效。现将有关情况报告如下。{period}",
    ))


def _contact(d: _Doc) -> str:
    """A contact line: address number, postcode and phone are no figures (005)."""
    rng = d.rng
    address = f"{rng.choice(_ROADS)}{rng.randint(1, 300)}号"
    phone = f"0{rng.randint(310, 999)}-{rng.randint(2000000, 8999999)}"
    return (f"本年度报告电子版可在{d.agency}门户网站下载。如对本报告有疑问，请与{d.agency}联系"
            f"（地址：{address}，邮编：{rng.randint(100000, 850000)}，电话：{phone}）。")


# --- rendering ------------------------------------------------------------------------------------------------


def _pipe_rows(rows: list[Row]) -> list[str]:
    return ["| " + " | ".join(c[0] for c in row) + " |" for row in rows]


def _td(c: Cell) -> str:
    if c[1] == c[2] == 1:
        return f"<td>{c[0]}</td>"
    rowspan = f' rowspan="{c[1]}"' if c[1] > 1 else ""
    colspan = f' colspan="{c[2]}"' if c[2] > 1 else ""
    return f"<td{rowspan}{colspan}>{c[0]}</td>"


def _html_rows(rows: list[Row]) -> str:
    return "<table border=\"1\" cellspacing=\"0\">\n" + "\n".join(
        "<tr>" + "".join(map(_td, row)) + "</tr>" for row in rows) + "\n</table>"


def _stat_lines(rows: list[tuple[str, str]], indent: str) -> list[str]:
    """004's statistics table laid out with spaces, a blank line after each row as there. Known extractor
    limitation: rows on consecutive lines are glued together by the loader's PDF hard-wrap join."""
    out = []
    for label, value in rows:
        gap = " " * max(3, 36 - 2 * len(label))
        out += [f"{indent}{label}{gap}{value}" if value else f"{indent}{label}", ""]
    return out


def _sign_lines(meta: _Meta) -> list[str]:
    return [meta.agency, meta.signed_text] if meta.signed_text else []


def _iso(t: tuple[int, int, int]) -> str:
    return f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"


def _clock(rng: random.Random) -> str:
    return f"{rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}"


def _footer(rng: random.Random, site: str) -> list[str]:
    prov = rng.choice("京津沪渝冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘粤琼川贵云陕甘青蒙桂藏宁新")
    return rng.choice((
        ["关闭", "打印", "Produced By 大汉网络 大汉版通发布系统"],
        ["扫一扫在手机打开当前页面"],
        ["设为首页|加入收藏|网站地图|联系我们", f"主办单位:{site}  技术维护:{site}信息中心",
         f"{prov}ICP备{rng.randint(10000000, 99999999)}号-{rng.randint(1, 9)}  {prov}公网安备 "
         f"{rng.randint(10**13, 10**14 - 1)}号", f"Copyright {rng.randint(2010, 2024)} All Rights Reserved"],
        ["【打印本页】 【关闭窗口】"],
    ))


def render_page_text(d: _Doc, meta: _Meta, blocks: list[Block]) -> str:
    """A saved government web page as text (000, 001, 004): breadcrumb, publication line, chrome, footer."""
    rng = d.rng
    indent = rng.choice(("  ", "    ", ""))
    lines: list[str] = []
    if meta.source_field or rng.random() < 0.3:
        lines += [meta.site, f"您现在所在的位置: 网站首页 > 政府信息公开 > {meta.site} > 政府信息公开年报"]
    lines.append(meta.title)
    src = meta.source_field or meta.site
    if meta.published:
        pub = f"{_iso(meta.published)} {_clock(rng)}"
        shapes = [f"发布时间:{pub} 来源:{src} 字体:[ 大 中 小 ]",
                  f"来源:{src} 时间:{pub}:{rng.randint(10, 59)} 点击量:"]
        if not meta.source_field:  # 000's line names no source; a short title needs one (see _draft)
            shapes.append(f"发布日期:{pub} {rng.choice(_BROWSERS)}")
        lines.append(rng.choice(shapes))
    elif meta.source_field:
        lines.append(f"来源:{src} 字体:[ 大 中 小 ]")
    lines += ["", ""]
    for kind, body in blocks:
        if kind == "stat":
            lines += _stat_lines(body, indent)
        elif kind == "table":
            lines += [*_pipe_rows(body), ""]
        else:
            lines += [indent + body, ""]
    lines += [indent + x for x in _sign_lines(meta)] + [""] + _footer(rng, meta.site)
    return "\n".join(lines)


def render_index_text(d: _Doc, meta: _Meta, blocks: list[Block]) -> str:
    """003's page: an index-number metadata block, deep indentation, stray `?` lines, 扫一扫 footer."""
    rng = d.rng
    ind = " " * 14
    pub = meta.published or (d.year + 1, 1, 15)
    head = [meta.title, "索引号", f"{rng.randint(10**8, 10**9 - 1)}/{pub[0]}-{rng.randint(1, 99999):05d}", "文号",
            "关键词", "发布机构", meta.site, "公开形式", "主动公开", "责任部门", "办公室"]
    if meta.published:
        head += ["生成日期", f"{_iso(pub)} {_clock(rng)}:{rng.randint(10, 59)}"]
    head += ["是否有效", "", "?", ""]
    # A blank line under the title: with many short lines below, the loader's PDF hard-wrap join would glue the
    # title to the index block (a known extractor limitation, reported).
    lines = [head[0], ""] + [ind + x if x else "" for x in head[1:]]
    for kind, body in blocks:
        if kind == "stat":
            lines += _stat_lines(body, ind)
        elif kind == "table":
            lines += [ind + x for x in _pipe_rows(body)]
        else:
            lines += [ind + body, ""]
    lines += [ind + "?", ""] + [ind + x for x in _sign_lines(meta)] + ["", "", ind + "扫一扫在手机打开当前页面"]
    return "\n".join(lines)


def render_html(d: _Doc, meta: _Meta, blocks: list[Block]) -> str:
    """A saved HTML page (005): metadata table, navigation, paragraphs, real <table>s, footer."""
    rng = d.rng
    nav = " | ".join(f'<a href="#">{x}</a>' for x in rng.sample(_MENU, 6))
    info = ""
    if meta.published or meta.source_field:  # a short title needs the full name in 发布机构 (see _draft)
        date = f"<td>公开日期</td><td>{_iso(meta.published)}</td>" if meta.published else ""
        info = (f"<table class=\"meta\"><tr><td>名称</td><td colspan=\"3\">{meta.title}</td></tr>"
                f"<tr><td>发布机构</td><td>{meta.source_field or meta.agency}</td>{date}</tr></table>")
    parts = ["<!DOCTYPE html>", "<html>", "<head>", f'<meta charset="{meta.charset}">', f"<title>{meta.title}</title>",
             "<style>body{font-size:14px;line-height:1.8} td{border:1px solid #333}</style>", "</head>", "<body>",
             f'<div class="nav">{nav}</div>',
             '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="#">政府信息公开</a> &gt; '
             "年度报告</div>",
             info, '<div class="content">', f"<h2>{meta.title}</h2>"]
    for kind, body in blocks:
        if kind == "table":
            parts.append(_html_rows(body))
        elif kind == "stat":
            parts.append(_html_rows([[_c(label), _c(value)] for label, value in body]))
        elif kind == "h":
            parts.append(f"<p><strong>{body}</strong></p>")
        else:
            parts.append(f'<p style="text-indent:2em">{body}</p>')
    parts += [f'<p style="text-align:right">{x}</p>' for x in _sign_lines(meta)]
    parts += ["</div>", '<div class="footer">'] + [f"<p>{x}</p>" for x in _footer(rng, meta.site)]
    parts += ["</div>", "</body>", "</html>"]
    return "\n".join(parts)


def render_doc_site(d: _Doc, meta: _Meta, blocks: list[Block]) -> str:
    """A document-sharing site (002): upload chrome, page thumbnails, the text cut into numbered fragments.
    Free-form reports only (a flattened table would be no table)."""
    rng = d.rng
    name = f"{meta.title}.doc"
    body = " ".join(b for kind, b in blocks if kind in ("h", "p"))
    body += " " + " ".join(_sign_lines(meta))
    pages = rng.randint(3, 9)
    pub = meta.published
    assert pub is not None, "a document site always shows the upload date"
    uploader = rng.choice(_SURNAMES) + rng.choice("明华军伟芳丽强")
    lines = [name, "", f"上传人:{uploader} 文档编号:{rng.randint(10**8, 10**9)} "
             f"上传时间:{_iso(pub)} 格式:DOC 页数:{pages} 大小:{rng.randint(12, 90)}KB", "返回 下载 相关 举报"]
    for p in range(1, min(pages, 5) + 1):
        lines += [f"{name}_第{p}页", f"第{p}页 / 共{pages}页"]
    lines += ["点击查看更多>>", "资源描述", "",
              f"《{name}》由会员分享,可在线阅读,更多相关《{name}({pages}页珍藏版)》请在文库上搜索。", ""]
    # Cut between two Han characters, never after punctuation, so the loader's fragment join restores the text.
    size = max(400, len(body) // rng.randint(6, 12))
    cuts, pos = [], 0
    while pos + size < len(body):
        at = pos + size
        while at < len(body) - 1 and not (_is_han(body[at - 1]) and _is_han(body[at])):
            at += 1
        if at >= len(body) - 1:
            break
        cuts.append(at)
        pos = at
    frags = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]
    lines += [f"{k}、{frag}" for k, frag in enumerate(frags, 1)]
    lines += ["", "展开阅读全文", "相关资源", "正为您匹配相似的精品文档", "相关搜索", "", "最新文档", "",
              "电脑版 |文库版权所有", f"经营许可证:蜀ICP备{rng.randint(10000000, 99999999)}号"]
    return "\n".join(lines)


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def render_pdf_text(d: _Doc, meta: _Meta, blocks: list[Block]) -> str:
    """Text extracted from a PDF (006): hard-wrapped lines, page counters, markdown tables, no page metadata."""
    rng = d.rng
    lines = ["正文"]
    title = meta.title
    cut = title.rfind("工作年度报告") if "工作年度报告" in title else title.rfind("年度报告")
    lines += [title[:cut], title[cut:]]
    # Known extractor limitation: a title line as long as the body's lines is glued to the preamble by the
    # loader's hard-wrap join.
    width = max(rng.randint(26, 34), cut + 6)
    page_lines = 0
    page = 1

    def emit(line: str) -> None:
        nonlocal page_lines, page
        lines.append(line)
        page_lines += 1
        if page_lines >= 34:
            lines.append(f"— {page} —")
            page, page_lines = page + 1, 0

    for kind, body in blocks:
        if kind == "h":
            lines.append("")
            emit(body)
        elif kind == "p":
            for line in _wrap(body, width):
                emit(line)
        else:  # template tables as markdown (PDF text is drawn for template reports only)
            rows = _pipe_rows(body)
            lines.append("")
            for k, row in enumerate(rows):
                lines.append(row)
                if k == 0:
                    lines.append("|" + "---|" * row.count(" | ") + "---|")
            lines.append("")
    lines += ["", *_sign_lines(meta), f"— {page} —"]
    return "\n".join(lines)


def _wrap(text: str, width: int) -> list[str]:
    """Hard-wrap like a PDF, but never inside a number nor right after ：/； (known extractor limitation: the
    loader does not rejoin those lines; it takes the marks for sentence ends and `12` + `3.5万` for a heading)."""
    lines, pos = [], 0
    while len(text) - pos > width:
        end = pos + width
        while end > pos + width // 2 and (text[end - 1] in "：；" or (text[end - 1] in "0123456789.,%"
                                                                     and text[end] in "0123456789.,%")):
            end -= 1
        lines.append(text[pos:end])
        pos = end
    return [*lines, text[pos:]]


_RENDER = {"page_txt": render_page_text, "index_txt": render_index_text, "html": render_html,
           "doc_site": render_doc_site, "pdf_txt": render_pdf_text}


# --- one file ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeneratedFile:
    name: str
    data: bytes
    truth: dict[str, Any] | None   # None for a bad file
    entry: dict[str, Any]          # the file's manifest entry


def _pick_agency(rng: random.Random, year: int) -> tuple[Place, str, str]:
    """(place, full agency name, the prefix it opens with)."""
    level = rng.choices(("province", "city", "county"), (1, 3, 6))[0]
    place = rng.choice(places()[level])
    prefix = rng.choice(place.prefixes)
    if level == "province" and prefix not in _MUNICIPALITIES:
        depts = _DEPTS_PROVINCE
    elif level == "county":
        depts = _DEPTS_COUNTY
    else:
        depts = _DEPTS_CITY
    names = [n for n, a, b in depts if a <= year <= b]
    if place.county and len(place.county) == 2 and prefix != place.county:
        # Known extractor limitation (reported): a two-character county after its prefecture (佳木斯市郊区) is
        # taken only before an organ word it knows, which 安全生产…/科学技术… are not.
        names = [n for n in names if not n.startswith(("安全", "科学"))]
    name = rng.choice(names)
    if prefix in _MUNICIPALITIES and name == "人民政府办公室":
        name = "人民政府办公厅"
    return place, prefix + name, prefix


@dataclass
class _Draft:
    doc: _Doc
    meta: _Meta
    blocks: list[Block]
    form: str
    truth: dict[str, Any]
    traditional: bool


def _draft(rng: random.Random) -> _Draft:
    """A good report before rendering: its figures (the truth), metadata and blocks of text."""
    year = rng.choice(YEARS)
    place, agency, prefix = _pick_agency(rng, year)
    standard = year >= 2019 and rng.random() < 0.85
    fmt = 2021 if year >= 2021 else 2019
    if standard:
        form = rng.choices(("page_txt", "index_txt", "html", "pdf_txt"), (3, 2, 4, 2))[0]
    else:
        form = rng.choices(("page_txt", "index_txt", "html", "doc_site"), (5, 2, 3, 2))[0]
    traditional = place.trad_ok and rng.random() < 0.12
    short = agency[len(prefix) - 1:] if place.level != "province" and prefix[-1] in "市县区" else None
    we = rng.choice(("我局", "本机关", "我单位")) if agency.endswith("局") else "本机关"
    if short and rng.random() < 0.3:
        we = short
    d = _Doc(rng, year, agency, we, form == "pdf_txt", form == "doc_site")
    blocks = _standard(d, fmt) if standard else _free_form(d, year <= 2018 and form != "doc_site")
    if rng.random() < 0.3:
        blocks.append(("p", _contact(d)))
    blocks.insert(0, ("p", _preamble(d, standard, fmt)))
    # Title: full name before or after the year (000, 003, 006), or a short name with the full one in a 来源 /
    # 发布机构 field (001). Known extractor limitation: without that field the short name is expanded from the
    # text with at most six characters of place (阿克塞哈萨克族自治县 -> 哈萨克族自治县) or from any word before it
    # (2020年度市机关事务管理局 -> 年度市…).
    source_field = None
    tail = rng.choice(("政府信息公开工作年度报告", "政府信息公开年度报告") if standard else
                      ("政府信息公开工作年度报告", "政务公开年度报告", "政务公开工作总结", "政府信息公开工作总结报告"))
    if short and form in ("page_txt", "html") and rng.random() < 0.3:
        title, source_field = f"{short}{year}年{tail}", agency
    elif rng.random() < 0.3:
        title = f"{year}年{agency}{tail}"
    elif not standard and rng.random() < 0.2:
        title = f"{agency}关于{year}年{tail}"
    else:
        title = f"{agency}{year}年{tail}"
    published = None if form == "pdf_txt" or (form != "doc_site" and rng.random() < 0.05) else _date_after(rng, year)
    signed = signed_text = None
    if form != "doc_site" and rng.random() < 0.8:
        y, m, day = published or _date_after(rng, year)
        signed = (y, m, max(1, day - rng.randint(0, 5)))
        if rng.random() < 0.35:
            signed_text, truncated = _cn_date(rng, *signed, allow_ling_o=not traditional)  # Big5 has no 〇
            if truncated:
                d.flags.append("year_inferred_from_truncated_date")
        else:
            signed_text = f"{signed[0]}年{signed[1]}月{signed[2]}日"
    truth = {
        "source": "", "agency": [agency], "province": place.province, "city": place.city, "county": place.county,
        "report_year": year, "published_on": _iso(published) if published else None,
        "signed_on": _iso(signed) if signed else None, "script": "traditional" if traditional else "simplified",
        "layout": "standard_table" if standard else "free_form", "metrics": list(d.facts.values()),
        "optional": d.optional, "flags": d.flags,
    }
    return _Draft(d, _Meta(title, agency, source_field, published, signed_text, agency), blocks, form, truth,
                  traditional)


def _text_chars(blocks: list[Block]) -> int:
    """About the characters of report text in the blocks (chrome and markup come on top when rendered); a
    table cell counts as four, which is close enough: the rendered size is checked anyway."""
    n = 0
    for kind, body in blocks:
        if kind in ("table", "stat"):
            n += 4 * sum(map(len, body))
        else:
            n += len(body)
    return n


# OpenCC's traditional forms that Big5 lacks -> the forms Big5-era pages use.
_BIG5_FORMS = (("爲", "為"), ("衆", "眾"), ("羣", "群"), ("峯", "峰"), ("裏", "裡"), ("綫", "線"))


def _big5_forms(text: str) -> str:
    for opencc_form, big5_form in _BIG5_FORMS:  # str.replace: far faster than str.translate on long text
        text = text.replace(opencc_form, big5_form)
    return text


def _encodings(traditional: bool) -> tuple[str, ...]:
    return ("utf-8", "utf-8-sig", "big5", "utf-16") if traditional else ("utf-8", "utf-8-sig", "gb18030", "utf-16")


def _good_file(rng: random.Random) -> tuple[bytes, str, dict[str, Any], dict[str, Any]]:
    """(bytes, extension, truth, manifest entry) of one report, at a size like real ones (3-30 KB).

    Narrative paragraphs go before the closing sections; they are sized from the report's text alone, so one
    rendering is usually enough (chrome and markup only add to it), and a file that ends up outside the
    bounds is rendered again with a paragraph more or less.
    """
    draft = _draft(rng)
    encoding = rng.choices(_encodings(draft.traditional), (5, 1, 3, 1))[0]
    draft.meta.charset = {"utf-8-sig": "utf-8", "gb18030": "gbk"}.get(encoding, encoding)
    ruby = rng.sample(sorted(_ruby_table()), 6) if rng.random() < 0.08 else []
    debris = rng.random() < 0.1
    wide = 3 if encoding.startswith("utf-8") else 2
    target = int(MIN_BYTES * 1.05 + (MAX_BYTES * 0.8 - MIN_BYTES * 1.05) * rng.random() ** 2)
    blocks = draft.blocks
    at = next((k for k, (kind, body) in enumerate(blocks) if kind == "h" and "存在" in body), len(blocks))
    added = 0
    missing = target // wide - _text_chars(blocks)
    while missing > 0:
        para = _pad(rng, rng.randint(3, 6))
        blocks.insert(at, ("p", para))
        added += 1
        missing -= len(para)
    while True:
        text = _RENDER[draft.form](draft.doc, draft.meta, blocks)
        if draft.traditional:
            text = to_traditional(text)
        text = _with_artifacts(text, ruby, debris)
        try:
            data = (_big5_forms(text) if encoding == "big5" else text).encode(encoding)
        except UnicodeEncodeError:  # rare characters of some place names: such a page is GBK/GB18030
            encoding, data = "gb18030", text.encode("gb18030")
        if len(data) < MIN_BYTES * 1.05:
            blocks.insert(at, ("p", _pad(rng, 6)))
            added += 1
        elif len(data) > MAX_BYTES * 0.95 and added:
            del blocks[at]
            added -= 1
        else:
            break
    entry = {"kind": "ok", "encoding": encoding, "layout": draft.truth["layout"], "script": draft.truth["script"],
             "format": draft.form, "report_year": draft.doc.year, "bytes": len(data)}
    return data, "html" if draft.form == "html" else "txt", draft.truth, entry


def _with_artifacts(text: str, ruby: list[str], debris: bool) -> str:
    """Pinyin ruby after some characters (001) and broken-markup debris (`?! ?/p>`) after a sentence."""
    table = _ruby_table()
    for ch in ruby:
        text = text.replace(ch, f"{ch}({table[ch]})")
    if debris:
        text = text.replace("事事有回音。", "事事有回音。?! ?/p>", 1)
    return text


# --- bad files --------------------------------------------------------------------------------------------------


def _bad_file(rng: random.Random, kind: str) -> tuple[bytes, str]:
    """(bytes, extension) of a file the loader must reject."""
    if kind == "empty":
        return rng.choice((b"", b"\n", b"  \r\n \n")), "txt"
    if kind == "binary":  # a PNG or PDF renamed .txt
        magic = rng.choice((b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"))
        return magic + rng.randbytes(rng.randint(2000, 20000)), "txt"
    place, agency, _ = _pick_agency(rng, 2015)
    opening = f"{agency}{rng.choice(YEARS)}年政府信息公开工作年度报告\n" + _pad(rng, 12)
    if kind == "truncated":  # a download cut off after a few hundred bytes, inside a character
        data = opening.encode("utf-8")
        cut = rng.randint(60, 600)
        while data[cut] & 0xC0 != 0x80:  # move onto a continuation byte: the last character stays incomplete
            cut += 1
        return data[:cut], "txt"
    if kind == "wrong_encoding":  # GB18030 bytes read as Latin-1 and saved again as UTF-8 (mojibake), or HZ
        text = opening + _pad(rng, 20)
        if rng.random() < 0.5:
            return text.encode("gb18030").decode("latin-1").encode("utf-8"), "txt"
        return text.encode("hz", errors="replace"), "txt"
    city = place.city or place.province
    if rng.random() < 0.5:  # a news item
        body = "\n\n".join(p.format(city=city) for p in rng.sample(_NEWS, len(_NEWS)))
        text = f"{city}举办春季农产品展销会\n发布时间：{_iso(_date_after(rng, 2015))}\n\n{body}\n"
    else:  # a menu page
        text = "\n".join([city + "人民政府网", *(" | ".join(rng.sample(_MENU, 7)) for _ in range(8)),
                          _NEWS[rng.randrange(len(_NEWS))].format(city=city)])
    return text.encode(rng.choice(("utf-8", "utf-8", "gb18030"))), rng.choice(("txt", "html"))


# --- corpus -----------------------------------------------------------------------------------------------------


def bad_kind(seed: int, index: int, bad_rate: float) -> str | None:
    """Bad files sit at evenly spaced indices (one in round(1/bad_rate)) and cycle through BAD_KINDS, so every
    kind occurs in any corpus of len(BAD_KINDS) / bad_rate files."""
    if bad_rate <= 0:
        return None
    period = max(1, round(1 / bad_rate))
    if index % period != seed % period:
        return None
    return BAD_KINDS[(index // period) % len(BAD_KINDS)]


def make_file(seed: int, index: int, bad_rate: float = 0.01) -> GeneratedFile:
    """File number `index` of the corpus for `seed`: a pure function of its arguments."""
    rng = Rng(f"{seed}:{index}")
    stem = f"{index:06d}_{rng.getrandbits(32):08x}"
    kind = bad_kind(seed, index, bad_rate)
    if kind:
        data, ext = _bad_file(rng, kind)
        return GeneratedFile(f"{stem}.{ext}", data, None, {"kind": kind, "bytes": len(data)})
    data, ext, truth, entry = _good_file(rng)
    truth["source"] = f"{stem}.{ext}"
    return GeneratedFile(f"{stem}.{ext}", data, truth, entry)


def _write(path: pathlib.Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)


def make_corpus(n: int, out: pathlib.Path, seed: int, bad_rate: float = 0.01) -> dict[str, Any]:
    """Write n files to out/reports, their truth to out/truth and out/manifest.json; return the manifest.

    A directory that holds an earlier corpus (it has a manifest) is cleared of that corpus's files first.
    """
    out = pathlib.Path(out)
    reports, truths = out / "reports", out / "truth"
    manifest_path = out / "manifest.json"
    if manifest_path.exists():
        for name in json.loads(manifest_path.read_text(encoding="utf-8"))["files"]:
            (reports / name).unlink(missing_ok=True)
            (truths / (name.rsplit(".", 1)[0] + ".json")).unlink(missing_ok=True)
    elif reports.exists() and any(reports.iterdir()):
        raise FileExistsError(f"{reports} holds files that are not a generated corpus")
    reports.mkdir(parents=True, exist_ok=True)
    truths.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict[str, Any]] = {}
    # Creating a file costs about as much as generating it on a busy disk; writes release the GIL, so a few
    # writer threads overlap them with generation. The backlog is bounded to keep memory flat.
    with ThreadPoolExecutor(max_workers=4) as writers:
        backlog: collections.deque[Future[None]] = collections.deque()
        for index in range(n):
            f = make_file(seed, index, bad_rate)
            backlog.append(writers.submit(_write, reports / f.name, f.data))
            if f.truth is not None:
                truth = json.dumps(f.truth, ensure_ascii=False, check_circular=False).encode("utf-8")
                backlog.append(writers.submit(_write, truths / (f.name.rsplit(".", 1)[0] + ".json"), truth))
            files[f.name] = f.entry
            while len(backlog) > 256:
                backlog.popleft().result()
        for pending in backlog:
            pending.result()  # surfaces a failed write
    manifest = {"seed": seed, "n": n, "bad_rate": bad_rate, "reports": "reports", "truth": "truth", "files": files}
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, required=True, help="number of files")
    parser.add_argument("--out", type=pathlib.Path, required=True, help="corpus directory")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bad-rate", type=float, default=0.01, help="share of files the loader must reject")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    manifest = make_corpus(args.n, args.out, args.seed, args.bad_rate)
    elapsed = time.perf_counter() - started
    bad = sum(e["kind"] != "ok" for e in manifest["files"].values())
    print(f"wrote {args.n} files ({bad} bad) to {args.out / 'reports'}, truth in {args.out / 'truth'}, "
          f"in {elapsed:.1f} s ({args.n / elapsed:.0f} files/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
