"""Pure parts of fetching: which links to follow (sources/links.py), manifests (sources/manifest.py), robots
handling, file names and URL files (sources/fetcher.py)."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from sources import links
from sources.fetcher import Politeness, Response, Settings, file_name, read_url_file
from sources.manifest import is_manifest, provenance, read_manifest, write_manifest

LIST = """<html><body><ul>
<li><a href="/xxgk/2023/nb.html">沭阳县发展和改革局2023年政府信息公开年度报告</a></li>
<li><a href="https://www.portal.gov.cn/xxgk/2022/nb.html"><span>2022年</span> <b>年报</b></a></li>
<li><a href="2010/zj.html#top">2010年政务公开工作总结</a></li>
<li><a href="/2019/trad.html">2019年政府信息公開工作年度報告</a></li>
<li><a href="/xxgk/2023/nb.html">沭阳县发展和改革局2023年政府信息公开年度报告（重复）</a></li>
<li><a href="/news/1.html">县长调研春耕工作</a></li>
<li><a href="http://other.gov.cn/2023/nb.html">外站2023年年度报告</a></li>
<li><a href="javascript:void(0)">2023年年报</a></li>
<li><a href="mailto:gk@portal.gov.cn">年报联系邮箱</a></li>
</ul><a href="?page=2">下一页</a> <a href="?page=1">上一页</a> <a href="/list.html">首页</a>
<p>附件：<a href="/files/a.PDF">报告.pdf</a> <a href="/files/b.docx">b</a> <a href="/files/c.wps">c</a>
<a href="/files/d.xls">表格</a> <a href="http://cdn.other.cn/e.pdf">外站附件</a> <a href="/files/a.PDF">again</a></p>
</body></html>"""
PAGE = "https://www.portal.gov.cn/list.html"


def test_report_links_are_same_site_links_naming_a_report():
    assert links.report_links(LIST, PAGE) == [
        "https://www.portal.gov.cn/xxgk/2023/nb.html",  # once, though listed twice
        "https://www.portal.gov.cn/xxgk/2022/nb.html",  # text split over tags
        "https://www.portal.gov.cn/2010/zj.html",  # relative, fragment dropped, 工作总结
        "https://www.portal.gov.cn/2019/trad.html",  # traditional script
    ]  # not: the news item, another site, javascript:, mailto:


def test_next_page_and_attachments():
    assert links.next_pages(LIST, PAGE) == ["https://www.portal.gov.cn/list.html?page=2"]
    assert links.attachments(LIST, PAGE) == ["https://www.portal.gov.cn/files/a.PDF",
                                             "https://www.portal.gov.cn/files/b.docx",
                                             "https://www.portal.gov.cn/files/c.wps"]


@pytest.mark.parametrize(("a", "b", "same"), [
    ("http://www.portal.gov.cn/a", "http://portal.gov.cn/b", True),
    ("http://portal.gov.cn/a", "https://portal.gov.cn/b", True),
    ("http://127.0.0.1:8000/a", "http://127.0.0.1:8000/b", True),
    ("http://127.0.0.1:8000/a", "http://127.0.0.1:8001/b", False),
    ("http://127.0.0.1:8000/a", "http://localhost:8000/b", False),
    ("http://xxgk.portal.gov.cn/a", "http://portal.gov.cn/b", False),
    ("http://portal.gov.cn.evil.com/a", "http://portal.gov.cn/b", False),
])
def test_same_site(a, b, same):
    assert links.same_site(a, b) is same


def test_decode_html_reads_the_declared_charset():
    body = '<meta charset="gbk"><a href="/a">年报</a>'.encode("gbk")
    assert "年报" in links.decode_html(body, None)
    assert "年报" in links.decode_html("<a>年报</a>".encode("gb18030"), "text/html")  # not UTF-8: GB18030


def test_file_names_are_readable_and_one_per_url():
    assert file_name("http://127.0.0.1:8000/reports/001.txt", "text/plain").startswith("127.0.0.1_8000/001-")
    assert file_name("http://a.gov.cn/art/2024/1/17/art_1.html?id=3", None).endswith(".html")
    assert file_name("http://a.gov.cn/download?id=3", "application/pdf; x=1").endswith(".pdf")
    assert file_name("http://a.gov.cn/a.html?id=1", None) != file_name("http://a.gov.cn/a.html?id=2", None)


def test_url_file(tmp_path):
    f = tmp_path / "urls.txt"
    f.write_text("# nightly\nhttp://a.gov.cn/1.html\n\nhttps://b.gov.cn/2.pdf, 某县人民政府\n", encoding="utf-8")
    assert read_url_file(f) == [("http://a.gov.cn/1.html", None), ("https://b.gov.cn/2.pdf", "某县人民政府")]
    f.write_text("ftp://a.gov.cn/1.html\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not an http"):
        read_url_file(f)


def _robots(status: int, body: bytes = b"") -> Politeness:
    def request(url: str) -> Response | None:
        return None if status == 0 else Response(url, status, httpx.Headers(), body, {})
    return Politeness(Settings(delay=0), request)


@pytest.mark.parametrize(("status", "body", "allowed"), [
    (200, b"User-agent: *\nDisallow: /private/\n", {"/a.html": True, "/private/x.html": False}),
    (200, b"User-agent: govreport-fetch\nDisallow: /\n\nUser-agent: *\nAllow: /\n", {"/a.html": False}),
    (404, b"", {"/a.html": True, "/private/x.html": True}),  # no robots.txt: nothing forbidden
    (503, b"", {"/a.html": False}),  # a server error: the site is taken as forbidding everything
    (0, b"", {"/a.html": False}),  # unreachable: the same
])
def test_robots(status, body, allowed):
    polite = _robots(status, body)
    assert {p: polite.allowed("http://127.0.0.1:9/" + p.lstrip("/")) for p in allowed} == allowed


def test_manifest_round_trip_and_malformed_rows(tmp_path):
    (tmp_path / "sub").mkdir()
    write_manifest(tmp_path, [{"path": "a.txt", "url": "http://a.gov.cn/a", "final_url": "http://a.gov.cn/b",
                               "retrieved_at": "2026-12-07T08:00:00Z", "http_status": 200, "publisher": "某局"}])
    assert is_manifest(tmp_path / "manifest.csv")
    rows, problems = read_manifest(tmp_path / "manifest.csv")
    assert problems == []
    assert rows == [{"path": str(tmp_path / "a.txt"), "source_url": "http://a.gov.cn/a",
                     "final_url": "http://a.gov.cn/b", "retrieved_at": datetime(2026, 12, 7, 8, 0),
                     "http_status": 200, "publisher": "某局"}]
    # hand-written, elsewhere: only path and url, a time zone, a bad row reported with its line
    hand = tmp_path / "sub" / "manifest.csv"
    hand.write_text("path,url,retrieved_at\nb.pdf,http://b.gov.cn/b.pdf,2026-12-07 16:00:00+08:00\n"
                    "c.pdf,,2026-12-07\nd.pdf,http://b.gov.cn/d.pdf,yesterday\n", encoding="utf-8")
    frame, problems = provenance([str(hand)])
    assert frame.to_dicts() == [{"path": str(tmp_path / "sub" / "b.pdf"), "source_url": "http://b.gov.cn/b.pdf",
                                 "final_url": "http://b.gov.cn/b.pdf", "retrieved_at": datetime(2026, 12, 7, 8, 0),
                                 "http_status": None, "publisher": None}]
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (3, "path and url are required"), (4, "Invalid isoformat string")]


def test_a_csv_merely_named_manifest_is_no_manifest(tmp_path):
    (tmp_path / "manifest.csv").write_text("年份,件数\n2023,5\n", encoding="utf-8")
    assert not is_manifest(tmp_path / "manifest.csv")
    (tmp_path / "other.csv").write_text("path,url\n", encoding="utf-8")
    assert not is_manifest(tmp_path / "other.csv")


def test_requests_to_one_host_wait_for_the_delay_and_a_longer_crawl_delay():
    slept: list[float] = []
    body = b"User-agent: *\nCrawl-delay: 5\n"

    def request(url: str) -> Response:
        return Response(url, 200 if "slow.gov.cn" in url else 404, httpx.Headers(), body, {})

    polite = Politeness(Settings(delay=1.0), request, sleep=slept.append)
    polite.wait("http://a.gov.cn/1")
    polite.wait("http://b.gov.cn/1")  # another host: no wait
    assert slept == []
    polite.wait("http://a.gov.cn/2")
    assert len(slept) == 1 and 0 < slept[0] <= 1.0  # the rest of a.gov.cn's second
    assert polite.allowed("http://slow.gov.cn/1")  # reads its robots.txt: Crawl-delay 5
    polite.wait("http://slow.gov.cn/1")
    polite.wait("http://slow.gov.cn/2")
    assert 1.0 < slept[-1] <= 5.0  # the Crawl-delay, not the 1 s delay
