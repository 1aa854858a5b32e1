"""Document formats -> text the normalizer reads: PDF (pdfplumber), Word .docx (mammoth), .doc/.wps (LibreOffice).

Formats are told by content, never by file name. A PDF's pages are joined with form feeds (\\f), which
normalization keeps, so each fact can name the page it stands on. Its ruled tables are written as
`| cell | cell |` rows, the shape the standard-table parser reads from saved web pages; a table that runs on
over a page break simply continues on the next page's first rows. A running page number is dropped.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import zipfile

PAGE_BREAK = "\n\f\n"  # a line of its own, so no table row runs into the next page's first
# A line that is nothing but a page number: `3`, `- 3 -`, `— 3 —`, `第3页`, `3/6`.
_PAGE_NUMBER = re.compile(r"[-—–\s]*(第\s*)?\d{1,3}(\s*页)?(\s*/\s*(共\s*)?\d{1,3}\s*页?)?[-—–\s]*")
# Below this many characters a page has no text layer worth the name (a scan): it needs OCR.
_MIN_CHARS_PER_PAGE = 20
_LIBREOFFICE_SECONDS = 120


class DocumentError(ValueError):
    """A document that cannot be read here; its message is the quarantine reason."""


class ScannedPdf(DocumentError):
    """A PDF without a text layer: quarantined, unless the load asked for OCR (transforms/ocr.py)."""


def kind(data: bytes) -> str | None:
    """`pdf`, `docx`, `doc` (OLE2: .doc and WPS files) by content, else None (plain text or another binary)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                return "docx" if "word/document.xml" in z.namelist() else None
        except zipfile.BadZipFile:
            return None
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "wps" if b"W\x00P\x00S" in data[:65536] or b"WPS" in data[:65536] else "doc"
    return None


def _why(exc: Exception) -> str:
    """A library's error as a one-line quarantine reason."""
    lines = str(exc).strip().splitlines()
    return lines[0][:120] if lines else type(exc).__name__


def _cell(text: str | None) -> str:
    """A table cell on one line: a PDF wraps a long label inside its cell, and `|` would split it."""
    return "".join((text or "").split()).replace("|", "/")


def _table_rows(table: list[list[str | None]]) -> list[str]:
    return ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table if any(c for c in row)]


def _page_lines(page) -> list[str]:
    """One page's text lines and table rows, top to bottom. A 'table' of one column is a framed paragraph:
    its text stays text."""
    tables = [t for t in page.find_tables() if t.rows and max(len(r.cells) for r in t.rows) >= 2]
    boxes = [t.bbox for t in tables]

    def inside(line: dict) -> bool:
        mid_x, mid_y = (line["x0"] + line["x1"]) / 2, (line["top"] + line["bottom"]) / 2
        return any(x0 <= mid_x <= x1 and top <= mid_y <= bottom for x0, top, x1, bottom in boxes)

    blocks: list[tuple[float, list[str]]] = [
        (line["top"], [line["text"]]) for line in page.extract_text_lines(return_chars=False) if not inside(line)]
    blocks += [(t.bbox[1], _table_rows(t.extract())) for t in tables]
    blocks.sort(key=lambda b: b[0])
    return drop_page_number([ln for _, block in blocks for ln in block])


def drop_page_number(lines: list[str]) -> list[str]:
    """A page's lines without the running page number at its foot."""
    while lines and _PAGE_NUMBER.fullmatch(lines[-1]):
        lines.pop()
    return lines


def pdf_text(data: bytes) -> str:
    """A PDF's text, pages joined by form feeds. A PDF without a text layer (a scan) is refused."""
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = ["\n".join(_page_lines(page)) for page in pdf.pages]
    except Exception as exc:  # noqa: BLE001 - a damaged file fails anywhere in pdfminer; it is quarantined, not a crash
        raise DocumentError(f"unreadable_pdf: {_why(exc)}") from None
    if not pages:
        raise DocumentError("unreadable_pdf: no pages")
    if sum(len("".join(p.split())) for p in pages) < _MIN_CHARS_PER_PAGE * len(pages):
        raise ScannedPdf("scanned_pdf: no text layer (load with --ocr)")
    return PAGE_BREAK.join(pages)


def docx_text(data: bytes) -> str:
    """A .docx as HTML (mammoth keeps its tables as tables); normalization reads it as a saved page."""
    import mammoth

    try:
        result = mammoth.convert_to_html(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - as for a PDF: a damaged package is quarantined with its reason
        raise DocumentError(f"unreadable_docx: {_why(exc)}") from None
    return f"<html><body>{result.value}</body></html>"


def legacy_word_text(data: bytes, fmt: str) -> str:
    """A .doc or .wps file, converted to .docx by LibreOffice (when the machine has it), then read as one."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise DocumentError(f"needs_libreoffice: {fmt}")
    with tempfile.TemporaryDirectory() as tmp:
        src = f"{tmp}/report.{fmt}"
        with open(src, "wb") as fh:
            fh.write(data)
        try:
            subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile",
                            "--convert-to", "docx", "--outdir", tmp, src],
                           check=True, capture_output=True, timeout=_LIBREOFFICE_SECONDS)
            with open(f"{tmp}/report.docx", "rb") as fh:
                converted = fh.read()
        except (subprocess.SubprocessError, OSError):
            raise DocumentError(f"unreadable_{fmt}: LibreOffice could not convert it") from None
    return docx_text(converted)


def document_text(data: bytes, fmt: str) -> str:
    """The text of a document of kind `fmt` (see kind())."""
    if fmt == "pdf":
        return pdf_text(data)
    if fmt == "docx":
        return docx_text(data)
    return legacy_word_text(data, fmt)
