"""Report metadata from normalized text: title, agency, report year, publication and signing dates."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date

from transforms import agency_name, region, vocabulary
from transforms.numbers import small_numeral, year_from_numeral

_REPORT_WORDS = r"(年度报告|工作年度报告|年报|工作总结|总结报告|总结|报告|汇报)"
_CN_YEAR = r"[零〇一二三四五六七八九]{2,4}"
_CN_SMALL = r"[一二三四五六七八九十]{1,3}"
# A date written with Arabic or Chinese numerals: 2013年1月16日, 二零一一年二月十二日, 〇一〇年十二月十八日.
DATE_CN = re.compile(rf"(\d{{4}}|{_CN_YEAR})\s*年\s*(\d{{1,2}}|{_CN_SMALL})\s*月\s*(\d{{1,2}}|{_CN_SMALL})\s*日")
DATE_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
# Page fields that carry the publication date; 采集时间 (crawl time) and 页面生成时间 are not among them.
# Not after 采/集/成 (checked by the caller: a leading look-behind would keep `re` from skipping to the field names).
_PUBLISHED_FIELD = re.compile(
    r"(发布日期|发布时间|上传时间|生成日期|公开日期|发文日期|时间)\s*[:：|]?\s*\|?\s*"
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_NOT_PUBLISHED_AFTER = "采集成"
_PERIOD = re.compile(r"统计(期限|时限|时间|区间)[^。\n]{0,12}?(\d{4})\s*年\s*1\s*月\s*1\s*日")
_YEAR_IN_TITLE = re.compile(rf"(\d{{4}}|{_CN_YEAR})\s*年")
_YEAR_DU = re.compile(r"(\d{4})\s*年度")
# A year that opens a sentence of the overview (`2019年,我乡明确专人…`): the year the report looks back on.
_YEAR_OPENS = re.compile(r"(?:^|[。；;\s])\s*(\d{4})\s*年\s*[,，]", re.M)  # \s: a line break a crawler collapsed
_YEAR_TOPIC = re.compile(r"(?<!\d)(20\d{2})\s*年?\s*(?:政府信息公开|政务公开)(?:工作)?")
_REPORT_WORD = re.compile(_REPORT_WORDS)
_REPORT_WORD_END = re.compile(_REPORT_WORDS + "$")
_TITLE_TAIL = re.compile(r"[一-鿿]{1,10}")
_LINK_WORD_END = re.compile(r"(关于|关於|的)$")
_UP_TO_COLON = re.compile(r"^.*[:：]")
# Not the topic's own first words: `2020年度政府信息公开…` names no agency (`政府` is none).
_AGENCY_BEFORE_TOPIC = re.compile(
    r"\s*(?!政府信息|政务|信息公开)([一-鿿]{2,60}?)(政府信息公开|政务公开|信息公开|政务服务|依申请公开)")
_AGENCY_LINE = re.compile(r"[一-鿿()（）]{2,60}")
# A title that opens with its year and goes on with its topic, naming no agency.
_YEAR_FIRST = re.compile(rf"(关于)?\s*(\d{{4}}|{_CN_YEAR})\s*年度?的?\s*(政府信息|政务|信息公开)")
# A piece of a wrapped title: words, numbers and brackets, no field separator (`：`, `|`).
_TITLE_PART = re.compile(r"[\w\s()（）《》〔〕“”、—-]+")
_TOPIC = re.compile(r"政府信息公开|政务公开|信息公开")
_DEEP_TITLE_CHARS = 20_000
_FIELD_AGENCY = re.compile(r"(来源|发布机构|发布单位|单位|信息来源)\s*[:：|]\s*\|?\s*([一-鿿()（）]{2,60})")


FIRST_YEAR = 2008  # the disclosure regulation took effect on 2008-05-01: no earlier annual report exists


@dataclass
class Metadata:
    title: str | None = None
    agency: str | None = None
    agency_as_written: str | None = None
    report_year: int | None = None
    published_on: str | None = None
    signed_on: str | None = None
    flags: list[str] = field(default_factory=list)


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def _names_report(line: str) -> bool:
    """A line that names a report with its year, and is no sentence (`本报告根据《条例》…编制而成。`)."""
    return (bool(_REPORT_WORD.search(line)) and len(line) <= 80 and bool(_YEAR_IN_TITLE.search(line))
            and "。" not in line)


def _agency_line(line: str) -> bool:
    """A line with nothing but an agency's name (`泰安市民政局`, `…局关于`), not a site's (`…门户网站`)."""
    name = _LINK_WORD_END.sub("", line)
    return bool(_AGENCY_LINE.fullmatch(name)) and agency_name.body_type(name) is not None and not name.endswith("网站")


def _with_agency(lines: list[str], at: int, title: str) -> str:
    """A PDF title that starts at its year (`2020年度政府信息公开工作报告`) has the agency on the line before."""
    if at > 0 and _YEAR_FIRST.match(title) and _agency_line(lines[at - 1]):
        return lines[at - 1] + title
    return title


def find_title(text: str) -> str | None:
    """The first early line that names a report (年度报告/年报/总结/汇报) with its year, else the first line.
    PDF titles wrap: agency, year and report words may each end a line (`XX局2021年政府信息公开` + `工作年度报告`,
    `XX局` + `2020年度政府信息公开工作报告`); the parts are joined back."""
    lines = [_report_cell(x.strip()) for x in text.split("\n", 15)[:15] if x.strip()]
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if _names_report(line):
            if _TITLE_TAIL.fullmatch(nxt) and not _REPORT_WORD_END.search(line):  # `…工作总结报` + `告`
                return _with_agency(lines, i, line + nxt)
            return _with_agency(lines, i, line)
        # Two title parts, neither a field (`发布日期：…`): joined, they name a report that neither names alone.
        if (nxt and _TITLE_PART.fullmatch(line) and _TITLE_PART.fullmatch(nxt) and not _names_report(nxt)
                and _names_report(line + nxt)):
            return _with_agency(lines, i, line + nxt)
    for i, line in enumerate(lines[:-1]):
        joined = line + lines[i + 1]
        if _names_report(joined):
            return joined
    deep = _deep_title(text)
    if deep:
        return deep[0]
    if not lines:
        return None
    # A page whose whitespace a crawler collapsed: the title is where its first line starts.
    head = _HEAD_TITLE.match(lines[0].lstrip("|#> "))
    if head:
        return head.group().strip()
    return lines[0] if could_be_title(lines[0]) else None


_TITLE_MAX = 60
_HEAD_TITLE = re.compile(rf"[^。，,；;|《]{{0,{_TITLE_MAX}}}?(?:\d{{4}}|{_CN_YEAR})\s*年"
                         rf"[^。，,；;|《]{{0,40}}?{_REPORT_WORDS}")
_SENTENCE_MARKS = re.compile(r"[。，,；;|]")
_ORDINAL_HEADING = re.compile(r"[（(]?[一二三四五六七八九十\d]{1,3}[)）、.．]")


def could_be_title(line: str) -> bool:
    """Whether a first line that names no report may still stand as the title: short, no sentence or table
    marks (`根据《条例》…。`, `| 索 引 号 | … |`), no section heading (`一、总体情况`), no page field (`发布机构`)."""
    bare = line.replace(" ", "")
    return (len(line) <= _TITLE_MAX and not _SENTENCE_MARKS.search(line) and not _ORDINAL_HEADING.match(line)
            and not any(label in bare for label in _page_labels()))


@functools.cache
def _page_labels() -> tuple[str, ...]:
    return tuple(vocabulary.column("page_field_labels.csv", "label"))


def _report_cell(line: str) -> str:
    """A table row of the page's fields (`| 名称 | 宿迁市政府办公室2014年政府信息公开年度报告 | |`): the cell that
    names the report, if one does; a field line (`名 称: …`) without its label; any other line as it is."""
    if "|" in line:
        line = next((c.strip() for c in line.split("|") if _names_report(c.strip())), line)
    label = _FIELD_LABEL.match(line)
    if label and (label.group(1) or label.group(2)).replace(" ", "") in _page_labels() and _names_report(
            line[label.end():]):
        return line[label.end():].strip()
    return line


def _deep_title(text: str) -> tuple[str, int] | None:
    """A page whose first lines are scripts or menus (a report inside a JavaScript string): the first line
    further down that names a disclosure report with its year, and where it starts."""
    pos = 0
    for line in text[:_DEEP_TITLE_CHARS].split("\n"):
        stripped = line.strip()
        if _TOPIC.search(stripped) and _names_report(stripped) and _TITLE_PART.fullmatch(stripped):
            return stripped, pos + line.index(stripped)
        pos += len(line) + 1
    return None


def year_of_title(title: str | None) -> int | None:
    if not title:
        return None
    for m in _YEAR_IN_TITLE.finditer(title):
        y = year_from_numeral(m.group(1))
        if y and 2000 <= y <= 2100:
            return y
    return None


def find_report_year(text: str, title: str | None) -> int | None:
    """The covered year: the statistics period, else the title's year, else an early `N年度`, else the year
    an early sentence opens with."""
    m = _PERIOD.search(text)
    if m:
        return int(m.group(2))
    y = year_of_title(title)
    if y:
        return y
    m = _YEAR_DU.search(text[:1500]) or _YEAR_OPENS.search(text[:1500])
    if m:
        return int(m.group(1))
    # The topic after its year, outside another document's 《》: `2022政府信息公开工作年度报告` (a title without 年),
    # `汇报我镇2023年政府信息公开工作`
    for m in _YEAR_TOPIC.finditer(text, 0, 1500):
        if text.rfind("《", 0, m.start()) <= text.rfind("》", 0, m.start()):
            return int(m.group(1))
    return None


def find_published_on(text: str) -> str | None:
    """The page's publication field in its head, or next to a title found further down (a page whose head
    is scripts or menus)."""
    found = _published_field(text[:3000])
    if found is None and (deep := _deep_title(text)) and deep[1] >= 3000 - 200:
        found = _published_field(text[deep[1]:deep[1] + 3000])
    return found


def _published_field(head: str) -> str | None:
    m = _PUBLISHED_FIELD.search(head)
    while m and m.start() > 0 and head[m.start() - 1] in _NOT_PUBLISHED_AFTER:
        m = _PUBLISHED_FIELD.search(head, m.start() + 1)
    if not m:
        return None
    return _iso(int(m.group(2)), int(m.group(3)), int(m.group(4)))


def find_signed_on(text: str, report_year: int | None) -> tuple[str | None, list[str]]:
    """The date on a line of its own near the end (after the signature). Truncated years are completed."""
    tail_start = max(0, len(text) - max(400, len(text) // 5))
    best = None
    for line in text[tail_start:].split("\n"):
        if len(line) > 30:
            continue
        line = line.strip()
        m = DATE_CN.search(line) if "日" in line else None  # every DATE_CN ends in 日
        if m and len(line) - len(m.group(0)) <= 25:
            best = m
    if not best:
        return None, []
    flags = []
    year = year_from_numeral(best.group(1))
    if year is None:
        return None, []
    if year < 100:  # `〇一〇年` lost its leading digit: complete it from the report year's century
        century = (report_year or 2000) // 100 * 100
        year += century
        flags.append("year_inferred_from_truncated_date")
    month, day = small_numeral(best.group(2)), small_numeral(best.group(3))
    if month is None or day is None:
        return None, []
    return _iso(year, month, day), flags


def agency_from_title(title: str | None) -> str | None:
    """`泰安市X局2010年政务公开年度报告` -> 泰安市X局; `2012年阿尔山市政务公开…总结` -> 阿尔山市."""
    if not title:
        return None
    m = _YEAR_IN_TITLE.search(title)
    if not m:
        return None
    before = _LINK_WORD_END.sub("", title[:m.start()].strip())
    before = _UP_TO_COLON.sub("", before)
    if len(before) >= 2 and agency_name.body_type(before):
        return before
    after = title[m.end():]
    after = after.removeprefix("度")
    m2 = _AGENCY_BEFORE_TOPIC.match(after)
    if m2 and agency_name.body_type(m2.group(1)):
        return m2.group(1)
    return before or None


def agency_from_fields(text: str) -> str | None:
    for m in _FIELD_AGENCY.finditer(text[:3000]):
        name = m.group(2)
        if agency_name.body_type(name):
            return name
    return None


# A report named in a sentence (`现公布泰州市人民政府2017年政府信息公开工作年度报告`): its year, topic and report word.
_REPORT_NAMED = re.compile(rf"(\d{{4}}|{_CN_YEAR})\s*年度?的?\s*(政府信息公开|政务公开|信息公开)"
                           rf"[^。，,；;《》]{{0,12}}?{_REPORT_WORDS}")
_FIELD_LABEL = re.compile(r"([一-鿿 ]{2,8})[:：]\s*|((?:[一-鿿] +){1,3}[一-鿿]) +")  # 名称: …, 标   题 …
_RUN_BEFORE = re.compile(r"[一-鿿()（）]{2,40}$")
# Who compiled the report (`本报告…由北京市信访办编制的2014年度…报告`): the body right before 编制.
_COMPILED_BY = re.compile(rf"(?:报告|年报)[^。]{{0,30}}?由(?P<name>[一-鿿()（）]{{2,40}}?)(?:编制|编写)(?:而成|的)?"
                          rf"[^。]{{0,30}}?(?:{_REPORT_WORDS}|。)")
# The year first (`特向社会公布2020年开平市农业农村局政府信息公开工作年度报告`): the body between year and topic.
_YEAR_THEN_BODY = re.compile(rf"(?:\d{{4}}|{_CN_YEAR})\s*年度?(?P<name>[一-鿿()（）]{{2,40}}?)"
                             rf"(?:政府信息公开|政务公开|信息公开)[^。，,；;《》]{{0,12}}?{_REPORT_WORDS}")
_NAMED_CHARS = 2_000  # where a report names itself: its opening sentences
_PLACE_MAX = 12  # the longest division names (察布查尔锡伯自治县) and a little more


def agency_from_sentence(text: str) -> str | None:
    """The body an opening sentence says publishes the report: right after a publishing cue
    (vocab/report_naming_cues.csv: `现公布泰州市人民政府2017年…年度报告`, `特向社会公布2020年开平市农业农村局…`) or
    at the start of the text or a line (`荆州市荆州区人民政府办公室2021年…年度报告(以下简称年报)是…`), or the
    body it was compiled by (`由北京市信访办编制的…报告`; an office compiling for its government is not the body).
    A name must start with a division the gazetteer knows and pass agency_name's check. Another document's
    title (`根据…《关于做好2012年…报告…的通知》`, `参照2020年江苏省…报告格式`, `相关阅读：…`) gives nothing."""
    for m in _REPORT_NAMED.finditer(text, 0, _NAMED_CHARS):
        before = text[max(0, m.start() - 40):m.start()]
        run = _RUN_BEFORE.search(before)
        if run is None:
            continue
        at = max(0, m.start() - 40) + run.start()
        # `现发布《临洮县新添镇2022年…年度报告》`: this report's own title in 《》 after a publishing cue
        quoted = text[at - 1:at] == "《" and text[max(0, at - 9):at - 1].endswith(_naming_cues())
        if before.rfind("《") > before.rfind("》") and not quoted:
            continue  # another document's title
        words, opens = run.group(), at == 0 or text[at - 1] == "\n"
        for i in range(len(words) - 1):
            name = words[i:]
            cued = words[:i].endswith(_naming_cues()) if i else quoted
            # a township the gazetteer does not list is believed after a cue (`特向社会公布螺洋街道2021年…`)
            if ((cued or (not i and opens)) and (_placed(name) or (cued and agency_name.is_township(name)))
                    and agency_name.validated(name)):
                return name
    for m in _COMPILED_BY.finditer(text, 0, _NAMED_CHARS):
        name = m.group("name")
        if not name.endswith(("办公室", "办公厅")) and _placed(name) and agency_name.validated(name):
            return name
    for m in _YEAR_THEN_BODY.finditer(text, 0, _NAMED_CHARS):
        name = m.group("name")
        if (text[max(0, m.start() - 8):m.start()].endswith(_naming_cues())
                and (_placed(name) or agency_name.is_township(name)) and agency_name.validated(name)):
            return name
    return None


# Whom to ask about the report (`如对本报告有疑问，请与凤安镇党政办公室联系`): the body, less its answering unit.
_CONTACT = re.compile(r"(?:请|可)(?:与|向)(?P<name>[一-鿿()（）]{3,40}?)(?:联系|咨询|联络)")


@functools.cache
def _contact_subunits() -> tuple[str, ...]:
    return tuple(sorted(vocabulary.column("contact_subunits.csv", "subunit"), key=len, reverse=True))


def agency_from_contact(text: str) -> str | None:
    """The body a report sends its readers to: the name before an answering unit of vocab/contact_subunits.csv
    (`请与辽源市民政局办公室联系` -> 辽源市民政局), when it starts with a known division or is a township's."""
    windows = (text[:_NAMED_CHARS], text[-600:])
    for window in windows:
        for m in _CONTACT.finditer(window):
            name = m.group("name")
            unit = next((u for u in _contact_subunits() if name.endswith(u) and len(name) > len(u)), "")
            name = name[:len(name) - len(unit)]
            if (_placed(name) or agency_name.is_township(name)) and agency_name.validated(name) and (
                    unit or agency_name.body_type(name) not in ("办公室", "办")):
                return name
    return None


