"""Which body wrote a report: candidate names from the title, page fields, lines and sentences, each one
validated by its structure before it is believed.

A name is believed only when it looks like a body's name: Chinese characters (and paired brackets) only,
ending with a body type from vocab/agency_body_types.csv, with something before that type, and none of the
sentence words of vocab/agency_not_words.csv. A sentence fragment (`根据《条例》…现将我乡`) or a site's
chrome (`本站原创`) is no name; a report that names no body gets None, never a guess.
"""

from __future__ import annotations

import functools
import re

from transforms import vocabulary

_MARKUP = re.compile(r"^[#>*\-\s|]+|[*|\s]+$")  # markdown heading marks, table pipes, emphasis
_SPACE = re.compile(r"\s+")
_NAME_CHARS = re.compile(r"[一-鿿()（）]+")
_MAX_LEN = 40  # the longest real names (autonomous prefecture + county + department) run to ~32
_LEVELS = "省市县区州盟旗"  # what a place written before a name ends with
_PLACE_TYPES = ("镇", "乡", "街道", "苏木", "县", "市", "区", "旗")  # a place standing for its government


@functools.cache
def body_types() -> tuple[str, ...]:
    """Body-type suffixes, longest first (人民政府 before 政府)."""
    return tuple(sorted(set(vocabulary.column("agency_body_types.csv", "suffix")), key=len, reverse=True))


@functools.cache
def not_words() -> tuple[str, ...]:
    return tuple(vocabulary.column("agency_not_words.csv", "word"))


@functools.cache
def self_references() -> dict[str, str]:
    """`我乡` -> 乡: how a report names its own body's level."""
    return vocabulary.mapping("agency_self_reference.csv", "word", "level")


_TOWNSHIP_BODIES = ("人民政府", "政府", "办事处")  # what follows a township's name in its body's (X镇人民政府)


def is_township(name: str) -> bool:
    """A township-level body (`螺洋街道`, `前河镇人民政府`, `兴东街道办事处`): one the division gazetteer does not
    list, so its name is believed only where a sentence names it as the report's body."""
    stem = name
    for tail in _TOWNSHIP_BODIES:
        stem = stem.removesuffix(tail)
    suffix = body_type(stem)
    return suffix is not None and _kinds().get(suffix) == "township" and 2 <= len(stem) - len(suffix) <= 6


@functools.cache
def _kinds() -> dict[str, str]:
    """Body-type suffix -> its kind (township, office, …)."""
    return vocabulary.mapping("agency_body_types.csv", "suffix", "kind")


def clean(name: str | None) -> str | None:
    """Markup and whitespace off a written name (`# 沐阳县人民政府 ` -> 沐阳县人民政府)."""
    if name is None:
        return None
    return _SPACE.sub("", _MARKUP.sub("", name)) or None


def body_type(name: str) -> str | None:
    """The body-type suffix a name ends with (`…参事室` -> 参事室), else None."""
    return next((t for t in body_types() if name.endswith(t)), None)


def _brackets_paired(name: str) -> bool:
    depth = 0
    for ch in name:
        depth += ch in "(（"
        depth -= ch in ")）"
        if depth < 0:
            return False
    return depth == 0


def is_agency_name(name: str | None) -> bool:
    """A cleaned name that is a body's name by structure, not a piece of a sentence."""
    if not name or len(name) > _MAX_LEN or not _NAME_CHARS.fullmatch(name) or not _brackets_paired(name):
        return False
    suffix = body_type(name)
    if suffix is None or len(name) <= len(suffix):
        return False
    return not any(_sentence_word_at(name, w) for w in not_words())


def _sentence_word_at(name: str, word: str) -> bool:
    """`word` occurs in `name` outside every place name the gazetteer knows: 全县 in 天全县农业局 is no
    distributive, it is part of the county's name."""
    from transforms.region import is_division_name

    start = name.find(word)
    while start >= 0:
        end = start + len(word)
        inside_place = any(is_division_name(name[i:j]) for i in range(max(0, end - 12), start + 1)
                           for j in range(end, min(len(name), start + 12) + 1) if j - i >= 2)
        if not inside_place:
            return True
        start = name.find(word, start + 1)
    return False


def validated(name: str | None) -> str | None:
    """The cleaned name when it passes is_agency_name, else None."""
    name = clean(name)
    return name if is_agency_name(name) else None


def from_lines(lines: list[str]) -> str | None:
    """The first line that is nothing but a body's name (a header `广州市人民政府`, a signature)."""
    for line in lines:
        name = validated(line)
        if name:
            return name
    return None


def from_self_reference(text: str) -> str | None:
    """A report that calls itself 我乡 and writes one township's name as a subject (`2014年,南薰乡未收取…`):
    that township. Several different names, or none, give None."""
    levels = {lvl for word, lvl in self_references().items() if word in text}
    if len(levels) != 1:
        return None
    level = levels.pop()
    names = set()
    for m in re.finditer(rf"(?:^|[,，。;；:：]|\d年)(?:由|经|在|对|向)?([一-鿿]{{2,4}}?{level})(?=[一-鿿])", text,
                         flags=re.M):
        name = m.group(1)
        if name not in self_references() and is_agency_name(name) and not name.startswith(("全", "各", "该", "城")):
            names.add(name)
    return names.pop() if len(names) == 1 else None


def more_specific(name: str, other: str | None) -> bool:
    """`other` names the same body as `name` with more of its place or type: 亳州市民政局 for 市民政局,
    遂溪县建新镇人民政府 for 建新镇."""
    if not other or other == name or name not in other:
        return False
    if other.endswith(name) and name[0] in _LEVELS:  # 县市场监督管理局 -> 咸阳市彬县市场监督管理局
        return True
    head, _, tail = other.rpartition(name)
    if head and head[-1] not in _LEVELS:
        return False
    return tail == "" or (tail in ("人民政府", "政府") and body_type(name) in _PLACE_TYPES)
