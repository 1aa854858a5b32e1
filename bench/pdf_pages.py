"""PDF reading speed: pages per second of transforms.documents.pdf_text over the PDFs under a folder.

    .venv/bin/python -m bench.pdf_pages examples/real [--repeat 3]

Best of --repeat runs per file (the first run also pays for importing pdfplumber, excluded here).
"""

from __future__ import annotations

import argparse
import pathlib
import time

from transforms.documents import PAGE_BREAK, pdf_text


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    pdfs = sorted(p for p in pathlib.Path(args.folder).rglob("*") if p.is_file() and p.read_bytes()[:5] == b"%PDF-")
    if not pdfs:
        print("no PDF found")
        return 1
    pdf_text(pdfs[0].read_bytes())  # imports and warms pdfminer
    pages = seconds = 0.0
    for path in pdfs:
        data = path.read_bytes()
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            text = pdf_text(data)
            best = min(best, time.perf_counter() - start)
        n = text.count(PAGE_BREAK) + 1
        pages, seconds = pages + n, seconds + best
        print(f"{path.name}: {n} pages in {best:.2f} s ({n / best:.1f} pages/s)")
    print(f"all: {pages:.0f} pages in {seconds:.2f} s ({pages / seconds:.1f} pages/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