# The overview's opening (`一、总体情况\n2022年，东风区司法局认真履行…`): the year, then the body as subject.
_YEAR_SUBJECT = re.compile(r"(?:^|\n)\s*(?:\d{4})年度?[,，]\s*(?P<run>[一-鿿()（）]{3,40})")


@functools.cache
def _subject_verbs() -> tuple[str, ...]:
    return tuple(vocabulary.column("subject_verbs.csv", "word"))


def agency_from_overview(text: str) -> str | None:
    """The body an opening line of the report makes its subject: the words after `2022年，` up to a word that
    starts the predicate (vocab/subject_verbs.csv: 认真, 坚持, …), when they start with a known division and pass
    the structural check (`长春市人民政府办公厅坚持以…` -> 长春市人民政府办公厅)."""
    for m in _YEAR_SUBJECT.finditer(text, 0, 2 * _NAMED_CHARS):
        run = m.group("run")
        ends = sorted(i for verb in _subject_verbs() for i in [run.find(verb)] if i >= 3)
        for end in ends:
            name = run[:end]
            if _placed(name) and agency_name.validated(name):
                return name
    return None


@functools.cache
def _naming_cues() -> tuple[str, ...]:
    return tuple(vocabulary.column("report_naming_cues.csv", "cue"))


def _placed(name: str) -> bool:
    """Whether a name starts with a division the gazetteer knows."""
    return any(region.is_division_name(name[:k]) for k in range(2, min(len(name), _PLACE_MAX) + 1))


