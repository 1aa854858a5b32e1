"""`govreport fetch`: download report pages and their attachments from portals, politely and resumably.

Politeness: robots.txt is honoured (a robots.txt that cannot be read for a server error forbids the site, as
RFC 9309 says; a missing one allows it); requests to one host start at least `delay` seconds apart (more when
robots.txt asks a Crawl-delay); errors, timeouts, 429 and 5xx are retried with exponential backoff; every
response has a time limit for the whole exchange and a size limit. Re-checks are conditional (If-None-Match /
If-Modified-Since), so a nightly run over unchanged portals transfers no report again.

The output folder holds the files (`<host>/<name>`), manifest.csv (sources/manifest.py) for `govreport load`,
and hidden: the state (.fetch-state.sqlite: every URL's outcome, validators, file, run), list pages
(.lists/) and, optionally, WARC files of the exchanges (.warc/, needs the `warc` extra: warcio). Hidden
names are never listed by a load. A run killed midway leaves its run open in the state; the next run
resumes it, skipping every URL that run already settled, so nothing is downloaded twice.
"""

from __future__ import annotations

import hashlib
import io
import os
import pathlib
import re
import signal
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from sources import links
from sources.manifest import write_atomically, write_manifest

USER_AGENT = "govreport-fetch/0.1 (annual-report archiver; honours robots.txt)"
STATE_NAME = ".fetch-state.sqlite"
FORBIDDEN = "forbidden by robots.txt"
FAULT_ENV = "GOVREPORT_FAULT"  # `fetch_after:N` SIGKILLs the fetch right after its Nth stored file (tests)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 60.0  # a server's Retry-After is obeyed up to this; beyond it the retry waits this long
MAX_CRAWL_DELAY = 60.0
_SUFFIXES = {".html", ".htm", ".shtml", ".txt", ".pdf", ".doc", ".docx", ".wps"}
_BY_TYPE = {"text/html": ".html", "application/xhtml+xml": ".html", "text/plain": ".txt",
            "application/pdf": ".pdf", "application/msword": ".doc",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx"}


@dataclass
class Settings:
    delay: float = 1.0  # seconds between the starts of two requests to one host
    timeout: float = 30.0  # seconds for one whole exchange (connect, headers, body)
    max_bytes: int = 20 * 1024 * 1024  # the load's own limit: a larger file would only be quarantined
    retries: int = 3  # further attempts after a failed one
    backoff: float = 1.0  # first retry waits this, then twice as long each time
    max_pages: int = 10  # list pages followed per --list URL (the first and its 下一页 successors)
    max_redirects: int = 5
    user_agent: str = USER_AGENT
    warc: bool = False


class Blocked(Exception):
    """robots.txt forbids the URL."""


class TooLarge(Exception):
    pass


@dataclass
class Response:
    url: str  # the URL finally answered, after redirects
    status: int
    headers: httpx.Headers
    body: bytes
    request_headers: dict[str, str]


@dataclass
class Summary:
    run_id: str
    resumed: bool = False
    downloaded: list[str] = field(default_factory=list)  # URLs whose bytes were stored (new or changed)
    unchanged: list[str] = field(default_factory=list)  # 304, or the same bytes again
    resumed_skips: list[str] = field(default_factory=list)  # settled by the run this one resumes
    blocked: list[str] = field(default_factory=list)  # forbidden by robots.txt
    failed: dict[str, str] = field(default_factory=dict)  # URL -> why
    list_pages: int = 0


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


class State:
    """Every URL's last outcome, its validators and file, and the runs: a SQLite file in the output folder,
    committed after each URL (a kill loses at most the exchange under way)."""

    def __init__(self, path: pathlib.Path) -> None:
        self.con = sqlite3.connect(path, isolation_level=None)
        self.con.row_factory = sqlite3.Row
        self.con.executescript("""
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS run (run_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT);
            CREATE TABLE IF NOT EXISTS resource (
                url TEXT PRIMARY KEY, kind TEXT NOT NULL, page_url TEXT, publisher TEXT, path TEXT,
                final_url TEXT, http_status INTEGER, content_type TEXT, etag TEXT, last_modified TEXT,
                sha256 TEXT, n_bytes INTEGER, retrieved_at TEXT, checked_at TEXT, run_id TEXT, error TEXT);
        """)

    def begin(self) -> tuple[str, bool]:
        """The run to do: the last one if it never finished (resumed), else a new one."""
        row = self.con.execute("SELECT run_id FROM run WHERE finished_at IS NULL ORDER BY started_at DESC "
                               "LIMIT 1").fetchone()
        if row:
            return row["run_id"], True
        run_id = uuid.uuid4().hex[:12]
        self.con.execute("INSERT INTO run VALUES (?, ?, NULL)", (run_id, _iso(_now())))
        return run_id, False

    def finish(self, run_id: str) -> None:
        self.con.execute("UPDATE run SET finished_at = ? WHERE run_id = ?", (_iso(_now()), run_id))

    def get(self, url: str) -> sqlite3.Row | None:
        return self.con.execute("SELECT * FROM resource WHERE url = ?", (url,)).fetchone()

    def put(self, url: str, **values) -> None:
        values["url"] = url
        cols = ", ".join(values)
        marks = ", ".join("?" * len(values))
        updates = ", ".join(f"{c} = excluded.{c}" for c in values if c != "url")
        self.con.execute(f"INSERT INTO resource ({cols}) VALUES ({marks}) ON CONFLICT (url) DO UPDATE SET {updates}",
                         tuple(values.values()))

    def stored(self) -> list[sqlite3.Row]:
        return self.con.execute("SELECT * FROM resource WHERE path IS NOT NULL AND kind != 'list'").fetchall()

    def close(self) -> None:
        self.con.close()


class Politeness:
    """Per host: when the next request may start, and the robots.txt rules."""

    def __init__(self, settings: Settings, request: Callable[[str], Response | None],
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings, self._request, self._sleep = settings, request, sleep
        self._next: dict[str, float] = {}
        self._robots: dict[str, RobotFileParser] = {}

    def wait(self, url: str) -> None:
        host = urlsplit(url).netloc
        pause = self._next.get(host, 0.0) - time.monotonic()
        if pause > 0:
            self._sleep(pause)
        delay = self.settings.delay
        if (rules := self._robots.get(_origin(url))) is not None:
            delay = max(delay, min(float(rules.crawl_delay(self.settings.user_agent) or 0), MAX_CRAWL_DELAY))
        self._next[host] = time.monotonic() + delay

    def allowed(self, url: str) -> bool:
        origin = _origin(url)
        if origin not in self._robots:
            self._robots[origin] = self._read_robots(origin)
        return self._robots[origin].can_fetch(self.settings.user_agent, url)

    def _read_robots(self, origin: str) -> RobotFileParser:
        rules = RobotFileParser(origin + "/robots.txt")
        answer = self._request(origin + "/robots.txt")
        if answer is None or answer.status >= 500:
            rules.disallow_all = True  # unreachable: assume the site forbids crawling (RFC 9309 2.3.1.4)
        elif answer.status >= 400:
            rules.allow_all = True  # no robots.txt: nothing is forbidden
        else:
            rules.parse(links.decode_html(answer.body, answer.headers.get("content-type")).splitlines())
        return rules


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def file_name(url: str, content_type: str | None) -> str:
    """`<host>/<last path segment>-<hash of the URL><suffix>`: readable, and one file per URL."""
    parts = urlsplit(url)
    host = re.sub(r"[^\w.-]", "_", parts.netloc)
    stem = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1]) or "index"
    suffix = pathlib.PurePosixPath(stem).suffix.lower()
    if suffix not in _SUFFIXES:
        kind = (content_type or "").split(";")[0].strip().lower()
        suffix = _BY_TYPE.get(kind, "")
    stem = re.sub(r"[^\w.-]", "_", pathlib.PurePosixPath(stem).stem)[:60] or "index"
    digest = hashlib.sha1(url.encode()).hexdigest()[:10]
    return f"{host}/{stem}-{digest}{suffix}"


