"""Bytes -> text. Records the encoding used (or the document format: pdf, docx, doc, wps; see documents.py;
`ocr` for a scanned PDF read by OCR when asked for, see ocr.py), or rejects the file with a short reason.

Encodings seen in the wild: UTF-8 (with or without BOM), GB18030 (a superset of GBK/GB2312), Big5 and UTF-16.
UTF-8 is tried strictly first because it is the common case and a strict UTF-8 decode is almost never
wrong; legacy bytes that both GB18030 and Big5 decode are told apart by charset-normalizer, which scores
candidate decodings by language coherence (a hand-written "which one looks more Chinese" heuristic would
be worse).
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
from dataclasses import dataclass

import polars as pl
from charset_normalizer import from_bytes

from transforms import budget, documents

# Magic numbers of binary formats that are commonly renamed to .txt by scrapers.
_BINARY_MAGIC = (
    (b"%PDF", "pdf"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"PK\x03\x04", "zip/office"),
    (b"\xd0\xcf\x11\xe0", "ole/doc"),
    (b"\x7fELF", "elf"),
)
_LEGACY = ["gb18030", "big5", "utf_16"]
_ENCODING_LABEL = {"gb18030": "gb18030", "big5": "big5", "utf_16": "utf-16", "utf_16_le": "utf-16",
                   "utf_16_be": "utf-16", "gbk": "gb18030", "gb2312": "gb18030", "big5hkscs": "big5"}
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Decoded:
    sha256: str
    n_bytes: int
    text: str | None
    encoding: str | None
    error: str | None  # None when decoded; otherwise the quarantine reason


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _BINARY_MAGIC:
        if data.startswith(magic):
            return kind
    return None


def _bom_decode(data: bytes) -> tuple[str, str] | None:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="strict"), "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="strict"), "utf-16"
    return None


def _looks_utf16(data: bytes) -> bool:
    """BOM-less UTF-16 is worth trying: a NUL byte is absurd in any 8-bit text (and so in UTF-8 text)."""
    return len(data) % 2 == 0 and 0 in data[:4096]


# What a report's text is made of: CJK, ASCII, CJK and full-width punctuation. Text decoded in the wrong byte
# order is mostly other code points (Hangul, Yi, private use, unassigned).
_REPORT_CHARS = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\x09\x0a\x0d\x20-\x7e]")
_UTF16_MIN_SHARE = 0.9


def _utf16(data: bytes) -> str | None:
    """The byte order whose decoding reads as report text, or None (then it is no UTF-16 text at all)."""
    best, share = None, 0.0
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        sample = text[:2048]
        ratio = len(_REPORT_CHARS.findall(sample)) / max(1, len(sample))
        if ratio > share and _HAN.search(sample):
            best, share = text, ratio
    return best if share >= _UTF16_MIN_SHARE else None


def decode_bytes(data: bytes, ocr: bool = False, source: str = "") -> Decoded:
    """Decode one file's bytes; never raises for bad content (a reason is returned instead). `ocr`: a PDF without
    a text layer is read by OCR instead of rejected (`source` names it in the notice that OCR starts)."""
    digest, size = sha256_hex(data), len(data)

    def reject(reason: str) -> Decoded:
        return Decoded(digest, size, None, None, reason)

    if not data.strip():
        return reject("empty_file")
    fmt = documents.kind(data)
    if fmt:
        try:
            return Decoded(digest, size, documents.document_text(data, fmt), fmt, None)
        except documents.ScannedPdf as exc:
            if not ocr:
                return reject(str(exc))
        except documents.DocumentError as exc:
            return reject(str(exc))
        from transforms import ocr as ocr_pdf  # imported only when asked for: its packages are an optional extra

        try:
            return Decoded(digest, size, ocr_pdf.pdf_ocr_text(data, source), "ocr", None)
        except documents.DocumentError as exc:
            return reject(str(exc))
    kind = _binary_kind(data)
    if kind:
        return reject(f"binary_file: {kind}")
    try:
        text, encoding = _decode_text(data)
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":
            return reject(f"undecodable: truncated utf-8 sequence at byte {exc.start}")
        return reject(f"undecodable: {exc.reason}")
    except ValueError as exc:
        return reject(str(exc))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        return reject("binary_file: NUL characters in text")
    return Decoded(digest, size, text, encoding, None)


def _decode_text(data: bytes) -> tuple[str, str]:
    bom = _bom_decode(data)
    if bom:
        return bom
    if _looks_utf16(data):
        found = _utf16(data)
        if found is None:
            raise ValueError("binary_file: NUL bytes")
        return found, "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        # A file whose only UTF-8 error is a sequence cut at the very end was truncated, not mis-encoded.
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            raise
        # Only the reason is kept: the exception's traceback holds this frame, so keeping the exception here
        # would make a reference cycle holding the file's bytes until the next full garbage collection.
        utf8_error = exc.reason
    return _decode_legacy(data, utf8_error)


# Characters a wrong or garbage legacy decoding produces (controls, private use, a stray BOM): text
# with any of them is left to charset-normalizer's mess scoring rather than taken on trust.
_SUSPECT = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufeff]")


def _strict_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _decode_legacy(data: bytes, utf8_error: str) -> tuple[str, str]:
    """GB18030 or Big5. charset-normalizer weighs only the codecs that decode the bytes strictly and keeps
    one unless its text scores as messy (>= 0.2; report text scores ~0, at most 0.06 over the corpus). So
    when a single codec decodes the bytes to clean text, that is taken without the scoring, which costs
    ~50x more: GB2312/GBK text almost always holds byte pairs Big5 leaves unassigned. Big5 text mostly
    decodes as GB18030 too: such ambiguous bytes are left to charset-normalizer's language scoring. (Jumbled
    text that would score as messy is thus taken as GB18030 and left to normalize's screening.)"""
    decoded = {enc: text for enc in ("gb18030", "big5") if (text := _strict_decode(data, enc)) is not None}
    if not decoded:  # charset-normalizer would find nothing either
        raise ValueError(f"undecodable: not utf-8 ({utf8_error}) nor gb18030/big5/utf-16")
    if len(decoded) == 1:
        [(enc, text)] = decoded.items()
        if not _SUSPECT.search(text):
            return text, enc
    best = from_bytes(data, cp_isolation=_LEGACY).best()
    if best is None:
        raise ValueError(f"undecodable: not utf-8 ({utf8_error}) nor gb18030/big5/utf-16")
    enc = _ENCODING_LABEL.get(best.encoding, best.encoding)
    return str(best), enc