def find_agency(text: str, title: str | None) -> str | None:
    """The reporting body as written, from the best evidence that passes agency_name's structural check:
    the title, else an opening sentence that names the report, the page's source field, a header line of its
    own, a signature line, or a township the report calls 我乡. A later candidate that names the same body more
    fully replaces the title's."""
    lines = [ln.strip() for ln in text.split("\n", 12)[:12] if ln.strip()]
    tail = [ln.strip() for ln in text[-600:].split("\n") if ln.strip()][-6:]
    candidates = [
        agency_name.validated(agency_from_title(title)),
        agency_from_sentence(text),
        agency_name.validated(agency_from_fields(text)),
        agency_name.from_lines(lines[:6]),
        agency_name.from_lines(tail[::-1]),
        agency_from_contact(text),
        agency_from_overview(text),
    ]
    written = next((c for c in candidates if c), None)
    if written is None:
        return agency_name.from_self_reference(text)
    fuller = next((c for c in candidates if agency_name.more_specific(written, c)), None)
    return fuller or written


def expand_agency(agency: str, text: str) -> str:
    """`市民政局` -> `亳州市民政局` when the text writes the full name somewhere (source field, header, footer)."""
    if not agency.startswith(tuple("市县区州盟旗")):
        return agency
    rest = re.escape(agency[1:])
    level = agency[0]
    found = re.findall(rf"([一-鿿]{{1,14}}{level}){rest}", text)
    # The longest tail of a preceding run that the division gazetteer knows (`请与察布查尔锡伯自治县` ->
    # 察布查尔锡伯自治县); failing that, the shortest run without a leading date word (`2020年度市…` is no place).
    known = [run[i:] for run in found for i in range(len(run) - 1) if region.is_division_name(run[i:])]
    if known:
        return max(known, key=len) + agency[1:]
    plausible = [run for run in found if len(run) <= 7 and not run.startswith(("年", "度"))]
    return min(plausible, key=len) + agency[1:] if plausible else agency


def extract_metadata(text: str) -> Metadata:
    meta = Metadata()
    meta.title = find_title(text)
    meta.report_year = find_report_year(text, meta.title)
    if meta.report_year is not None and not FIRST_YEAR <= meta.report_year <= date.today().year:
        # `2042年` in a title is a typo or a wrong parse: this report's year is unknown, the rest of it stands
        meta.flags.append("report_year_implausible")
        meta.report_year = None
    meta.published_on = find_published_on(text)
    meta.signed_on, flags = find_signed_on(text, meta.report_year)
    meta.flags.extend(flags)
    written = find_agency(text, meta.title)
    meta.agency_as_written = written
    meta.agency = expand_agency(written, text) if written else None
    if meta.report_year and meta.published_on and meta.published_on <= f"{meta.report_year}-12-31":
        meta.flags.append("report_year_after_publication")
    return meta
