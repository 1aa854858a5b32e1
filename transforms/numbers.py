"""Every numeral notation a report uses -> a number, its unit scaling and its qualifier.

Chinese numerals go through cn2an (两次, 十二, 一百零五, 二零一一) instead of a hand-written table.
"""

from __future__ import annotations

import functools
import re

import cn2an

CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
# An Arabic number (thousands separators, decimals) or a run of Chinese numerals.
NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
# NUMBER split after its first character (NUMBER_FIRST + NUMBER_REST matches what NUMBER does, alternatives in
# the same order): a pattern that opens with a character class lets `re` jump to the candidate positions.
_CN_NUMERALS = "零〇一二两三四五六七八九十百千"
NUMBER_FIRST = rf"[\d{_CN_NUMERALS}]"
NUMBER_REST = rf"(?<=\d)(?:\d{{0,2}}(?:,\d{{3}})+(?:\.\d+)?|\d*(?:\.\d+)?)|(?<=[{_CN_NUMERALS}])[{_CN_NUMERALS}]*"
_ARABIC = re.compile(r"\d+(?:\.\d+)?")
_ARABIC_YEAR = re.compile(r"\d{2,4}")
_CN_YEAR = re.compile(r"[零〇一二三四五六七八九]{2,4}")
_AT_LEAST_BEFORE = ("超过", "逾", "多于", "不少于", "超")
_APPROX_BEFORE = ("约", "近", "大约", "将近", "接近")
_AT_LEAST_AFTER = ("多", "余", "以上", "余个")
_APPROX_AFTER = ("左右",)


@functools.lru_cache(maxsize=4096)  # the same few numerals recur in every report
def parse_number(token: str) -> float | None:
    """'1,295' -> 1295; '9.5' -> 9.5; '两' -> 2; '一百零五' -> 105; anything else -> None."""
    token = token.strip().replace(",", "")
    if not token:
        return None
    if _ARABIC.fullmatch(token):
        return float(token)
    try:
        return float(cn2an.cn2an(token, "smart"))
    except (ValueError, KeyError, IndexError):
        return None


def qualifier_of(before: str, after: str) -> str:
    """Qualifier from the words around a number: `30余次` / `95%以上` -> at_least; `约` / `左右` -> approx."""
    if after.startswith(_AT_LEAST_AFTER):
        return "at_least"
    if after.startswith(_APPROX_AFTER):
        return "approx"
    if before.endswith(_AT_LEAST_BEFORE):
        return "at_least"
    if before.endswith(_APPROX_BEFORE):
        return "approx"
    return "exact"


def to_catalog_unit(value: float, written_unit: str, multiplier: str, catalog_unit: str) -> float:
    """Scale a value written as `9.5万` / `3000元` / `2.5亿元` into the catalog unit (万元 or 元 or a count)."""
    scale = {"万": 1e4, "亿": 1e8}.get(multiplier, 1.0)
    if catalog_unit == "万元":
        if written_unit in ("万元", "万"):
            return value if multiplier in ("", "万") else value * scale / 1e4
        return value * scale / 1e4  # 元 (or a bare amount in 元)
    if catalog_unit == "元" and written_unit == "万元":
        return value * 1e4
    return value * scale


@functools.lru_cache(maxsize=1024)  # cn2an is slow, and reports write the same few years
def year_from_numeral(token: str) -> int | None:
    """'2011' / '二零一一' / '二〇一二' -> the year; a truncated '〇一〇' -> 10 (the caller completes it)."""
    token = token.strip()
    if _ARABIC_YEAR.fullmatch(token):
        return int(token)
    if _CN_YEAR.fullmatch(token):
        return int(cn2an.transform(token, "cn2an").replace("〇", "0"))
    return None


def small_numeral(token: str) -> int | None:
    """Month or day numerals: '12', '十二', '二十八' -> int."""
    token = token.strip()
    if token.isdigit():
        return int(token)
    value = parse_number(token)
    return int(value) if value is not None else None
