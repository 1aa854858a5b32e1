"""Transformations of a report with a known effect on its reading, shared by tests/test_metamorphic.py (the
cells known to pass) and scripts/metamorphic_grid.py (the whole grid, as a table of pass rates).

Each transformation takes the report's bytes and a key (the report's name, so choices such as the new agency
are deterministic per report) and returns the new bytes and what it changed, or None where it does not apply
(a report with no `|` table has no cells to re-join). `expect` says what the reading must then be, from the
original reading: most transformations are invisible to a reader, so the reading must not change at all."""

from __future__ import annotations

import dataclasses
import hashlib
import html
import re
from collections.abc import Callable

import opencc

META = ("agency", "province", "city", "county", "report_year", "layout")
Reading = tuple[frozenset, dict]  # {(code, breakdown, value)}, {META field: value}

_S2T = opencc.OpenCC("s2t")
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_RULE_ROW = re.compile(r"^\s*\|(?:\s*:?-{3,}:?\s*\|)+\s*$")


def _text(data: bytes) -> str:
    return data.decode("utf-8-sig")


def _pick(key: str, options: list, salt: str = "") -> object:
    return options[int(hashlib.sha256((salt + key).encode()).hexdigest(), 16) % len(options)]


def _is_html(text: str) -> bool:
    return bool(re.search(r"<(?:html|body|table|div|p)\b", text[:20000], re.I))


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _rewrite_rows(render: Callable[[list[str]], list[str]]) -> Callable[[bytes, str], tuple[bytes, dict] | None]:
    """Every `| a | b |` row as the lines `render` makes of its cells; markdown rule rows dropped."""
    def apply(data: bytes, key: str) -> tuple[bytes, dict] | None:
        lines = _text(data).split("\n")
        if not any(_PIPE_ROW.match(x) for x in lines):
            return None
        out = []
        for line in lines:
            if not _RULE_ROW.match(line):
                out.extend(render(_cells(line)) if _PIPE_ROW.match(line) else [line])
        return "\n".join(out).encode(), {}
    return apply


def _rejoin(sep: str) -> Callable[[bytes, str], tuple[bytes, dict] | None]:
    """`| a | b |` rows written with another cell separator."""
    return _rewrite_rows(lambda cells: [sep.join(cells)])


# Every cell on a line of its own, closed by a bar (`规章 |`, an empty cell ` |`), as some saved pages write tables.
_cell_per_barred_line = _rewrite_rows(lambda cells: [f"{c} |" for c in cells])


def _as_web_page(data: bytes, key: str) -> tuple[bytes, dict] | None:
    """The report saved from a site: navigation, breadcrumb and footer around it; its lines kept as lines
    (`<br>`, a blank line a new `<p>`), `|` tables as HTML tables."""
    text = _text(data)
    if _is_html(text):
        return None
    body, rows, para = [], [], []

    def flush() -> None:
        if para:
            body.append("<p>" + "<br>\n".join(para) + "</p>")
            para.clear()
        if rows:
            body.append("<table border='1'>" + "".join(rows) + "</table>")
            rows.clear()

    for line in text.split("\n"):
        if _PIPE_ROW.match(line):
            if para:
                flush()
            if not _RULE_ROW.match(line):
                rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in _cells(line)) + "</tr>")
        elif line.strip():
            if rows:
                flush()
            para.append(html.escape(line))
        else:
            flush()
    flush()
    page = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>政务公开</title></head><body>"
            "<div class='nav'><a href='/'>首页</a> <a href='/zwgk'>政务公开</a> <a href='/hd'>互动交流</a></div>"
            "<div class='crumb'>当前位置：<a href='/'>首页</a> &gt; <a href='/zwgk'>政务公开</a> &gt; 年度报告</div>"
            "<div class=\"article\">" + "\n".join(body) + "</div>"
            "<div class=\"footer\">【打印本页】【关闭窗口】<br>版权所有：某某网站 主办单位：某某办公室 "
            "网站标识码：3200000001 备案号：苏ICP备00000000号</div></body></html>")
    return page.encode(), {}


_WIDTH = 34
_RUBY_CHARS = "()āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ"


