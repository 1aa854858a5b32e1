"""Agency name as a report writes it -> one canonical name per body, so a body keeps one agency_id across years.

沭阳县发改局 and 沭阳县发展和改革局, 市民政局 in a 亳州 report and 亳州市民政局, 阿尔山市政府 and
阿尔山市人民政府 are one body each. Rules, in order: a whole-name mapping from the user's CSV; the place
prefix completed from the report's region; department abbreviations expanded (warehouse/agency_aliases.csv);
政府 suffixes. Anything else is kept as written: a rule only fires when what follows a place is recognisably
a government body, so names are never cut.
"""

from __future__ import annotations

import csv
import functools
import io
import pathlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources

_KINDS = ("department", "name")
_COLUMNS = ("kind", "alias", "canonical")
_LEVELS = "省市县区州盟旗"
# What a place prefix ends with (towns included: 镇政府 is a 镇人民政府 too).
_PLACE_END = _LEVELS + "镇乡"
_SPACE = re.compile(r"\s+")
# 市民政局, 县政协, 本市…: a bare level word standing for the region's place of that level.
_BARE = re.compile(f"本?([{_LEVELS}])")
# 市直机关事务管理局: the bodies serving the 市 level's organs, named after the level's place.
_DIRECT = re.compile(f"([{_LEVELS}])直")
# X市政府, X县政府办公室: the official name says 人民政府. 市政管理局 and 政府采购中心 do not end this way.
_GOVERNMENT = re.compile(f"(^|[{_PLACE_END}])政府(办公室|办公厅)?$")
# Words that open a local body's name right after its place. Only bodies named with their place's full name:
# 上海海关, 上海证监局, 江苏沭阳经济技术开发区 are named with the short form, so 海关/证监/经济 are absent.
# The lookahead keeps out place names that open with such a word: 公安县 is a county, not a 公安 body.
_ORGAN_WORDS = """
人民政府 政府 人大 政协 人民法院 中级人民法院 人民检察院 监察委员会 纪委 发展和改革 发展改革 发改
经济和信息化 经信 工业和信息化 工信 教育 教体 科学技术 科技 科协 民族 民宗 宗教 公安 民政 司法 财政 人力资源
人社 自然资源 自规 国土 规划 生态环境 环境保护 环保 住房 住建 城乡 城市管理 城管 城建 建设 市政 园林 交通
水利 水务 农业 林业 畜牧 商务 文化 文广 广播电视 旅游 体育 卫生 卫健 卫计 退役军人 应急 安全生产 安监 审计
统计 国有资产 国资 市场监 市监 工商 质量技术 质监 食品药品 食药 医疗保障 医保 信访 档案 机关事务 市直 县直
区直 行政审批 政务 数据 公共资源 人民防空 人防 粮食 物价 供销 残疾人 残联 妇女 妇联 总工会 外事 侨务 扶贫
乡村振兴 机构编制 编办 法制 住房公积金 房产 房管 综合执法 气象 地震 消防 税务 地方税务 地税 国家税务 国税
不动产 疾病预防控制 文旅 公管 审批 大数据
""".split()
_ORGAN = re.compile(f"(?:{'|'.join(_ORGAN_WORDS)})(?![{_LEVELS}])")
# …and what it ends with: a body, not a company (沭阳农业发展有限公司) or a zone.
_BODY_END = re.compile("(?:[局委办厅府协院会所站处队署部室]|中心)$")


@dataclass(frozen=True, eq=False)  # identity hash: the table is part of the per-name cache key
class Aliases:
    departments: Mapping[str, str]  # abbreviated department -> full department (发改局 -> 发展和改革局)
    names: Mapping[str, str]        # whole name -> whole canonical name (user rows: renamed bodies, typos)
    targets: frozenset[str]         # values of names: already canonical, never rewritten


@dataclass(frozen=True)
class _Row:
    kind: str
    alias: str
    canonical: str
    where: str  # file:line, for error messages


class AliasError(ValueError):
    """An agency alias CSV that cannot be used: its message is one line naming the file (and line)."""


