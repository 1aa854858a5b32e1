"""A disclosure portal on 127.0.0.1 for the fetch tests: the example reports as pages, a list page (two pages
of it) linking them, a PDF attachment, a redirect, a 404, a 500 that recovers, a slow response, a robots.txt
forbidding /private/, ETag and Last-Modified with 304 answers. Every request is logged."""

from __future__ import annotations

import email.utils
import hashlib
import pathlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote, urlsplit

ROOT = pathlib.Path(__file__).resolve().parents[1]
REPORTS = sorted((ROOT / "examples" / "reports").iterdir()) + sorted(
    p for p in (ROOT / "examples" / "real").iterdir() if p.suffix != ".pdf")
PDF = ROOT / "examples" / "real" / "022_huaian_gov_2024.pdf"


def last_modified(body: bytes) -> str:
    """A Last-Modified that changes when the bytes do (this portal keeps no clock of edits)."""
    return email.utils.formatdate(1.7e9 + int(hashlib.sha1(body).hexdigest()[:6], 16), usegmt=True)

SLOW_SECONDS = 1.5  # the slow page's first answer: beyond the tests' --timeout


@dataclass
class Hit:
    path: str
    status: int
    conditional: bool
    late: bool = False  # answered after the client's time limit (the slow page's first answer)


@dataclass
class Portal:
    """What the portal serves: path -> (bytes, content type). Pages under /reports/, the list at /list.html."""

    pages: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    attempts: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        items = []
        for i, report in enumerate(REPORTS):
            kind = "text/html; charset=utf-8" if report.suffix == ".html" else "text/plain"
            self.pages[f"/reports/{report.name}"] = (report.read_bytes(), kind)
            items.append((f"/reports/{report.name}", f"{report.stem}政府信息公开工作年度报告", i))
        self.pages["/files/huaian.pdf"] = (PDF.read_bytes(), "application/pdf")
        self.pages["/reports/huaian.html"] = (
            "<html><body><h1>淮安市人民政府2024年政府信息公开工作年度报告</h1>"
            "<p>附件：<a href='/files/huaian.pdf'>2024年度报告.pdf</a></p></body></html>".encode(), "text/html")
        self.pages["/robots.txt"] = (b"User-agent: *\nDisallow: /private/\n", "text/plain")
        self.pages["/private/secret.html"] = ("<p>不应下载</p>".encode(), "text/html")
        half = len(items) // 2
        special = [("/reports/huaian.html", "淮安市2024年年报"),
                   ("/old/moved", "已迁移的年度报告"),  # 301 -> /reports/moved.txt
                   ("/reports/missing.html", "缺失的年度报告"),  # 404
                   ("/reports/flaky.txt", "偶尔出错的年度报告"),  # 500 once, then the report
                   ("/reports/slow.txt", "很慢的年度报告"),  # too slow once, then the report
                   ("/private/secret.html", "内部年度报告"),  # robots.txt forbids it
                   ("/about.html", "关于我们"),  # not a report link
                   ("http://localhost:{port}/reports/other-site.html", "另一网站的年度报告")]  # another site
        first = [(href, text) for href, text, _ in items[:half]] + special
        second = [(href, text) for href, text, _ in items[half:]]
        self.pages["/list.html"] = (self._list(first, "/list_2.html"), "text/html; charset=utf-8")
        self.pages["/list_2.html"] = (self._list(second, "/list_3.html"), "text/html; charset=utf-8")
        self.pages["/list_3.html"] = (self._list([("/reports/beyond.txt", "第三页的年度报告")], None), "text/html")
        # Reports of their own (one more line end each): their content is no copy of the listed reports'.
        self.pages["/reports/moved.txt"] = (REPORTS[0].read_bytes() + b"\n", "text/plain")
        self.pages["/reports/flaky.txt"] = (REPORTS[1].read_bytes() + b"\n\n", "text/plain")
        self.pages["/reports/slow.txt"] = (REPORTS[2].read_bytes() + b"\n\n\n", "text/plain")
        self.pages["/about.html"] = (b"<p>about</p>", "text/html")

    @staticmethod
    def _list(entries: list[tuple[str, str]], next_page: str | None) -> bytes:
        rows = "".join(f"<li><a href=\"{quote(h, safe='/:{}')}\">{t}</a></li>" for h, t in entries)
        more = f"<a href='{next_page}'>下一页</a>" if next_page else ""
        return f"<html><body><ul>{rows}</ul>{more}</body></html>".encode()

    def report_paths(self) -> set[str]:
        """Every report the list's two followed pages link to that a fetch can and may get (its own URL)."""
        return {p for p in self.pages if p.startswith("/reports/") and p not in ("/reports/beyond.txt",)}

    def downloads(self, path: str) -> int:
        """How often the path's bytes were sent in full (200)."""
        with self.lock:
            return sum(h.path == path and h.status == 200 and not h.late for h in self.hits)


def handler(portal: Portal, port: list[int]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def _send(self, status: int, body: bytes = b"", kind: str = "text/plain", extra: dict | None = None,
                  late: bool = False) -> None:
            with portal.lock:
                portal.hits.append(Hit(self._path, status, "If-None-Match" in self.headers
                                       or "If-Modified-Since" in self.headers, late))
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if body:
                self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - the http.server interface
            self._path = unquote(urlsplit(self.path).path)
            if self.headers.get("Host", "").startswith("localhost"):
                self._path = "http://localhost" + self._path  # the "other site": must never be asked
                return self._send(404)
            with portal.lock:
                portal.attempts[self._path] = attempt = portal.attempts.get(self._path, 0) + 1
            if self._path == "/old/moved":
                return self._send(301, extra={"Location": "/reports/moved.txt"})
            if self._path == "/reports/flaky.txt" and attempt == 1:
                return self._send(500, b"busy")
            late = self._path == "/reports/slow.txt" and attempt == 1
            if late:
                time.sleep(SLOW_SECONDS)
            if self._path not in portal.pages:
                return self._send(404, b"not found")
            body, kind = portal.pages[self._path]
            body = body.replace(b"{port}", str(port[0]).encode())
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            # Half the pages validate by ETag, the others by Last-Modified only: both kinds of re-check.
            by_etag = int(hashlib.md5(self._path.encode()).hexdigest(), 16) % 2 == 0
            validators = {"ETag": etag} if by_etag else {"Last-Modified": last_modified(body)}
            if by_etag and self.headers.get("If-None-Match") == etag:
                return self._send(304, extra=validators)
            if not by_etag and self.headers.get("If-Modified-Since") == validators["Last-Modified"]:
                return self._send(304, extra=validators)
            try:
                self._send(200, body, kind, validators, late)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the slow page)

    return Handler


def serve(portal: Portal) -> tuple[ThreadingHTTPServer, str]:
    """Start the portal on 127.0.0.1 (a free port) in a daemon thread; returns the server and its base URL."""
    port: list[int] = [0]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(portal, port))
    server.daemon_threads = True
    port[0] = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{port[0]}"

