"""Scanned PDFs -> text by OCR: pages rendered by pypdfium2, read by RapidOCR (PP-OCR models run on onnxruntime).

Optional (`pip install 'govreport[ocr]'`) and asked for (`--ocr`): it takes seconds a page where pdfplumber
takes milliseconds. The models are the ones the rapidocr wheel ships; they are named by path, so nothing is
ever downloaded (rapidocr would otherwise fetch a model it does not find next to its code).

OCR gives text boxes, not lines or table cells: rows_from_boxes() rebuilds them, on a page turned level
(boxes_from_quads). Boxes whose vertical extents overlap form a line; along it, boxes far apart are cells,
written as a `| cell | cell |` row, the shape the standard-table parser reads from PDF tables and saved web
pages. An empty table cell has no box, so a row that left one blank reads as a row with fewer values: the
table parser places or flags it as for lossy PDF text.
"""

from __future__ import annotations

import functools
import math
import os
import re
import sys
from collections.abc import Sequence
from typing import NamedTuple

from transforms.documents import PAGE_BREAK, DocumentError, _why, drop_page_number
from transforms.documents import _cell as table_cell  # one cell on one line, as pdfplumber's cells are written

# A page limit per file: a scan is read at seconds a page, so a 300-page scanned bundle would hold a batch for
# a quarter of an hour. Real reports run 5-30 pages. Over the limit a file is quarantined, not read in part.
MAX_PAGES = int(os.environ.get("GOVREPORT_OCR_MAX_PAGES", "40"))
# 144 dpi: report text (10.5-16 pt) is 20-30 px high, which the recogniser reads well (all 207 figures of the
# real PDF, printed to a scan); rendering larger mostly costs detection time.
_RENDER_SCALE = 2.0
# Boxes on one line at least this many line heights apart are separate cells. OCR already splits a text line
# only at wide gaps (a table rule, a column): a gap of about a character is still one phrase.
_CELL_GAP = 1.0
# A bare number is a cell of its own at a narrower gap: the template's 表四 has 15 columns, whose figures stand
# a third of a line height apart, and OCR does not split a number written without spaces (3,119 is one box).
_NUMBER_GAP = 0.2
_BARE_NUMBER = re.compile(r"[+\-－−]?\d[\d,，.．]*%?")
# A box is on a line when it overlaps the line by at least this share of the lower of the two heights.
_LINE_OVERLAP = 0.5
# Measured here (2 cores, nothing else running): `govreport extract --ocr` of a 6-page scan, 9.5-10 s with start-up
# (~1 s to load the models), ~0.9 GB of memory; pages dense with text or tables take the longest.
SECONDS_PER_PAGE = 2


class Box(NamedTuple):
    """One OCR text box, axis-aligned (pixels, y down)."""
    x0: float
    top: float
    x1: float
    bottom: float
    text: str


def _overlap(a_top: float, a_bottom: float, b_top: float, b_bottom: float) -> float:
    return min(a_bottom, b_bottom) - max(a_top, b_top)


def _lines(boxes: Sequence[Box]) -> list[list[Box]]:
    """Boxes grouped into lines, top to bottom. A line's extent is its first box's (by vertical centre): a box
    that spans two table rows (a merged label cell) then joins one of them without pulling the next row in."""
    lines: list[tuple[Box, list[Box]]] = []  # (seed, members)
    for box in sorted(boxes, key=lambda b: (b.top + b.bottom) / 2):
        height = box.bottom - box.top
        for seed, members in lines:
            if _overlap(seed.top, seed.bottom, box.top, box.bottom) >= _LINE_OVERLAP * min(height,
                                                                                             seed.bottom - seed.top):
                members.append(box)
                break
        else:
            lines.append((box, [box]))
    lines.sort(key=lambda line: line[0].top)
    return [sorted(members, key=lambda b: b.x0) for _, members in lines]


