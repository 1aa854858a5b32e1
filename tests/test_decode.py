import pytest

from transforms.decode import decode_bytes, decode_files

TEXT = "张掖市发展和改革委员会关于2010年政务公开工作总结报告。全年公开信息40多条。"


@pytest.mark.parametrize("encoding,label", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("gb18030", "gb18030"), ("utf-16", "utf-16"),
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
    (b"%PDF-1.7 binary", "binary_file: pdf"),
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
