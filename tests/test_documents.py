"""PDF and Word input: formats told by content, real files read by the real libraries."""

import io
import shutil
import zipfile

import pytest

from tests.conftest import REAL, read_report
from transforms import documents
from transforms.decode import decode_bytes
from transforms.extract import extract_report

PDF = REAL / "022_huaian_gov_2024.pdf"


def _zip(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, body in files.items():
            z.writestr(name, body)
    return buf.getvalue()


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(paragraphs: list[str], table: list[list[str]]) -> bytes:
    """A minimal but real WordprocessingML package: what Word writes, less the styles mammoth does not need."""
    def para(text: str) -> str:
        return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"
    cols = max(len(r) for r in table)
    cell = '<w:tc><w:tcPr><w:tcW w:w="2000" w:type="dxa"/></w:tcPr>{}</w:tc>'
    rows = "".join("<w:tr>" + "".join(cell.format(para(c)) for c in row) + "</w:tr>" for row in table)
    grid = "<w:tblGrid>" + '<w:gridCol w:w="2000"/>' * cols + "</w:tblGrid>"
    table_xml = f'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr>{grid}{rows}</w:tbl>'
    body = "".join(para(p) for p in paragraphs) + table_xml + "<w:sectPr/>"
    return _zip({
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
        '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": f'<?xml version="1.0"?><w:document {_W}><w:body>{body}</w:body></w:document>',
    })


@pytest.mark.parametrize("data,kind", [
    (b"%PDF-1.7\n...", "pdf"),
    (_zip({"word/document.xml": "<x/>"}), "docx"),
    (_zip({"xl/workbook.xml": "<x/>"}), None),               # a spreadsheet is no report format we read
    (b"PK\x03\x04 not really a zip", None),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "doc"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WPS".encode("utf-16-le") + b"\x00" * 64, "wps"),
    ("2020年政府信息公开工作年度报告".encode(), None),
    (b"%PDX", None),
])
def test_kind_by_content(data, kind):
    assert documents.kind(data) == kind


def test_pdf_pages_and_tables():
    decoded = decode_bytes(PDF.read_bytes())
    assert decoded.encoding == "pdf" and decoded.error is None
    pages = decoded.text.split(documents.PAGE_BREAK)
    assert len(pages) == 6
    assert "| 规章 | 1 | 0 | 11 |" in pages[2]          # 表二's first row, as a table row
    assert not any(p.rstrip().endswith(("\n1", "\n2", "\n3")) for p in pages)  # page numbers dropped


def test_pdf_facts_name_their_page():
    from transforms.decode import decode_files
    from transforms.normalize import normalize_batch

    row = normalize_batch(decode_files([str(PDF)])).row(0, named=True)
    record = extract_report(row["norm_text"], paged=True)
    rows = {(m["code"], m["breakdown"]): m for m in record["metrics"]}
    assert rows[("rules.issued", "")]["page"] == 3
    assert rows[("requests.received", "")]["page"] == 4
    assert all(1 <= m["page"] <= 6 for m in record["metrics"])
    # the same text taken as plain text has no pages
    assert all(m["page"] is None for m in extract_report(row["norm_text"])["metrics"])


def test_scanned_pdf_is_quarantined_with_its_reason(tmp_path):
    from PIL import Image

    path = tmp_path / "scan.pdf"
    Image.new("RGB", (600, 800), "white").save(path)  # an image-only PDF, as a scanner writes it
    decoded = decode_bytes(path.read_bytes())
    assert decoded.text is None
    assert decoded.error == "scanned_pdf: no text layer (load with --ocr)"


def test_broken_pdf_is_quarantined():
    decoded = decode_bytes(b"%PDF-1.4\n%%EOF garbage")
    assert decoded.text is None and decoded.error.startswith("unreadable_pdf")


def test_docx_table_reaches_the_table_parser():
    data = _docx(["上海市某局2020年政府信息公开工作年度报告", "二、主动公开政府信息情况"],
                 [["第二十条第（一）项", "", "", ""], ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
                  ["规章", "3", "0", "12"]])
    record = read_report(data)
    assert record["encoding"] == "docx"
    assert record["layout"] == "standard_table"
    got = {(m["code"], m["value"], m["rule"]) for m in record["metrics"]}
    assert got == {("rules.issued", 3, "table2:row"), ("rules.repealed", 0, "table2:row"),
                   ("rules.in_force", 12, "table2:row")}


def test_doc_without_libreoffice_says_so(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    decoded = decode_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert decoded.error == "needs_libreoffice: doc"
