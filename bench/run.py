"""Benchmark: generate a corpus, then in one run measure a full load, a no-change re-run, a 1%-changed run,
peak memory, a DuckDB-only baseline over the same files and extraction accuracy on the generated truth.

    .venv/bin/python bench/run.py [--n 100000] [--workers 2] [--out bench/out] [--json bench/out/result.json]

The Prefect API is started once, before anything is timed (as under `govreport serve`); its start is
reported on its own line. Prints a table and writes the same figures as JSON. Not a test: nothing here
asserts a time (tests/test_bench.py runs it at a small N).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PREFECT_HOME", str(ROOT / ".prefect"))
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
# Its own temporary server, whose start and memory the benchmark reports apart (server_pid()).
os.environ.setdefault("GOVREPORT_PREFECT_SERVER", "temporary")

import duckdb  # noqa: E402
import psutil  # noqa: E402

from bench.make_corpus import make_corpus  # noqa: E402

SCORER = ROOT / "tests" / "fixtures" / "score_extraction.py"
# The baseline: one pass of DuckDB alone over the same files, pulling every number with a unit. read_text
# stops at the first file that is not UTF-8 (a third of the corpus is GB18030, Big5 or UTF-16), so the bytes
# are read with read_blob and decoded where DuckDB can (UTF-8); the others are read but not matched.
BASELINE_SQL = r"""
SELECT count(*) AS files, count(try(decode(content))) AS utf8_files,
       sum(len(regexp_extract_all(try(decode(content)), '(\d+(?:\.\d+)?)\s*(?:条|件|次|人次|万元|个|期|篇)')))
           AS numbers
FROM read_blob(?)
"""
# Each file's current content (source_file), so a file rewritten in the 1% run is scored by its new text.
CONTRACT_SQL = """
SELECT s.path, a.agency_name, a.province, a.city, a.county, r.report_year,
       strftime(r.published_on, '%Y-%m-%d'), strftime(r.signed_on, '%Y-%m-%d'), r.script, r.layout,
       list({'code': m.metric_code, 'breakdown': m.breakdown, 'value': m.value, 'qualifier': m.qualifier})
           FILTER (WHERE m.metric_code IS NOT NULL)
