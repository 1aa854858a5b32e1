"""Raw report text -> normalized text (simplified script, artifacts and page chrome removed).

The normalized text is what the warehouse stores and what every fact's span points into, so every
later stage reads only this text. Rules are regexes applied as polars expressions over a whole batch;
the two Python-only steps (HTML parsing and OpenCC conversion) run only on the rows that need them.
Chrome rules remove whole lines that consist of nothing but chrome, so they cannot eat report text.
"""

from __future__ import annotations

import functools
import html
import re

import opencc
import polars as pl

# --- HTML -------------------------------------------------------------------------------------------

_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
               "article", "header", "footer", "tbody", "thead", "dd", "dt", "form", "hr", "pre", "blockquote"}
_SKIP_TAGS = {"script", "style", "noscript", "iframe", "select", "option", "button", "svg"}


class _TextExtractor:
    """Block elements become line breaks; a table row becomes one line `| cell | cell |`.

    Cell text is joined without separators because scraped tables split labels across tags
    (`自然</span><span>人`, `本年新<br />制作数量`); empty cells stay as empty cells so columns keep
    their positions.
    """

    def __init__(self) -> None:
        self.out: list[str] = []
        self.skip = 0
        self.in_head = False
        self.title_seen = False
        self.in_title = False
        self.rows: list[list[str]] = []  # stack: current row per nested table
        self.cell: list[list[str]] = []  # stack: current cell text per nested table

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIP_TAGS:
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
        elif tag == "tr" and self.rows:
            self.rows[-1] = []
        elif tag in ("td", "th") and self.cell:
            self.cell[-1] = []
        elif tag in _BLOCK_TAGS and not self.rows:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
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
        elif tag in ("td", "th") and self.cell:
            self.rows[-1].append(re.sub(r"\s+", "", "".join(self.cell[-1])))
            self.cell[-1] = []
        elif tag == "tr" and self.rows:
            if any(self.rows[-1]):
                self.out.append("\n| " + " | ".join(self.rows[-1]) + " |\n")
            self.rows[-1] = []
        elif tag == "table" and self.rows:
            self.rows.pop()
            self.cell.pop()
            self.out.append("\n")
        elif tag in _BLOCK_TAGS and not self.rows:
            self.out.append("\n")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in ("br", "hr") and not self.rows:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skip or (self.in_head and not self.in_title):
            return
        if self.rows and self.cell:
            self.cell[-1].append(data)
        else:
            self.out.append(data)


# One token of markup: a comment, a declaration or processing instruction, or a start/end tag (group 1 the
# slash, 2 the name, 3 the attributes, quoted values may hold `>`). Driving _TextExtractor from this one
# regex is ~4x faster than html.parser's tokenizer; tag-name rules follow html.parser's.
_TOKEN = re.compile(r"""<!--.*?(?:-->|\Z)|<![^>]*>?|<\?[^>]*>?"""
                    r"""|<(/?)([a-zA-Z][^\t\n\r\f />\x00]*)((?:[^>"']|"[^"]*"|'[^']*')*)>""", re.S)
# Raw-text elements: their content is not markup (a `<` in a script is not a tag).
_RAW_TEXT_END = {"script": re.compile(r"</script\s*>", re.I), "style": re.compile(r"</style\s*>", re.I)}


def html_to_text(markup: str) -> str:
    parser = _TextExtractor()
    pos = 0
    for_data = parser.handle_data
    while (m := _TOKEN.search(markup, pos)) is not None:
        if m.start() > pos:
            for_data(html.unescape(markup[pos:m.start()]))
        pos = m.end()
        if m.group(2) is None:  # comment, doctype, processing instruction
            continue
        tag = m.group(2).lower()
        if m.group(1):
            parser.handle_endtag(tag)
        elif m.group(3).endswith("/"):
            parser.handle_startendtag(tag, [])
        else:
            parser.handle_starttag(tag, [])
            if tag in _RAW_TEXT_END:
                end = _RAW_TEXT_END[tag].search(markup, pos)
                pos = end.start() if end else len(markup)
    if pos < len(markup):
        for_data(html.unescape(markup[pos:]))
    return html.unescape("".join(parser.out))


