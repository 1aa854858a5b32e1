"""The whole metamorphic grid: every real report × every transformation of tests/metamorphic_cases.py,
printed as a table of pass rates and, with --failures, what differs in each failing cell.

    .venv/bin/python scripts/metamorphic_grid.py [--failures] [--only NAME]
"""

from __future__ import annotations

import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from tests.conftest import EXAMPLES, REAL  # noqa: E402
from tests.metamorphic_cases import TRANSFORMS, check, reading  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--failures", action="store_true", help="print every failing cell and what differs")
    parser.add_argument("--only", action="append", help="only these transformations")
    args = parser.parse_args()
    reports = sorted(p for d in (EXAMPLES, REAL) for p in d.iterdir() if p.suffix != ".pdf")
    originals = {p.name: reading(p.read_bytes()) for p in reports}
    failures = []
    print(f"{'transformation':24} {'pass':>5} {'fail':>5} {'n/a':>5}  rate")
    for name, t in TRANSFORMS.items():
        if args.only and name not in args.only:
            continue
        counts = {"pass": 0, "fail": 0, "n/a": 0}
        for p in reports:
            verdict = check(t, p.read_bytes(), p.name, originals[p.name])
            kind = "pass" if verdict is None else "n/a" if verdict == "n/a" else "fail"
            counts[kind] += 1
            if kind == "fail":
                failures.append((name, p.name, verdict))
        applied = counts["pass"] + counts["fail"]
        rate = f"{counts['pass'] / applied:.3f}" if applied else "-"
        print(f"{name:24} {counts['pass']:5} {counts['fail']:5} {counts['n/a']:5}  {rate}")
    if args.failures:
        for name, report, why in failures:
            print(f"\n{name} × {report}: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
