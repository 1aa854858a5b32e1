"""OCR of scanned PDFs: text boxes -> lines and `| cell |` rows (fast, no models), and the `--ocr` wiring with a
stand-in engine. The real engine over a real scan: tests/test_ocr_scan.py (slow)."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from tests.conftest import read_report
from transforms import ocr
from transforms.decode import decode_bytes
from transforms.extract import extract_records
from transforms.normalize import normalize_batch
from transforms.ocr import Box, boxes_from_quads, rows_from_boxes

H = 30  # a text line's height in pixels, as OCR boxes a 144-dpi rendering of 12-pt text


def box(x0, top, x1, text, height=H):
    return Box(x0, top, x1, top + height, text)


@pytest.mark.parametrize("boxes,rows", [
    ([], []),
    ([box(100, 50, 900, "一、总体情况")], ["一、总体情况"]),
    # a table row: cells far apart along one line
    ([box(100, 50, 190, "规章"), box(500, 50, 520, "3"), box(680, 50, 700, "0"), box(840, 50, 880, "12")],
     ["| 规章 | 3 | 0 | 12 |"]),
    # boxes come in any order: lines top to bottom, cells left to right
    ([box(500, 100, 520, "8"), box(100, 50, 190, "规章"), box(100, 100, 250, "行政规范性文件"), box(500, 50, 520, "1")],
     ["| 规章 | 1 |", "| 行政规范性文件 | 8 |"]),
    # a gap of half a character inside running text is one phrase, not two cells
    ([box(100, 50, 400, "全年共受理申请"), box(415, 50, 700, "95件，同比增长")], ["全年共受理申请95件，同比增长"]),
    # 表四's figures stand closer than a line height: bare numbers are cells at a third of one
    ([box(144, 50, 176, "72"), box(196, 50, 226, "64"), box(254, 50, 297, "178")], ["| 72 | 64 | 178 |"]),
    # ...but a number touching its text is not split off
    ([box(100, 50, 400, "共受理"), box(402, 50, 430, "95")], ["共受理95"]),
    # a slightly skewed scan: the row's cells drift down by a third of a line and stay one row
    ([box(100, 50, 190, "规章"), box(500, 58, 520, "1"), box(840, 62, 880, "11")], ["| 规章 | 1 | 11 |"]),
    # two rows one above the other touch (a box's unclip margin) but are two lines
    ([box(100, 50, 190, "规章"), box(100, 75, 250, "行政规范性文件")], ["规章", "行政规范性文件"]),
    # a merged label cell two rows high joins one row and does not pull the next row into it
    ([box(100, 50, 160, "不予公开", height=2 * H + 10), box(300, 50, 500, "1.属于国家秘密"), box(800, 50, 820, "2"),
      box(300, 90, 500, "2.其他法律行政法规禁止公开"), box(800, 90, 820, "0")],
     ["| 不予公开 | 1.属于国家秘密 | 2 |", "| 2.其他法律行政法规禁止公开 | 0 |"]),
    # empty and degenerate boxes are no text; a cell keeps no spaces and no `|` of its own
    ([box(100, 50, 190, "  "), Box(300, 50, 400, 50, "x"), box(100, 100, 190, "本年 新收"), box(500, 100, 600, "a|b")],
     ["| 本年新收 | a/b |"]),
])
def test_rows_from_boxes(boxes, rows):
    assert rows_from_boxes(boxes) == rows


def _quads(boxes, degrees):
    """The corners of boxes on a page turned by `degrees` (y down, so positive turns the text downhill)."""
    a = math.radians(degrees)

    def turn(x, y):
        return (x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a))
    return [[turn(b.x0, b.top), turn(b.x1, b.top), turn(b.x1, b.bottom), turn(b.x0, b.bottom)] for b in boxes]


# Three rows of a wide table, 40 px apart: 3 degrees across 1000 px drifts 52 px, more than a row.
_SKEWED_TABLE = [box(100, 100 + 40 * i, 600, label) for i, label in enumerate(["一、本年新收申请数量",
                                                                               "二、上年结转申请数量", "（一）予以公开"])]
_SKEWED_TABLE += [box(1100, 100 + 40 * i, 1140, str(v)) for i, v in enumerate([3119, 34, 1362])]
_SKEWED_ROWS = ["| 一、本年新收申请数量 | 3119 |", "| 二、上年结转申请数量 | 34 |", "| （一）予以公开 | 1362 |"]


@pytest.mark.parametrize("degrees", [0, 1.5, -3, 3])
def test_a_skewed_scan_is_turned_level_before_rows_are_rebuilt(degrees):
    texts = [b.text for b in _SKEWED_TABLE]
    assert rows_from_boxes(boxes_from_quads(_quads(_SKEWED_TABLE, degrees), texts)) == _SKEWED_ROWS


def test_skew_is_not_guessed_from_short_boxes():
    """Numbers alone (short boxes, whose corners say little of a slope) leave the page as it is; and unlevelled,
    the skewed rows above would pair each label with the next row's figure, so the levelling is what the test
    above shows."""
    numbers = [box(100 + 60 * i, 100, 140 + 60 * i, str(i)) for i in range(5)]
    quads = _quads(numbers, 2)
    assert [b.top for b in boxes_from_quads(quads, [b.text for b in numbers])] == [min(y for _, y in q) for q in quads]
    unlevelled = [Box(min(x for x, _ in q), min(y for _, y in q), max(x for x, _ in q), max(y for _, y in q), b.text)
                  for q, b in zip(_quads(_SKEWED_TABLE, 3), _SKEWED_TABLE, strict=True)]
    assert "| 二、上年结转申请数量 | 3119 |" in rows_from_boxes(unlevelled)


def test_rebuilt_rows_reach_the_table_parser():
    """What OCR of a 表二 gives, rebuilt, is read as the template's table (the same figures a text PDF gives)."""
    boxes = [box(200, 20, 900, "某县人民政府2023年政府信息公开工作年度报告"), box(100, 80, 500, "二、主动公开政府信息情况"),
             box(100, 130, 300, "第二十条第（一）项"),
             box(100, 180, 190, "信息内容"), box(440, 180, 570, "本年制发件数"), box(620, 180, 750, "本年废止件数"),
             box(780, 180, 910, "现行有效件数"),
             box(100, 230, 150, "规章"), box(440, 230, 460, "3"), box(620, 230, 640, "0"), box(780, 230, 810, "12")]
    record = read_report("\n".join(rows_from_boxes(boxes)).encode(), paged=True)
    assert record["layout"] == "standard_table"
    assert {(m["code"], m["value"]) for m in record["metrics"]} >= {
        ("rules.issued", 3), ("rules.repealed", 0), ("rules.in_force", 12)}