# `[\s>/]` rather than `\b`: a Unicode word boundary makes polars' regex engine ~20x slower on CJK text.
_HTML_SNIFF = re.compile(r"^\s*(<!doctype html|<html|<\?xml)|<(body|div|p|table)[\s>/]", re.IGNORECASE)


def is_html(text: str) -> bool:
    return bool(_HTML_SNIFF.search(text[:5000]))


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


def _map_rows(s: pl.Series, mask: pl.Series, fn) -> pl.Series:
    """Apply a Python-only string function to the rows selected by mask, leaving the others untouched."""
    idx = mask.fill_null(False).arg_true()
    if idx.len() == 0:
        return s
    return s.scatter(idx, s.gather(idx).map_elements(fn, return_dtype=pl.String))


# --- text rules (pattern, replacement), applied in order ---------------------------------------------

_PINYIN = "a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ"
ARTIFACT_RULES: list[tuple[str, str]] = [
    (r"[\u00a0\u3000\u2002\u2003\u200b\ufeff]", " "),
    (r"\t", " "),
    # Pinyin ruby injected after a character by some sites' reading aids: 現(xiàn) -> 現
    (rf"(\p{{Han}})[(（][{_PINYIN}]+[)）]", "${1}"),
    # Debris of broken markup: `?! ?/p>` after a sentence, lone `?` lines.
    (r"\?!\s*\?/p>|\?/p>", ""),
    (r"(?m)^[ ]*\?[ ]*$", ""),
]

_CHROME_LINE = [
    r"关闭", r"打印", r"分享", r"下载本页\s*打印", r"【?\s*关闭窗口\s*】?", r"【?\s*打印本页\s*】?",
    r"Produced By.*", r"扫一扫在手机打开当前页面", r"设为首页.*", r".*ICP备.*", r".*公网安备.*", r"Copyright.*",
    r".*版权所有.*", r"字体[:：]?\s*\[.*\].*", r"(您现在所在的|您当前的|当前)位置[:：].*", r"返回\s*下载\s*相关\s*举报",
    r"点击查看更多>>", r"展开阅读全文", r"相关资源", r"正为您匹配相似的精品文档", r"相关搜索", r"最新文档",
    r"电脑版.*", r"资源描述", r"—\s*\d+\s*—", r"-\s*\d+\s*-", r"第\s*\d+\s*页\s*/\s*共\s*\d+\s*页",
    r".*\.docx?_第\d+页",
    r"《.*》由会员分享.*", r"当前位置[:：].*", r"地址[:：].*邮编.*", r"主办单位[:：].*",
    r"网站标识码.*", r"浏览次数[:：]?\s*", r"【\s*(字体|大|中|小|\s)*】",
]
CHROME_RULES: list[tuple[str, str]] = [
    # PDF page counters (— 1 —) sit inside sentences: drop the whole line so the sentence rejoins.
    (r"\n[ ]*[—-]\s*\d+\s*[—-][ ]*\n", "\n"),
    (r"(?m)^[ ]*(" + "|".join(_CHROME_LINE) + r")[ ]*$", ""),
    (r"字体[:：]\s*\[[^\]\n]*\]", ""),
    # Document sites append a machine summary that repeats the text (内容总结 ...): drop it to the line end.
    (r"内容总结[^\n]*", ""),
]
WHITESPACE_RULES: list[tuple[str, str]] = [
    (r"(?m)[ ]+$", ""),
    (r"(?m)^[ ]+", ""),
    (r"\n{3,}", "\n\n"),
]
_FULLWIDTH = {chr(0xFF10 + i): str(i) for i in range(10)} | {"％": "%", "．": "."}

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
        mid_sentence = len(prev_line) > 150 and not re.search(r"[。！？：；]$", prev_line)
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
    r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[.、．]|第.+[条项章]|\||注[:：]|#)")


def join_wrapped_lines(text: str) -> str:
    """Undo PDF hard wraps: in text whose lines are short and of a common width, a line that ends
    mid-sentence continues on the next line unless that line starts a heading or a table row."""
    lines = text.split("\n")
    lengths = sorted(len(x) for x in lines if len(x) >= 8 and not x.startswith("|"))
    if len(lengths) < 20:
        return text
    wrap = lengths[int(len(lengths) * 0.75)]
    if not 15 <= wrap <= 60:
        return text
    out: list[str] = []
    for line in lines:
        if out:
            prev = out[-1]
            if (len(prev) >= wrap - 4 and not prev.startswith("|") and not re.search(r"[。！？：；]$", prev)
                    and line and not _HEADING_START.match(line)):
                out[-1] = prev + line
                continue
        out.append(line)
    return "\n".join(out)


def _apply(expr: pl.Expr, rules: list[tuple[str, str]]) -> pl.Expr:
    for pattern, repl in rules:
        expr = expr.str.replace_all(pattern, repl)
    return expr


def normalize_frame(df: pl.DataFrame, text_col: str = "text") -> pl.DataFrame:
    """Add `norm_text` and `script` to a batch. Rows with a null text pass through with nulls."""
    trad_class, simp_class = _script_classes()
    text = df[text_col]
    text = _map_rows(text, text.str.slice(0, 5000).str.contains("(?i)" + _HTML_SNIFF.pattern), html_to_text)
    df = df.with_columns(text.alias("norm_text"))
    df = df.with_columns(_apply(pl.col("norm_text"), ARTIFACT_RULES))
    df = df.with_columns(
        pl.col("norm_text").str.count_matches(trad_class).alias("_n_trad"),
        pl.col("norm_text").str.count_matches(simp_class).alias("_n_simp"),
    )
    df = df.with_columns(script_expr(pl.col("_n_trad"), pl.col("_n_simp")).alias("script"))
    # OpenCC only where a traditional character occurs: most reports are simplified already.
    df = df.with_columns(_map_rows(df["norm_text"], df["_n_trad"] > 0, to_simplified).alias("norm_text"))
    df = df.with_columns(_apply(pl.col("norm_text"), CHROME_RULES).str.replace_many(_FULLWIDTH))
    df = df.with_columns(_apply(pl.col("norm_text"), WHITESPACE_RULES))
    df = df.with_columns(
        _map_rows(df["norm_text"], df["norm_text"].is_not_null(),
                  lambda t: join_wrapped_lines(join_page_fragments(t)).strip()).alias("norm_text"))
    return df.drop("_n_trad", "_n_simp")


# A disclosure report names its subject; a news page or an English document does not.
_REPORT_WORDS = r"(信息公开|政务公开|政府信息|公开工作|依申请)"
MIN_HAN_RATIO = 0.10


def screen_expr(norm: pl.Expr) -> pl.Expr:
    """Quarantine reason for normalized text that is no disclosure report (null when it may be one)."""
    visible = norm.str.replace_all(r"\s", "").str.len_chars()
    han = norm.str.count_matches(r"\p{Han}")
    return (pl.when(norm.is_null()).then(None)
            .when((visible == 0) | (han < MIN_HAN_RATIO * visible)).then(pl.lit("not_chinese_text"))
            .when(~norm.str.contains(_REPORT_WORDS)).then(pl.lit("not_a_report: no mention of information disclosure"))
            .otherwise(None))


def normalize_text(text: str) -> tuple[str, str]:
    """One document through the same batch pipeline: (normalized text, script)."""
    row = normalize_frame(pl.DataFrame({"text": [text]})).row(0, named=True)
    return row["norm_text"], row["script"]


def normalize_batch(decoded: pl.DataFrame) -> pl.DataFrame:
    """A decoded batch -> plus `norm_text` and `script`; text that is no report gets its reason in `error`."""
    screened = screen_expr(pl.col("norm_text"))
    # Text that reads as no report after a legacy-codec guess was most likely mis-encoded: say so.
    guessed = pl.col("encoding").is_in(["gb18030", "big5"])
    reason = pl.when(screened.is_not_null() & guessed).then(
        pl.format("{} (decoded as {}: probably mis-encoded)", screened, pl.col("encoding"))).otherwise(screened)
    return normalize_frame(decoded).with_columns(pl.coalesce(pl.col("error"), reason).alias("error"))
