"""Figures stated in prose (free-form reports, and the prose of templated ones); ad hoc statistics tables are
transforms/stat_rows.py's.

A figure is a number followed by a counting unit (`245条`, `30余次`, `95%以上`). Its metric is decided by the
words before it in its clause (the label), the sentence before it (the context) and the words right after
it (the tail), through the ordered RULES table: the first rule that fits wins, and a figure no rule fits is
no fact (years, dates, document and phone numbers carry no counting unit, so they never get this far).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import NamedTuple

from transforms import vocabulary
from transforms.facts import Fact
from transforms.numbers import NUMBER_FIRST, NUMBER_REST, parse_number, qualifier_of, to_catalog_unit
from transforms.prose_rules import RULES

UNITS = "人次|平方米|万元|元|条|件|次|期|个|人|名|台|项|场|篇|宗|起|%|处"
_AFTER_NUMBER = "".join(sorted({u[0] for u in UNITS.split("|")} | set("万亿多余")))  # what can follow a figure's number
# Starts at the number (a prefix like 约/超过 is read by looking back), so the scanner can skip prose fast.
# It scans the whole text, so its whitespace stops at line breaks: a match never spans two sentences.
# Only fail-fast devices beyond that: the number is atomic and the spaces possessive, as giving back a digit,
# numeral, comma, dot or space could never leave a word that continues a figure (the lookahead's set).
TOKEN = re.compile(
    rf"(?P<num>{NUMBER_FIRST}(?>{NUMBER_REST}))(?=[^\S\n]*+[{_AFTER_NUMBER}])[^\S\n]*+(?P<mult>万|亿)?"
    rf"[^\S\n]*+(?P<more>多|余)?[^\S\n]*+(?P<unit>{UNITS})(?P<post>以上|左右|多)?")
_CLAUSE_SEP = "，,；;：:、"
_SENTENCE_END = "。！？!?\n"
# A sentence is a maximal run of other characters; these find the ends of the one around a position.
_NEXT_END = re.compile(rf"[{_SENTENCE_END}]")
_LAST_END = re.compile(rf"(?s).*[{_SENTENCE_END}]")
# What may stand between a list's opening sentence and its items: end marks, and a `其中：` that a web page or a
# PDF put on a line of its own (`共发布信息245条。\n其中：\n政策法规5条`).
_LIST_GAP = re.compile(rf"[{_SENTENCE_END}]*(?:其中[：:，,]?[{_SENTENCE_END}]*)?")
# A list opened by the next sentence: `…145条。其中，…`, also after a line break.
_LIST_NEXT = re.compile(rf"[{_SENTENCE_END}；; ]*其中")
_LAST_CLAUSE_SEP = re.compile(rf"(?s).*[{_CLAUSE_SEP}]")


# Free-text breakdowns: a list item's noun, a channel, a gazette title.
_TRAILING_VERB = re.compile(r"(发布了?|公开了?|更新了?)$")
_CATEGORY_LEAD = re.compile(r"^.*?(其中|主动公开|公开了|公开|发布了|发布|更新)")


# Where a total was published (`其中网站319条`): vocab/publication_channels.csv, channel -> code or skip.
_PUBLICATION_CHANNELS = vocabulary.mapping("publication_channels.csv", "channel", "code")
_CHANNEL_WORDS = ("网站", "微信", "微博", "公众号", "客户端", "抖音", "视频号", "新媒体", "宣传栏", "公开栏", "公示栏",
                  "显示屏", "电子屏", "报纸", "广播", "电视", "等渠道", "等载体", "等平台")
# Nouns that name no category of information (`各类信息`): vocab/generic_information_nouns.csv.
_GENERIC_NOUNS = frozenset(vocabulary.column("generic_information_nouns.csv", "noun"))
# Verbs of sending information up to a superior body, not publishing it: vocab/not_publication_verbs.csv.
_NOT_PUBLICATION = tuple(vocabulary.column("not_publication_verbs.csv", "word"))
_PROACTIVE = ("proactive.total", "proactive.website", "proactive.category")
_PUBLISHING = re.compile(r"公开|发布|公布|更新")
# What ends the clause before a figure, for whole_clause: every separator but 、 (`政务网站、微信、微博共发布…`).
_CLAUSE_ENDS = tuple("，,；;：:。！？!?\n")
_PAREN_WINDOW = 40  # how far back a sub-count's parenthesis is looked for (a list item's note is short)
# A list item that names where it was published first (`在…APP公开发布…`, `通过…公开…`).
_PLACE_OF_PUBLICATION = re.compile(r"^(其中)?(在|通过)[^，,；;]{2,30}?(公开|发布|更新|推送)")
# ... or led by 利用/依托/向, read since the previous figure only (`…245条(其中人事信息类28条` is no channel's)
_PLACE_LED = re.compile(r"^[，,；;、(（\s]*(其中)?(利用|依托|向)[^，,；;]{2,30}?(公开|发布|更新|推送)")
# A list item that starts with its channel (`其中政府网站发布…`, `微信公众号发布…`), then a publishing verb.
_LEADING_CHANNEL = re.compile(r"^(其中)?(通过|利用|依托|在|向)?(" + "|".join(map(re.escape, sorted(
    _PUBLICATION_CHANNELS, key=len, reverse=True))) + r")(发布|公开|更新|推送)")

# A consultation's channel (`电话咨询2070人次`): the words of vocab/consultation_channels.csv, longest first.
_CHANNEL = re.compile(r"[一-鿿]{0,6}?(" + "|".join(
    map(re.escape, sorted(vocabulary.column("consultation_channels.csv", "channel"), key=len, reverse=True))) + ")")
_TITLE = re.compile(r"《([^》]{1,30})》")
_YEAR = re.compile(r"(\d{4})年")
_VERBS = re.compile(r"^(其中|包括|包含|全年|共|累计|另|编发|编印|编辑|出刊|发布|制作|印发|刊发|主动公开|公开|发帖|"
                    r"受理)+")
_CATEGORY_NOUN = re.compile(r"[一-鿿]{2,20}(?<!各)类(信息)?$")


class _Figure(NamedTuple):
    start: int  # the clause start (the label is evidence too) ...
    end: int    # ... to the end of the figure, in the text
    value: float
    unit: str
    mult: str
    qualifier: str
    label: str
    context: str
    tail: str
    near: str   # the context since the sentence's previous figure


def _sentence(text: str, pos: int, lo: int) -> tuple[int, int]:
    """[start, end) of the sentence holding text[pos] (not an end mark); `lo` is at or before its start."""
    last = _LAST_END.match(text, lo, pos)
    nxt = _NEXT_END.search(text, pos)
    return (last.end() if last else lo), (nxt.start() if nxt else len(text))


def _sentences(text: str, marks: Iterator[re.Match[str]]) -> Iterator[tuple[int, int, list[re.Match[str]]]]:
    """(start, end, marks in it) of each sentence holding one of `marks` (matches in the text, in order, none
    spanning an end mark): the sentences worth reading, found without walking every sentence."""
    start = end = 0
    group: list[re.Match[str]] = []
    for m in marks:
        if m.start() >= end:
            if group:
                yield start, end, group
            start, end = _sentence(text, m.start(), end)
            group = []
        group.append(m)
    if group:
        yield start, end, group


def occurrences(text: str, words: tuple[str, ...]) -> list[int]:
    """Start of every occurrence of the words in the text, in order."""
    found = []
    for word in words:
        at = text.find(word)
        while at >= 0:
            found.append(at)
            at = text.find(word, at + 1)
    found.sort()
    return found


def _sentence_spans(text: str, positions: list[int]) -> Iterator[tuple[int, int]]:
    """[start, end) of each sentence holding one of the positions (sorted, none on an end mark)."""
    end = 0
    for pos in positions:
        if pos >= end:
            start, end = _sentence(text, pos, end)
            yield start, end


def _figures(sentence: str, offset: int, tokens: list[re.Match[str]]) -> Iterator[_Figure]:
    """Figures of one sentence (at `offset` in the text) from its TOKEN matches in the text."""
    last_end = last_item_end = 0
    for m in tokens:
        num, unit = m.group("num", "unit")
        start, end = m.start() - offset, m.end() - offset
        # What a rule's context may read: the sentence before the figure, up to _CONTEXT characters (a copy of
        # the whole would make a sentence of many figures quadratic).
        before = sentence[max(0, start - _CONTEXT):start]
        is_cn = not num[0].isdigit()
        # A Chinese numeral is a count only when it stands alone: not 第一, 每一, 一次性, 十二五.
        if is_cn and (before.endswith(("第", "每", "一")) or sentence.startswith("性", end)):
            continue
        if "每" in before[-3:]:  # 每月一次, 每半年: a frequency, not a count
            continue
        if unit == "%" and is_cn:
            continue
        value = parse_number(num)
        if value is None:
            continue
        sep = _LAST_CLAUSE_SEP.match(sentence, last_end, start)
        clause_start = sep.end() if sep else last_end
        # `主动公开政府工作信息、动态755多条`: a word or two after 、 shares the figure with the nouns before it,
        # which then belong to its label (a piece with a figure of its own ends the list).
        while (start - clause_start <= _SHARED_LABEL_MAX and clause_start > last_end
               and sentence[clause_start - 1] == "、"):
            prev = _LAST_CLAUSE_SEP.match(sentence, last_end, clause_start - 1)
            piece_start = prev.end() if prev else last_end
            if _DIGIT.search(sentence, piece_start, clause_start - 1):
                break
            clause_start = piece_start
        # A heading run into its first sentence (`五、复议、诉讼和申诉情况 全年发生…`): the clause starts after it.
        for gap in _HEADING_GAP.finditer(sentence, clause_start, start):
            clause_start = gap.end()
        label = sentence[clause_start:start].strip()
        if label.endswith((")", "）")):
            label = _TRAILING_PAREN.sub("", label).strip()
        label = label.lstrip("(（")
        mult, more, post = m.group("mult", "more", "post")
        yield _Figure(offset + clause_start, offset + end, value, unit, mult or "",
                      qualifier_of(before[-4:].rstrip(), (more or "") + (post or "")),
                      label, before, _TAIL.match(sentence, end).group(),
                      sentence[max(last_item_end, start - _CONTEXT):start])
        last_end = end
        if unit in _ITEM_UNITS:  # `覆盖10个语种，共发布各类信息13528条`: a count of another kind is no rival item
            last_item_end = end


_CONTEXT = 300
_ITEM_UNITS = frozenset(("条", "件", "篇"))  # what published items are counted in
_SHARED_LABEL_MAX = 3
_DIGIT = re.compile(r"\d")
_HEADING_GAP = re.compile(r"(?:情况|工作|概述|统计)\s+(?=[\u4e00-\u9fff])")
_TRAILING_PAREN = re.compile(r"[(（][^)）]*[)）]$")
_TAIL = re.compile(rf"[^{_CLAUSE_SEP}]{{0,40}}")  # bounded: tail rules read its first words; unbounded, a
# sentence of figures and no separator (`1条1条…`) would be scanned once per figure
# RULES compiled once: (code, units, label, context, tail).
_COMPILED = tuple(
    (r.code, frozenset(r.units.split("|")), re.compile(r.label), re.compile(r.context) if r.context else None,
     re.compile(r.tail) if r.tail else None, r.near)
    for r in RULES)


@functools.lru_cache(maxsize=8192)  # labels repeat across figures and reports
def _candidates(label: str, unit: str) -> tuple[tuple[str, re.Pattern[str] | None, re.Pattern[str] | None, bool],
                                                ...]:
    """(code, context, tail, near) of the rules that may fit a figure with this label and unit, in order, up
    to the first one that surely does; only the context and tail checks are left to make."""
    out = []
    for code, units, label_re, context_re, tail_re, near in _COMPILED:
        if unit not in units:
            continue
        if tail_re:
            out.append((code, context_re, tail_re, near))
        elif label_re.search(label):
            out.append((code, context_re, None, near))
            if context_re is None:
                break
    return tuple(out)


def classify(label: str, unit: str, context: str = "", tail: str = "", near: str | None = None) -> str | None:
    """The metric code a figure's wording names, `skip`, or None. `near`: the context since the sentence's
    previous figure (the whole context when not given)."""
    for code, context_re, tail_re, only_near in _candidates(label, unit):
        before = (context if near is None else near) if only_near else context
        if tail_re is not None:
            if tail_re.search(tail) and (context_re is None or context_re.search(before + label)):
                return code
        elif context_re is None or context_re.search(before + label):
            return code
    return None


@functools.lru_cache(maxsize=8192)
def _bare_noun(label: str) -> str:
    """The category noun of a list item: `其中人事信息类` -> 人事信息类; a trailing verb goes first
    (`政务信息发布 393 条` -> 政务信息), so the leading-verb cut cannot take the whole label."""
    return _VERBS.sub("", _CATEGORY_LEAD.sub("", _TRAILING_VERB.sub("", label))).strip(" “”\"")


def _breakdown(code: str, fig: _Figure) -> str:
    if code == "consultations.total":
        channels = list(_CHANNEL.finditer(fig.context))
        return _VERBS.sub("", channels[-1].group(0)) if channels else ""
    if code == "proactive.gazette_issues":
        titles = _TITLE.findall(fig.label)
        return titles[-1] if titles else _bare_noun(fig.label)
    if code == "equipment.computers":
        years = _YEAR.findall(fig.label)
        return years[-1] if years else ""
    return ""


def _catalog_value(code: str, fig: _Figure, units: dict[str, str]) -> float:
    catalog_unit = units.get(code, fig.unit)
    if catalog_unit in ("万元", "元"):
        return round(to_catalog_unit(fig.value, fig.unit, fig.mult, catalog_unit), 6)
    return to_catalog_unit(fig.value, fig.unit, fig.mult, catalog_unit)


def _is_category(fig: _Figure, code: str | None, in_list: bool) -> bool:
    """A list item of proactively published information: `其中人事信息类28条`, `机构职能类信息11条`,
    `主动公开…人事任免文件 196 件`; `in_list` when a total or an earlier item in the sentence opened a list."""
    if fig.unit not in ("条", "件") or code not in (None, "proactive.website", "proactive.total"):
        return False
    bare = _bare_noun(fig.label)
    if not bare or bare in _GENERIC_NOUNS or bare.startswith("各"):
        return False  # `其中各镇公开11328条`: who published it (各镇, 各部门), not what
    if in_list or _CATEGORY_NOUN.search(bare):
        return True
    # `…主动公开…，新增公开市政府规章1件`: a publishing clause in a sentence about proactive disclosure
    return code is None and "主动公开" in fig.context + fig.label and _PUBLISHING.search(fig.label) is not None


def clause_channel(label: str) -> str | None:
    """Which publication channels a figure's clause names (vocab/publication_channels.csv): `skip` when only
    channels no catalog code counts (`微信公众号公开信息836条`), `proactive.website` when only a website,
    `mixed` when both (`政务网站、微信、微博共发布…`), None when it names none."""
    codes = {code for channel, code in _PUBLICATION_CHANNELS.items() if channel in label}
    if not codes:
        return None
    return codes.pop() if len(codes) == 1 else "mixed"


def whole_clause(before: str) -> str:
    """The clause that ends `before`, back to its last separator other than 、."""
    return before[max(before.rfind(c) for c in _CLAUSE_ENDS) + 1:]


def inside_note(text: str, after: int, at: int) -> bool:
    """Whether text[at] lies inside a parenthesis opened after position `after` and not closed before `at`:
    `规章13件(含新制定5件,修改4件)` - the 5 and the 4 are parts of the item 13, not items of the list. Only
    the last _PAREN_WINDOW characters are read (bounded work per figure)."""
    depth = 0
    for ch in text[max(after, at - _PAREN_WINDOW):at]:
        if ch in "(（":
            depth += 1
        elif ch in ")）" and depth:
            depth -= 1
    return depth > 0


def extract_prose(text: str, units: dict[str, str]) -> list[Fact]:
    """Figures in sentences. `units` maps metric code -> catalog unit. Table rows (`| … |`) are skipped."""
    facts: list[Fact] = []
    list_end = -1  # end of the last sentence that opened or continued a list of categories
    for s_start, s_end, tokens in _sentences(text, TOKEN.finditer(text)):
        sentence = text[s_start:s_end]
        if sentence.lstrip().startswith("|"):
            continue
        # A list continues from the previous sentence (`…类信息11条。政策法规5条,便民服务3条。`): only end
        # marks (and a lone 其中) between the two.
        in_list = list_end >= 0 and _LIST_GAP.match(text, list_end, s_start).end() == s_start
        item_end = -1  # end of the last list item of this sentence
        for fig in _figures(sentence, s_start, tokens):
            if fig.unit == "%" and fig.label.startswith("占"):
                continue  # `工作信息126条,占86.9%;民生事项0条`: an item's share, inside the list
            if in_list and item_end >= 0 and inside_note(text, item_end, fig.end):
                continue  # `规章13件(含新制定5件…)`: the parts of an item
            code = classify(fig.label, fig.unit, fig.context, fig.tail, fig.near)
            clause = whole_clause(fig.context)
            if code in (None, *_PROACTIVE) and ("skip" in (clause_channel(clause), clause_channel(fig.near)) or any(
                    w in clause for w in _NOT_PUBLICATION)):
                continue  # posts on WeChat or Weibo, items sent to a superior: no catalog code counts them
            channel = _PUBLICATION_CHANNELS.get(_bare_noun(fig.label)) if in_list else None
            lead = _LEADING_CHANNEL.match(fig.label) if in_list and channel is None else None
            if lead:
                # `其中政府网站发布信息27条`: a channel's share; `其中政府网站发布工作动态270条`: a category on
                # one channel, which no code counts (a category is of all channels, a channel's count of all kinds)
                what = fig.label[lead.end():]
                channel = clause_channel(fig.label) if what in ("", *_GENERIC_NOUNS) else "skip"
            elif in_list and channel is None and (_PLACE_OF_PUBLICATION.match(clause) or _PLACE_LED.match(fig.near)):
                # `在大美仁寿APP公开发布内容26条`, `在眉山日报、四川农村日报公开发布…`: another channel's share
                channel = clause_channel(clause) or "skip"
            if channel == "mixed":
                channel = "skip"  # `在政府网站和微信公众号公开发布信息300条`: channels together, no code
            if channel is not None:  # `其中网站319条,微信851条`: the channels of a total, not its categories
                if channel != "skip":
                    facts.append(Fact(channel, "", fig.value, units.get(channel, fig.unit), fig.qualifier,
                                      fig.start, fig.end, f"prose:{channel}"))
                continue
            if _is_category(fig, code, in_list):
                facts.append(Fact("proactive.category", _bare_noun(fig.label), fig.value,
                                  units.get("proactive.category", "条"), fig.qualifier, fig.start, fig.end,
                                  "prose:proactive.category"))
                in_list, list_end, item_end = True, s_end, fig.end
                continue
            # `共发布信息245条，其中…` (or `…145条。其中，…` in the next sentence) opens a list of categories.
            in_list = code in ("proactive.total", "proactive.website") and (
                text.find("其中", fig.end, s_end) >= 0 or _LIST_NEXT.match(text, s_end, s_end + 6) is not None)
            if in_list:
                list_end = s_end
            if code is None or code == "skip":
                continue
            # where the channels are counted: the figure's own clause when it names one itself (`在市政府门户网站
            # 主动公开信息60条` after a sentence listing the town's channels is the site's), else since the last item
            named_in = clause + fig.label if any(w in fig.label for w in _CHANNEL_WORDS) else fig.near + fig.label
            if code == "proactive.website" and sum(w in named_in for w in _CHANNEL_WORDS) >= 2:
                # `政务网站、微信、微博共发布各类信息2483条`, `利用门户网站、宣传栏、显示屏等…公开信息300余条`: all
                # channels together (named since the previous item: `网站…3605条，微博…650条` are channels' shares)
                code = "proactive.total"
            unit = fig.unit if code == "consultations.total" else units.get(code, fig.unit)
            facts.append(Fact(code, _breakdown(code, fig), _catalog_value(code, fig, units), unit, fig.qualifier,
                              fig.start, fig.end, f"prose:{code}"))
    return year_totals(facts, text)


_TO_DATE = re.compile(r"(截止|截至|至今|以来)[^。]{0,20}累计|累计[^。]{0,6}(至今|总数)")


def year_totals(facts: list[Fact], text: str) -> list[Fact]:
    """A report that gives the year's proactive total and a running one (`公开信息总数为13条。截止2010年末，街道
    累计公开信息总数24条`): the running total is no figure of the year. Kept when it is the only total."""
    totals = [f for f in facts if f.code == "proactive.total"]
    if len({f.value for f in totals}) < 2:
        return facts
    to_date = {f for f in totals if _TO_DATE.search(text, max(0, f.start - 20), f.end)}
    return [f for f in facts if f not in to_date] if len(to_date) < len(totals) else facts


# --- sentences that state a zero ------------------------------------------------------------------------
_ZERO_CUE = r"(未|没有|尚未|从未|均未|无一|不涉及|不存在|从没有)"
# (code, subject, a word every wording of the subject contains: a sentence without it is not searched)
_ZERO_SUBJECTS: tuple[tuple[str, str, str], ...] = (
    ("requests.received", r"(依申请公开|申请公开|公开申请|信息公开申请|依申请|公开[^。，,；]{0,8}的申请)", "申请"),
    ("review.total", r"行政复议", "行政复议"),
    ("litigation.total", r"行政诉讼", "行政诉讼"),
    ("complaints.total", r"申诉", "申诉"),
    ("requests.fees_charged", r"(收费|收取[^。，,；]{0,12}费|处理费)", "费"),
)
_NOT_A_ZERO = re.compile(r"纠错|败诉|纠正|被撤销|如果|若")
# A bare 无 is a cue only close before its subject (`全年无依申请公开`, `无因政府信息公开申请行政复议…的案件`), not in
# 无法提供 or 无论; 为零 after it (`依申请办理事项为零`, `收费和减免为零`).
_BARE_NONE = r"无(?![法论偿须需关])[^。\d%，,；;]{0,24}?"
_ZERO_PATTERNS = tuple(
    (code, word, re.compile(rf"{_ZERO_CUE}[^。\d%]{{0,60}}?{subject}|{_BARE_NONE}{subject}"
                            rf"|{subject}[^。\d%，,；;]{{0,10}}?为零"))
    for code, subject, word in _ZERO_SUBJECTS)
# The subject counted earlier in the sentence (`接到依申请公开事项5项，…未产生依申请公开…案例`): no zero of it.
_COUNTED_BEFORE = {code: re.compile(rf"{subject}[^。]{{0,12}}?\d+\s*[件项条起宗]")
                   for code, subject, _ in _ZERO_SUBJECTS}
# Every cue contains one of these words: their occurrences mark the sentences to read (str.find outruns a regex
# scan of the whole text).
_CUE_WORDS = ("未", "没有", "无", "不涉及", "不存在", "为零")
# `未发生因政府信息公开申请行政复议…`: the application is the cause of a review, not itself the thing denied.
# `没有向政府信息公开申请人收费`: the applicant of a fee sentence, not an application.
_SUBJECT_OF = {"requests.received": re.compile(r"人|[^。，,；;、]{0,3}(行政复议|行政诉讼)")}


def extract_zero_statements(text: str, units: dict[str, str]) -> list[Fact]:
    """`全年未收到依申请公开申请` -> requests.received 0 (stated_none), for exactly the metrics the sentence names."""
    facts: list[Fact] = []
    for start, end in _sentence_spans(text, occurrences(text, _CUE_WORDS)):
        s = text[start:end]
        if _NOT_A_ZERO.search(s) or s.lstrip().startswith("|"):
            continue
        for code, word, pattern in _ZERO_PATTERNS:
            if word not in s:
                continue
            not_subject = _SUBJECT_OF.get(code)
            m = next((m for m in pattern.finditer(s) if not (not_subject and not_subject.match(s, m.end()))), None)
            if m and not _COUNTED_BEFORE[code].search(s, 0, m.start()):
                facts.append(Fact(code, "", 0.0, units.get(code, "件"), "stated_none", start + m.start(),
                                  start + m.end(), f"zero:{code}"))
    return facts