class Fetcher:
    def __init__(self, out: str | os.PathLike, settings: Settings | None = None,
                 client: httpx.Client | None = None, log: Callable[[str], None] = lambda _msg: None) -> None:
        self.out = pathlib.Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.settings = settings or Settings()
        self.log = log
        self.client = client or httpx.Client(headers={"User-Agent": self.settings.user_agent},
                                             follow_redirects=False, trust_env=False)
        self.state = State(self.out / STATE_NAME)
        self.polite = Politeness(self.settings, self._robots_request)
        self._stored_count = 0
        self._warc = None

    # -- one exchange -----------------------------------------------------------------------------------------

    def _once(self, url: str, headers: dict[str, str]) -> Response:
        """One GET, read whole within the time and size limits (httpx's timeout bounds each read; the
        deadline bounds the sum, so a server trickling bytes cannot hold the fetch)."""
        s = self.settings
        self.polite.wait(url)
        deadline = time.monotonic() + s.timeout
        with self.client.stream("GET", url, headers=headers, timeout=s.timeout) as r:
            length = r.headers.get("content-length")
            if length and length.isdigit() and int(length) > s.max_bytes:
                raise TooLarge(f"too_large: {length} bytes (limit {s.max_bytes})")
            chunks, size = [], 0
            for chunk in r.iter_bytes():
                size += len(chunk)
                if size > s.max_bytes:
                    raise TooLarge(f"too_large: over {s.max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout(f"response not complete within {s.timeout} s")
                chunks.append(chunk)
            sent = dict(r.request.headers)
            return Response(str(r.url), r.status_code, r.headers, b"".join(chunks), sent)

    def _with_retries(self, url: str, headers: dict[str, str]) -> Response:
        """_once, retried on transport errors, timeouts, 429 and 5xx with exponential backoff (a server's
        Retry-After, when longer, is obeyed). The last answer or error stands."""
        s = self.settings
        for attempt in range(s.retries + 1):
            wait = s.backoff * 2 ** attempt
            try:
                answer = self._once(url, headers)
            except httpx.TransportError as exc:
                if attempt == s.retries:
                    raise
                self.log(f"retrying {url} in {wait:g} s: {type(exc).__name__}")
            else:
                if answer.status not in RETRY_STATUSES or attempt == s.retries:
                    return answer
                after = answer.headers.get("retry-after", "")
                if after.isdigit():
                    wait = max(wait, min(float(after), MAX_RETRY_AFTER))
                self.log(f"retrying {url} in {wait:g} s: HTTP {answer.status}")
            time.sleep(wait)
        raise AssertionError("unreachable")

    def _robots_request(self, url: str) -> Response | None:
        try:
            answer = self._with_retries(url, {})
            for _ in range(self.settings.max_redirects):  # robots.txt may redirect (http -> https)
                if answer.status not in (301, 302, 303, 307, 308) or "location" not in answer.headers:
                    break
                answer = self._with_retries(str(httpx.URL(answer.url).join(answer.headers["location"])), {})
            return answer
        except (httpx.HTTPError, TooLarge):
            return None

    def exchange(self, url: str, headers: dict[str, str]) -> Response:
        """GET with redirects followed by hand, so that robots.txt and the per-host delay apply to every hop."""
        for _ in range(self.settings.max_redirects + 1):
            if not self.polite.allowed(url):
                raise Blocked(url)
            answer = self._with_retries(url, headers)
            location = answer.headers.get("location")
            if answer.status not in (301, 302, 303, 307, 308) or not location:
                return answer
            url = str(httpx.URL(answer.url).join(location))
        raise httpx.TooManyRedirects(f"more than {self.settings.max_redirects} redirects")

    # -- one URL ----------------------------------------------------------------------------------------------

    def get(self, url: str, kind: str, run_id: str, summary: Summary, page_url: str | None = None,
            publisher: str | None = None) -> tuple[bytes, str | None] | None:
        """Fetch `url` unless this run settled it already; store new or changed bytes. Returns the bytes on
        disk and their content type (to read links from), or None when there are none."""
        row = self.state.get(url)
        path = self.out / row["path"] if row and row["path"] else None
        if row and row["run_id"] == run_id:  # settled by the run being resumed (or met twice in this one)
            if url not in summary.resumed_skips and kind != "list":
                summary.resumed_skips.append(url)
            if row["error"] == FORBIDDEN and url not in summary.blocked:
                summary.blocked.append(url)
            elif row["error"] and row["error"] != FORBIDDEN:
                summary.failed[url] = row["error"]  # its failure stands for the resumed run too
            return (path.read_bytes(), row["content_type"]) if path and path.is_file() and not row["error"] else None
        headers = {}
        if row and path and path.is_file():
            if row["etag"]:
                headers["If-None-Match"] = row["etag"]
            if row["last_modified"]:
                headers["If-Modified-Since"] = row["last_modified"]
        checked = _iso(_now())
        base = {"kind": kind, "page_url": page_url, "publisher": publisher, "run_id": run_id, "checked_at": checked}
        try:
            answer = self.exchange(url, headers)
        except Blocked:
            self.log(f"robots.txt forbids {url}")
            summary.blocked.append(url)
            self.state.put(url, **base, error=FORBIDDEN)
            return None
        except (httpx.HTTPError, TooLarge) as exc:
            reason = str(exc) or type(exc).__name__
            summary.failed[url] = reason
            self.state.put(url, **base, error=reason)
            return None
        if answer.status == 304 and path and path.is_file():
            self.state.put(url, **base, error=None)
            if kind != "list":
                summary.unchanged.append(url)
            return path.read_bytes(), row["content_type"]
        if answer.status != 200:
            summary.failed[url] = f"HTTP {answer.status}"
            # http_status stays that of the stored bytes' retrieval (the manifest's); the failure is the error
            self.state.put(url, **base, error=f"HTTP {answer.status}")
            return None
        content_type = answer.headers.get("content-type")
        sha = hashlib.sha256(answer.body).hexdigest()
        validators = {"etag": answer.headers.get("etag"), "last_modified": answer.headers.get("last-modified")}
        if row and path and path.is_file() and row["sha256"] == sha:  # the same bytes again: the file stays
            self.state.put(url, **base, **validators, error=None)
            if kind != "list":
                summary.unchanged.append(url)
            return answer.body, content_type
        name = row["path"] if row and row["path"] else (
            f".lists/{file_name(url, content_type)}" if kind == "list" else file_name(url, content_type))
        write_atomically(self.out / name, answer.body)
        self._archive(answer)
        self.state.put(url, **base, **validators, path=name, final_url=answer.url, http_status=answer.status,
                       content_type=content_type, sha256=sha, n_bytes=len(answer.body),
                       retrieved_at=_iso(_now()), error=None)
        if kind == "list":
            summary.list_pages += 1
            return answer.body, content_type
        summary.downloaded.append(url)
        self.write_manifest()
        self._stored_count += 1
        if os.environ.get(FAULT_ENV) == f"fetch_after:{self._stored_count}":
            os.kill(os.getpid(), signal.SIGKILL)
        return answer.body, content_type

    # -- a run ------------------------------------------------------------------------------------------------

    def run(self, targets: Iterable[tuple[str, str | None]] = (), lists: Iterable[str] = (),
            publisher: str | None = None) -> Summary:
        """Fetch every target (url, publisher) and every report page the list pages link to, with their
        attachments; write the manifest; close the run."""
        run_id, resumed = self.state.begin()
        summary = Summary(run_id, resumed)
        if resumed:
            self.log(f"resuming fetch run {run_id}")
        todo = list(dict.fromkeys(targets))
        for list_url in lists:
            todo += [(u, publisher) for u in self.crawl_list(list_url, run_id, summary)]
        seen: set[str] = set()
        for url, who in todo:
            if url in seen:
                continue
            seen.add(url)
            got = self.get(url, "report", run_id, summary, publisher=who)
            if got and links.looks_like_html(*got):
                for attachment in links.attachments(links.decode_html(*got), self._final(url)):
                    if attachment not in seen:
                        seen.add(attachment)
                        self.get(attachment, "attachment", run_id, summary, page_url=url, publisher=who)
        self.write_manifest()
        self.state.finish(run_id)
        self._close_warc()
        return summary

    def crawl_list(self, list_url: str, run_id: str, summary: Summary) -> list[str]:
        """The report pages a portal's list links, over at most max_pages pages of it."""
        found: list[str] = []
        page, pages = list_url, 0
        visited: set[str] = set()
        while page and pages < self.settings.max_pages and page not in visited:
            visited.add(page)
            pages += 1
            got = self.get(page, "list", run_id, summary)
            if not got:
                break
            html = links.decode_html(*got)
            base = self._final(page)
            found += [u for u in links.report_links(html, base) if u not in found]
            page = next(iter(links.next_pages(html, base)), None)
        return found

    def _final(self, url: str) -> str:
        row = self.state.get(url)
        return row["final_url"] if row and row["final_url"] else url

    def write_manifest(self) -> None:
        write_manifest(self.out, [
            {"path": r["path"], "url": r["url"], "final_url": r["final_url"], "retrieved_at": r["retrieved_at"],
             "http_status": r["http_status"], "content_type": r["content_type"], "sha256": r["sha256"],
             "n_bytes": r["n_bytes"], "page_url": r["page_url"], "publisher": r["publisher"]}
            for r in self.state.stored()])

    # -- WARC -------------------------------------------------------------------------------------------------

    def _archive(self, answer: Response) -> None:
        """The exchange as WARC request and response records, appended to .warc/<date>.warc.gz."""
        if not self.settings.warc:
            return
        from warcio.statusandheaders import StatusAndHeaders
        from warcio.warcwriter import WARCWriter

        if self._warc is None:
            folder = self.out / ".warc"
            folder.mkdir(exist_ok=True)
            fh = open(folder / f"{_now():%Y%m%dT%H%M%S}-{os.getpid()}.warc.gz", "ab")  # noqa: SIM115
            self._warc = (fh, WARCWriter(fh, gzip=True))
        _, writer = self._warc
        target = urlsplit(answer.url)
        request = StatusAndHeaders(f"GET {target.path or '/'}{'?' + target.query if target.query else ''} HTTP/1.1",
                                   list(answer.request_headers.items()), is_http_request=True)
        writer.write_record(writer.create_warc_record(answer.url, "request", http_headers=request))
        # httpx hands over the decoded body: the headers that describe the encoding on the wire go.
        kept = [(k, v) for k, v in answer.headers.items()
                if k.lower() not in ("content-encoding", "transfer-encoding", "content-length")]
        kept.append(("Content-Length", str(len(answer.body))))
        response = StatusAndHeaders(f"{answer.status} OK", kept, protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(answer.url, "response", payload=io.BytesIO(answer.body),
                                                      http_headers=response))

    def _close_warc(self) -> None:
        if self._warc is not None:
            self._warc[0].close()
            self._warc = None

    def close(self) -> None:
        self._close_warc()
        self.state.close()
        self.client.close()


def read_url_file(path: str | os.PathLike) -> list[tuple[str, str | None]]:
    """A URL file: one URL a line, optionally `,publisher` after it; blank lines and # comments skipped."""
    out = []
    for line in pathlib.Path(path).read_text(encoding="utf-8-sig").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        url, _, who = line.partition(",")
        if urlsplit(url.strip()).scheme not in ("http", "https"):
            raise ValueError(f"{path}: not an http(s) URL: {url.strip()!r}")
        out.append((url.strip(), who.strip() or None))
    return out
