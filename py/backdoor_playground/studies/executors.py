"""Where jobs run: `local` (a process pool; one worker = in process), `dask://HOST:PORT` (a dask.distributed
scheduler, through its Client's concurrent.futures executor) or `ray` / `ray://HOST:PORT` (ray tasks).

Every engine gets the same picklable (function, job) pairs and the results come back in job order, so the rows do
not depend on where they ran (only timings do). dask and ray are optional extras, imported only when chosen.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence

EXECUTORS = ("local", "dask://HOST:PORT", "ray")


def check_executor(spec: str | None) -> str:
    """The executor spec, checked; ValueError listing the valid forms."""
    spec = "local" if spec is None else str(spec)
    if spec == "local" or spec == "ray" or spec.startswith("ray://"):
        return spec
    if spec.startswith("dask://"):
        host, _, port = spec[len("dask://"):].rpartition(":")
        if host and port.isdigit():
            return spec
    raise ValueError(f"--executor {spec!r} is not one of {', '.join(EXECUTORS)} (or ray://HOST:PORT)")


def _missing(engine: str, module: str) -> ValueError:
    return ValueError(f"--executor {engine} needs the {module} package, which is not installed: "
                      f"pip install './py[{engine}]' (on the workers too)")


def _local(fn: Callable, jobs: Sequence[Any], workers: int | None) -> list:
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    if workers <= 1 or len(jobs) <= 1:
        return [fn(job) for job in jobs]
    from concurrent.futures import ProcessPoolExecutor  # not in Pyodide

    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, jobs))


def _dask(fn: Callable, jobs: Sequence[Any], address: str) -> list:
    try:
        from distributed import Client
    except ImportError:
        raise _missing("dask", "dask.distributed") from None
    with Client(address) as client:
        executor = client.get_executor(pure=False)
        return list(executor.map(fn, jobs))


def _ray(fn: Callable, jobs: Sequence[Any], address: str | None) -> list:
    try:
        import ray
    except ImportError:
        raise _missing("ray", "ray") from None
    started = not ray.is_initialized()
    if started:
        ray.init(address=address, ignore_reinit_error=True, log_to_driver=False)
    try:
        task = ray.remote(fn)
        return ray.get([task.remote(job) for job in jobs])
    finally:
        if started:
            ray.shutdown()


def map_jobs(fn: Callable, jobs: Sequence[Any], executor: str | None = "local", workers: int | None = None) -> list:
    """[fn(job) for job in jobs], computed on `executor` (workers: the local pool's size, default the CPU count)."""
    spec = check_executor(executor)
    jobs = list(jobs)
    if not jobs:
        return []
    if spec == "local":
        return _local(fn, jobs, workers)
    if spec.startswith("dask://"):
        return _dask(fn, jobs, "tcp://" + spec[len("dask://"):])
    return _ray(fn, jobs, None if spec == "ray" else spec)


def run_matrix(config: Any, seeds: int, backdoors: Sequence[str] | None = None,
               defenses: Sequence[str] | None = None, workers: int = 1, executor: str | None = "local",
               trigger: str = "box") -> list:
    """experiment/matrix.run_matrix's rows, its jobs (per seed: train; per backdoor: plant, activate, defend) mapped
    on `executor`: the same units, so the same rows (timing aside)."""
    from ..experiment import matrix

    check_executor(executor)
    raw, bds, dfs = matrix.check_matrix(config, backdoors, defenses)
    matrix.check_trigger(trigger)
    jobs = []
    for seed in (str(i) for i in range(seeds)):
        base = matrix.trained(raw, seed)
        jobs.extend((base, seed, bd, dfs, trigger) for bd in bds)
    return [row for rows in map_jobs(matrix.run_backdoor, jobs, executor, workers or 1) for row in rows]
