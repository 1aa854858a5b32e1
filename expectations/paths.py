"""Where the Data Docs live: without Great Expectations, which a command that only names the page need not import."""

from __future__ import annotations

import pathlib


def docs_index(docs_dir: pathlib.Path) -> pathlib.Path:
    """Path of the Data Docs index.html that validate_batch(docs_dir=...) builds (GX's default local site)."""
    return pathlib.Path(docs_dir) / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
