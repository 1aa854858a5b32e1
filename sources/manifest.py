"""manifest.csv: where the files of a folder came from (URL, final URL, retrieval time, HTTP status, publisher).

`govreport fetch` writes one into its output folder; files obtained elsewhere can carry the same by a
hand-written one (only `path` and `url` are needed). `govreport load` reads every manifest.csv under its
source (a manifest's paths are relative to its own folder) and does not load the manifest itself as a report.
"""

from __future__ import annotations

import csv
import io
import os
import pathlib
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl

NAME = "manifest.csv"
REQUIRED = ("path", "url")
# What fetch writes: the four (path, url, retrieved_at, publisher) plus what the exchange told.
COLUMNS = ("path", "url", "final_url", "retrieved_at", "http_status", "content_type", "sha256", "n_bytes",
           "page_url", "publisher")
PROVENANCE_SCHEMA = {"path": pl.String, "source_url": pl.String, "final_url": pl.String,
                     "retrieved_at": pl.Datetime("us"), "http_status": pl.Int32, "publisher": pl.String}


def is_manifest(path: str | os.PathLike) -> bool:
    """A file named manifest.csv whose header names at least path and url: a CSV that only shares the name
    is loaded (and judged) like any other file."""
    if pathlib.Path(path).name != NAME:
        return False
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader([fh.readline()]), [])
    except (OSError, UnicodeDecodeError):
        return False
    return all(c in [h.strip() for h in header] for c in REQUIRED)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def parse_time(text: str) -> datetime | None:
    """ISO 8601 (`2026-12-07T16:50:00Z`, `2026-12-07 16:50:00+08:00`, `2026-12-07`) -> naive UTC."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def read_manifest(path: str | os.PathLike) -> tuple[list[dict], list[Problem]]:
    """The manifest's rows as provenance (path made absolute from the manifest's folder, as discovery names
    files) and its malformed rows, each with file and line; a malformed row gives no provenance, the file it
    names still loads."""
    folder = os.path.dirname(os.path.abspath(path))
    rows, problems = [], []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            if not row.get("path") or not row.get("url"):
                problems.append(Problem(str(path), line, "path and url are required"))
                continue
            try:
                retrieved = parse_time(row["retrieved_at"]) if row.get("retrieved_at") else None
                status = int(row["http_status"]) if row.get("http_status") else None
            except ValueError as exc:
                problems.append(Problem(str(path), line, str(exc)))
                continue
            rows.append({"path": os.path.abspath(os.path.join(folder, row["path"])), "source_url": row["url"],
                         "final_url": row.get("final_url") or row["url"], "retrieved_at": retrieved,
                         "http_status": status, "publisher": row.get("publisher") or None})
    return rows, problems


def provenance(manifests: list[str]) -> tuple[pl.DataFrame, list[Problem]]:
    """Every row of these manifests as one frame (PROVENANCE_SCHEMA); a path two manifests name keeps its
    earliest retrieval."""
    rows, problems = [], []
    for m in manifests:
        found, bad = read_manifest(m)
        rows += found
        problems += bad
    frame = pl.DataFrame(rows, schema=PROVENANCE_SCHEMA, orient="row")
    frame = frame.sort("retrieved_at", "path", nulls_last=True).unique("path", keep="first", maintain_order=True)
    return frame, problems


def write_manifest(folder: str | os.PathLike, rows: list[dict]) -> pathlib.Path:
    """Write folder/manifest.csv (COLUMNS, rows sorted by path) atomically: a reader sees the old one or the
    new one, never half of one."""
    target = pathlib.Path(folder) / NAME
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in sorted(rows, key=lambda r: r["path"]):
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in COLUMNS})
    write_atomically(target, buffer.getvalue().encode("utf-8"))
    return target


def write_atomically(target: pathlib.Path, data: bytes) -> None:
    """temp file in the same folder (hidden, so a load running meanwhile never lists it) + fsync + rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.fchmod(fd, 0o666 & ~umask)  # as an ordinary file, not mkstemp's owner-only
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise
