"""Scale paths: the benchmark end to end at a small N, and the Dask extract path against the in-process one."""

from __future__ import annotations

import duckdb
import pytest

from bench import run as bench
from bench.make_corpus import make_corpus

# Everything a load publishes except what differs by run (ids, clocks).
CONTENT = {
    "raw_report": "SELECT sha256, source_path, n_bytes, encoding, raw_text FROM raw_report ORDER BY ALL",
    "dim_agency": "SELECT * FROM dim_agency ORDER BY ALL",
    "fact_report": "SELECT * EXCLUDE (run_id) FROM fact_report ORDER BY report_id",
    "fact_metric": "SELECT * FROM fact_metric ORDER BY ALL",
    "quarantine": "SELECT sha256, source_path, reason FROM quarantine ORDER BY ALL",
    "source_file": "SELECT path, size, mtime_ns, sha256, outcome FROM source_file ORDER BY ALL",
}


def published(path) -> dict[str, list]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {table: con.execute(sql).fetchall() for table, sql in CONTENT.items()}
    finally:
        con.close()


def test_benchmark_smoke_run(prefect_harness, tmp_path):
    result = bench.run(n=80, workers=1, out=tmp_path, seed=5, batch_size=30)
    full, again, changed = result["full_load"], result["no_change"], result["one_percent"]
    assert full["published"] and full["files_read"] == full["files_seen"] == 80
    assert full["reports_loaded"] + full["rejected"] == 80 and full["rejected"] >= 1
    assert again["files_read"] == 0 and again["reports_loaded"] == 0  # nothing changed: nothing read
    assert changed["files_read"] == result["changed_files"] >= 2 and changed["files_seen"] > 80
    assert result["accuracy"]["scorer_summary"].startswith("metrics P=1.000 R=1.000 F1=1.000")
    assert "metadata" in result["accuracy"]["scorer_summary"] and "=1.000" in result["accuracy"]["scorer_summary"]
    assert result["baseline_duckdb"]["files"] == changed["files_seen"]
    assert result["peak_rss_mb"] > 0 and result["extract_30kb_free_form"]["bytes"] <= 30_000
    table = bench.table(result)
    assert "full_load" in table and "duckdb baseline" in table


def test_worker_processes_and_a_dask_cluster_build_the_identical_warehouse(prefect_harness, tmp_path, monkeypatch):
    from distributed import LocalCluster
    from prefect.settings import PREFECT_API_URL

    from flows.load import load_reports

    make_corpus(40, tmp_path / "corpus", 11)
    reports = tmp_path / "corpus" / "reports"
    # Worker processes inherit the environment: point them at the harness's API, not temporary servers.
    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())
    # Batches of 3: 14 of them, which the pool and the cluster (2 slots each) take in chunks of up to 3.
    local = load_reports(str(reports), str(tmp_path / "local.duckdb"), batch_size=3)
    # An existing cluster reached by its address, as `govreport load --dask-address tcp://...` does.
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        on_dask = load_reports(str(reports), str(tmp_path / "dask.duckdb"), batch_size=3,
                               dask_address=cluster.scheduler_address)
    # `govreport load --workers 2`: a local process pool.
    pooled = load_reports(str(reports), str(tmp_path / "pool.duckdb"), batch_size=3, workers=2)
    counts = ("files_seen", "reports_loaded", "rejected", "facts_loaded")
    want = published(tmp_path / "local.duckdb")
    for name, run in (("dask", on_dask), ("pool", pooled)):
        assert run["published"] and {k: run[k] for k in counts} == {k: local[k] for k in counts}, name
        got = published(tmp_path / f"{name}.duckdb")
        for table in CONTENT:
            assert got[table] == want[table], (name, table)
    assert len(want["fact_metric"]) > 100


@pytest.mark.parametrize(("workers", "address", "runner"), [
    (1, None, "ThreadPoolTaskRunner"), (3, None, "ProcessPoolTaskRunner"), (1, "tcp://10.0.0.1:8786", "DaskTaskRunner"),
    (3, "tcp://10.0.0.1:8786", "DaskTaskRunner")])
def test_extract_runner_follows_workers_and_address(workers, address, runner):
    from flows.runners import extract_runner

    assert type(extract_runner(workers, address)).__name__ == runner


@pytest.mark.parametrize(("n", "slots", "sizes"), [
    (0, 2, []),
    (3, 1, [1, 1, 1]),  # in process: a task run per batch
    (5, 2, [1, 1, 1, 1, 1]),
    (14, 2, [3, 2, 2, 1, 1, 1, 1, 1, 1, 1]),
    (100, 2, [8] * 9 + [7, 5, 4, 3, 2] + [1] * 7),  # at most CHUNK_BATCHES, single batches at the end
    (40, 8, [2] * 5 + [1] * 30),  # a share of 40 - 10 among 16 is under one batch
])
def test_chunks_are_guided_and_cover_every_batch_once_in_order(n, slots, sizes):
    from flows.runners import CHUNK_BATCHES, chunks

    got = chunks(n, slots)
    assert [len(g) for g in got] == sizes
    assert [i for g in got for i in g] == list(range(n))
    assert all(1 <= len(g) <= CHUNK_BATCHES for g in got)


@pytest.mark.parametrize(("workers", "batch_size", "n_files", "cores", "shape"), [
    (0, None, 21, 2, (1, 2000)),        # the sample reports: one batch, in process
    (0, None, 2000, 2, (1, 2000)),      # exactly one in-process batch
    (0, None, 2001, 2, (2, 1000)),      # more than one: a worker per core
    (0, None, 100_000, 8, (8, 1000)),
    (0, None, 100_000, 1, (1, 2000)),   # one core: in process whatever the size
    (0, 3, 10, 2, (2, 3)),              # a given batch size decides how many batches there are
    (1, None, 100_000, 8, (1, 2000)),   # --workers 1 keeps everything in process
    (3, None, 5, 8, (3, 1000)),         # an explicit count is kept
])
def test_run_shape_uses_all_cores_by_default_when_the_run_has_more_than_one_batch(workers, batch_size, n_files,
                                                                                  cores, shape):
    from flows.runners import run_shape

    assert run_shape(workers, batch_size, n_files, cores) == shape


def test_cli_refuses_a_negative_worker_count(capsys):
    from flows.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["load", "x", "--workers", "-1"])
    assert exit_.value.code == 2 and "must be at least 0" in capsys.readouterr().err


def test_run_shape_on_a_cluster_keeps_the_count_and_uses_worker_batches():
    from flows.runners import run_shape

    assert run_shape(0, None, 10, 2, cluster=True) == (0, 1000)
    assert run_shape(1, 500, 10, 2, cluster=True) == (1, 500)