def _wrap(line: str) -> list[str]:
    """A line broken every _WIDTH characters, never inside a number, a Latin word or a ruby `(fù)` (a word
    processor keeps those whole)."""
    pieces = []
    while len(line) > _WIDTH:
        cut = _WIDTH
        while cut > 1 and re.match(rf"[\w.,%{_RUBY_CHARS}]{{2}}", line[cut - 1:cut + 1], re.A):
            cut -= 1
        pieces.append(line[:cut])
        line = line[cut:]
    return [*pieces, line]


def _hard_wraps(data: bytes, key: str) -> tuple[bytes, dict] | None:
    """Lines broken at a fixed width as a PDF's text layer breaks them, with a page footer every 40 lines.
    Table rows (`|` cells, or columns laid out with runs of spaces) are not broken."""
    text = _text(data)
    if _is_html(text):
        return None
    out, page = [], 1
    for line in text.split("\n"):
        table = _PIPE_ROW.match(line) or re.search(r"\S {3,}\S", line)
        for piece in [line] if table else _wrap(line):
            out.append(piece)
            if len(out) % 40 == 39:
                out.append(f"— {page} —")
                page += 1
    return "\n".join(out).encode(), {}


def _one_line(data: bytes, key: str) -> tuple[bytes, dict] | None:
    """A crawler that collapsed every run of whitespace: the whole page stands on one line."""
    return re.sub(r"\s+", " ", _text(data)).strip().encode(), {}


_RUBY_EVERY = 3


def _pinyin_ruby(data: bytes, key: str) -> tuple[bytes, dict] | None:
    """A reading aid's pinyin after characters, `報(bào)`, as some sites render ruby into text."""
    from pypinyin import Style, pinyin

    text = _text(data)
    out, n, in_tag = [], 0, False
    for i, ch in enumerate(text):
        out.append(ch)
        in_tag = (in_tag or ch == "<") and ch != ">"
        # not after a character that has its reading already (`復(fù)` on a document site)
        if "\u4e00" <= ch <= "\u9fff" and not in_tag and text[i + 1:i + 2] not in ("(", "（"):
            n += 1
            if n % _RUBY_EVERY == 0:
                out.append(f"({pinyin(ch, style=Style.TONE)[0][0]})")
    return "".join(out).encode(), {}


_ASCII_TO_FULL = str.maketrans(",;:()!?", "，；：（）！？")


def _fullwidth_punctuation(data: bytes, key: str) -> tuple[bytes, dict] | None:
    """ASCII punctuation typed full-width, except between digits (1,234 and 9:00 stay as they are)."""
    text = _text(data)
    if _is_html(text):
        return None
    return re.sub(r"(?<!\d)[,;:()!?]|[,;:()!?](?!\d)", lambda m: m.group().translate(_ASCII_TO_FULL), text).encode(), {}


def _encoded(codec: str, traditional: bool = False, bom: bytes = b""):
    def apply(data: bytes, key: str) -> tuple[bytes, dict] | None:
        text = _text(data)
        if traditional:
            text = _S2T.convert(text)
        try:
            return bom + text.encode(codec), {}
        except UnicodeEncodeError:
            return None  # the report holds a character the codec cannot write: no such page exists
    return apply


def _bodies() -> list[tuple[str, str, str, str]]:
    """(new agency, its province, its prefecture, its body kind): every prefecture-level 市 the gazetteer
    knows, outside the municipalities, under a body from a list of real ones."""
    from transforms.agency_name import body_type
    from transforms.region import division_names, is_division_name

    names = division_names()
    counts: dict[str, int] = {}
    for n in names.values():
        counts[n] = counts.get(n, 0) + 1
    cities = [(names[c[:2] + "0000"], n) for c, n in sorted(names.items())
              if c.endswith("00") and not c.endswith("0000") and n.endswith("市") and counts[n] == 1
              and is_division_name(n)]
    bodies = ("人民政府", "人民政府办公室", "教育局", "财政局", "民政局", "生态环境局", "卫生健康委员会",
              "发展和改革委员会", "自然资源和规划局", "人民政府参事室", "行政审批局", "市场监督管理局")
    return [(city + body, prov, city, _kind(body_type(body))) for prov, city in cities for body in bodies]