def _scan(tmp_path, pages: int = 1) -> bytes:
    """An image-only PDF, as a scanner writes it."""
    from PIL import Image

    path = tmp_path / "scan.pdf"
    images = [Image.new("RGB", (600, 800), "white") for _ in range(pages)]
    images[0].save(path, save_all=True, append_images=images[1:])
    return path.read_bytes()


@pytest.fixture
def fake_engine(monkeypatch):
    """A stand-in for RapidOCR: every page reads as a title and one table row; counts the pages it was shown."""
    seen = []

    def engine(image):
        assert isinstance(image, np.ndarray)  # a rendered page, as RapidOCR takes it
        seen.append(image.shape)
        return SimpleNamespace(boxes=[[[100, 20], [900, 20], [900, 50], [100, 50]],
                                      [[100, 80], [190, 80], [190, 110], [100, 110]],
                                      [[500, 80], [520, 80], [520, 110], [500, 110]]],
                               txts=["某县人民政府2023年政府信息公开工作年度报告", "规章", "3"], scores=[1.0, 1.0, 1.0])

    monkeypatch.setattr(ocr, "_engine", lambda: engine)
    return seen


def test_scan_is_read_by_ocr_only_when_asked(tmp_path, fake_engine, capsys):
    data = _scan(tmp_path, pages=2)
    assert decode_bytes(data).error == "scanned_pdf: no text layer (load with --ocr)"
    assert fake_engine == []
    decoded = decode_bytes(data, ocr=True, source="inbox/scan.pdf")
    assert decoded.error is None and decoded.encoding == "ocr"
    assert decoded.text.split("\n\f\n") == ["某县人民政府2023年政府信息公开工作年度报告\n| 规章 | 3 |"] * 2
    assert len(fake_engine) == 2
    assert "OCR of a scanned PDF, 2 pages" in capsys.readouterr().err  # it is slow: said when it starts


def test_an_ocr_report_is_flagged(tmp_path, fake_engine):
    (tmp_path / "scan.pdf").write_bytes(_scan(tmp_path))
    (tmp_path / "plain.txt").write_text("某县人民政府2023年政府信息公开工作年度报告\n规章 3", encoding="utf-8")
    from transforms.decode import decode_files

    records = extract_records(normalize_batch(decode_files([str(tmp_path / "scan.pdf"), str(tmp_path / "plain.txt")],
                                                           ocr=True)))
    assert [(r["status"], r["encoding"], "ocr_text" in r["flags"]) for r in records] == [
        ("ok", "ocr", True), ("ok", "utf-8", False)]
    assert all(m["page"] == 1 for m in records[0]["metrics"])


def test_a_scan_over_the_page_limit_is_quarantined_unread(tmp_path, fake_engine, monkeypatch):
    monkeypatch.setattr(ocr, "MAX_PAGES", 2)
    decoded = decode_bytes(_scan(tmp_path, pages=3), ocr=True)
    assert decoded.error == "scanned_pdf: 3 pages, over the OCR limit of 2 a file (GOVREPORT_OCR_MAX_PAGES)"
    assert fake_engine == []


def test_a_blank_scan_is_quarantined(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "_engine", lambda: lambda _image: SimpleNamespace(boxes=None, txts=None, scores=None))
    assert decode_bytes(_scan(tmp_path), ocr=True).error == "scanned_pdf: OCR found no text"


def test_ocr_failure_is_quarantined_not_a_crash(tmp_path, monkeypatch):
    def broken(_image):
        raise RuntimeError("onnxruntime: bad allocation")

    monkeypatch.setattr(ocr, "_engine", lambda: broken)
    assert decode_bytes(_scan(tmp_path), ocr=True).error == "unreadable_pdf: OCR failed: onnxruntime: bad allocation"


def test_without_the_ocr_extra_the_reason_says_how_to_install_it(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_rapidocr(name, *args, **kwargs):
        if name.split(".")[0] == "rapidocr":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    ocr._engine.cache_clear()
    monkeypatch.setattr(builtins, "__import__", no_rapidocr)
    try:
        assert decode_bytes(_scan(tmp_path), ocr=True).error == (
            "scanned_pdf: no text layer, and OCR is not installed (pip install 'govreport[ocr]')")
        assert not ocr.available()
    finally:
        ocr._engine.cache_clear()


def test_text_pdfs_and_plain_text_never_touch_ocr(fake_engine):
    from tests.conftest import REAL

    assert decode_bytes((REAL / "022_huaian_gov_2024.pdf").read_bytes(), ocr=True).encoding == "pdf"
    assert decode_bytes("规章 3".encode(), ocr=True).encoding == "utf-8"
    assert fake_engine == []
