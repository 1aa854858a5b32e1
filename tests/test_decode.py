import pytest
from charset_normalizer import from_bytes

from transforms import decode
from transforms.decode import decode_bytes, decode_files

TEXT = "张掖市发展和改革委员会关于2010年政务公开工作总结报告。全年公开信息40多条。"


@pytest.mark.parametrize("encoding,label", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("gb18030", "gb18030"), ("utf-16", "utf-16"),
    ("utf-16-le", "utf-16"), ("utf-16-be", "utf-16"),  # no BOM: the zero bytes of digits tell the order
])
def test_decodes_each_supported_encoding(encoding, label):
    got = decode_bytes(TEXT.encode(encoding))
    assert got.error is None
    assert got.text == TEXT
    assert got.encoding == label


def test_big5_traditional_text():
    text = "張掖市發展和改革委員會關於政務公開工作總結報告，全年編發簡報十一期，公開信息四十餘條。" * 3
    got = decode_bytes(text.encode("big5"))
    assert (got.encoding, got.text, got.error) == ("big5", text, None)


@pytest.mark.parametrize("data,reason", [
    (b"", "empty_file"),
    (b"   \n  ", "empty_file"),
    (b"%PDF-1.7 binary", "unreadable_pdf: No /Root object! - Is this really a PDF?"),  # read as a PDF: a broken one
    (b"\x89PNG\r\n\x1a\n....", "binary_file: png"),
    ("政务公开".encode() * 10 + "报".encode()[:2], "undecodable: truncated utf-8 sequence at byte 120"),
])
def test_rejects_with_reason(data, reason):
    got = decode_bytes(data)
    assert got.text is None
    assert got.error == reason


def test_sha256_is_of_raw_bytes():
    assert decode_bytes(b"abc").sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_missing_file_is_rejected_not_raised(tmp_path):
    frame = decode_files([str(tmp_path / "gone.txt")])
    assert frame["error"][0].startswith("unreadable")


def _charset_normalizer_pick(data: bytes) -> tuple[str, str] | None:
    """What decoding legacy bytes was before the strict-decode fast path: charset-normalizer alone."""
    best = from_bytes(data, cp_isolation=["gb18030", "big5", "utf_16"]).best()
    return (str(best), best.encoding) if best else None


GB_REPORT = "沭阳县发展和改革局2023年政府信息公开工作年度报告。本年度主动公开信息一百二十条，國家标准€。"


@pytest.mark.parametrize("data,encoding,asks_charset_normalizer", [
    # GB2312/GBK byte pairs Big5 leaves unassigned: only GB18030 decodes, no scoring needed
    (GB_REPORT.encode("gb18030"), "gb18030", False),
    ("國家".encode("gb18030"), "gb18030", False),
    ("表情😀与生僻字𠀀".encode("gb18030"), "gb18030", False),  # four-byte GB18030 sequences
    # Big5 text mostly decodes as GB18030 too: charset-normalizer's language scoring decides
    (("張掖市發展和改革委員會關於政務公開工作總結報告。" * 3).encode("big5"), "big5", True),
    # short GB text that Big5 also decodes: scored, and scored either way
    ("政府信息公开工作年度报告".encode("gb18030"), "gb18030", True),
    ("政务公开".encode("gb18030"), "big5", True),
    # clean text only: a control character leaves even GB18030-only bytes to the scoring (which rejects these)
    (GB_REPORT.encode("gb18030") + b"\x07", None, True),
])
def test_legacy_codec_choice_is_charset_normalizers(monkeypatch, data, encoding, asks_charset_normalizer):
    calls = []
    monkeypatch.setattr(decode, "from_bytes", lambda *a, **kw: calls.append(a) or from_bytes(*a, **kw))
    got = decode_bytes(data)
    assert (got.text, got.encoding) == (_charset_normalizer_pick(data) or (None, None))
    assert got.encoding == encoding
    assert bool(calls) == asks_charset_normalizer


def test_bytes_no_legacy_codec_decodes_are_rejected_without_scoring(monkeypatch):
    data = GB_REPORT.encode("gb18030") + b"\x80\xff"  # 0x80 and 0xFF start no GB18030 or Big5 character
    monkeypatch.setattr(decode, "from_bytes", None)
    assert _charset_normalizer_pick(data) is None
    assert decode_bytes(data).error == "undecodable: not utf-8 (invalid continuation byte) nor gb18030/big5/utf-16"