def _kind(suffix: str | None) -> str | None:
    from transforms import vocabulary

    return vocabulary.mapping("agency_body_types.csv", "suffix", "kind").get(suffix) if suffix else None


_BODIES_CACHE: list = []


def _BODIES() -> list[tuple[str, str, str, str]]:  # noqa: N802 - a constant built on first use
    if not _BODIES_CACHE:
        _BODIES_CACHE.extend(_bodies())
    return _BODIES_CACHE


def _rename_agency(data: bytes, key: str) -> tuple[bytes, dict] | None:
    """Every mention of the agency's name replaced by another real body of the same kind in another province.
    Not applicable where the report also names its body in a form the rename leaves behind (`市民政局` in a
    title beside `亳州市民政局` in the text, `南薰乡人民政府` around `南薰乡`): it would then name two bodies."""
    from tests.conftest import read_report
    from transforms.agency_name import body_type

    record = read_report(data)
    old, province = record["agency"], record["province"]
    text = _text(data)
    kind = _kind(body_type(old or ""))
    if not old or old not in text or kind is None:
        return None
    title = record["title"] or ""
    renamed = text.replace(old, "\0")
    township = re.findall(r"[一-鿿]{2}(?:镇|乡|街道)", old)
    place = re.match(r"[一-鿿]{1,6}?[市县区旗]", old)
    if ((township and township[-1] in renamed) or re.search("\0(?:人民政府|政府|办公室|党委)", renamed)
            or (place and old not in title and old[place.end() - 1:] in title)):
        return None
    choices = [b for b in _BODIES() if b[1] != province and b[3] == kind]
    if not choices:
        return None
    new, prov, city, _ = _pick(key, choices)
    return renamed.replace("\0", new).encode(), {"agency": new, "old": old, "province": prov, "city": city,
                                                   "county": None}


_YEAR = re.compile(r"(?<![\d.])(20[0-3]\d)(?!\d)")


_TAG = r"(?:<[^<>]*>)*"
# A year whose digits a page's markup may split (`20</span><span>23`): the digits keep their places.
_YEAR_IN_MARKUP = re.compile(rf"(?<![\d.])2{_TAG}0{_TAG}[0-3]{_TAG}\d(?!\d)")


def _shift_years(data: bytes, key: str) -> tuple[bytes, dict] | None:
    """Every year a year later (in dates and index numbers too): the report of the next year, with the same
    figures, where a breakdown by year moves with them."""
    text = _text(data)
    if not _YEAR.search(re.sub(_TAG, "", text)):
        return None

    def later(m: re.Match) -> str:
        s = m.group()
        digits = [i for i, ch in enumerate(s) if ch.isdigit() and not _inside_tag(s, i)]
        new = str(int("".join(s[i] for i in digits)) + 1)
        out = list(s)
        for i, ch in zip(digits, new, strict=True):
            out[i] = ch
        return "".join(out)

    return _YEAR_IN_MARKUP.sub(later, text).encode(), {"shift": 1}


def _inside_tag(s: str, i: int) -> bool:
    return s.rfind("<", 0, i) > s.rfind(">", 0, i)


@dataclasses.dataclass(frozen=True)
class Transform:
    name: str
    apply: Callable[[bytes, str], tuple[bytes, dict] | None]
    doc: str

    def expect(self, original: Reading, info: dict) -> Reading:
        facts, meta = original
        meta = dict(meta)
        if "shift" in info:
            if meta["report_year"] is not None:
                meta["report_year"] += info["shift"]
            facts = frozenset((c, _YEAR.sub(lambda m: str(int(m.group(1)) + info["shift"]), b), v) for c, b, v in facts)
        if "old" in info:
            facts = frozenset((c, b.replace(info["old"], info["agency"]), v) for c, b, v in facts)
        for k in ("agency", "province", "city", "county"):
            if k in info:
                meta[k] = info[k]
        return facts, meta


