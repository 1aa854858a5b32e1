"""Which files a load or an extract reads: every regular file under a folder, in a stable order, with the size
and mtime that tell an unchanged file. Kept apart from flows/load.py so that `govreport extract` starts without
importing Prefect."""

from __future__ import annotations

import os
import pathlib

import polars as pl

from sources.manifest import is_manifest
from transforms.decode import printable_path, real_path


def list_report_files(source: str | pathlib.Path) -> list[str]:
    """Every regular file under a directory (sorted, hidden files and folders skipped), or the file itself."""
    return discover_files(source)["source_path"].to_list()


def discover_files(source: str | pathlib.Path) -> pl.DataFrame:
    """The files under `source` in a stable order: source_path (as reached from `source`), path (absolute),
    size and mtime_ns. Hidden files and folders are skipped, and so are manifests (sources/manifest.py)."""
    return discover_with_manifests(source)[0]


def discover_with_manifests(source: str | pathlib.Path) -> tuple[pl.DataFrame, list[str]]:
    """discover_files, and the manifest.csv files found on the way (they describe files; they are none)."""
    root = pathlib.Path(source)
    manifests: list[str] = []
    if root.is_file():
        entries = [str(root)]
    elif root.is_dir():
        entries = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for f in sorted(filenames):
                path = os.path.join(dirpath, f)
                if f.startswith("."):
                    continue
                if is_manifest(path):
                    manifests.append(path)
                else:
                    entries.append(path)
    else:
        raise FileNotFoundError(f"no such file or directory: {root}")
    return listing(entries), manifests


def listing(paths: list[str]) -> pl.DataFrame:
    """Paths with their absolute path, size and mtime; a file gone since it was listed gets -1 for both
    (never "unchanged"), and decode then quarantines it as unreadable. Paths are stored as printable_path()
    text: a name that is not UTF-8 is kept, escaped, and read back through real_path()."""
    stats = [_stat(p) for p in paths]
    shown = [printable_path(p) for p in paths]
    return pl.DataFrame({
        "source_path": shown, "path": [printable_path(os.path.abspath(p)) for p in paths],
        "size": [s[0] for s in stats], "mtime_ns": [s[1] for s in stats],
    }, schema={"source_path": pl.String, "path": pl.String, "size": pl.Int64, "mtime_ns": pl.Int64})


def _stat(path: str) -> tuple[int, int]:
    try:
        st = os.stat(real_path(path))
    except OSError:
        return -1, -1
    return st.st_size, st.st_mtime_ns
