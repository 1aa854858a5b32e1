"""Which links of a portal page to follow: report pages on a list page, its next list page, attachments.

Pure functions over a page's HTML and its URL. The words are data (transforms/vocab: report_link_words.csv,
list_next_page_words.csv, attachment_extensions.csv).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from transforms.vocabulary import column


@dataclass(frozen=True)
class Link:
    url: str
    text: str


class _Anchors(HTMLParser):
    """Every <a href> with the text inside it (or its title when the text is empty, e.g. an icon link)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self._open: list[tuple[str, str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            a = dict(attrs)
            self._open.append((a.get("href") or "", a.get("title") or "", []))

    def handle_data(self, data: str) -> None:
        for _, _, parts in self._open:
            parts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            href, title, parts = self._open.pop()
            self.found.append((href, re.sub(r"\s+", "", "".join(parts)) or title.strip()))

    def close(self) -> None:
        super().close()
        while self._open:  # an <a> never closed (truncated pages) still counts
            self.handle_endtag("a")


def anchors(html: str, base_url: str) -> list[Link]:
    """The page's http(s) links, absolute, without #fragments, in page order."""
    parser = _Anchors()
    parser.feed(html)
    parser.close()
    out = []
    for href, text in parser.found:
        href = href.strip()
        if not href or href.lower().startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        url = urldefrag(urljoin(base_url, href)).url
        if urlsplit(url).scheme in ("http", "https"):
            out.append(Link(url, text))
    return out


def site(url: str) -> tuple[str, int | None]:
    """A URL's site: its host without a leading www., and its port (the scheme's default when unwritten)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return host.removeprefix("www."), port


def same_site(url: str, other: str) -> bool:
    """Same host (www. or not) and port: http and https of one portal count as one site."""
    a, b = site(url), site(other)
    return a[0] == b[0] and (a[1] == b[1] or {a[1], b[1]} == {80, 443})


@functools.cache
def _words(name: str, key: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in column(name, key))


def _unique(urls: list[str]) -> list[str]:
    return list(dict.fromkeys(urls))


def names_report(text: str) -> bool:
    """Whether a link's text names an annual report (年报, 年度报告, 工作总结, …)."""
    return any(w in text for w in _words("report_link_words.csv", "word"))


def report_links(html: str, page_url: str) -> list[str]:
    """Same-site links whose text names an annual report, in page order, each once."""
    return _unique([a.url for a in anchors(html, page_url) if same_site(a.url, page_url) and names_report(a.text)])


def next_pages(html: str, page_url: str) -> list[str]:
    """Same-site links to the list's next page (下一页, …), other than the page itself."""
    words = _words("list_next_page_words.csv", "word")
    return _unique([a.url for a in anchors(html, page_url)
                    if same_site(a.url, page_url) and a.url != page_url and a.text.lower() in words])


def is_attachment(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(_words("attachment_extensions.csv", "extension"))


def attachments(html: str, page_url: str) -> list[str]:
    """Same-site links to documents (PDF, DOC, DOCX, WPS) on a report page, each once."""
    return _unique([a.url for a in anchors(html, page_url) if same_site(a.url, page_url) and is_attachment(a.url)])


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.I)


def decode_html(body: bytes, content_type: str | None) -> str:
    """A page's text for reading its links: the charset the server or the page names, else UTF-8, else
    GB18030 (the portals' two). Only links are read from it: a wrong guess loses link texts, no data."""
    names = []
    if content_type and (m := re.search(r"charset=([\w-]+)", content_type, re.I)):
        names.append(m[1])
    if m := _META_CHARSET.search(body[:4096]):
        names.append(m[1].decode("ascii"))
    for name in [*names, "utf-8", "gb18030"]:
        try:
            return body.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")


def looks_like_html(body: bytes, content_type: str | None) -> bool:
    if content_type and "html" in content_type.lower():
        return True
    head = body[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<a " in head