def rows_from_boxes(boxes: Sequence[Box]) -> list[str]:
    """One page's OCR boxes -> its text lines, top to bottom. A line of several cells (boxes separated by more
    than _CELL_GAP line heights) becomes a `| cell | cell |` row; any other line is its boxes' text joined."""
    out = []
    for line in _lines([b for b in boxes if b.text.strip() and b.bottom > b.top]):
        height = sorted(b.bottom - b.top for b in line)[len(line) // 2]  # the median: robust to one tall box
        cells = [[line[0].text.strip()]]
        for left, right in zip(line, line[1:], strict=False):
            gap = right.x0 - left.x1
            numbers = _BARE_NUMBER.fullmatch(left.text.strip()) or _BARE_NUMBER.fullmatch(right.text.strip())
            if gap >= _CELL_GAP * height or (numbers and gap >= _NUMBER_GAP * height):
                cells.append([])
            cells[-1].append(right.text.strip())
        if len(cells) > 1:
            out.append("| " + " | ".join(table_cell("".join(c)) for c in cells) + " |")
        else:
            out.append("".join(cells[0]))
    return out


@functools.cache
def _engine():
    """The OCR engine, once per process (loading the models takes ~1 s)."""
    try:
        import rapidocr
        from rapidocr import RapidOCR
    except ImportError:
        raise DocumentError("scanned_pdf: no text layer, and OCR is not installed (pip install 'govreport[ocr]')"
                            ) from None
    models = os.path.join(os.path.dirname(rapidocr.__file__), "models")
    return RapidOCR(params={
        # The wheel's own models, by path: with a path rapidocr loads the file and never tries to download one.
        "Det.model_path": os.path.join(models, "PP-OCRv6_det_small.onnx"),
        "Rec.model_path": os.path.join(models, "PP-OCRv6_rec_small.onnx"),
        "Cls.model_path": os.path.join(models, "ch_ppocr_mobile_v2.0_cls_mobile.onnx"),
        "Global.log_level": "error",  # it logs each model it loads; the load's own log says what runs
    })


def available() -> bool:
    """Whether OCR can run here (the `ocr` extra is installed)."""
    try:
        _engine()
    except DocumentError:
        return False
    return True


# Only boxes this many times wider than high tell a scan's skew: a short box's corners are a pixel or two off,
# a degree or more on a number's width.
_SKEW_BOX_RATIO = 4
_SKEW_MIN_BOXES = 3


def boxes_from_quads(quads: Sequence[Sequence[Sequence[float]]], texts: Sequence[str]) -> list[Box]:
    """OCR's quadrilaterals (corners clockwise from the top left) -> axis-aligned Boxes of a page turned level.
    A scan a degree askew drifts a full line height across a page, so a row's right-hand cells would meet the
    next row's label; the detector's boxes follow the text's slope, and the median slope of the long ones is
    the page's skew, undone here before lines are grouped."""
    angles = sorted(math.atan2(q[1][1] - q[0][1], q[1][0] - q[0][0]) for q in quads
                    if math.dist(q[0], q[1]) >= _SKEW_BOX_RATIO * max(math.dist(q[1], q[2]), 1.0))
    skew = angles[len(angles) // 2] if len(angles) >= _SKEW_MIN_BOXES else 0.0
    cos, sin = math.cos(skew), math.sin(skew)
    boxes = []
    for quad, text in zip(quads, texts, strict=True):
        xs = [x * cos + y * sin for x, y in quad]
        ys = [y * cos - x * sin for x, y in quad]
        boxes.append(Box(min(xs), min(ys), max(xs), max(ys), text))
    return boxes


def page_boxes(image) -> list[Box]:
    """The text boxes OCR finds on one page image (a numpy array, gray or BGR), the page turned level."""
    result = _engine()(image)
    if result.boxes is None or result.txts is None:  # a blank page
        return []
    return boxes_from_quads([[(float(x), float(y)) for x, y in quad] for quad in result.boxes], result.txts)


def _page_text(pdf, i: int) -> str:
    page = pdf[i]
    try:
        image = page.render(scale=_RENDER_SCALE, grayscale=True).to_numpy()
    finally:
        page.close()
    return "\n".join(drop_page_number(rows_from_boxes(page_boxes(image))))


def pdf_ocr_text(data: bytes, source: str = "") -> str:
    """A scanned PDF's text by OCR, pages joined by PAGE_BREAK as pdf_text() joins them."""
    import pypdfium2 as pdfium

    _engine()  # fails here, before any page is rendered, when OCR is not installed
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise DocumentError(f"unreadable_pdf: {exc}") from None
    try:
        n = len(pdf)
        if n > MAX_PAGES:
            raise DocumentError(f"scanned_pdf: {n} pages, over the OCR limit of {MAX_PAGES} a file "
                                f"(GOVREPORT_OCR_MAX_PAGES)")
        # Said when it starts, on stderr (the terminal of `extract` and of a load): it is slow.
        print(f"govreport: OCR of a scanned PDF, {n} pages (~{SECONDS_PER_PAGE * n} s at ~{SECONDS_PER_PAGE} s a "
              f"page){': ' + source if source else ''}", file=sys.stderr, flush=True)
        pages = [_page_text(pdf, i) for i in range(n)]
    except DocumentError:
        raise
    except Exception as exc:  # noqa: BLE001 - as in pdf_text: a page pdfium or the OCR cannot read is quarantined
        raise DocumentError(f"unreadable_pdf: OCR failed: {_why(exc)}") from None
    finally:
        pdf.close()
    if not "".join("".join(pages).split()):
        raise DocumentError("scanned_pdf: OCR found no text")
    return PAGE_BREAK.join(pages)
