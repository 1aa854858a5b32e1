"""Where a load's extract batches run: in this process, on local worker processes (a worker per core by
default when the run has more than one batch), or on a Dask cluster; how big the batches are and how they are
handed out."""

from __future__ import annotations

import logging
import os

import polars as pl
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

BATCH_SIZE = 2000  # files per batch in process
WORKER_BATCH_SIZE = 1000  # on workers: smaller, to spread the work
AUTO_WORKERS = 0  # `workers`: a worker per available core when the run has more than one batch


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, which a container or `taskset` may narrow)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_shape(workers: int, batch_size: int | None, n_files: int, cores: int,
              cluster: bool = False) -> tuple[int, int]:
    """(local worker processes, files per batch) of a run. AUTO_WORKERS: a worker per core when the files
    make more than one in-process batch and there is more than one core, else in process; an explicit
    `workers` is kept. `batch_size` None: the default for where the batches run (`cluster`: a Dask cluster's
    workers, whatever `workers` says)."""
    if cluster:
        return workers, batch_size or WORKER_BATCH_SIZE
    if workers == AUTO_WORKERS:
        workers = cores if cores > 1 and n_files > (batch_size or BATCH_SIZE) else 1
    return workers, batch_size or (WORKER_BATCH_SIZE if workers > 1 else BATCH_SIZE)


def batches(todo: pl.DataFrame, batch_size: int) -> list[pl.DataFrame]:
    return [todo.slice(i, batch_size) for i in range(0, todo.height, batch_size)]


# Most batches one extract task run takes: its batches' progress is logged when it ends (~20 s of one worker's
# work at 1000 files a batch).
CHUNK_BATCHES = 8


def chunks(n_batches: int, slots: int) -> list[range]:
    """Batch indexes 0..n_batches-1 grouped into one extract task run each. In a worker process a task run
    costs ~0.3 s of Prefect's own setup however small it is (settings, API client, TLS context: ~15 s of a
    100k load on 2 workers as one run per batch), so with `slots` > 1 the batches go in guided chunks: each a
    1/(2*slots) share of those not yet handed out, from one to CHUNK_BATCHES batches, so the last ones, single
    batches, even out the workers' ends. In process (slots 1) a task run costs ~5 ms: one batch a run."""
    out, start = [], 0
    while start < n_batches:
        size = 1 if slots <= 1 else min(CHUNK_BATCHES, max(1, (n_batches - start) // (2 * slots)))
        out.append(range(start, start + size))
        start += size
    return out


def extract_runner(workers: int = 1, dask_address: str | None = None) -> TaskRunner:
    """Where extract batches run: an existing Dask cluster, `workers` local processes, or this process, one
    batch at a time. Locally a plain process pool, not a Dask LocalCluster: on 2 cores the same batches ran
    10-15% faster without Dask's scheduler, nannies and worker event loops competing for the CPU."""
    if dask_address:
        from prefect_dask import DaskTaskRunner

        logging.getLogger("distributed").setLevel(logging.WARNING)  # the run's own progress lines stay readable
        return DaskTaskRunner(address=dask_address)
    if workers > 1:
        return ProcessPoolTaskRunner(max_workers=workers)
    return ThreadPoolTaskRunner(max_workers=1)


def runner_slots(runner: TaskRunner, workers: int) -> int:
    """How many batches extract_runner(workers, ...) extracts at once: a Dask cluster's threads, or `workers`."""
    if hasattr(runner, "client"):  # DaskTaskRunner, entered: its distributed.Client
        return sum(w["nthreads"] for w in runner.client.scheduler_info()["workers"].values())
    return max(workers, 1)