MAX_FILE_BYTES = 20 * 1024 * 1024  # real reports are 3-30 KB, saved pages a few MB at most


_ESCAPED_BYTE = re.compile(r"\\udc([89a-f][0-9a-f])")


def printable_path(path: str) -> str:
    """A path as valid UTF-8 text: a name's bytes that are not UTF-8 (a GBK name from a Windows zip), which
    Python holds as lone surrogates, are written `\\udcd6`; real_path() reverses it, so nothing is lost."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return path.encode("utf-8", "backslashreplace").decode("utf-8")


def real_path(path: str) -> str:
    """The file-system path of a printable_path()."""
    if "\\udc" not in path:
        return path
    return _ESCAPED_BYTE.sub(lambda m: chr(0xDC00 + int(m.group(1), 16)), path)


_KINDS = {stat.S_IFIFO: "fifo", stat.S_IFCHR: "character device", stat.S_IFBLK: "block device",
          stat.S_IFSOCK: "socket", stat.S_IFDIR: "directory"}


def read_file(path: str, ocr: bool = False) -> Decoded:
    """Read and decode one file; a file that vanished, cannot be read, is no regular file (a FIFO would block,
    /dev/zero never ends) or is far too large is rejected. A symlink is read as the file it points to."""
    try:
        # O_NONBLOCK: opening a FIFO with no writer returns at once, and fstat then tells what it is
        fd = os.open(real_path(path), os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                kind = _KINDS.get(stat.S_IFMT(st.st_mode), "special file")
                return Decoded("", 0, None, None, f"not_a_regular_file: {kind}")
            size = st.st_size
            if size > MAX_FILE_BYTES:
                return Decoded("", size, None, None, f"too_large: {size} bytes (limit {MAX_FILE_BYTES})")
            data = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return Decoded("", 0, None, None, "unreadable: file disappeared before it was read")
    except OSError as exc:
        return Decoded("", 0, None, None, f"unreadable: {exc.strerror or exc}")
    return decode_bytes(data, ocr, path)


def _read_within(path: str, seconds: float | None, ocr: bool) -> Decoded:
    done, decoded = budget.within(seconds, read_file, path, ocr)
    return decoded if done else Decoded("", 0, None, None, budget.reason(seconds, "decode"))


def decode_files(paths: list[str], ocr: bool = False, budget: float | None = None) -> pl.DataFrame:
    """A batch of files -> one row each: source, sha256, n_bytes, encoding, text, error. `ocr`: see decode_bytes.
    A file whose reading and decoding (a PDF's or Word document's too) takes over `budget` seconds is rejected
    `extract_timeout`."""
    rows = [_read_within(p, budget, ocr) for p in paths]
    return pl.DataFrame({
        "source": paths,
        "sha256": [r.sha256 for r in rows],
        "n_bytes": [r.n_bytes for r in rows],
        "encoding": [r.encoding for r in rows],
        "text": [r.text for r in rows],
        "error": [r.error for r in rows],
    }, schema={"source": pl.String, "sha256": pl.String, "n_bytes": pl.Int64, "encoding": pl.String,
               "text": pl.String, "error": pl.String})