FROM source_file s
JOIN fact_report r ON r.report_id = s.sha256 AND s.outcome = 'loaded'
JOIN dim_agency a USING (agency_id)
LEFT JOIN fact_metric m USING (report_id)
GROUP BY ALL
"""


class PeakMemory:
    """Peak resident memory of this process and all its children (the extract workers), sampled
    every 100 ms: a sum over the process tree, which getrusage cannot give. The Prefect API server's process
    tree (`server_pid`) is summed apart: under `govreport serve` it is a long-running service of its own."""

    def __init__(self, server_pid: int | None = None) -> None:
        self.server_pid = server_pid
        self.peak = self.server_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _rss(procs: list[psutil.Process]) -> int:
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                pass
        return total

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            tree = [me, *me.children(recursive=True)]
            server = [p for p in tree if p.pid == self.server_pid]
            if server:
                try:
                    server += server[0].children(recursive=True)
                except psutil.Error:
                    pass
            ours = [p for p in tree if p.pid not in {s.pid for s in server}]
            self.peak = max(self.peak, self._rss(ours))
            self.server_peak = max(self.server_peak, self._rss(server))
            self._stop.wait(0.1)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def server_pid() -> int | None:
    """The temporary Prefect API server's process, when prefect_api() started one (Prefect keeps one per
    process: SubprocessASGIServer() returns it)."""
    from prefect.server.api.server import SubprocessASGIServer

    process = SubprocessASGIServer().server_process
    return process.pid if process else None


def timed_load(reports: pathlib.Path, db_path: pathlib.Path, batch_size: int, workers: int) -> dict[str, Any]:
    from flows.load import load_reports

    tick = time.perf_counter()
    audit = load_reports(str(reports), str(db_path), docs_dir=None, batch_size=batch_size, workers=workers)
    wall = time.perf_counter() - tick
    seconds = audit["stage_seconds"]
    # CPU, not the stages' wall seconds in the workers: those also count whatever else the machine ran meanwhile
    # (the writer importing GX, Prefect's own threads), which is overhead, not the transforms' cost.
    transforms = seconds.get("transforms_cpu", 0.0)
    return {
        "wall_s": round(wall, 2), "files_seen": audit["files_seen"], "files_read": audit["files_seen"] - audit[
            "files_skipped"], "reports_loaded": audit["reports_loaded"], "rejected": audit["rejected"],
        "facts_loaded": audit["facts_loaded"], "published": audit["published"],
        "reports_per_s": round(audit["files_seen"] / wall, 1) if wall else None,
        "stage_seconds": seconds, "transform_cpu_s": round(transforms, 2),
    }


def add_changed_files(reports: pathlib.Path, truth: pathlib.Path, n: int, seed: int) -> int:
    """1% new files (a fresh corpus slice under new names) and changed files (rewritten with new content)."""
    with tempfile.TemporaryDirectory() as tmp:
        extra = pathlib.Path(tmp)
        make_corpus(n, extra, seed + 1)
        new = sorted((extra / "reports").iterdir())
        half = len(new) // 2
        existing = sorted(p for p in reports.iterdir() if (truth / f"{p.stem}.json").exists())
        for i, src in enumerate(new):
            # First half: new files. Second half: replace existing files' content (changed in place).
            target = reports / f"new_{src.name}" if i < half else existing[(i - half) * 7 % len(existing)]
            shutil.copy(src, target)
            gold = extra / "truth" / f"{src.stem}.json"
            (truth / f"{target.stem}.json").unlink(missing_ok=True)
            if gold.exists():
                record = json.loads(gold.read_text(encoding="utf-8"))
                record["source"] = target.name
                (truth / f"{target.stem}.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        return len(new)


def baseline(reports: pathlib.Path) -> dict[str, Any]:
    con = duckdb.connect()
    tick = time.perf_counter()
    files, utf8, numbers = con.execute(BASELINE_SQL, [str(reports / "*")]).fetchall()[0]
    wall = time.perf_counter() - tick
    return {"wall_s": round(wall, 2), "files": files, "utf8_files_matched": utf8, "numbers_found": numbers}


def accuracy(db_path: pathlib.Path, truth: pathlib.Path, out: pathlib.Path) -> dict[str, Any]:
    """Score the published warehouse (not a separate extraction) against the generated truth."""
    con = duckdb.connect(str(db_path), read_only=True)
    rows = con.execute(CONTRACT_SQL).fetchall()
    con.close()
    keys = ("agency", "province", "city", "county", "report_year", "published_on", "signed_on", "script", "layout")
    jsonl = out / "warehouse_extract.jsonl"
    with jsonl.open("w", encoding="utf-8") as fh:
        for row in rows:
            record = {"source": row[0], **dict(zip(keys, row[1:10], strict=True)), "status": "ok",
                      "metrics": [dict(m, value=int(m["value"]) if float(m["value"]).is_integer() else m["value"])
                                  for m in (row[10] or [])]}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    proc = subprocess.run([sys.executable, str(SCORER), str(jsonl), str(truth), "--min-f1", "0", "--min-meta", "0"],
                          capture_output=True, text=True)
    lines = proc.stdout.strip().splitlines()
    return {"scorer_summary": lines[-1] if lines else proc.stderr.strip()[-300:], "reports_scored": len(rows)}


def extract_microbench() -> dict[str, Any]:
    """One 30 KB free-form report through extract_report on one core (issue: well under 10 ms)."""
    from flows.discover import list_report_files
    from transforms.decode import decode_files
    from transforms.extract import extract_report
    from transforms.normalize import normalize_batch

    normalized = normalize_batch(decode_files(list_report_files(ROOT / "examples" / "reports")))
    free_form = [t for t, s in zip(normalized["norm_text"], normalized["source"], strict=True) if s.endswith(".txt")]
    text = ""
    for t in free_form:  # whole reports glued until 30 KB of UTF-8
        if len((text + t).encode()) > 30_000:
            break
        text += t + "\n"
    times = []
    for _ in range(30):
        tick = time.perf_counter()
        extract_report(text)
        times.append(time.perf_counter() - tick)
    times.sort()
    return {"bytes": len(text.encode()), "median_ms": round(times[15] * 1000, 2), "best_ms": round(times[0] * 1000, 2)}


def run(n: int, workers: int, out: pathlib.Path, seed: int, batch_size: int | None) -> dict[str, Any]:
    from flows.cli_common import prefect_api

    out.mkdir(parents=True, exist_ok=True)
    corpus = out / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    tick = time.perf_counter()
    make_corpus(n, corpus, seed)
    reports, truth = corpus / "reports", corpus / "truth"
    result: dict[str, Any] = {"n": n, "workers": workers, "seed": seed, "cpus": os.cpu_count(),
                              "corpus_s": round(time.perf_counter() - tick, 1),
                              "corpus_mb": round(sum(p.stat().st_size for p in reports.iterdir()) / 1e6, 1)}
    db_path = out / "bench.duckdb"
    for p in out.glob("bench.duckdb*"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    # On workers: enough batches to keep every worker busy, small enough to bound each worker's memory.
    batch = batch_size or (max(100, min(1000, n // (workers * 8) or 1)) if workers > 1 else 2000)
    result["batch_size"] = batch
    with prefect_api() as api:
        result["prefect_api_start_s"] = round(api.seconds, 1)
        with PeakMemory(server_pid()) as memory:
            result["full_load"] = timed_load(reports, db_path, batch, workers)
        result["peak_rss_mb"] = round(memory.peak / 1e6)
        result["prefect_server_peak_rss_mb"] = round(memory.server_peak / 1e6)
        # Nightly runs read few files: in process, without worker processes to start (seconds of their own).
        result["no_change"] = timed_load(reports, db_path, 2000, 1)
        result["changed_files"] = add_changed_files(reports, truth, max(2, n // 100), seed)
        result["one_percent"] = timed_load(reports, db_path, 2000, 1)
    result["baseline_duckdb"] = baseline(reports)
    full = result["full_load"]
    result["full_over_baseline"] = round(full["wall_s"] / max(result["baseline_duckdb"]["wall_s"], 1e-9), 1)
    s = full["stage_seconds"]
    parallel_phase = full["transform_cpu_s"] / max(workers, 1)
    measured = parallel_phase + s.get("discover", 0) + s.get("stage", 0) + s.get("publish", 0)
    gx = s.get("validate", 0.0) + s.get("quality", 0.0)  # the suites and checks, and the quality warnings
    result["overhead"] = {
        "validate_gx_s": round(gx, 3),
        "orchestration_s": round(max(full["wall_s"] - measured - gx, 0.0), 2),
        "share_of_wall": round((full["wall_s"] - measured) / full["wall_s"], 3) if full["wall_s"] else None,
    }
    result["accuracy"] = accuracy(db_path, truth, out)
    result["extract_30kb_free_form"] = extract_microbench()
    return result


def table(result: dict[str, Any]) -> str:
    rows = [("corpus", f"{result['n']} files, {result['corpus_mb']} MB, generated in {result['corpus_s']} s")]
    rows.append(("prefect api start", f"{result['prefect_api_start_s']} s (once; not in any figure below)"))
    for key in ("full_load", "no_change", "one_percent"):
        r = result[key]
        rows.append((key, f"{r['wall_s']} s wall, {r['files_read']} of {r['files_seen']} files read, "
                          f"{r['reports_loaded']} reports, {r['rejected']} rejected, {r['reports_per_s']} files/s"))
    rows.append(("full load stages", json.dumps(result["full_load"]["stage_seconds"])))
    rows.append(("peak memory", f"{result['peak_rss_mb']} MB (load: flow process and its workers); "
                                f"Prefect API server {result['prefect_server_peak_rss_mb']} MB apart"))
    rows.append(("duckdb baseline", f"{result['baseline_duckdb']['wall_s']} s; full load = "
                                    f"{result['full_over_baseline']}x baseline"))
    o = result["overhead"]
    rows.append(("prefect+gx overhead", f"GX validate + quality warnings {o['validate_gx_s']} s, "
                                        f"orchestration {o['orchestration_s']} s, "
                                        f"{o['share_of_wall']:.1%} of wall"))
    rows.append(("accuracy", result["accuracy"]["scorer_summary"]))
    e = result["extract_30kb_free_form"]
    rows.append(("extract 30 KB free-form", f"{e['median_ms']} ms median, {e['best_ms']} ms best, one core"))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def main(argv: list[str] | None = None) -> int:
    # Per-batch log lines would swamp the table. Set here, not at import: importing must change nothing
    # (the tests import this module).
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2, help="extract worker processes (1: in process)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "bench" / "out")
    parser.add_argument("--json", type=pathlib.Path, help="default: OUT/result.json")
    args = parser.parse_args(argv)
    result = run(args.n, args.workers, args.out, args.seed, args.batch_size)
    print(table(result))
    target = args.json or args.out / "result.json"
    target.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nwritten: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
