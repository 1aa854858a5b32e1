"""Whole commands as a user runs them, timed from outside (wall seconds, median of --repeat runs).

    .venv/bin/python -m bench.cold_start [--repeat 5]

Measures, with the shared local Prefect server (flows/prefect_server.py) of a fresh PREFECT_HOME:
the first load (which starts the server), a load of examples/ into an empty warehouse with the server
running, the no-change re-run of that load, `extract` of one report and `query` of the warehouse. Stops the
server at the end.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
CLI = [str(pathlib.Path(sys.executable).parent / "govreport")]


def timed(args: list[str], env: dict[str, str]) -> float:
    tick = time.perf_counter()
    subprocess.run(CLI + args, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - tick


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="cold_start_"))
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(tmp / "prefect"), GOVREPORT_PREFECT_SERVER="shared")
    db = tmp / "w" / "w.duckdb"
    results: dict[str, list[float]] = {}
    try:
        # The very first command of a fresh PREFECT_HOME: the server's start and its database migrations.
        db.parent.mkdir()
        results["first load, starting the shared server"] = [timed(["load", "examples", "--db", str(db)], env)]
        for _ in range(args.repeat):
            shutil.rmtree(db.parent)
            db.parent.mkdir()
            results.setdefault("load examples/ into an empty warehouse, server running", []).append(
                timed(["load", "examples", "--db", str(db)], env))
            results.setdefault("the same load again, nothing changed", []).append(
                timed(["load", "examples", "--db", str(db)], env))
            results.setdefault("extract one report", []).append(
                timed(["extract", "examples/reports/000_36fb0402640fefb2.txt"], env))
            results.setdefault("query the warehouse", []).append(
                timed(["query", "select count(*) from fact_metric", "--db", str(db)], env))
    finally:
        subprocess.run(CLI + ["api", "stop"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"| command ({args.repeat} runs, median wall seconds) | seconds |")
    print("|---|---|")
    for name, values in results.items():
        print(f"| {name} | {statistics.median(values):.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
