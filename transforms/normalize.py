"""Raw report text -> normalized text (simplified script, artifacts and page chrome removed).

The normalized text is what the warehouse stores and what every fact's span points into, so every
later stage reads only this text. Rules are regexes applied with polars over a whole batch; the
Python-only steps (HTML parsing, OpenCC conversion, rejoining page fragments and hard wraps) run only on
the rows that need them, picked out by polars first.
Chrome rules remove whole lines that consist of nothing but chrome, so they cannot eat report text.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
from collections.abc import Callable
from typing import NamedTuple

import opencc
import polars as pl

from transforms import budget as file_budget
from transforms import vocabulary
from transforms.prose import UNITS
from transforms.table_cells import BLANK_CELLS

# --- HTML -------------------------------------------------------------------------------------------

_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
               "article", "header", "footer", "tbody", "thead", "dd", "dt", "form", "hr", "pre", "blockquote"}
_SKIP_TAGS = {"script", "style", "noscript", "iframe", "select", "option", "button", "svg"}
_HANDLED_TAGS = _BLOCK_TAGS | _SKIP_TAGS | {"head", "title", "tr", "td", "th"}


# A line end in markup is white space, not a line break (only <br>, blocks and <pre> break lines); between two
# wide characters it is no space at all, as CSS Text's segment-break rule renders it: `办公厅行\n政规范性文件`
# in a page's source is one word on screen.
_SEGMENT_BREAK = re.compile(r"[ \t\r\f]*\n\s*")
_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def _segment_breaks(data: str) -> str:
    def space(m: re.Match) -> str:
        before = data[m.start() - 1] if m.start() else ""
        after = data[m.end()] if m.end() < len(data) else ""
        if not before or not after:  # at a tag: the other side is unknown, the near side decides
            near = before or after
            return "" if not near or _WIDE.match(near) else " "
        return "" if _WIDE.match(before) and _WIDE.match(after) else " "
    return _SEGMENT_BREAK.sub(space, data)


class _TextExtractor:
    """Block elements become line breaks; a table row becomes one line `| cell | cell |`.

    Cell text is joined without separators because scraped tables split labels across tags
    (`自然</span><span>人`, `本年新<br />制作数量`); empty cells stay as empty cells so columns keep
    their positions. Handlers test the table tags first: they are most of the markup of a report.
    """

    def __init__(self) -> None:
        self.out: list[str] = []
        self.skip = 0
        self.in_head = False
        self.title_seen = False
        self.in_title = False
        self.rows: list[list[str]] = []  # stack: current row per nested table
        self.cell: list[list[str]] = []  # stack: current cell text per nested table
        self.pre = 0

    def handle_starttag(self, tag: str) -> None:
        self.pre += tag == "pre"
        if tag in ("td", "th") and self.cell:
            self.cell[-1] = []
        elif tag == "tr" and self.rows:
            self.rows[-1] = []
        elif tag in _SKIP_TAGS:
            self.skip += 1
        elif tag == "head":
            self.in_head = True
        elif tag == "title":
            self.in_title = not self.title_seen
            self.skip += 0 if self.in_title else 1
        elif tag == "table":
            self.rows.append([])
            self.cell.append([])
            self.out.append("\n")
        elif tag in _BLOCK_TAGS and not self.rows:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        self.pre -= tag == "pre" and self.pre > 0
        if tag in ("td", "th") and self.cell:
            # str.split() splits on exactly the characters `\s` matches: all whitespace goes.
            self.rows[-1].append("".join("".join(self.cell[-1]).split()))
            self.cell[-1] = []
        elif tag == "tr" and self.rows:
            if any(self.rows[-1]):
                self.out.append("\n| " + " | ".join(self.rows[-1]) + " |\n")
            self.rows[-1] = []
        elif tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag == "head":
            self.in_head = False
        elif tag == "title":
            if self.in_title:
                self.title_seen = True
                self.out.append("\n")
            else:
                self.skip = max(0, self.skip - 1)
            self.in_title = False
        elif tag == "table" and self.rows:
            self.rows.pop()
            self.cell.pop()
            self.out.append("\n")
        elif tag in _BLOCK_TAGS and not self.rows:
            self.out.append("\n")

    def handle_startendtag(self, tag: str) -> None:
        if tag in ("br", "hr") and not self.rows:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skip or (self.in_head and not self.in_title):
            return
        if "\n" in data and not self.pre:
            data = _segment_breaks(data)
        if self.rows and self.cell:
            self.cell[-1].append(html.unescape(data))
        else:
            self.out.append(html.unescape(data))


# One token of markup: a comment, a declaration or processing instruction, or a start/end tag (group 1 the
# slash, 2 the name, 3 the attributes, quoted values may hold `>`). Driving _TextExtractor from this one
# regex is ~4x faster than html.parser's tokenizer; tag-name rules follow html.parser's. The shared `<`
# is factored out and the attribute loop is possessive (it has one parse only): both make matching faster.
_TOKEN = re.compile(r"""<(?:!--.*?(?:-->|\Z)|![^>]*>?|\?[^>]*>?"""
                    r"""|(/?)([a-zA-Z][^\t\n\r\f />\x00]*)((?:[^>"']++|"[^"]*+"|'[^']*+')*+)>)""", re.S)
# Raw-text elements: their content is not markup (a `<` in a script is not a tag).
_RAW_TEXT_END = {"script": re.compile(r"</script\s*>", re.I), "style": re.compile(r"</style\s*>", re.I)}


def html_to_text(markup: str) -> str:
    parser = _TextExtractor()
    pos = 0
    while pos < len(markup):
        for m in _TOKEN.finditer(markup, pos):
            if m.start() > pos:
                parser.handle_data(markup[pos:m.start()])
            pos = m.end()
            slash, name, attrs = m.groups()
            if name is None:  # comment, doctype, processing instruction
                continue
            tag = name.lower()
            if tag not in _HANDLED_TAGS:  # span, font, a...: markup that only splits the text
                continue
            if slash:
                parser.handle_endtag(tag)
            elif attrs.endswith("/"):
                parser.handle_startendtag(tag)
            else:
                parser.handle_starttag(tag)
                if tag in _RAW_TEXT_END:  # tokenize again from the element's end tag
                    end = _RAW_TEXT_END[tag].search(markup, pos)
                    pos = end.start() if end else len(markup)
                    break
        else:
            break
    if pos < len(markup):
        parser.handle_data(markup[pos:])
    return html.unescape("".join(parser.out))


# `[\s>/]` rather than `\b`: a Unicode word boundary makes polars' regex engine ~20x slower on CJK text.
_HTML_SNIFF = re.compile(r"^\s*(<!doctype html|<html|<\?xml)|<(body|div|p|table)[\s>/]", re.IGNORECASE)


# --- script -----------------------------------------------------------------------------------------


@functools.cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


# Characters OpenCC converts out of context that simplified text also uses, in place names above all
# (乾安县, 乾县): alone they do not make a text traditional, so simplified text with them is not converted.
_SIMPLIFIED_TOO = "乾"


@functools.cache
def _script_classes() -> tuple[str, str]:
    """Regex classes of traditional-only and simplified-only Han characters, derived from OpenCC itself."""
    han = "".join(chr(c) for c in range(0x4E00, 0xA000))
    to_simp = _t2s().convert(han)
    to_trad = opencc.OpenCC("s2t").convert(han)
    trad = "".join(a for a, b in zip(han, to_simp, strict=True) if a != b and a not in _SIMPLIFIED_TOO)
    simp = "".join(a for a, b in zip(han, to_trad, strict=True) if a != b)
    return f"[{re.escape(trad)}]", f"[{re.escape(simp)}]"


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def script_expr(n_trad: pl.Expr, n_simp: pl.Expr) -> pl.Expr:
    """`traditional` or `simplified` when one script clearly dominates; a stray nav link (繁體版) does not count."""
    total = n_trad + n_simp
    return (pl.when((n_trad <= 3) | (n_trad < 0.05 * total)).then(pl.lit("simplified"))
            .when((n_simp <= 3) | (n_simp < 0.05 * total)).then(pl.lit("traditional"))
            .otherwise(pl.lit("mixed")))


def _update_rows(s: pl.Series, mask: pl.Series, fn: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """Replace the rows selected by mask with fn of those rows, leaving the others untouched."""
    idx = mask.fill_null(False).arg_true()
    if idx.len() == 0:
        return s
    return s.scatter(idx, fn(s.gather(idx)))


def _map_rows(s: pl.Series, mask: pl.Series, fn: Callable[[str], str], budget: float | None = None,
              timed_out: set[int] | None = None) -> pl.Series:
    """Apply a Python-only string function to the rows selected by mask, leaving the others untouched.
    Only rows it changes are written back: building a column from Python strings is costly. A row fn takes
    over `budget` seconds on keeps its text and joins `timed_out` (row numbers): it is rejected later."""
    idx = mask.fill_null(False).arg_true()
    before = s.gather(idx).to_list()
    if budget and budget > 0:
        after = []
        for i, text in zip(idx.to_list(), before, strict=True):
            done, out = file_budget.within(budget, fn, text)
            if not done and timed_out is not None:
                timed_out.add(i)
            after.append(out if done else text)
    else:
        after = [fn(text) for text in before]
    changed = [i for i, (old, new) in enumerate(zip(before, after, strict=True)) if new is not old]
    if not changed:
        return s
    return s.scatter(idx.gather(changed), pl.Series([after[i] for i in changed], dtype=pl.String))


# --- text rules, applied in order ----------------------------------------------------------------------


_TAB_LINE = re.compile(r"[^\S\n]*(\S[^\t\n]*(?:\t+[^\t\n]*\S)+)[^\S\n]*")


_NUMBER_CELL = re.compile(r"\s*\d[\d,.]*\s*")


def _bare_pipe_row(line: str) -> str:
    """A markdown row written without its outer bars (`规章|22|235`, `行政强制|2154`, `|0|1` after an empty
    cell) as a whole row; a line with bars at both ends, or a lone bar between words, is left alone."""
    stripped = line.strip()
    if "|" not in stripped or (stripped.startswith("|") and stripped.endswith("|")):
        return line
    cells = stripped.split("|")
    if len(cells) >= 3 or _NUMBER_CELL.fullmatch(cells[-1]):
        return _row(cells)
    return line


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(c.strip() for c in cells) + " |"


# Every text cell_rows changes has a tab between two characters or a line with a bar at one end only.
_CELL_ROWS_GATE = r"\S\t+\S|\|[^\n|]*[^|\s][^\S\n]*(?:\n|$)|(?:^|\n)[^\S\n]*[^|\s][^\n]*\|"


# One cell on a line, closed by a bar, perhaps with empty cells after it (`规章 |`, `0 | ||`): a table whose
# cells a page wrote one per line. Runs shorter than _CELL_LINE_RUN are left alone.
# Possessive and atomic: a line of long space runs is matched in linear time. No cell: an empty one.
_CELL_LINE = re.compile(r"[^\S\n]*+((?>[^|\n]*[^|\s]))?[^\S\n]*+\|[|\s]*")
_CELL_LINE_RUN = 6


def regroup_cell_lines(lines: list[str]) -> list[str]:
    """Runs of one-cell lines as rows: a cell that is no number opens a row, the number cells after it are
    its values (`规章 |`, `0 |`, `0 |`, `0 |` -> `| 规章 | 0 | 0 | 0 |`), and so is an empty cell (a bar
    alone); a label with no numbers after it is a row of its own (a header cell)."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and lines[j].rstrip().endswith("|") and _CELL_LINE.fullmatch(lines[j]):
            j += 1
        if sum(_CELL_LINE.fullmatch(x).group(1) is not None for x in lines[i:j]) < _CELL_LINE_RUN:  # type: ignore[union-attr]
            out.extend(lines[i:max(j, i + 1)])
            i = max(j, i + 1)
            continue
        rows: list[list[str]] = []
        for line in lines[i:j]:
            cell = _CELL_LINE.fullmatch(line).group(1) or ""  # type: ignore[union-attr]
            value = cell == "" or cell in BLANK_CELLS or _NUMBER_CELL.fullmatch(cell) is not None
            if rows and value and (len(rows[-1]) > 1 or not _NUMBER_CELL.fullmatch(rows[-1][0] or "-")):
                rows[-1].append(cell)
            elif cell:
                rows.append([cell])
        out.extend(_row(r) for r in rows)
        i = j
    return out


def cell_rows(text: str) -> str:
    """Lines of tab-separated cells (a table copied out of a spreadsheet or a Word document), markdown rows
    without their outer bars, and cells written one per line as the `| a | b |` rows the HTML path writes,
    so the table readers see their cells. A tab before a line's text is indentation."""
    if "\t" in text:
        text = _TAB_LINE.sub(lambda m: _row(re.split(r"\t+", m.group(1))), text)
    if "|" in text:
        lines = regroup_cell_lines(text.split("\n"))
        text = "\n".join(_bare_pipe_row(line) if "|" in line else line for line in lines)
    return text


class Rule(NamedTuple):
    pattern: str
    repl: str
    # A regex every match of `pattern` contains, led by a literal the regex engine searches for fast: only rows
    # it matches are rewritten. For patterns that start with a big character class, which scan slowly.
    gate: str | None = None

    def replace(self, text: pl.Series) -> pl.Series:
        return text.str.replace_all(self.pattern, self.repl)


_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹ"
_PINYIN = "a-zü" + _TONED
_TONES = {"a": "aāáǎà", "e": "eēéěè", "i": "iīíǐì", "o": "oōóǒò", "u": "uūúǔù", "ü": "üǖǘǚǜv"}


def pinyin_syllable() -> str:
    """A regex of one pinyin syllable as ruby writes it (lower case, tone marks on its vowels): an initial and
    a final of vocab/pinyin_syllable_parts.csv, so `(www)`, `(app)` or `(pdf)` after a word is no reading."""
    parts = vocabulary.rows("pinyin_syllable_parts.csv")

    def letters(text: str) -> str:
        return "".join(f"[{_TONES[c]}]" if c in _TONES else re.escape(c) for c in text)

    def alternation(kind: str) -> str:  # longest first: `zh` before `z`, `iang` before `ia`
        return "|".join(letters(p["letters"]) for p in sorted(
            (p for p in parts if p["part"] == kind), key=lambda p: -len(p["letters"])))

    return f"(?:{alternation('initial')})?(?:{alternation('final')})"


ARTIFACT_RULES: list[Rule] = [
    Rule(r"[\t\u00a0\u3000\u2002\u2003\u200b\ufeff]", " "),
    # Pinyin ruby injected after a character by some sites' reading aids: 現(xiàn) -> 現; a PDF line may break
    # between the character and its reading, which then has a tone mark (a bracket of Latin letters on the next
    # line, `(www)`, is no reading). Only a pinyin syllable is a reading: 网站(www), 客户端(app) stay.
    Rule(rf"(\p{{Han}})[(（](?:{pinyin_syllable()})[)）]", "${1}", gate=rf"[(（][{_PINYIN}]+[)）]"),
    Rule(rf"(\p{{Han}})\n[(（][a-zü]*[{_TONED}][a-zü]*[)）]", "${1}", gate=rf"\n[(（][a-zü]*[{_TONED}]"),
    # Debris of broken markup: `?! ?/p>` after a sentence, lone `?` lines.
    Rule(r"\?!\s*\?/p>|\?/p>", ""),
    Rule(r"(?m)^[ ]*\?[ ]*$", ""),
]

_CHROME_LINE = [
    r"关闭", r"打印", r"分享", r"下载本页\s*打印", r"【?\s*关闭窗口\s*】?", r"【?\s*打印本页\s*】?",
    r"扫一扫在手机打开当前页面", r"返回\s*下载\s*相关\s*举报", r"点击查看更多>>", r"展开阅读全文", r"相关资源",
    r"正为您匹配相似的精品文档", r"相关搜索", r"最新文档", r"资源描述", r"—\s*\d+\s*—", r"-\s*\d+\s*-",
    r"第\s*\d+\s*页\s*/\s*共\s*\d+\s*页", r"浏览次数[:：]?\s*", r"【\s*(字体|大|中|小|\s)*】",
]
# Chrome lines known by a word with anything around it: only a line of a footer's length is one. A page whose
# whitespace a crawler collapsed is one line, and dropping that line from 版权所有 to its end drops the report.
_CHROME_SPAN = re.compile(r"[ ]*(?:Produced By.*|设为首页.*|.*ICP备.*|.*公网安备.*|Copyright.*|.*版权所有.*"
                          r"|字体[:：]?\s*\[.*\].*|(您现在所在的|您当前的|当前)位置[:：].*|电脑版.*|.*\.docx?_第\d+页"
                          r"|《.*》由会员分享.*|地址[:：].*邮编.*|主办单位[:：].*|网站标识码.*)[ ]*")
_CHROME_SPAN_GATE = (r"Produced By|设为首页|ICP备|公网安备|Copyright|版权所有|字体|位置[:：]|电脑版|_第\d+页"
                     r"|由会员分享|邮编|主办单位|网站标识码")
_CHROME_SPAN_WORD = re.compile(_CHROME_SPAN_GATE)
_FOOTER_MAX = 160


def drop_chrome_lines(text: str) -> str:
    """Drop the lines of at most _FOOTER_MAX characters that _CHROME_SPAN matches whole. Only the lines
    holding one of its words are looked at."""
    out, pos = [], 0
    for m in _CHROME_SPAN_WORD.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        if start < pos:
            continue  # a second word on a line already judged
        end = text.find("\n", m.end())
        end = len(text) if end < 0 else end
        if end - start <= _FOOTER_MAX and _CHROME_SPAN.fullmatch(text, start, end):
            out.append(text[pos:start])
        else:
            out.append(text[pos:end])
        pos = end
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


CHROME_RULES: list[Rule] = [
    # PDF page counters (— 1 —) sit inside sentences: drop the whole line so the sentence rejoins.
    Rule(r"\n[ ]*[—-]\s*\d+\s*[—-][ ]*\n", "\n"),
    Rule(r"(?m)^[ ]*(" + "|".join(_CHROME_LINE) + r")[ ]*$", ""),
    Rule(r"字体[:：]\s*\[[^\]\n]*\]", ""),
    # Document sites append a machine summary that repeats the text (内容总结 ...): drop it to the line end.
    Rule(r"内容总结[^\n]*", ""),
]


def _apply(text: pl.Series, rules: list[Rule]) -> pl.Series:
    for rule in rules:
        if rule.gate is None:
            text = rule.replace(text)
        else:
            text = _update_rows(text, text.str.contains(rule.gate), rule.replace)
    return text


def _tidy_whitespace(text: pl.Series) -> pl.Series:
    """Strip every line's trailing then leading spaces; at most one blank line in a row. Line ends are
    matched as `\n` plus the text's own ends, not `(?m)$`/`^`: those anchors defeat the regex engine's
    literal search (~7x slower)."""
    text = text.str.replace_all(r"[ ]+\n", "\n").str.strip_chars_end(" ")
    text = text.str.replace_all(r"\n[ ]+", "\n").str.strip_chars_start(" ")
    return text.str.replace_all(r"\n{3,}", "\n\n")


_FULLWIDTH = {chr(0xFF10 + i): str(i) for i in range(10)} | {"％": "%", "．": "."}


@functools.cache
def _variants() -> dict[str, str]:
    """Variant characters OpenCC leaves as they are (谘询 -> 咨询): vocab/variant_characters.csv."""
    return vocabulary.mapping("variant_characters.csv", "variant", "standard")

_SENTENCE_END = ("。", "！", "？", "：", "；")

# Document sites cut the text into numbered page fragments (`1、…` `2、…`) that split words.
_FRAGMENT = re.compile(r"\n+(\d{1,3})、")


def join_page_fragments(text: str) -> str:
    """Join `N、` page fragments back together when N runs 1,2,3... over long, unpunctuated breaks."""
    marks = list(_FRAGMENT.finditer(text))
    if len(marks) < 2:
        return text
    out, last, expect, joined = [], 0, None, 0
    for m in marks:
        n = int(m.group(1))
        prev_break = text.rfind("\n", 0, m.start())
        prev_line = text[prev_break + 1:m.start()]
        mid_sentence = len(prev_line) > 150 and not prev_line.endswith(_SENTENCE_END)
        if (expect is None or n == expect) and n >= 2 and mid_sentence:
            out.append(text[last:m.start()])
            last = m.end()
            joined += 1
            expect = n + 1
        elif n == 1:
            expect = 2
    if joined < 1:
        return text
    out.append(text[last:])
    joined_text = "".join(out)
    # The first fragment's marker `1、` sits at the start of its line.
    return re.sub(r"(?m)^1、", "", joined_text, count=1)


_HEADING_START = re.compile(
    r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[.、．](?!\d)|第.+[条项章]|\||注[:：]|#)")


# join_wrapped_lines' test for hard-wrapped text: at least _WRAP_MIN_LINES counted lines (_WRAP_MIN_LENGTH+
# characters, no table row) whose _WRAP_QUANTILE length, the wrap width, lies within _WRAP_WIDTHS, and at
# least _WRAP_MIN_SHARE of them within _WRAP_SLACK characters of it: PDF lines share one width, while a web
# page mixes paragraphs and short label/value lines of every length.
_WRAP_MIN_LINES = 20
_WRAP_MIN_LENGTH = 8
_WRAP_QUANTILE = 0.75
_WRAP_WIDTHS = (15, 60)
_WRAP_SLACK = 3
_WRAP_MIN_SHARE = 1 / 4
# A column gap: two spaces inside a line (its ends are stripped by now) lay out a table row.
_COLUMN_GAP = "  "
# A label/value line (`收到申请 12件`, `办结 12件`) or a lone cell value (`1259`): a row of a table, never a
# sentence broken by a wrap. A value without a unit after a label is no row: `…统计期限为 2025` + `年…` is a wrap.
_ROW_LINE = re.compile(rf"(?:[^，,；;。：:、！？!?]*?\D)?\s*\d[\d.,]*\s*(?:万|亿)?(?:{UNITS})|\d[\d.,]*")


# How far a line's start overruns the line before: a PDF line breaks before a number, a URL (`0639-` +
# `3173845）。`) or a closing mark (`邮编` + `：354963`) that would not fit. A line opening with a closing mark
# continues the line before whatever its length (`…公开 156 件` + `，及时回复…`).
_UNBREAKABLE = re.compile(r"[!-~]+")
_CLOSING = tuple("，。、；：？！）》」』”’%")


def _overrun(line: str) -> int:
    m = _UNBREAKABLE.match(line)
    return len(m.group()) if m else 0


def _table_like(line: str) -> bool:
    return line.startswith("|") or _COLUMN_GAP in line or _ROW_LINE.fullmatch(line) is not None


def _wrap_width(lines: list[str]) -> int | None:
    """The common width of a hard-wrapped text's lines, or None when its lines are not hard-wrapped."""
    lengths = sorted(len(x) for x in lines
                     if len(x) >= _WRAP_MIN_LENGTH and not x.startswith("|") and _COLUMN_GAP not in x)
    if len(lengths) < _WRAP_MIN_LINES:
        return None
    wrap = lengths[int(len(lengths) * _WRAP_QUANTILE)]
    if not _WRAP_WIDTHS[0] <= wrap <= _WRAP_WIDTHS[1]:
        return None
    near = bisect.bisect_right(lengths, wrap + _WRAP_SLACK) - bisect.bisect_left(lengths, wrap - _WRAP_SLACK)
    return wrap if near >= _WRAP_MIN_SHARE * len(lengths) else None


def join_wrapped_lines(text: str) -> str:
    """Undo PDF hard wraps: in text whose lines are of a common width, a line of about that width that ends
    mid-sentence continues on the next line, unless that line starts a heading or either is a table row."""
    lines = text.split("\n")
    wrap = _wrap_width(lines)
    if wrap is None:
        return text
    out: list[list[str]] = []  # each paragraph's lines, joined once at the end (+= on a long one is quadratic)
    prev = ""  # the previous line as it was: a joined paragraph is longer than any line of it
    for line in lines:
        if prev and line and not prev.endswith(_SENTENCE_END) and _continues(prev, line, wrap):
            out[-1].append(line)
        else:
            out.append([line])
        prev = line
    return "\n".join("".join(parts) for parts in out)


def _continues(prev: str, line: str, wrap: int) -> bool:
    """Whether `line` carries on the sentence that `prev`, a line not ending one, broke off at the wrap width."""
    if line.startswith(_CLOSING):
        return not prev.startswith("|")
    return (len(prev) + _overrun(line) >= wrap - 4 and not _HEADING_START.match(line)
            and not _table_like(prev) and not _table_like(line))


def _hard_wrapped(text: pl.Series) -> pl.Series:
    """The first part of _wrap_width's test (enough counted lines, the wrap width in range), over a whole column:
    join_wrapped_lines returns the other rows as they are, and polars picks them out ~3x faster than Python,
    before even counting the cost of handing the text to Python."""
    line = pl.element()
    length = line.str.len_chars()
    counted = pl.when((length >= _WRAP_MIN_LENGTH) & ~line.str.starts_with("|")
                      & ~line.str.contains(_COLUMN_GAP, literal=True)).then(length)
    lengths = text.str.split("\n").list.eval(counted.drop_nulls().sort())
    n = lengths.list.len()
    wrap = lengths.list.get((n * _WRAP_QUANTILE).floor().cast(pl.Int64), null_on_oob=True)
    return (n >= _WRAP_MIN_LINES) & wrap.is_between(*_WRAP_WIDTHS)


# The characters str.strip() removes (str.isspace), for polars' strip_chars.
_STR_WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
                   "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def normalize_frame(df: pl.DataFrame, text_col: str = "text", budget: float | None = None) -> pl.DataFrame:
    """Add `norm_text` and `script` to a batch. Rows with a null text pass through with nulls. A row whose
    Python-only passes (HTML, OpenCC, page fragments, wrapped lines) take over `budget` seconds, each, gets
    an `extract_timeout` reason in `error` (a column added when the batch has none)."""
    trad_class, simp_class = _script_classes()
    text = df[text_col]
    slow: set[int] = set()
    text = _map_rows(text, text.str.slice(0, 5000).str.contains("(?i)" + _HTML_SNIFF.pattern), html_to_text,
                     budget, slow)
    text = _map_rows(text, text.str.contains(_CELL_ROWS_GATE), cell_rows, budget, slow)
    text = _apply(text, ARTIFACT_RULES)
    n_trad = text.str.count_matches(trad_class)
    # script_expr reads n_simp only where n_trad > 3, so the costlier simplified-only class is counted only
    # there; elsewhere n_simp is a stand-in copy of n_trad (null where the text is null, as before).
    traditional_enough = (n_trad > 3).fill_null(False).arg_true()
    n_simp = n_trad.clone().scatter(traditional_enough,
                                    text.gather(traditional_enough).str.count_matches(simp_class))
    script = pl.select(script_expr(pl.lit(n_trad), pl.lit(n_simp))).to_series()
    # OpenCC only where a traditional character occurs: most reports are simplified already.
    text = _map_rows(text, n_trad > 0, to_simplified, budget, slow)
    text = _apply(text, CHROME_RULES)
    text = _map_rows(text, text.str.contains(_CHROME_SPAN_GATE), drop_chrome_lines, budget, slow)
    text = text.str.replace_many(_FULLWIDTH | _variants())
    text = _tidy_whitespace(text)
    # join_page_fragments changes only text with two fragment marks, which polars finds far faster than `re`
    # (its `\d` is Unicode Nd like Python's, in a Unicode version no older: it never finds fewer marks).
    text = _map_rows(text, text.str.count_matches(_FRAGMENT.pattern) >= 2, join_page_fragments, budget, slow)
    text = _map_rows(text, _hard_wrapped(text), join_wrapped_lines, budget, slow)
    out = df.with_columns(text.str.strip_chars(_STR_WHITESPACE).alias("norm_text"), script.alias("script"))
    if slow:
        late = pl.int_range(pl.len()).is_in(sorted(slow))
        error = pl.col("error") if "error" in out.columns else pl.lit(None, pl.String)
        out = out.with_columns(pl.when(late).then(pl.lit(file_budget.reason(budget, "normalize")))
                               .otherwise(error).alias("error"))
    return out


# A disclosure report names its subject; a news page or an English document does not.
_REPORT_WORDS = r"(信息公开|政务公开|政府信息|公开工作|依申请)"
MIN_HAN_RATIO = 0.10


def _han_count(text: pl.Series) -> pl.Series:
    # Removing the non-Han runs and measuring what is left is ~2x faster than counting Han characters one by one.
    return text.str.replace_all(r"\P{Han}+", "").str.len_chars()


def _not_chinese(norm: pl.Series) -> pl.Series:
    """No visible character, or Han characters fewer than MIN_HAN_RATIO of the visible ones. The Han characters
    of the first quarter of nearly every report already exceed MIN_HAN_RATIO of all its characters, which
    settles it; only the other texts are counted in full."""
    n_chars = norm.str.len_chars()
    maybe = _han_count(norm.str.slice(0, n_chars // 4)) <= MIN_HAN_RATIO * n_chars
    idx = maybe.fill_null(False).arg_true()
    rest = norm.gather(idx)
    visible = rest.str.replace_all(r"\s+", "").str.len_chars()
    return maybe.scatter(idx, (visible == 0) | (_han_count(rest) < MIN_HAN_RATIO * visible))


def screen_expr(norm: pl.Expr, not_chinese: pl.Expr) -> pl.Expr:
    """Quarantine reason for normalized text that is no disclosure report (null when it may be one)."""
    return (pl.when(norm.is_null()).then(None)
            .when(not_chinese).then(pl.lit("not_chinese_text"))
            .when(~norm.str.contains(_REPORT_WORDS)).then(pl.lit("not_a_report: no mention of information disclosure"))
            .otherwise(None))


def normalize_text(text: str) -> tuple[str, str]:
    """One document through the same batch pipeline: (normalized text, script)."""
    row = normalize_frame(pl.DataFrame({"text": [text]})).row(0, named=True)
    return row["norm_text"], row["script"]


def normalize_batch(decoded: pl.DataFrame, budget: float | None = None) -> pl.DataFrame:
    """A decoded batch -> plus `norm_text` and `script`; text that is no report gets its reason in `error`,
    as does one whose normalizing takes over `budget` seconds (normalize_frame)."""
    frame = normalize_frame(decoded, budget=budget)
    screened = screen_expr(pl.col("norm_text"), pl.lit(_not_chinese(frame["norm_text"])))
    # Text that reads as no report after a legacy-codec guess was most likely mis-encoded: say so.
    guessed = pl.col("encoding").is_in(["gb18030", "big5"])
    reason = pl.when(screened.is_not_null() & guessed).then(
        pl.format("{} (decoded as {}: probably mis-encoded)", screened, pl.col("encoding"))).otherwise(screened)
    return frame.with_columns(pl.coalesce(pl.col("error"), reason).alias("error"))