def _parse(text: str, source: str) -> list[_Row]:
    """CSV text -> rows; a malformed row is an AliasError naming its file and line."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _parse_rows(reader, source)
    except csv.Error as exc:  # a NUL byte, an unterminated quote at the end, a field over the size limit
        raise AliasError(f"{source}:{reader.line_num}: not readable as CSV: {exc}") from None


def _parse_rows(reader: csv.DictReader, source: str) -> list[_Row]:
    missing = [c for c in _COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise AliasError(f"{source}:1: header must name {','.join(_COLUMNS)} (missing {','.join(missing)})")
    rows: list[_Row] = []
    seen: set[tuple[str, str]] = set()
    for raw in reader:
        where = f"{source}:{reader.line_num}"
        if None in raw or any(raw[c] is None for c in _COLUMNS):
            raise AliasError(f"{where}: expected the columns {','.join(reader.fieldnames or ())}, got {raw}")
        kind = raw["kind"].strip()
        alias, canonical = _SPACE.sub("", raw["alias"]), _SPACE.sub("", raw["canonical"])
        if kind not in _KINDS:
            raise AliasError(f"{where}: kind must be one of {', '.join(_KINDS)}, got {kind!r}")
        if not alias or not canonical:
            raise AliasError(f"{where}: alias and canonical must both be given")
        if (kind, alias) in seen:
            raise AliasError(f"{where}: {kind} alias {alias} is listed twice")
        seen.add((kind, alias))
        rows.append(_Row(kind, alias, canonical, where))
    return rows


@functools.cache
def _shipped_rows() -> tuple[_Row, ...]:
    text = resources.files("warehouse").joinpath("agency_aliases.csv").read_text(encoding="utf-8-sig")
    return tuple(_parse(text, "warehouse/agency_aliases.csv"))


def _table(rows: list[_Row], kind: str) -> dict[str, str]:
    """Later rows override earlier ones; a canonical that is itself another alias would make the result depend
    on how often the rules run, so it is refused."""
    final = {r.alias: r for r in rows if r.kind == kind}
    for r in final.values():
        other = final.get(r.canonical)
        if other is not None and other.canonical != r.canonical:
            raise AliasError(f"{r.where}: canonical {r.canonical} is itself an alias (of {other.canonical}, "
                             f"{other.where}); map {r.alias} to {other.canonical} instead")
    return {alias: r.canonical for alias, r in final.items()}


def _build(rows: list[_Row]) -> Aliases:
    names = _table(rows, "name")
    return Aliases(departments=_table(rows, "department"), names=names, targets=frozenset(names.values()))


@functools.cache
def _default() -> Aliases:
    return _build(list(_shipped_rows()))


def load_aliases(user_csv: str | pathlib.Path | None = None) -> Aliases:
    """The shipped alias table, extended and overridden by the rows of `user_csv` (same columns:
    kind,alias,canonical[,note]; kind `department` for an abbreviation, `name` for a whole name)."""
    if user_csv is None:
        return _default()
    return _build([*_shipped_rows(), *_parse(read_alias_file(user_csv), str(user_csv))])


def read_alias_file(path: str | pathlib.Path) -> str:
    """A user's alias CSV as text (UTF-8, with or without the BOM spreadsheets write); AliasError, in one
    line naming the file, when it is missing, unreadable or in another encoding (Excel on Chinese Windows
    saves GBK: say so, rather than show a decoding traceback)."""
    try:
        data = pathlib.Path(path).read_bytes()
    except FileNotFoundError:
        raise AliasError(f"{path}: no such agency alias file (GOVREPORT_AGENCY_ALIASES)") from None
    except OSError as exc:
        raise AliasError(f"{path}: cannot read the agency alias file: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        hint = ""
        try:
            data.decode("gb18030")
            hint = "; it reads as GBK/GB18030: save it as UTF-8 (Excel: CSV UTF-8)"
        except UnicodeDecodeError:
            pass
        raise AliasError(f"{path}:{line}: the agency alias file is not UTF-8 (byte {exc.start}){hint}") from None


def _opens_body(rest: str, aliases: Aliases) -> bool:
    """What follows a place is a government body's name (民政局, 发改局, 政府), not a town, zone or company."""
    return rest in aliases.departments or bool(_ORGAN.match(rest) and _BODY_END.search(rest))