def _site_chrome(text: str) -> str:
    if not _is_html(text):
        return "首页 > 政务公开 > 年度报告\n【打印本页】【关闭窗口】\n" + text + "\n版权所有：某某人民政府网站\n"
    head = "<div>首页 &gt; 政务公开 &gt; 年度报告</div><div>【打印本页】【关闭窗口】</div>"
    foot = "<div>版权所有：某某人民政府网站</div>"
    body = re.search(r"<body[^>]*>", text, re.I)
    end = text.lower().rfind("</body>")
    if not body or end < body.end():
        return head + text + foot
    return text[:body.end()] + head + text[body.end():end] + foot + text[end:]


def _same(fn: Callable[[str], str]) -> Callable[[bytes, str], tuple[bytes, dict]]:
    return lambda data, key: (fn(_text(data)).encode(), {})


TRANSFORMS: dict[str, Transform] = {t.name: t for t in (
    Transform("crlf", _same(lambda t: t.replace("\n", "\r\n")), "line ends of a Windows editor"),
    Transform("utf8_bom", lambda d, k: (b"\xef\xbb\xbf" + d, {}), "a byte-order mark"),
    Transform("gb18030", _encoded("gb18030"), "the legacy encoding most Chinese sites served"),
    Transform("big5", _encoded("big5", traditional=True), "traditional script in Big5 bytes"),
    Transform("utf16le_bom", _encoded("utf-16-le", bom=b"\xff\xfe"), "UTF-16 from a Windows tool"),
    Transform("utf16be", _encoded("utf-16-be"), "UTF-16 big-endian without a byte-order mark"),
    Transform("traditional", _same(_S2T.convert), "OpenCC s2t: the report on a traditional-script site"),
    Transform("ascii_punctuation", _same(lambda t: t.translate(str.maketrans("，；：（）！？", ",;:()!?"))),
              "full-width punctuation typed as ASCII"),
    Transform("fullwidth_punctuation", _fullwidth_punctuation, "ASCII punctuation typed full-width"),
    Transform("fullwidth_digits", _same(lambda t: t.translate(str.maketrans("0123456789", "０１２３４５６７８９"))),
              "digits typed full-width"),
    Transform("site_chrome", _same(_site_chrome), "a site's navigation and footer around the report"),
    Transform("web_page", _as_web_page, "saved as a web page: chrome around it, tables as HTML"),
    Transform("cells_tab", _rejoin("\t"), "table cells joined by tabs"),
    Transform("cells_spaces", _rejoin("   "), "table cells joined by runs of spaces"),
    Transform("cells_bare_pipe", _rejoin("|"), "table cells joined by | with no spaces or outer bars"),
    Transform("cells_per_line", _rejoin("\n"), "one table cell per line"),
    Transform("cells_per_barred_line", _cell_per_barred_line, "one table cell per line, each closed by a bar"),
    Transform("one_line", _one_line, "all whitespace collapsed: the page on one line"),
    Transform("hard_wraps", _hard_wraps, "PDF-style hard wraps and page footers (— 3 —)"),
    Transform("pinyin_ruby", _pinyin_ruby, "pinyin after every third character"),
    Transform("rename_agency", _rename_agency, "the agency renamed to another real body, another province"),
    Transform("shift_years", _shift_years, "every year one later"),
)}


def reading(data: bytes) -> Reading:
    from tests.conftest import read_report

    record = read_report(data)
    return (frozenset((m["code"], m["breakdown"], m["value"]) for m in record["metrics"]),
            {k: record[k] for k in META})


def check(transform: Transform, data: bytes, key: str, original: Reading) -> str | None:
    """None when the transformed report reads as expected, else what differs; 'n/a' where it does not apply."""
    made = transform.apply(data, key)
    if made is None:
        return "n/a"
    new, info = made
    try:
        got_facts, got_meta = reading(new)
    except AssertionError as exc:  # decode refused it
        return f"not read: {exc}"
    facts, meta = transform.expect(original, info)
    problems = [f"{k}: {meta[k]!r} -> {got_meta[k]!r}" for k in META if got_meta[k] != meta[k]]
    if facts - got_facts:
        problems.append(f"{len(facts - got_facts)} facts lost, e.g. {sorted(facts - got_facts, key=str)[:2]}")
    if got_facts - facts:
        problems.append(f"{len(got_facts - facts)} facts appeared, e.g. {sorted(got_facts - facts, key=str)[:2]}")
    return "; ".join(problems) or None