def _readings(name: str, place: str) -> Iterator[int]:
    """Lengths of the name's opening that write `place`: in full first, then as a short form of at least two
    characters (亳州, 沭阳), possibly followed by the place's level word (延边州 for 延边朝鲜族自治州)."""
    if name.startswith(place):
        yield len(place)
    for k in range(len(place) - 1, 1, -1):
        if name.startswith(place[:k]):
            if name.startswith(place[-1], k):
                yield k + 1
            yield k


def _complete_place(name: str, places: tuple[str, ...], aliases: Aliases) -> str | None:
    """亳州民政局 -> 亳州市民政局, 沭阳发改局 -> 沭阳县发改局, 亳州市场监督管理局 -> 亳州市市场监督管理局.

    The place must be followed by a body or by a more specific region place (上海市浦东新区…). None when the
    name does not open with a region place; the name itself when it opens with one in full but no body follows
    (宿迁市沭阳生态环境局 is the city's branch's own name)."""
    for i, place in enumerate(places):
        for n in _readings(name, place):
            rest = name[n:]
            if _opens_body(rest, aliases) or any(rest.startswith(p) for p in places[:i]):
                return place + rest
    return name if any(name.startswith(p) for p in places) else None


def _bare_level(name: str, places: tuple[str, ...], aliases: Aliases) -> str | None:
    """市民政局 in a 亳州 report -> 亳州市民政局: the level word names the most specific region place of that level
    (县民政局 -> 沭阳县…, 区民政局 in a 浦东新区 report -> 浦东新区…, 市… in a Shanghai report -> 上海市…)."""
    m = _BARE.match(name)
    if not m or not _opens_body(name[m.end():], aliases):
        return None
    place = next((p for p in places if p.endswith(m.group(1))), None)
    return place + name[m.end():] if place else None


def _add_place(name: str, places: tuple[str, ...], aliases: Aliases) -> str | None:
    """民政局 -> the most specific region place + 民政局; 市直机关… belongs to the 市 level (泰安市市直机关…)."""
    if not _opens_body(name, aliases):
        return None
    direct = _DIRECT.match(name)
    place = next((p for p in places if p.endswith(direct.group(1))), None) if direct else places[0]
    return place + name if place else None


def _regional(name: str, places: tuple[str, ...], aliases: Aliases) -> str:
    if not places:
        return name
    return (_complete_place(name, places, aliases) or _bare_level(name, places, aliases)
            or _add_place(name, places, aliases) or name)


def _expand(name: str, departments: Mapping[str, str]) -> str:
    """The longest department abbreviation ending the name, when what precedes it is a place (or nothing):
    沭阳县发改局 -> 沭阳县发展和改革局; 沭阳县农业科技局 keeps its 科技局 (农业 is part of the department)."""
    for i in range(len(name)):
        full = departments.get(name[i:])
        if full is not None and (i == 0 or name[i - 1] in _PLACE_END):
            return name[:i] + full
    return name


def _government(name: str) -> str:
    """X市政府 -> X市人民政府, X县政府办公室 -> X县人民政府办公室; X市人民政府办公厅 is already right."""
    return _GOVERNMENT.sub(r"\1人民政府\2", name)


@functools.lru_cache(maxsize=1 << 17)
def _canonical(name: str, places: tuple[str, ...], aliases: Aliases) -> str:
    if name in aliases.names:
        return aliases.names[name]
    if name in aliases.targets:
        return name
    out = _government(_expand(_regional(name, places, aliases), aliases.departments))
    return aliases.names.get(out, out)


def canonical_agency(name: str, province: str | None, city: str | None, county: str | None,
                     aliases: Aliases) -> str:
    """The canonical name of the body `name` writes, given the report's region (transforms.region.Region's
    official names). Unknown names come back as written (whitespace removed); the result is a fixed point."""
    places = tuple(p for p in (county, city, province) if p)  # most specific first
    return _canonical(_SPACE.sub("", name), places, aliases)
